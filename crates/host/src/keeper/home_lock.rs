//! One keeper per AWS home: the first process to take the keeper lock for a
//! pair of config and credentials files renews; another is told who holds
//! it. The lock is `keeper-<hash>.lock` in the state folder, the hash taken
//! over the two files' absolute paths; the holder's process id is written
//! beside it in `keeper-<hash>.pid`, a [`locked_edit`] under that file's own
//! sidecar lock (`plan_pid` when the lock is taken, removed when it goes).

use std::convert::Infallible;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::aws_files::AwsPaths;
use crate::lock::{FileLock, LockError};
use crate::locked_edit::{self, EditError, Planned};

/// Why this process is not the keeper.
#[derive(Debug, thiserror::Error)]
pub enum KeeperLockError {
    #[error("another keeper runs for these AWS files ({}), lock {}", holder_text(*pid), path.display())]
    Held { pid: Option<u32>, path: PathBuf },
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The pid file was not written (`locked`, `file_io` or `file_busy`).
    #[error(transparent)]
    PidFile(EditError<Infallible>),
}

fn holder_text(pid: Option<u32>) -> String {
    pid.map_or_else(|| "process id unknown".to_owned(), |p| format!("pid {p}"))
}

impl KeeperLockError {
    pub fn code(&self) -> &'static str {
        match self {
            KeeperLockError::Held { .. } => "keeper_running",
            KeeperLockError::Lock(e) => e.code(),
            KeeperLockError::PidFile(e) => e.code(),
        }
    }
}

/// The held keeper lock; released when dropped or when the process ends.
#[derive(Debug)]
pub struct KeeperLock {
    _lock: FileLock,
    pid_path: PathBuf,
}

impl Drop for KeeperLock {
    fn drop(&mut self) {
        // Best effort: a stale pid file is harmless, the lock decides.
        let _ = locked_edit::edit(&self.pid_path, |_| Ok::<_, Infallible>(Planned::Remove(())));
    }
}

/// `<state>/keeper-<hash>`: the lock is this path plus `.lock`.
pub fn keeper_base(state_dir: &Path, paths: &AwsPaths) -> PathBuf {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let mut h = Sha256::new();
    h.update(abs(&paths.config).to_string_lossy().as_bytes());
    h.update([0]);
    h.update(abs(&paths.credentials).to_string_lossy().as_bytes());
    let digest = h.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    state_dir.join(format!("keeper-{hex}"))
}

fn pid_path(base: &Path) -> PathBuf {
    base.with_extension("pid")
}

/// The process id of the keeper holding the lock, when one does.
pub fn holder(state_dir: &Path, paths: &AwsPaths) -> Result<Option<Option<u32>>, LockError> {
    let base = keeper_base(state_dir, paths);
    match FileLock::try_acquire(&base)? {
        Some(_free) => Ok(None),
        None => Ok(Some(read_pid(&base))),
    }
}

/// The pid file's plan for the keeper that took the lock: its process id,
/// whatever the file held (a keeper that was killed left its own).
fn plan_pid(pid: u32) -> impl FnMut(Option<&[u8]>) -> Result<Planned<()>, Infallible> {
    move |_| Ok(Planned::Replace(format!("{pid}\n").into_bytes(), ()))
}

fn read_pid(base: &Path) -> Option<u32> {
    fs::read_to_string(pid_path(base)).ok()?.trim().parse().ok()
}

/// Takes the keeper lock for `paths`, or says who holds it.
pub fn take(state_dir: &Path, paths: &AwsPaths) -> Result<KeeperLock, KeeperLockError> {
    let base = keeper_base(state_dir, paths);
    let Some(lock) = FileLock::try_acquire(&base)? else {
        return Err(KeeperLockError::Held {
            pid: read_pid(&base),
            path: base.with_extension("lock"),
        });
    };
    let pid_path = pid_path(&base);
    locked_edit::edit(&pid_path, plan_pid(std::process::id())).map_err(KeeperLockError::PidFile)?;
    Ok(KeeperLock {
        _lock: lock,
        pid_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_keeper_on_the_same_home_is_told_the_holders_pid() {
        let dir = tempfile::tempdir().unwrap();
        let paths = |n: &str| AwsPaths {
            home: dir.path().into(),
            config: dir.path().join(n).join("config"),
            credentials: dir.path().join(n).join("credentials"),
            sso_cache: dir.path().join("sso"),
            cli_cache: dir.path().join("cli"),
        };
        let state = dir.path().join("state");
        let held = take(&state, &paths("a")).unwrap();
        let err = take(&state, &paths("a")).unwrap_err();
        assert_eq!(err.code(), "keeper_running");
        assert!(
            err.to_string()
                .contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        assert_eq!(
            holder(&state, &paths("a")).unwrap(),
            Some(Some(std::process::id()))
        );
        let pid_file = pid_path(&keeper_base(&state, &paths("a")));
        assert_eq!(
            fs::read_to_string(&pid_file).unwrap(),
            format!("{}\n", std::process::id())
        );
        let other = take(&state, &paths("b")).expect("another home has its own keeper");
        drop(held);
        assert!(!pid_file.exists(), "the pid file goes with the lock");
        drop(other);
        assert_eq!(holder(&state, &paths("a")).unwrap(), None);
        assert!(take(&state, &paths("a")).is_ok());
    }
}
