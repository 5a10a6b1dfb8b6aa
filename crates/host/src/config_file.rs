//! Adding a profile to `~/.aws/config` (and syncing generated ones): a [`locked_edit`] whose plan is the
//! engine's lossless writer ([`plan`]): under the file's sidecar lock, read,
//! planned, read again just before the atomic replace and planned again
//! when another tool changed the file meanwhile (symlinks resolved, 0600).

use std::path::Path;

use leasekeeper_engine::available::Available;
use leasekeeper_engine::write::config::{ConfigWriteError, NewProfile, Outcome, plan};
use leasekeeper_engine::write::sync::{Change, SyncRequest};

use crate::locked_edit::{self, EditError, Planned};

/// Why the config file was not written.
pub type ConfigFileError = EditError<ConfigWriteError>;

/// Adds `profile` to the config file `target`.
pub fn add_profile(target: &Path, profile: &NewProfile) -> Result<Outcome, ConfigFileError> {
    locked_edit::edit(target, |current| -> Result<_, ConfigWriteError> {
        let planned = plan(current, profile)?;
        Ok(match planned.outcome {
            Outcome::AlreadyThere => Planned::Unchanged(planned.outcome),
            Outcome::Added => Planned::Replace(planned.bytes, planned.outcome),
        })
    })
}

/// Generated profiles synced into the config file `target`
/// ([`leasekeeper_engine::write::sync::plan`]): the changes, and the bytes
/// before and after (the same when nothing changed).
pub fn sync(
    target: &Path,
    request: &SyncRequest<'_>,
    listed: &[Available],
) -> Result<Synced, ConfigFileError> {
    locked_edit::edit(target, |current| -> Result<_, ConfigWriteError> {
        let before = current.unwrap_or_default().to_vec();
        let planned = leasekeeper_engine::write::sync::plan(current, request, listed)?;
        let synced = Synced {
            changes: planned.changes.clone(),
            before,
            after: planned.bytes.clone(),
        };
        Ok(if planned.writes() {
            Planned::Replace(planned.bytes, synced)
        } else {
            Planned::Unchanged(synced)
        })
    })
}

/// What [`sync`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    pub changes: Vec<Change>,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
}
