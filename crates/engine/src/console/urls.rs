//! The federation endpoint's two URLs and its one answer. Both URLs carry
//! bearer secrets (the first the secret key, the second a token that signs
//! anyone in), so they exist only as [`Secret`]s.

use time::OffsetDateTime;

use crate::Secret;
use crate::ports::Credentials;

/// RFC 3986 unreserved characters stay; every other byte is %-encoded.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `<base>/federation?Action=getSigninToken[&SessionDuration=N]&Session=<JSON>`.
pub fn signin_token_url(base: &str, keys: &Credentials, session_duration: Option<u32>) -> Secret {
    let session = serde_json::json!({
        "sessionId": keys.access_key_id,
        "sessionKey": keys.secret_access_key.expose(),
        "sessionToken": keys.session_token.as_ref().map(Secret::expose).unwrap_or_default(),
    });
    let duration = session_duration
        .map(|d| format!("&SessionDuration={d}"))
        .unwrap_or_default();
    Secret::new(format!(
        "{}/federation?Action=getSigninToken{duration}&Session={}",
        base.trim_end_matches('/'),
        url_encode(&session.to_string())
    ))
}

/// `<base>/federation?Action=login&Issuer=…&Destination=…&SigninToken=…`.
pub fn login_url(base: &str, issuer: &str, destination: &str, token: &Secret) -> Secret {
    Secret::new(format!(
        "{}/federation?Action=login&Issuer={}&Destination={}&SigninToken={}",
        base.trim_end_matches('/'),
        url_encode(issuer),
        url_encode(destination),
        url_encode(token.expose())
    ))
}

/// Why the federation endpoint's answer is not a sign-in token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the federation endpoint did not answer with a sign-in token")]
    NoToken,
}

/// The `SigninToken` of the endpoint's JSON answer. Nothing of the body is
/// ever quoted back.
pub fn parse_signin_token(body: &[u8]) -> Result<Secret, AnswerError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| AnswerError::NoToken)?;
    value
        .get("SigninToken")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or(AnswerError::NoToken)
}

/// Whether keys lapsed at `now` (keys without an expiry never do).
pub fn lapsed(keys: &Credentials, now: OffsetDateTime) -> bool {
    keys.expiration.is_some_and(|e| e <= now)
}
