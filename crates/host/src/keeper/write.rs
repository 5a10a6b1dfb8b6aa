//! Applying one step's section changes to the credentials file: under the
//! file's sidecar lock, read, [`plan`], read again just before the atomic
//! replace and start over when another tool changed the file meanwhile,
//! then replace it (symlinks resolved, 0600, temp files swept by
//! [`atomic`]). Sections taken over with consent are backed up first.

use std::fs;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use leasekeeper_engine::write::credentials::{Change, Outcome, WriteError, plan};

use crate::atomic;
use crate::lock::{FileLock, LockError};
use crate::store::LOCK_WAIT;

/// How often a plan is redone when another tool keeps changing the file.
pub const MAX_REDO: usize = 5;

/// Why the credentials file was not written.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsWriteError {
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
        source: WriteError,
    },
    #[error("{} kept changing while it was being written ({MAX_REDO} tries)", path.display())]
    KeptChanging { path: PathBuf },
}

impl CredentialsWriteError {
    pub fn code(&self) -> &'static str {
        match self {
            CredentialsWriteError::Lock(e) => e.code(),
            CredentialsWriteError::Io { .. } => "file_io",
            CredentialsWriteError::Refused { source, .. } => source.code(),
            CredentialsWriteError::KeptChanging { .. } => "file_busy",
        }
    }
}

fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, CredentialsWriteError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CredentialsWriteError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        }),
    }
}

/// Applies `changes` to the credentials file `target`; section bytes taken
/// over are saved in `backup_dir` first. Returns what each change did.
pub fn apply(
    target: &Path,
    changes: &[Change],
    backup_dir: &Path,
) -> Result<Vec<Outcome>, CredentialsWriteError> {
    apply_with(target, changes, backup_dir, || {})
}

/// [`apply`], calling `before_replace` between the plan and the re-check
/// (tests use it to play another tool editing the file at the worst moment).
pub fn apply_with(
    target: &Path,
    changes: &[Change],
    backup_dir: &Path,
    mut before_replace: impl FnMut(),
) -> Result<Vec<Outcome>, CredentialsWriteError> {
    let _lock = FileLock::acquire(target, LOCK_WAIT)?;
    sweep_orphans(target);
    for _ in 0..MAX_REDO {
        let before = read_opt(target)?;
        let planned =
            plan(before.as_deref(), changes).map_err(|source| CredentialsWriteError::Refused {
                path: target.to_owned(),
                source,
            })?;
        if !planned.changed() {
            return Ok(planned.outcomes().to_vec());
        }
        for backup in planned.backups() {
            let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
            let path = backup_dir.join(format!("{}-{stamp}.ini", backup.section));
            atomic::write_atomic(&path, &backup.bytes).map_err(|source| {
                CredentialsWriteError::Io {
                    action: "back up a section to",
                    path,
                    source,
                }
            })?;
        }
        before_replace();
        // Another tool that does not take our lock may have written meanwhile.
        if read_opt(target)? != before {
            tracing::debug!(path = %target.display(), "the file changed while planning; planning again");
            continue;
        }
        atomic::write_atomic(target, planned.bytes()).map_err(|source| {
            CredentialsWriteError::Io {
                action: "replace",
                path: target.to_owned(),
                source,
            }
        })?;
        return Ok(planned.outcomes().to_vec());
    }
    Err(CredentialsWriteError::KeptChanging {
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
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
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
    use leasekeeper_engine::Secret;
    use leasekeeper_engine::write::credentials::Action;
    use time::macros::datetime;

    use super::*;

    fn put(section: &str, key: &str, take_over: bool) -> Change {
        Change::Put {
            section: section.into(),
            access_key_id: key.into(),
            secret_access_key: Secret::new("s3cr3t"),
            session_token: Secret::new("t0ken"),
            expires_at: datetime!(2030-01-01 00:00 UTC),
            take_over,
        }
    }

    #[test]
    fn a_foreign_edit_during_the_plan_is_kept_and_the_plan_redone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("credentials");
        fs::write(&target, "[mine]\naws_access_key_id = AKIAOWN\n").unwrap();
        let mut raced = false;
        let out = apply_with(&target, &[put("dev", "ASIANEW", false)], dir.path(), || {
            if !raced {
                raced = true;
                fs::write(&target, "[mine]\naws_access_key_id = AKIAOTHER\n").unwrap();
            }
        })
        .unwrap();
        assert_eq!(out[0].action, Action::Created);
        let text = fs::read_to_string(&target).unwrap();
        assert!(
            text.starts_with("[mine]\naws_access_key_id = AKIAOTHER\n"),
            "{text}"
        );
        assert!(text.contains("[dev]\n# managed by leasekeeper\naws_access_key_id = ASIANEW\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_taken_over_section_is_backed_up_and_an_unparsable_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("credentials");
        let backups = dir.path().join("backups");
        fs::write(&target, "[dev]\naws_access_key_id = AKIAOWN\n").unwrap();
        let refused = apply(&target, &[put("dev", "ASIANEW", false)], &backups).unwrap_err();
        assert_eq!(refused.code(), "foreign_section", "{refused}");
        apply(&target, &[put("dev", "ASIANEW", true)], &backups).unwrap();
        let saved: Vec<_> = fs::read_dir(&backups).unwrap().collect();
        assert_eq!(saved.len(), 1);
        let bytes = fs::read(saved[0].as_ref().unwrap().path()).unwrap();
        assert_eq!(bytes, b"[dev]\naws_access_key_id = AKIAOWN\n");

        fs::write(&target, "\u{feff}[a]\nx = 1\n").unwrap();
        let err = apply(&target, &[put("dev", "ASIANEW", false)], &backups).unwrap_err();
        assert_eq!(
            fs::read(&target).unwrap(),
            "\u{feff}[a]\nx = 1\n".as_bytes()
        );
        assert_eq!(err.code(), "byte_order_mark");
    }
}
