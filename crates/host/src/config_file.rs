//! Adding a profile to `~/.aws/config`: under the file's sidecar lock, read,
//! [`plan`] (the engine's lossless writer), read again just before the
//! atomic replace and plan again when another tool changed the file
//! meanwhile, then replace it (symlinks resolved, 0600).

use std::fs;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use leasekeeper_engine::write::config::{ConfigWriteError, NewProfile, Outcome, plan};

use crate::atomic;
use crate::keeper::write::MAX_REDO;
use crate::lock::{FileLock, LockError};
use crate::store::LOCK_WAIT;

/// Why the config file was not written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
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
        source: ConfigWriteError,
    },
    #[error("{} kept changing while it was being written ({MAX_REDO} tries)", path.display())]
    KeptChanging { path: PathBuf },
}

impl ConfigFileError {
    pub fn code(&self) -> &'static str {
        match self {
            ConfigFileError::Lock(e) => e.code(),
            ConfigFileError::Io { .. } => "file_io",
            ConfigFileError::Refused { source, .. } => source.code(),
            ConfigFileError::KeptChanging { .. } => "file_busy",
        }
    }
}

fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, ConfigFileError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigFileError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        }),
    }
}

/// Adds `profile` to the config file `target`.
pub fn add_profile(target: &Path, profile: &NewProfile) -> Result<Outcome, ConfigFileError> {
    let _lock = FileLock::acquire(target, LOCK_WAIT)?;
    for _ in 0..MAX_REDO {
        let before = read_opt(target)?;
        let planned =
            plan(before.as_deref(), profile).map_err(|source| ConfigFileError::Refused {
                path: target.to_owned(),
                source,
            })?;
        if planned.outcome == Outcome::AlreadyThere {
            return Ok(planned.outcome);
        }
        if read_opt(target)? != before {
            continue;
        }
        atomic::write_atomic(target, &planned.bytes).map_err(|source| ConfigFileError::Io {
            action: "replace",
            path: target.to_owned(),
            source,
        })?;
        return Ok(planned.outcome);
    }
    Err(ConfigFileError::KeptChanging {
        path: target.to_owned(),
    })
}
