//! The one way Leasekeeper changes a file: [`edit`] takes the file's sidecar
//! lock ([`crate::lock`]), reads the current bytes (an absent file is a
//! state of its own, `None`), asks a *plan* what to do with them, reads the
//! file again just before acting and plans again when another tool changed
//! it meanwhile (a tool that does not take our lock, as the AWS CLI edits
//! in place; at most [`MAX_REDO`] times), then replaces it atomically
//! ([`crate::atomic`]) or removes it. A writer is a plan function and
//! nothing else: it gets the bytes and answers [`Planned`] (leave the file,
//! new bytes, remove it) or refuses with its own typed error, in which case
//! nothing is written (a file the plan cannot parse is never rewritten).
//!
//! - Mode: a file written is 0600 ([`MODE`]), new or replaced: its owner
//!   can always read and write it (a 0400, 0200 or 0000 file comes back
//!   0600) and nobody else can (group and other bits are dropped).
//! - Symlinks are followed, as every writer did before: the file the link
//!   names is read, locked (`<real file>.lock`), replaced or removed, and
//!   the link is kept.
//! - Temp files of ours for the target left by a writer that died mid-write
//!   are swept under the lock; others are swept by age ([`crate::atomic`]).
//!
//! A few writers must hold the lock across more than one edit (the sign-in
//! flows hold the token file's lock across their AWS calls, the engine's
//! `Store` port; `credential-process` holds its cache file's lock while it
//! fetches, so SDKs running it at once call AWS once): they take a
//! [`Locked`] and use its [`Locked::read`], [`Locked::replace`] and
//! [`Locked::remove`], which are the same steps [`edit`] takes.

use std::convert::Infallible;
use std::fs;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::atomic;
use crate::lock::{FileLock, LockError};

/// How long a writer waits for another process's lock.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// How often a plan is redone when another tool keeps changing the file.
pub const MAX_REDO: usize = 5;

/// The mode of every file written: owner read and write, nothing else.
pub const MODE: u32 = 0o600;

/// What a plan decided for the bytes it was given, with what the writer
/// hands back to its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned<T> {
    /// Leave the file as it is.
    Unchanged(T),
    /// Replace the file with these bytes.
    Replace(Vec<u8>, T),
    /// Remove the file (nothing to do when it is absent).
    Remove(T),
}

/// A plan's refusal that carries a stable code.
pub trait Refusal: std::error::Error + 'static {
    /// The stable code scripts branch on.
    fn code(&self) -> &'static str;
}

impl Refusal for Infallible {
    fn code(&self) -> &'static str {
        match *self {}
    }
}

impl Refusal for leasekeeper_engine::write::config::ConfigWriteError {
    fn code(&self) -> &'static str {
        leasekeeper_engine::write::config::ConfigWriteError::code(self)
    }
}

impl Refusal for leasekeeper_engine::write::credentials::WriteError {
    fn code(&self) -> &'static str {
        leasekeeper_engine::write::credentials::WriteError::code(self)
    }
}

/// Why a file was not written; `E` is the plan's refusal.
#[derive(Debug, thiserror::Error)]
pub enum EditError<E> {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: {source}", path.display())]
    Refused {
        path: PathBuf,
        #[source]
        source: E,
    },
    #[error("{} kept changing while it was being written ({MAX_REDO} tries)", path.display())]
    KeptChanging { path: PathBuf },
}

impl<E: Refusal> Refusal for EditError<E> {
    fn code(&self) -> &'static str {
        EditError::code(self)
    }
}

impl<E: Refusal> EditError<E> {
    /// `locked`, `file_io`, `file_busy` or the refusal's own code.
    pub fn code(&self) -> &'static str {
        match self {
            EditError::Lock(e) => e.code(),
            EditError::Io { .. } => "file_io",
            EditError::Refused { source, .. } => source.code(),
            EditError::KeptChanging { .. } => "file_busy",
        }
    }
}

impl<E> EditError<EditError<E>> {
    /// For a plan that refuses with an [`EditError`] of its own (one that
    /// writes a side file, a backup, and reports it as `Io`): its error as
    /// it is.
    pub fn flatten(self) -> EditError<E> {
        match self {
            EditError::Refused { source, .. } => source,
            EditError::Lock(e) => EditError::Lock(e),
            EditError::Io {
                action,
                path,
                source,
            } => EditError::Io {
                action,
                path,
                source,
            },
            EditError::KeptChanging { path } => EditError::KeptChanging { path },
        }
    }
}

/// A file's sidecar lock, held, and the steps of an edit under it.
#[derive(Debug)]
pub struct Locked {
    _lock: FileLock,
    path: PathBuf,
}

impl Locked {
    /// The lock of `target`, waiting at most `wait` for another holder.
    pub fn acquire(target: &Path, wait: Duration) -> Result<Locked, LockError> {
        let lock = FileLock::acquire(target, wait)?;
        sweep_orphans(target);
        Ok(Locked {
            _lock: lock,
            path: target.to_owned(),
        })
    }

    /// The lock of `target` if nobody holds it.
    pub fn try_acquire(target: &Path) -> Result<Option<Locked>, LockError> {
        let Some(lock) = FileLock::try_acquire(target)? else {
            return Ok(None);
        };
        sweep_orphans(target);
        Ok(Some(Locked {
            _lock: lock,
            path: target.to_owned(),
        }))
    }

    /// The file this lock guards, as it was named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's bytes; `None` when it does not exist.
    pub fn read(&self) -> io::Result<Option<Vec<u8>>> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replaces the file with `bytes`, atomically, mode [`MODE`] whatever
    /// the file's was.
    pub fn replace(&self, bytes: &[u8]) -> io::Result<()> {
        atomic::write_atomic_mode(&self.path, bytes, MODE)
    }

    /// Removes the file (the real one when it is a symlink's); `false`
    /// when there was none.
    pub fn remove(&self) -> io::Result<bool> {
        atomic::remove(&self.path)
    }
}

/// Edits `target` under its lock with `plan` (see the module's text).
pub fn edit<T, E>(
    target: &Path,
    plan: impl FnMut(Option<&[u8]>) -> Result<Planned<T>, E>,
) -> Result<T, EditError<E>> {
    edit_with(target, LOCK_WAIT, plan, || {})
}

/// [`edit`] waiting at most `wait` for the lock, calling `before_recheck`
/// between each plan and the read that checks the file did not change
/// (tests use it to play another tool editing the file at the worst moment).
pub fn edit_with<T, E>(
    target: &Path,
    wait: Duration,
    mut plan: impl FnMut(Option<&[u8]>) -> Result<Planned<T>, E>,
    mut before_recheck: impl FnMut(),
) -> Result<T, EditError<E>> {
    let locked = Locked::acquire(target, wait)?;
    let io = |action: &'static str| {
        move |source: io::Error| EditError::Io {
            action,
            path: target.to_owned(),
            source,
        }
    };
    for _ in 0..MAX_REDO {
        let before = locked.read().map_err(io("read"))?;
        let planned = plan(before.as_deref()).map_err(|source| EditError::Refused {
            path: target.to_owned(),
            source,
        })?;
        if let Planned::Unchanged(value) = planned {
            return Ok(value);
        }
        before_recheck();
        // Another tool that does not take our lock may have written meanwhile.
        if locked.read().map_err(io("read"))? != before {
            tracing::debug!(path = %target.display(), "the file changed while planning; planning again");
            continue;
        }
        return match planned {
            Planned::Unchanged(value) => Ok(value),
            Planned::Replace(bytes, value) => {
                locked.replace(&bytes).map_err(io("replace"))?;
                Ok(value)
            }
            Planned::Remove(value) => {
                locked.remove().map_err(io("remove"))?;
                Ok(value)
            }
        };
    }
    Err(EditError::KeptChanging {
        path: target.to_owned(),
    })
}

/// Removes temp files of ours for `target` left by a writer that died
/// mid-write (its pid, in the name, no longer runs). Best effort: what
/// cannot be told or removed is left to [`atomic`]'s age-based sweep.
fn sweep_orphans(target: &Path) {
    let Ok(real) = atomic::resolve_target(target) else {
        return;
    };
    let (Some(dir), Some(name)) = (real.parent(), real.file_name()) else {
        return;
    };
    let prefix = format!("{}{}-", atomic::TEMP_PREFIX, name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        // `<pid>-<12 hex digits>` exactly: a longer name is another file's.
        let pid = match rest.split_once('-') {
            Some((pid, suffix))
                if suffix.len() == 12 && suffix.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                pid.parse::<u32>().ok()
            }
            _ => None,
        };
        if pid.is_some_and(|p| p != std::process::id() && !process_runs(p)) {
            // Best effort, see above.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` runs (where that cannot be told: yes).
fn process_runs(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal of the tests' plans.
    #[derive(Debug, thiserror::Error)]
    #[error("not a number")]
    struct NotANumber;

    impl Refusal for NotANumber {
        fn code(&self) -> &'static str {
            "not_a_number"
        }
    }

    /// The plan of a counter: the number in the file plus one (absent is 0).
    fn increment(current: Option<&[u8]>) -> Result<Planned<u64>, NotANumber> {
        let n = match current {
            None => 0,
            Some(bytes) => std::str::from_utf8(bytes)
                .ok()
                .and_then(|t| t.trim().parse::<u64>().ok())
                .ok_or(NotANumber)?,
        };
        Ok(Planned::Replace(format!("{}\n", n + 1).into_bytes(), n + 1))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn writers_on_threads_lose_no_update() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("counter");
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..25 {
                        edit(&target, increment).unwrap();
                    }
                });
            }
        });
        assert_eq!(fs::read_to_string(&target).unwrap(), "200\n");
        assert_eq!(names(dir.path()), ["counter", "counter.lock"]);
    }

    #[test]
    fn a_file_changed_between_read_and_replace_is_planned_again() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("counter");
        fs::write(&target, "1\n").unwrap();
        let mut plans = Vec::new();
        let mut raced = false;
        let n = edit_with(
            &target,
            LOCK_WAIT,
            |current| {
                plans.push(current.map(<[u8]>::to_vec));
                increment(current)
            },
            || {
                if !raced {
                    raced = true;
                    // Another tool, without our lock, writes in place.
                    fs::write(&target, "41\n").unwrap();
                }
            },
        )
        .unwrap();
        assert_eq!(n, 42);
        assert_eq!(plans, [Some(b"1\n".to_vec()), Some(b"41\n".to_vec())]);
        assert_eq!(fs::read_to_string(&target).unwrap(), "42\n");
    }

    #[test]
    fn a_file_that_keeps_changing_is_given_up_on_with_its_last_bytes_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("counter");
        fs::write(&target, "0\n").unwrap();
        let mut other = 100;
        let err = edit_with(&target, LOCK_WAIT, increment, || {
            other += 1;
            fs::write(&target, format!("{other}\n")).unwrap();
        })
        .unwrap_err();
        assert_eq!(err.code(), "file_busy");
        assert!(err.to_string().contains("kept changing"), "{err}");
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            format!("{}\n", 100 + MAX_REDO)
        );
    }

    #[test]
    fn a_refused_plan_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("counter");
        fs::write(&target, "not a number\n").unwrap();
        let err = edit(&target, increment).unwrap_err();
        assert_eq!(err.code(), "not_a_number");
        assert_eq!(
            err.to_string(),
            format!("{}: not a number", target.display())
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "not a number\n");
        assert_eq!(names(dir.path()), ["counter", "counter.lock"]);

        let absent = dir.path().join("absent");
        let err = edit(&absent, |_| Err::<Planned<()>, _>(NotANumber)).unwrap_err();
        assert_eq!(err.code(), "not_a_number");
        assert!(!absent.exists());
    }

    #[test]
    fn unchanged_leaves_the_file_alone_and_remove_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("entry");
        fs::write(&target, "kept").unwrap();
        let before = fs::metadata(&target).unwrap().modified().unwrap();
        let got = edit(&target, |_| Ok::<_, Infallible>(Planned::Unchanged(7))).unwrap();
        assert_eq!(got, 7);
        assert_eq!(fs::read(&target).unwrap(), b"kept");
        assert_eq!(fs::metadata(&target).unwrap().modified().unwrap(), before);

        let removed = edit(&target, |current| {
            Ok::<_, Infallible>(match current {
                Some(_) => Planned::Remove(true),
                None => Planned::Unchanged(false),
            })
        })
        .unwrap();
        assert!(removed);
        assert!(!target.exists());
        // Removing a file that is not there is nothing to do.
        edit(&target, |_| Ok::<_, Infallible>(Planned::Remove(()))).unwrap();
        assert!(!target.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_is_always_readable_and_writable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("counter");
        edit(&target, increment).unwrap();
        assert_eq!(mode(&target), 0o600);

        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        edit(&target, increment).unwrap();
        assert_eq!(mode(&target), 0o600, "group and other bits are dropped");

        fs::set_permissions(&target, fs::Permissions::from_mode(0o400)).unwrap();
        edit(&target, increment).unwrap();
        assert_eq!(mode(&target), 0o600, "the owner may write it again");
        assert_eq!(fs::read_to_string(&target).unwrap(), "3\n");

        // A file its owner cannot read (only root reads it then) or write
        // comes back readable and writable by the owner.
        for taken in [0o000, 0o200, 0o440, 0o070] {
            fs::set_permissions(&target, fs::Permissions::from_mode(taken)).unwrap();
            let locked = Locked::acquire(&target, LOCK_WAIT).unwrap();
            locked.replace(b"7\n").unwrap();
            assert_eq!(mode(&target), 0o600, "{taken:o}");
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "7\n");
    }

    /// Symlinks are followed: the file the link names is locked and
    /// replaced, the link stays a link.
    #[cfg(unix)]
    #[test]
    fn a_symlinked_target_is_edited_where_it_points() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("dotfiles")).unwrap();
        let real = dir.path().join("dotfiles/counter");
        fs::write(&real, "5\n").unwrap();
        let link = dir.path().join("counter");
        std::os::unix::fs::symlink("dotfiles/counter", &link).unwrap();

        assert_eq!(edit(&link, increment).unwrap(), 6);
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "6\n");
        assert_eq!(mode(&real), 0o600);
        assert_eq!(
            names(&dir.path().join("dotfiles")),
            ["counter", "counter.lock"]
        );
        // The link and the real file share one lock.
        let held = Locked::acquire(&real, Duration::ZERO).unwrap();
        let busy = edit_with(&link, Duration::from_millis(50), increment, || {}).unwrap_err();
        assert_eq!(busy.code(), "locked");
        drop(held);

        // Removing through the link removes the real file and keeps the link.
        edit(&link, |_| Ok::<_, Infallible>(Planned::Remove(()))).unwrap();
        assert!(!real.exists());
        assert!(fs::symlink_metadata(&link).is_ok());
    }

    #[test]
    fn temp_files_of_dead_writers_are_swept_and_other_names_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("counter");
        // No process has this pid (above the kernel's limit).
        let dead = format!("{}counter-4294967295-0123456789ab", atomic::TEMP_PREFIX);
        let other_file = format!("{}counter-7-4294967295-0123456789ab", atomic::TEMP_PREFIX);
        fs::write(dir.path().join(&dead), "partial").unwrap();
        fs::write(dir.path().join(&other_file), "another file's").unwrap();
        edit(&target, increment).unwrap();
        assert!(!dir.path().join(&dead).exists());
        assert!(dir.path().join(&other_file).exists());
    }
}
