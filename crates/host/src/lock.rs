//! Sidecar lock files: an exclusive advisory lock on `<target>.lock` beside
//! the file it guards (a lock on the target itself would die with the
//! rename that replaces it). Waits are bounded, and a lock that stays busy
//! is reported with the lock file's path.
//!
//! Lock files are never deleted: removing one while another process waits
//! on it would let two writers in.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::atomic::{create_private_dir, resolve_target};

/// How often a bounded wait tries the lock again.
const RETRY_EVERY: Duration = Duration::from_millis(25);

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{} is held by another process (waited {} ms)", path.display(), waited.as_millis())]
    Busy { path: PathBuf, waited: Duration },
    #[error("cannot open the lock file {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl LockError {
    pub fn code(&self) -> &'static str {
        match self {
            LockError::Busy { .. } => "locked",
            LockError::Io { .. } => "file_io",
        }
    }
}

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct FileLock {
    _file: File,
    path: PathBuf,
}

/// The lock file of `target`: beside the real file when `target` is a symlink.
pub fn lock_path(target: &Path) -> io::Result<PathBuf> {
    let real = resolve_target(target)?;
    let mut name = real.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    Ok(real.with_file_name(name))
}

impl FileLock {
    /// The lock of `target` if nobody holds it.
    pub fn try_acquire(target: &Path) -> Result<Option<FileLock>, LockError> {
        let path = lock_path(target).map_err(|source| LockError::Io {
            path: target.to_owned(),
            source,
        })?;
        if let Some(dir) = path.parent() {
            create_private_dir(dir).map_err(|source| LockError::Io {
                path: path.clone(),
                source,
            })?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|source| LockError::Io {
            path: path.clone(),
            source,
        })?;
        // Called through the trait: the standard library's own `try_lock`
        // is newer than the minimum Rust version.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => Ok(Some(FileLock { _file: file, path })),
            Err(fs4::TryLockError::WouldBlock) => Ok(None),
            Err(fs4::TryLockError::Error(source)) => Err(LockError::Io { path, source }),
        }
    }

    /// The lock of `target`, waiting at most `wait` for another holder.
    pub fn acquire(target: &Path, wait: Duration) -> Result<FileLock, LockError> {
        let start = Instant::now();
        loop {
            if let Some(lock) = FileLock::try_acquire(target)? {
                return Ok(lock);
            }
            if start.elapsed() >= wait {
                return Err(LockError::Busy {
                    path: lock_path(target).unwrap_or_else(|_| target.to_owned()),
                    waited: start.elapsed(),
                });
            }
            std::thread::sleep(RETRY_EVERY);
        }
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_a_bounded_time_and_is_told_the_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("token.json");
        let held = FileLock::acquire(&target, Duration::ZERO).unwrap();
        assert_eq!(held.path(), dir.path().join("token.json.lock"));
        assert!(FileLock::try_acquire(&target).unwrap().is_none());
        let err = FileLock::acquire(&target, Duration::from_millis(60)).unwrap_err();
        assert_eq!(err.code(), "locked");
        assert!(
            err.to_string()
                .contains("token.json.lock is held by another process"),
            "{err}"
        );
        drop(held);
        assert!(FileLock::try_acquire(&target).unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_of_a_symlink_sits_beside_the_real_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        let real = dir.path().join("real/config");
        std::fs::write(&real, b"x").unwrap();
        let link = dir.path().join("config");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(
            lock_path(&link).unwrap(),
            dir.path().join("real/config.lock")
        );
        let _held = FileLock::acquire(&real, Duration::ZERO).unwrap();
        assert!(FileLock::try_acquire(&link).unwrap().is_none());
    }
}
