//! The keys Leasekeeper issued or wrote (renewed by the keeper, fetched for
//! `credential-process`, `env` or `exec`), by a hash of their access key
//! id: what `doctor` matches exported keys and running processes against
//! to name their profile and expiry. No key id is kept, only its hash; an
//! entry goes a day after its keys lapsed, and the oldest go past
//! [`MAX_ENTRIES`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Entries kept at most.
pub const MAX_ENTRIES: usize = 2048;
/// An entry is kept this long after its keys lapsed.
const KEEP_AFTER: i64 = 24 * 3600;

/// One set of keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    pub profile: String,
    /// When the keys lapse, seconds since the Unix epoch.
    pub expires: i64,
}

/// The record, by key hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedKeys {
    pub keys: BTreeMap<String, Issued>,
}

/// The hash an access key id is kept under.
pub fn key_hash(access_key_id: &str) -> String {
    let digest = Sha256::digest(access_key_id.trim().as_bytes());
    hex::encode(digest.get(..16).unwrap_or_default())
}

impl IssuedKeys {
    /// Reads the record; anything unreadable is an empty one.
    pub fn parse(bytes: &[u8]) -> IssuedKeys {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// What was issued under `access_key_id`, with its expiry.
    pub fn lookup(&self, access_key_id: &str) -> Option<(&Issued, OffsetDateTime)> {
        let issued = self.keys.get(&key_hash(access_key_id))?;
        let at = OffsetDateTime::from_unix_timestamp(issued.expires).ok()?;
        Some((issued, at))
    }

    /// Adds keys; drops entries long lapsed, then the oldest past the cap.
    /// Whether anything changed.
    pub fn record(
        &mut self,
        access_key_id: &str,
        profile: &str,
        expires: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        let entry = Issued {
            profile: profile.to_owned(),
            expires: expires.unix_timestamp(),
        };
        let before = self.keys.len();
        let cutoff = now.unix_timestamp() - KEEP_AFTER;
        self.keys.retain(|_, i| i.expires >= cutoff);
        let changed = self.keys.insert(key_hash(access_key_id), entry.clone()) != Some(entry)
            || self.keys.len() != before;
        while self.keys.len() > MAX_ENTRIES {
            let oldest = self
                .keys
                .iter()
                .min_by_key(|(_, i)| i.expires)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.keys.remove(&k),
                None => break,
            };
        }
        changed
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}
