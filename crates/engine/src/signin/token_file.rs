//! The SSO token cache file exactly as the AWS CLI writes it: one line of
//! Python's `json.dumps` (`, ` and `: ` separators, non-ASCII escaped),
//! camelCase fields in the CLI's order (`startUrl`, `region`, `accessToken`,
//! `expiresAt`, `clientId`, `clientSecret`, `registrationExpiresAt`,
//! `refreshToken`), timestamps `YYYY-MM-DDTHH:MM:SSZ`.
//!
//! [`refreshed`] builds the token after a refresh; unlike botocore it keeps
//! the old refresh token when the service returns none (as aws-sdk-rust does).

use time::OffsetDateTime;

use crate::Secret;
use crate::ports::TokenResponse;
use crate::profiles::sso_cache::SsoToken;
use crate::timefmt::format_z;

/// The file's bytes for `token`.
pub fn to_cli_json(token: &SsoToken) -> Vec<u8> {
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(v) = &token.start_url {
        fields.push(("startUrl", v.clone()));
    }
    if let Some(v) = &token.region {
        fields.push(("region", v.clone()));
    }
    fields.push(("accessToken", token.access_token.expose().to_owned()));
    fields.push(("expiresAt", format_z(token.expires_at)));
    if let Some(v) = &token.client_id {
        fields.push(("clientId", v.clone()));
    }
    if let Some(v) = &token.client_secret {
        fields.push(("clientSecret", v.expose().to_owned()));
    }
    if let Some(v) = token.registration_expires_at {
        fields.push(("registrationExpiresAt", format_z(v)));
    }
    if let Some(v) = &token.refresh_token {
        fields.push(("refreshToken", v.expose().to_owned()));
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}: {}", crate::pyjson::string(k), crate::pyjson::string(v)))
        .collect();
    format!("{{{}}}", body.join(", ")).into_bytes()
}

/// `t` without its fraction of a second, as the file holds it.
fn whole_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// The token a refresh produced: the old file's registration and URLs, the
/// new access token and expiry, and the new refresh token — or the old one
/// when none came back.
pub fn refreshed(
    old: &SsoToken,
    response: &TokenResponse,
    start_url: &str,
    region: &str,
    now: OffsetDateTime,
) -> SsoToken {
    SsoToken {
        start_url: Some(start_url.to_owned()),
        region: Some(region.to_owned()),
        access_token: response.access_token.clone(),
        expires_at: whole_seconds(now + response.expires_in),
        client_id: old.client_id.clone(),
        client_secret: old.client_secret.clone(),
        registration_expires_at: old.registration_expires_at,
        refresh_token: response
            .refresh_token
            .clone()
            .or_else(|| old.refresh_token.clone()),
    }
}

/// The token a sign-in produced.
pub fn signed_in(
    start_url: &str,
    region: &str,
    response: &TokenResponse,
    client_id: &str,
    client_secret: &Secret,
    registration_expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> SsoToken {
    SsoToken {
        start_url: Some(start_url.to_owned()),
        region: Some(region.to_owned()),
        access_token: response.access_token.clone(),
        expires_at: whole_seconds(now + response.expires_in),
        client_id: Some(client_id.to_owned()),
        client_secret: Some(client_secret.clone()),
        registration_expires_at: Some(registration_expires_at),
        refresh_token: response.refresh_token.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    fn token() -> SsoToken {
        SsoToken {
            start_url: Some("https://d-123.awsapps.com/start".into()),
            region: Some("us-west-2".into()),
            access_token: Secret::new("AT"),
            expires_at: datetime!(2021-12-25 21:30 UTC),
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("cs")),
            registration_expires_at: Some(datetime!(2022-12-25 13:30 UTC)),
            refresh_token: Some(Secret::new("RT")),
        }
    }

    #[test]
    fn written_exactly_as_the_aws_cli_writes_it() {
        let text = String::from_utf8(to_cli_json(&token())).unwrap();
        assert_eq!(
            text,
            r#"{"startUrl": "https://d-123.awsapps.com/start", "region": "us-west-2", "accessToken": "AT", "expiresAt": "2021-12-25T21:30:00Z", "clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": "2022-12-25T13:30:00Z", "refreshToken": "RT"}"#
        );
        let back = SsoToken::parse(text.as_bytes()).unwrap();
        assert_eq!(back, token());
    }

    #[test]
    fn strings_are_escaped_as_python_does() {
        assert_eq!(crate::pyjson::string("a\"b\\c/\n"), r#""a\"b\\c/\n""#);
        assert_eq!(crate::pyjson::string("é😀"), r#""\u00e9\ud83d\ude00""#);
        assert_eq!(crate::pyjson::string("\u{1}"), r#""\u0001""#);
    }

    #[test]
    fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
        let now = datetime!(2021-12-25 13:30 UTC);
        let resp = TokenResponse {
            access_token: Secret::new("new"),
            refresh_token: None,
            expires_in: Duration::hours(8),
        };
        let t = refreshed(
            &token(),
            &resp,
            "https://d-123.awsapps.com/start",
            "us-west-2",
            now,
        );
        assert_eq!(t.refresh_token, Some(Secret::new("RT")));
        assert_eq!(t.expires_at, datetime!(2021-12-25 21:30 UTC));
        let resp = TokenResponse {
            refresh_token: Some(Secret::new("RT2")),
            ..resp
        };
        let t = refreshed(&token(), &resp, "u", "r", now);
        assert_eq!(t.refresh_token, Some(Secret::new("RT2")));
    }
}
