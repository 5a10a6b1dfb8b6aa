//! Leasekeeper's own state files for sign-in (docs/STATE.md lists them):
//! [`SessionRecord`] (what we know of a session's current token: when we
//! obtained it and for how long, and our last refresh attempt),
//! [`CachedRegistration`] (a client registration reused until shortly before
//! it expires) and [`SignInMarker`] (who is signing in right now).
//!
//! Each is a small camelCase JSON object. A record that cannot be read is
//! treated as absent: the worst case is an earlier refresh or a new
//! registration.

use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::Secret;
use crate::ports::{ClientRegistration, RegistrationKind};
use crate::profiles::sso_cache::SsoToken;
use crate::timefmt::{format_z, parse_timestamp};

/// Sixteen hex digits of the SHA-256 of an access token: enough to tell
/// whether the token in the cache file is the one a record describes,
/// useless for anything else.
pub fn fingerprint(access_token: &Secret) -> String {
    let digest = Sha256::digest(access_token.expose().as_bytes());
    hex::encode(digest.get(..8).unwrap_or_default())
}

/// What we know about the token of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// [`fingerprint`] of the access token this record describes.
    pub token_fingerprint: String,
    pub obtained_at: OffsetDateTime,
    /// The token's life as we obtained it (`expiresIn`).
    pub lifetime: Duration,
    /// When the person last signed in here (the sign-in session's start).
    pub signed_in_at: Option<OffsetDateTime>,
    pub last_refresh_attempt: Option<OffsetDateTime>,
}

impl Default for SessionRecord {
    fn default() -> Self {
        SessionRecord {
            token_fingerprint: String::new(),
            obtained_at: OffsetDateTime::UNIX_EPOCH,
            lifetime: Duration::ZERO,
            signed_in_at: None,
            last_refresh_attempt: None,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSession {
    token_fingerprint: String,
    obtained_at: String,
    lifetime_secs: i64,
    #[serde(default)]
    signed_in_at: Option<String>,
    #[serde(default)]
    last_refresh_attempt: Option<String>,
}

/// The longest token life a record may hold.
const MAX_LIFETIME: Duration = Duration::days(366);

impl SessionRecord {
    /// A record of `access_token`, obtained at `now`, living `lifetime`.
    pub fn obtained(access_token: &Secret, now: OffsetDateTime, lifetime: Duration) -> Self {
        SessionRecord {
            token_fingerprint: fingerprint(access_token),
            obtained_at: now,
            lifetime,
            signed_in_at: None,
            last_refresh_attempt: None,
        }
    }

    /// Whether this record describes the token now in the cache file.
    pub fn describes(&self, token: &SsoToken) -> bool {
        self.token_fingerprint == fingerprint(&token.access_token)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let raw = RawSession {
            token_fingerprint: self.token_fingerprint.clone(),
            obtained_at: format_z(self.obtained_at),
            lifetime_secs: self.lifetime.whole_seconds(),
            signed_in_at: self.signed_in_at.map(format_z),
            last_refresh_attempt: self.last_refresh_attempt.map(format_z),
        };
        serde_json::to_vec_pretty(&raw).unwrap_or_default()
    }

    /// `None` when the bytes are not a record.
    pub fn parse(bytes: &[u8]) -> Option<SessionRecord> {
        let raw: RawSession = serde_json::from_slice(bytes).ok()?;
        // A token lives hours; a longer life than MAX_LIFETIME is not a
        // record of ours (and would overflow the arithmetic done with it).
        let lifetime = Duration::seconds(raw.lifetime_secs.max(0));
        if lifetime > MAX_LIFETIME {
            return None;
        }
        Some(SessionRecord {
            token_fingerprint: raw.token_fingerprint,
            obtained_at: parse_timestamp(&raw.obtained_at)?,
            lifetime,
            signed_in_at: raw.signed_in_at.as_deref().and_then(parse_timestamp),
            last_refresh_attempt: raw
                .last_refresh_attempt
                .as_deref()
                .and_then(parse_timestamp),
        })
    }
}

/// A client registration as we cache it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedRegistration {
    pub registration: ClientRegistration,
    pub kind: RegistrationKind,
    pub scopes: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRegistration {
    client_id: String,
    client_secret: String,
    expires_at: String,
    kind: String,
    scopes: Vec<String>,
    start_url: String,
    region: String,
}

/// The file key of a registration: sha1 of what makes it reusable (kind,
/// region, start URL, scopes, session).
pub fn registration_key(
    kind: RegistrationKind,
    region: &str,
    start_url: &str,
    scopes: &[String],
    session: Option<&str>,
) -> String {
    let text = format!(
        "{}|{region}|{start_url}|{}|{}",
        kind.as_str(),
        scopes.join(","),
        session.unwrap_or("")
    );
    hex::encode(Sha1::digest(text.as_bytes()))
}

impl CachedRegistration {
    pub fn to_json(&self, start_url: &str, region: &str) -> Vec<u8> {
        let raw = RawRegistration {
            client_id: self.registration.client_id.clone(),
            client_secret: self.registration.client_secret.expose().to_owned(),
            expires_at: format_z(self.registration.expires_at),
            kind: self.kind.as_str().to_owned(),
            scopes: self.scopes.clone(),
            start_url: start_url.to_owned(),
            region: region.to_owned(),
        };
        serde_json::to_vec_pretty(&raw).unwrap_or_default()
    }

    pub fn parse(bytes: &[u8]) -> Option<CachedRegistration> {
        let raw: RawRegistration = serde_json::from_slice(bytes).ok()?;
        let kind = match raw.kind.as_str() {
            "device_code" => RegistrationKind::DeviceCode,
            "authorization_code" => RegistrationKind::AuthorizationCode,
            _ => return None,
        };
        Some(CachedRegistration {
            registration: ClientRegistration {
                client_id: raw.client_id,
                client_secret: Secret::new(raw.client_secret),
                expires_at: parse_timestamp(&raw.expires_at)?,
            },
            kind,
            scopes: raw.scopes,
        })
    }
}

/// Who is signing in to a session right now, for a second `login` to report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInMarker {
    /// The process, as the shell describes it (`leasekeeper (pid 4242)`).
    pub holder: String,
    /// `device_code` or `authorization_code`.
    pub flow: String,
    pub started_at: String,
    /// For a device code: what the person enters, and where.
    #[serde(default)]
    pub user_code: Option<String>,
    #[serde(default)]
    pub verification_uri: Option<String>,
}

impl SignInMarker {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    pub fn parse(bytes: &[u8]) -> Option<SignInMarker> {
        serde_json::from_slice(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn records_round_trip_and_never_hold_the_token() {
        let token = Secret::new("aoaSECRETTOKEN");
        let mut r =
            SessionRecord::obtained(&token, datetime!(2026-11-22 10:00 UTC), Duration::hours(1));
        r.last_refresh_attempt = Some(datetime!(2026-11-22 10:30 UTC));
        let bytes = r.to_json();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("SECRETTOKEN"), "{text}");
        assert!(
            text.contains("\"obtainedAt\": \"2026-11-22T10:00:00Z\""),
            "{text}"
        );
        assert_eq!(SessionRecord::parse(&bytes), Some(r));
        assert_eq!(SessionRecord::parse(b"{\"oops\":"), None);
    }

    #[test]
    fn registrations_round_trip_and_keys_differ_by_kind_and_scopes() {
        let reg = CachedRegistration {
            registration: ClientRegistration {
                client_id: "cid".into(),
                client_secret: Secret::new("cs"),
                expires_at: datetime!(2027-02-20 10:00 UTC),
            },
            kind: RegistrationKind::AuthorizationCode,
            scopes: vec!["sso:account:access".into()],
        };
        let bytes = reg.to_json("https://x/start", "us-east-1");
        assert_eq!(CachedRegistration::parse(&bytes), Some(reg));
        let scopes = ["sso:account:access".to_owned()];
        let a = registration_key(RegistrationKind::DeviceCode, "r", "u", &scopes, Some("s"));
        let b = registration_key(
            RegistrationKind::AuthorizationCode,
            "r",
            "u",
            &scopes,
            Some("s"),
        );
        let c = registration_key(RegistrationKind::DeviceCode, "r", "u", &[], Some("s"));
        assert!(a != b && a != c && b != c);
    }
}
