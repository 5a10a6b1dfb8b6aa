//! Temporary credentials without a table: the session token carries what it
//! stands for (who, until when, MFA or not), sealed with an HMAC under a key
//! each sandbox makes at start. The secret key is derived from the access
//! key id under the same key. So any number of issued keys costs no memory,
//! and a token from another sandbox run, or one altered by a byte, is simply
//! unknown (`InvalidClientTokenId`), as AWS treats a token it cannot read.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids;
use crate::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// Who a set of temporary keys stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Principal {
    /// GetSessionToken keys of an IAM user.
    #[serde(rename = "u")]
    User { name: String },
    /// AssumeRole or SSO role keys.
    #[serde(rename = "r")]
    Role { name: String, session: String },
    /// GetFederationToken keys of an IAM user: `name` is the federated
    /// user's, `policy` whether a session policy was passed (without one
    /// the session has no permissions).
    #[serde(rename = "f")]
    Federated {
        name: String,
        user: String,
        policy: bool,
    },
}

/// What a session token carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claims {
    /// The access key id these claims belong to.
    #[serde(rename = "k")]
    pub key_id: String,
    #[serde(rename = "a")]
    pub account: String,
    #[serde(rename = "p")]
    pub principal: Principal,
    /// MFA was presented when these keys were made.
    #[serde(rename = "m")]
    pub mfa: bool,
    /// Role keys assumed with role keys (role chaining).
    #[serde(rename = "c", default)]
    pub chained: bool,
    /// Expiry, seconds since the Unix epoch (sandbox time).
    #[serde(rename = "x")]
    pub expires: u64,
}

/// A freshly issued set of temporary keys.
#[derive(Debug)]
pub(crate) struct Issued {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
}

/// The sealing key of one sandbox run.
pub(crate) struct TokenKey([u8; 32]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(<redacted>)")
    }
}

const NONCE: usize = 16;
const MAC: usize = 32;

impl TokenKey {
    pub fn random() -> Self {
        let mut k = [0u8; 32];
        ids::fill(&mut k);
        Self(k)
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length.
        HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!())
    }

    /// The secret access key that belongs to a temporary key id.
    pub fn secret_for(&self, key_id: &str) -> Secret {
        let digest = self
            .mac()
            .chain_update(b"secret/")
            .chain_update(key_id.as_bytes())
            .finalize()
            .into_bytes();
        let more = Sha256::digest(digest);
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let s: String = digest
            .iter()
            .chain(more.iter())
            .take(40)
            .filter_map(|b| ALPHABET.get(usize::from(*b) % ALPHABET.len()))
            .map(|c| char::from(*c))
            .collect();
        Secret::new(s)
    }

    /// Issues keys for `claims` (whose `key_id` is replaced by a fresh one).
    pub fn issue(&self, mut claims: Claims) -> Issued {
        let key_id = ids::temporary_key_id();
        claims.key_id.clone_from(&key_id);
        Issued {
            secret_access_key: self.secret_for(&key_id),
            access_key_id: key_id,
            session_token: Secret::new(self.seal(&claims)),
        }
    }

    /// Opens a session token; `None` for anything this sandbox did not seal.
    pub fn open(&self, token: &str) -> Option<Claims> {
        self.unseal(token)
    }

    /// Any value, sealed: base64 of a nonce, its JSON and an HMAC, so the
    /// sandbox needs no table for what it hands out (session tokens, the
    /// console's sign-in tokens and sessions).
    pub fn seal<T: Serialize>(&self, value: &T) -> String {
        let mut blob = vec![0u8; NONCE];
        ids::fill(&mut blob);
        // Serialising these plain structs cannot fail.
        blob.extend(serde_json::to_vec(value).unwrap_or_default());
        let tag = self.mac().chain_update(&blob).finalize().into_bytes();
        blob.extend_from_slice(&tag);
        base64::engine::general_purpose::STANDARD.encode(blob)
    }

    /// Opens what [`TokenKey::seal`] sealed; `None` for anything else.
    pub fn unseal<T: serde::de::DeserializeOwned>(&self, sealed: &str) -> Option<T> {
        let blob = base64::engine::general_purpose::STANDARD
            .decode(sealed.trim())
            .ok()?;
        if blob.len() < NONCE + MAC + 2 {
            return None;
        }
        let (body, tag) = blob.split_at(blob.len() - MAC);
        self.mac().chain_update(body).verify_slice(tag).ok()?;
        serde_json::from_slice(body.get(NONCE..)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            key_id: String::new(),
            account: "111111111111".into(),
            principal: Principal::Role {
                name: "Deploy".into(),
                session: "s".into(),
            },
            mfa: false,
            chained: false,
            expires: 1_800_000_000,
        }
    }

    #[test]
    fn issued_tokens_open_to_their_claims() {
        let key = TokenKey::random();
        let issued = key.issue(claims());
        let opened = key.open(issued.session_token.expose()).unwrap();
        assert_eq!(opened.key_id, issued.access_key_id);
        assert_eq!(opened.principal, claims().principal);
        assert_eq!(
            key.secret_for(&issued.access_key_id),
            issued.secret_access_key
        );
        assert!(issued.session_token.expose().len() > 150);
    }

    #[test]
    fn altered_or_foreign_tokens_do_not_open() {
        let key = TokenKey::random();
        let token = key.issue(claims()).session_token.expose().to_owned();
        assert!(TokenKey::random().open(&token).is_none());
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&token)
            .unwrap();
        bytes[20] ^= 1;
        let altered = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert!(key.open(&altered).is_none());
        assert!(key.open("not base64 at all!").is_none());
        assert!(key.open("").is_none());
    }
}
