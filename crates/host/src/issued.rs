//! `STATE/issued-keys.json`: the keys Leasekeeper issued or wrote, by a hash
//! of their key id (`engine::doctor::issued`), recorded through the locked
//! edit whenever the keeper or `credential-process` obtains keys, read by
//! `doctor` and the keeper's process watch. Recording never fails a
//! renewal: a failure is logged and dropped.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use leasekeeper_engine::doctor::issued::IssuedKeys;
use leasekeeper_engine::ports::Credentials;
use time::OffsetDateTime;

use crate::locked_edit::{self, Planned};

/// The record's file in the state folder.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("issued-keys.json")
}

/// The record; empty when absent or unreadable.
pub fn read(state_dir: &Path) -> IssuedKeys {
    std::fs::read(path(state_dir))
        .map(|b| IssuedKeys::parse(&b))
        .unwrap_or_default()
}

/// Records temporary keys obtained for `profile`; keys without an expiry
/// (long-term ones) are not recorded.
pub fn record(state_dir: &Path, profile: &str, keys: &Credentials, now: OffsetDateTime) {
    let Some(expires) = keys.expiration else {
        return;
    };
    if keys.session_token.is_none() {
        return;
    }
    let result = locked_edit::edit(&path(state_dir), |current| {
        let mut record = current.map(IssuedKeys::parse).unwrap_or_default();
        Ok::<_, Infallible>(
            if record.record(&keys.access_key_id, profile, expires, now) {
                Planned::Replace(record.to_json(), ())
            } else {
                Planned::Unchanged(())
            },
        )
    });
    if let Err(e) = result {
        tracing::debug!(error = %e, "cannot record the keys issued");
    }
}
