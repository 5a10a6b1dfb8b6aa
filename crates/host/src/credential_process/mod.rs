//! `credential-process` on its own: a profile's temporary keys for an SDK's
//! `credential_process`, obtained without a keeper and without ever asking
//! the person anything.
//!
//! [`credentials`] resolves the profile, answers from the cache
//! ([`cache`]) while more than [`REUSE_MARGIN`] (scaled) remain, and
//! otherwise fetches along the chain under the cache file's lock: SSO role
//! credentials with the cached token (refreshed first when due), then
//! AssumeRole for each role (chained roles capped at one hour). When the
//! person must act (sign in, type an MFA code) it fails at once with a
//! [`ProcessError`] naming the command to run.

pub mod cache;
mod error;
mod obtain;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use leasekeeper_engine::ports::Credentials;
use leasekeeper_engine::profiles::ProfileSet;
use leasekeeper_engine::profiles::locations::AwsPaths;
use leasekeeper_engine::resolve::{self, Base};
use leasekeeper_engine::signin::TimeScale;
use time::OffsetDateTime;

pub use error::ProcessError;

use crate::keeper::Connect;
use crate::locked_edit::{LOCK_WAIT, Locked};
use crate::store::FileStore;

pub use leasekeeper_engine::keeper::policy::REUSE_MARGIN;

/// What one run works with.
#[derive(Debug)]
pub struct Request<'a> {
    pub profile: &'a str,
    pub set: &'a ProfileSet,
    pub paths: &'a AwsPaths,
    pub store: FileStore,
    pub state_dir: PathBuf,
    pub scale: TimeScale,
}

/// The keys for `req.profile` at `now`.
pub async fn credentials<C: Connect>(
    req: &Request<'_>,
    connect: &C,
    now: OffsetDateTime,
) -> Result<Credentials, ProcessError> {
    let chain = resolve::resolve(req.set, req.profile)?;
    obtain::check_no_user_needed(&chain, now)?;
    if chain.roles.is_empty() {
        if let Base::Keys(k) = &chain.base {
            // Keys written in the files are given as they are.
            return Ok(Credentials {
                access_key_id: k.access_key_id.clone(),
                secret_access_key: k.secret_access_key.clone(),
                session_token: k.session_token.clone(),
                expiration: k.expires_at,
            });
        }
    }
    let path = cache::cache_path(&req.state_dir, req.paths, &chain);
    let lock = Locked::acquire(&path, LOCK_WAIT)?;
    let margin = req.scale.apply(REUSE_MARGIN);
    if let Some(keys) = cache::read(&path) {
        if keys.expiration.is_some_and(|e| e - now > margin) {
            tracing::debug!(profile = req.profile, "answered from the cache");
            return Ok(keys);
        }
    }
    let keys = obtain::fetch(req, &chain, connect).await?;
    cache::write(&lock, req.profile, &keys)?;
    crate::issued::record(&req.state_dir, req.profile, &keys, now);
    Ok(keys)
}

/// The `credential_process` Version 1 JSON of `keys`.
pub fn version1_json(keys: &Credentials) -> String {
    let mut fields = vec![
        ("Version".to_owned(), "1".to_owned()),
        ("AccessKeyId".to_owned(), json_string(&keys.access_key_id)),
        (
            "SecretAccessKey".to_owned(),
            json_string(keys.secret_access_key.expose()),
        ),
    ];
    if let Some(token) = &keys.session_token {
        fields.push(("SessionToken".to_owned(), json_string(token.expose())));
    }
    if let Some(e) = keys.expiration {
        fields.push((
            "Expiration".to_owned(),
            json_string(&leasekeeper_engine::timefmt::format_z(e)),
        ));
    }
    let body: Vec<String> = fields
        .into_iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    format!("{{{}}}", body.join(", "))
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}
