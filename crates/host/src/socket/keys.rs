//! Keys over the socket: the one answer that carries secrets. [`WireKeys`]
//! is what `{"request":"credentials"}` is answered with; its secret fields
//! are [`WireSecret`]s, whose `Debug` prints `<redacted>`, so neither side
//! can log them by accident. [`Served`] is what the keeper publishes per
//! profile for the server to answer from: keys, the person's action needed,
//! or nothing yet.

use std::collections::BTreeMap;
use std::fmt;

use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::Credentials;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A secret as it crosses the socket: the text itself in JSON, redacted in
/// `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WireSecret(String);

impl fmt::Debug for WireSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&Secret> for WireSecret {
    fn from(s: &Secret) -> WireSecret {
        WireSecret(s.expose().to_owned())
    }
}

impl From<&WireSecret> for Secret {
    fn from(s: &WireSecret) -> Secret {
        Secret::new(s.0.as_str())
    }
}

/// Temporary keys as the keeper hands them to `credential-process`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireKeys {
    pub access_key_id: String,
    pub secret_access_key: WireSecret,
    pub session_token: WireSecret,
    /// On AWS's clock.
    #[serde(with = "time::serde::rfc3339")]
    pub expiration: OffsetDateTime,
}

impl WireKeys {
    /// `keys` when they are temporary keys with an expiry (the only kind
    /// the keeper renews).
    pub fn from_credentials(keys: &Credentials) -> Option<WireKeys> {
        Some(WireKeys {
            access_key_id: keys.access_key_id.clone(),
            secret_access_key: WireSecret::from(&keys.secret_access_key),
            session_token: WireSecret::from(keys.session_token.as_ref()?),
            expiration: keys.expiration?,
        })
    }

    pub fn to_credentials(&self) -> Credentials {
        Credentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: Secret::from(&self.secret_access_key),
            session_token: Some(Secret::from(&self.session_token)),
            expiration: Some(self.expiration),
        }
    }
}

/// What the keeper can give for one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The keys it holds for the profile's chain (they may be close to
    /// their end: the server checks).
    Keys(Credentials),
    /// The person must act before anything can be served.
    NeedsUser {
        /// `needs_sign_in` or `needs_mfa_code`.
        code: &'static str,
        message: String,
        /// The command the person should run.
        command: String,
    },
    /// Nothing usable yet: its renewal state (`pending`, `renewing`,
    /// `retrying`, `lapsed`).
    NotYet { state: String },
}

/// What the keeper can give, by profile name.
pub type ServedMap = BTreeMap<String, Served>;

/// Stable codes of the `needs_user` answer.
pub const NEEDS_SIGN_IN: &str = "needs_sign_in";
pub const NEEDS_MFA_CODE: &str = "needs_mfa_code";
