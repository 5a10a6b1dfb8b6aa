//! The credentials `credential-process` obtained, kept in
//! `STATE/process/<key>.json` (0600, atomic, under the file's sidecar lock,
//! held by the caller across the fetch: a [`Locked`]) so an SDK running it
//! again does not call AWS each time. The key is 16 hex
//! digits of the SHA-256 of the AWS files' paths, the profile and its chain
//! (every source and role, never a secret), so a changed chain never reuses
//! keys obtained for the old one.

use std::fmt::Write as _;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::Credentials;
use leasekeeper_engine::profiles::locations::AwsPaths;
use leasekeeper_engine::resolve::{Base, Chain};
use leasekeeper_engine::timefmt::{format_z, parse_timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::ProcessError;
use crate::locked_edit::Locked;

/// The cache folder under the state folder.
pub const CACHE_DIR: &str = "process";

/// One cache file's JSON. Only temporary keys with an expiry are kept.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    profile: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

/// A description of `chain` without secrets: what the keys come from.
fn chain_text(chain: &Chain) -> String {
    let mut out = format!("profile={}\n", chain.profile);
    let _ = match &chain.base {
        Base::Sso(s) => writeln!(
            out,
            "sso session={:?} start={} region={} account={:?} role={:?}",
            s.session, s.start_url, s.region, s.account_id, s.role_name
        ),
        Base::Keys(k) => writeln!(out, "keys profile={} id={}", k.profile, k.access_key_id),
        Base::Process(p) => writeln!(out, "process profile={}", p.profile),
        Base::WebIdentity(w) => writeln!(out, "web identity {}", w.role_arn),
        Base::CredentialSource(n) => writeln!(out, "source {}", n.source.as_str()),
    };
    for r in &chain.roles {
        let _ = writeln!(
            out,
            "role {} arn={} external={:?} name={:?} duration={:?} mfa={:?}",
            r.profile,
            r.role_arn,
            r.external_id,
            r.role_session_name,
            r.duration_seconds,
            r.mfa_serial
        );
    }
    out
}

/// The cache file of `chain` read from `paths`' files.
pub fn cache_path(state_dir: &Path, paths: &AwsPaths, chain: &Chain) -> PathBuf {
    let mut hash = Sha256::new();
    hash.update(paths.config.to_string_lossy().as_bytes());
    hash.update([0]);
    hash.update(paths.credentials.to_string_lossy().as_bytes());
    hash.update([0]);
    hash.update(chain_text(chain).as_bytes());
    let digest = hash.finalize();
    let key: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    state_dir.join(CACHE_DIR).join(format!("{key}.json"))
}

/// The cached keys at `path`; `None` when absent or unreadable (a bad
/// cache file is treated as absent and replaced).
pub fn read(path: &Path) -> Option<Credentials> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::debug!(path = %path.display(), "cannot read the cache: {e}");
            return None;
        }
    };
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    Some(Credentials {
        access_key_id: entry.access_key_id,
        secret_access_key: Secret::new(entry.secret_access_key),
        session_token: Some(Secret::new(entry.session_token)),
        expiration: Some(parse_timestamp(&entry.expiration)?),
    })
}

/// Keeps `keys` in the file `lock` guards.
pub fn write(lock: &Locked, profile: &str, keys: &Credentials) -> Result<(), ProcessError> {
    let path = lock.path();
    let (Some(token), Some(expiration)) = (&keys.session_token, keys.expiration) else {
        return Ok(());
    };
    let entry = Entry {
        profile: profile.to_owned(),
        access_key_id: keys.access_key_id.clone(),
        secret_access_key: keys.secret_access_key.expose().to_owned(),
        session_token: token.expose().to_owned(),
        expiration: format_z(expiration),
    };
    let json = serde_json::to_vec(&entry).map_err(|e| ProcessError::Io {
        action: "encode",
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    lock.replace(&json).map_err(|e| ProcessError::Io {
        action: "write",
        path: path.to_owned(),
        message: e.to_string(),
    })
}
