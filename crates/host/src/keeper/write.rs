//! Applying one step's section changes to the credentials file: a
//! [`locked_edit`] whose plan is the engine's [`plan`] (under the file's
//! sidecar lock, read, planned, read again just before the atomic replace
//! and planned again when another tool changed the file meanwhile; symlinks
//! resolved, 0600, temp files of dead writers swept). Sections taken over
//! with consent are backed up by the plan, before the file is replaced:
//! each backup is a [`locked_edit`] of its own (`plan_backup`), under the
//! credentials file's lock.

use std::convert::Infallible;
use std::path::Path;

use leasekeeper_engine::write::credentials::{Change, Outcome, WriteError, plan};

use crate::locked_edit::{self, EditError, LOCK_WAIT, Planned};

pub use crate::locked_edit::MAX_REDO;

/// Why the credentials file was not written.
pub type CredentialsWriteError = EditError<WriteError>;

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
    before_replace: impl FnMut(),
) -> Result<Vec<Outcome>, CredentialsWriteError> {
    let plan_changes = |current: Option<&[u8]>| -> Result<_, CredentialsWriteError> {
        let planned = plan(current, changes).map_err(|source| EditError::Refused {
            path: target.to_owned(),
            source,
        })?;
        if !planned.changed() {
            return Ok(Planned::Unchanged(planned.outcomes().to_vec()));
        }
        for backup in planned.backups() {
            let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
            let path = backup_dir.join(format!("{}-{stamp}.ini", backup.section));
            locked_edit::edit(&path, plan_backup(&backup.bytes)).map_err(backup_error)?;
        }
        let outcomes = planned.outcomes().to_vec();
        Ok(Planned::Replace(planned.into_bytes(), outcomes))
    };
    locked_edit::edit_with(target, LOCK_WAIT, plan_changes, before_replace)
        .map_err(EditError::flatten)
}

/// The plan of a backup file: the section's old bytes, exactly (a second
/// take-over of the section within the same second replaces the first).
fn plan_backup(bytes: &[u8]) -> impl FnMut(Option<&[u8]>) -> Result<Planned<()>, Infallible> + '_ {
    move |current| {
        Ok(if current == Some(bytes) {
            Planned::Unchanged(())
        } else {
            Planned::Replace(bytes.to_vec(), ())
        })
    }
}

/// A backup that was not written, as the credentials edit reports it.
fn backup_error(e: EditError<Infallible>) -> CredentialsWriteError {
    match e {
        EditError::Lock(e) => EditError::Lock(e),
        EditError::Io { path, source, .. } => EditError::Io {
            action: "back up a section to",
            path,
            source,
        },
        EditError::Refused { source, .. } => match source {},
        EditError::KeptChanging { path } => EditError::KeptChanging { path },
    }
}

#[cfg(test)]
mod tests {
    use leasekeeper_engine::Secret;
    use leasekeeper_engine::write::credentials::Action;
    use time::macros::datetime;

    use std::fs;

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
        let saved: Vec<_> = fs::read_dir(&backups)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ini"))
            .collect();
        assert_eq!(saved.len(), 1);
        assert!(saved[0].with_extension("ini.lock").exists(), "{saved:?}");
        let bytes = fs::read(&saved[0]).unwrap();
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
