//! The SSO token cache (`~/.aws/sso/cache/<sha1>.json`) as the AWS CLI,
//! botocore and aws-sdk-rust write and read it.
//!
//! The file name is the sha1 of the sso-session name (profiles with
//! `sso_session`) or of the start URL exactly as written (legacy profiles):
//! [`cache_key`]. [`SsoToken::parse`] reads one file; secrets stay in
//! [`Secret`]s.

use serde::Deserialize;
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use crate::Secret;
use crate::timefmt::parse_timestamp;

/// The file stem of a token cache entry: sha1 hex of the session name or the
/// legacy start URL, with no normalisation.
pub fn cache_key(session_name_or_start_url: &str) -> String {
    hex::encode(Sha1::digest(session_name_or_start_url.as_bytes()))
}

/// One token cache file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoToken {
    pub start_url: Option<String>,
    pub region: Option<String>,
    pub access_token: Secret,
    pub expires_at: OffsetDateTime,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub registration_expires_at: Option<OffsetDateTime>,
    pub refresh_token: Option<Secret>,
}

/// Why a token cache file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenFileError {
    #[error("not valid JSON at line {line} column {column} (truncated or corrupt)")]
    Json { line: usize, column: usize },
    #[error("missing field `{0}`")]
    Missing(&'static str),
    #[error("field `{field}` is not a timestamp")]
    BadTimestamp { field: &'static str },
    /// A client registration the AWS CLI keeps beside its tokens (a
    /// `clientId` and `clientSecret`, no token, no start URL): not a token
    /// file, and nothing wrong.
    #[error("a client registration, not a token")]
    ClientRegistration,
}

impl TokenFileError {
    pub fn code(&self) -> &'static str {
        match self {
            TokenFileError::Json { .. } => "token_cache_corrupt",
            TokenFileError::Missing(_) | TokenFileError::BadTimestamp { .. } => {
                "token_cache_incomplete"
            }
            TokenFileError::ClientRegistration => "client_registration",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    start_url: Option<String>,
    region: Option<String>,
    access_token: Option<String>,
    expires_at: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    registration_expires_at: Option<String>,
    refresh_token: Option<String>,
}

impl SsoToken {
    /// Reads one cache file's bytes. Unknown fields are ignored; only
    /// `accessToken` and `expiresAt` are required, as for the SDKs.
    pub fn parse(bytes: &[u8]) -> Result<SsoToken, TokenFileError> {
        let raw: Raw = serde_json::from_slice(bytes).map_err(|e| TokenFileError::Json {
            line: e.line(),
            column: e.column(),
        })?;
        if raw.access_token.is_none()
            && raw.start_url.is_none()
            && raw.client_id.is_some()
            && raw.client_secret.is_some()
        {
            return Err(TokenFileError::ClientRegistration);
        }
        let access_token = raw
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or(TokenFileError::Missing("accessToken"))?;
        let expires_at = raw.expires_at.ok_or(TokenFileError::Missing("expiresAt"))?;
        let expires_at = parse_timestamp(&expires_at)
            .ok_or(TokenFileError::BadTimestamp { field: "expiresAt" })?;
        let registration_expires_at = match raw.registration_expires_at {
            None => None,
            Some(text) => Some(parse_timestamp(&text).ok_or(TokenFileError::BadTimestamp {
                field: "registrationExpiresAt",
            })?),
        };
        Ok(SsoToken {
            start_url: raw.start_url,
            region: raw.region,
            access_token: Secret::new(access_token),
            expires_at,
            client_id: raw.client_id,
            client_secret: raw.client_secret.map(Secret::new),
            registration_expires_at,
            refresh_token: raw.refresh_token.filter(|t| !t.is_empty()).map(Secret::new),
        })
    }

    /// Whether the refresh grant can renew this token at `now`: a refresh
    /// token, a client registration, and that registration still valid.
    pub fn refreshable_at(&self, now: OffsetDateTime) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires_at.is_some_and(|t| t > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timefmt::format_z;

    #[test]
    fn cache_key_is_sha1_of_name_or_url_as_written() {
        // Values from the AWS CLI's documentation of the cache layout.
        assert_eq!(cache_key("my-sso"), hex::encode(Sha1::digest(b"my-sso")));
        assert_ne!(
            cache_key("https://d-abc.awsapps.com/start"),
            cache_key("https://d-abc.awsapps.com/start/")
        );
        assert_eq!(
            cache_key("https://d-abc.awsapps.com/start").len(),
            40,
            "sha1 hex"
        );
    }

    #[test]
    fn reads_a_cli_written_file_with_all_fields() {
        let t = SsoToken::parse(
            br#"{"startUrl":"https://d-abc.awsapps.com/start","region":"eu-west-1",
            "accessToken":"AT","expiresAt":"2026-11-22T10:00:00UTC","clientId":"cid",
            "clientSecret":"cs","registrationExpiresAt":"2027-02-20T10:00:00Z",
            "refreshToken":"RT","somethingNew":1}"#,
        )
        .unwrap();
        assert_eq!(format_z(t.expires_at), "2026-11-22T10:00:00Z");
        assert_eq!(t.access_token.expose(), "AT");
        assert!(t.refreshable_at(t.expires_at));
        assert!(
            !format!("{t:?}").contains("RT\""),
            "debug must not show tokens"
        );
    }

    #[test]
    fn minimal_file_is_not_refreshable() {
        let t =
            SsoToken::parse(br#"{"accessToken":"AT","expiresAt":"2026-11-22T10:00:00Z"}"#).unwrap();
        assert!(!t.refreshable_at(t.expires_at));
    }

    #[test]
    fn truncated_and_incomplete_files_say_why() {
        let e = SsoToken::parse(br#"{"accessToken":"AT","expi"#).unwrap_err();
        assert_eq!(e.code(), "token_cache_corrupt");
        let e = SsoToken::parse(br#"{"expiresAt":"2026-11-22T10:00:00Z"}"#).unwrap_err();
        assert_eq!(e, TokenFileError::Missing("accessToken"));
        let e = SsoToken::parse(br#"{"accessToken":"AT","expiresAt":"later"}"#).unwrap_err();
        assert_eq!(e.code(), "token_cache_incomplete");
    }
}
