//! Adding a profile to `~/.aws/config`: a [`locked_edit`] whose plan is the
//! engine's lossless writer ([`plan`]): under the file's sidecar lock, read,
//! planned, read again just before the atomic replace and planned again
//! when another tool changed the file meanwhile (symlinks resolved, 0600).

use std::path::Path;

use leasekeeper_engine::write::config::{ConfigWriteError, NewProfile, Outcome, plan};

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
