//! The console sign-in (federation) endpoint, as the IAM User Guide
//! describes it ("Enable custom identity broker access to the AWS
//! console"), and a stand-in for the console it leads to:
//!
//! - `GET /federation?Action=getSigninToken&Session=<JSON>[&SessionDuration=N]`
//!   takes temporary keys (`sessionId`, `sessionKey`, `sessionToken`) of a
//!   role or a federated user and answers `{"SigninToken": "…"}`, valid 15
//!   minutes. Keys it cannot use (unknown, expired, altered, long-term,
//!   GetSessionToken's) get AWS's bare `400 Bad Request`; so does a
//!   `SessionDuration` outside 900..43200, one given with a federated
//!   user's keys, or one given with keys of a chained role.
//! - `GET /federation?Action=login&Issuer=…&Destination=<console URL>&SigninToken=…`
//!   answers `302` to the stand-in console page when the token is valid and
//!   the destination is on a console host of the partition.
//! - `GET /console?s=…` shows who is signed in, until when, and where the
//!   person was headed.
//!
//! Sign-in tokens and console sessions are sealed like session tokens, so
//! no table is kept.

use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};

use crate::creds::{Claims, Principal};
use crate::state::{Shared, iso8601};
use crate::wire::{Body, Req, escape, html, json_ok, query_encode, redirect, respond};

/// A sign-in token is good for 15 minutes (IAM User Guide).
const TOKEN_SECS: u64 = 15 * 60;
/// The console session a role's keys get without `SessionDuration`.
const DEFAULT_CONSOLE_SECS: u64 = 3600;
/// `SessionDuration`'s bounds.
const MIN_CONSOLE_SECS: u64 = 900;
const MAX_CONSOLE_SECS: u64 = 43200;
/// The console hosts a destination may name, per partition.
const CONSOLE_DOMAINS: [&str; 3] = [
    "console.aws.amazon.com",
    "console.amazonaws.cn",
    "console.amazonaws-us-gov.com",
];

/// What a sign-in token stands for.
#[derive(Debug, Serialize, Deserialize)]
struct SigninClaims {
    #[serde(rename = "a")]
    arn: String,
    /// When the token itself is no longer accepted.
    #[serde(rename = "t")]
    token_expires: u64,
    /// When the console session it opens ends.
    #[serde(rename = "e")]
    session_ends: u64,
    /// A federated user without a session policy: no permissions.
    #[serde(rename = "n")]
    no_permissions: bool,
}

/// A console session, as the stand-in page shows it.
#[derive(Debug, Serialize, Deserialize)]
struct ConsoleSession {
    #[serde(rename = "a")]
    arn: String,
    #[serde(rename = "e")]
    ends: u64,
    #[serde(rename = "d")]
    destination: String,
    #[serde(rename = "n")]
    no_permissions: bool,
}

#[derive(Debug, Deserialize)]
struct SessionJson {
    #[serde(rename = "sessionId")]
    id: String,
    #[serde(rename = "sessionKey")]
    key: String,
    #[serde(rename = "sessionToken")]
    token: String,
}

/// AWS's answer to anything the federation endpoint will not take: a bare
/// 400. The reason is a short plain sentence (no key is ever echoed).
fn bad_request(reason: &str, request_id: &str) -> Response<Body> {
    respond(
        StatusCode::BAD_REQUEST,
        "text/plain; charset=utf-8",
        format!("Bad Request: {reason}\n"),
        request_id,
    )
}

/// Answers `/federation` and `/console`.
pub(crate) fn handle(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    if req.path == "/console" {
        return console_page(shared, req, request_id);
    }
    match req.query_param("Action").as_deref() {
        Some("getSigninToken") => get_signin_token(shared, req, request_id),
        Some("login") => login(shared, req, request_id),
        _ => bad_request("unknown Action", request_id),
    }
}

fn arn_of(claims: &Claims) -> String {
    match &claims.principal {
        Principal::User { name } => format!("arn:aws:iam::{}:user/{name}", claims.account),
        Principal::Role { name, session } => format!(
            "arn:aws:sts::{}:assumed-role/{name}/{session}",
            claims.account
        ),
        Principal::Federated { name, .. } => {
            format!("arn:aws:sts::{}:federated-user/{name}", claims.account)
        }
    }
}

fn get_signin_token(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    let Some(session) = req.query_param("Session") else {
        return bad_request("Session is required", request_id);
    };
    let Ok(session) = serde_json::from_str::<SessionJson>(&session) else {
        return bad_request("Session is not the expected JSON", request_id);
    };
    let claims = shared
        .tokens
        .open(&session.token)
        .filter(|c| c.key_id == session.id)
        .filter(|_| {
            crate::sts::sigv4::same_signature(
                shared.tokens.secret_for(&session.id).expose(),
                &session.key,
            )
        });
    let Some(claims) = claims else {
        return bad_request("the session keys are not valid", request_id);
    };
    let now = shared.now_unix();
    if now >= claims.expires {
        return bad_request("the session keys have expired", request_id);
    }
    let duration = match req.query_param("SessionDuration") {
        None => None,
        Some(text) => match text.parse::<u64>() {
            Ok(d) if (MIN_CONSOLE_SECS..=MAX_CONSOLE_SECS).contains(&d) => Some(d),
            _ => return bad_request("SessionDuration must be 900 to 43200", request_id),
        },
    };
    let (session_ends, no_permissions) = match &claims.principal {
        // GetSessionToken's keys cannot sign in to the console.
        Principal::User { .. } => {
            return bad_request("these keys cannot sign in to the console", request_id);
        }
        // A federated user's console session lasts as long as its keys.
        Principal::Federated { policy, .. } => {
            if duration.is_some() {
                return bad_request(
                    "SessionDuration is not taken with a federated user's keys",
                    request_id,
                );
            }
            (claims.expires, !policy)
        }
        Principal::Role { .. } => {
            if claims.chained && duration.is_some() {
                return bad_request(
                    "SessionDuration is not taken with keys of a chained role",
                    request_id,
                );
            }
            let secs = duration.unwrap_or(DEFAULT_CONSOLE_SECS);
            (now + shared.scaled_secs(secs), false)
        }
    };
    let token = shared.tokens.seal(&SigninClaims {
        arn: arn_of(&claims),
        token_expires: now + shared.scaled_secs(TOKEN_SECS),
        session_ends,
        no_permissions,
    });
    json_ok(&serde_json::json!({ "SigninToken": token }), request_id)
}

/// Whether `url` is an `https` URL on a console host.
fn on_console_host(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    CONSOLE_DOMAINS
        .iter()
        .any(|d| host == *d || host.strip_suffix(d).is_some_and(|p| p.ends_with('.')))
}

fn login(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    let Some(token) = req.query_param("SigninToken") else {
        return bad_request("SigninToken is required", request_id);
    };
    let Some(claims) = shared.tokens.unseal::<SigninClaims>(&token) else {
        return bad_request("the sign-in token is not valid", request_id);
    };
    if shared.now_unix() >= claims.token_expires {
        return bad_request("the sign-in token has expired", request_id);
    }
    let destination = req.query_param("Destination").unwrap_or_default();
    if !on_console_host(&destination) {
        return bad_request("Destination is not a console address", request_id);
    }
    let session = shared.tokens.seal(&ConsoleSession {
        arn: claims.arn,
        ends: claims.session_ends,
        destination,
        no_permissions: claims.no_permissions,
    });
    redirect(
        StatusCode::FOUND,
        &format!("{}/console?s={}", shared.base_url, query_encode(&session)),
        request_id,
    )
}

fn console_page(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    let session = req
        .query_param("s")
        .and_then(|s| shared.tokens.unseal::<ConsoleSession>(&s));
    let Some(session) = session else {
        return bad_request("no console session", request_id);
    };
    let permissions = if session.no_permissions {
        "<p id=\"permissions\">This session has no permissions: no session policy was passed.</p>"
    } else {
        ""
    };
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>AWS Management Console - Leasekeeper sandbox</title></head><body>\n\
<h1>AWS Management Console (sandbox stand-in)</h1>\n\
<p>Signed in as <code id=\"arn\">{arn}</code></p>\n\
<p>Session ends <time id=\"ends\">{ends}</time></p>\n\
<p>Destination <code id=\"destination\">{destination}</code></p>\n{permissions}\n</body></html>\n",
        arn = escape(&session.arn),
        ends = iso8601(session.ends),
        destination = escape(&session.destination),
    );
    html(StatusCode::OK, body, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_must_be_on_a_console_host() {
        assert!(on_console_host(
            "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
        ));
        assert!(on_console_host("https://console.amazonaws.cn/ec2/home"));
        assert!(on_console_host("https://console.aws.amazon.com"));
        assert!(!on_console_host("http://console.aws.amazon.com/"));
        assert!(!on_console_host("https://evilconsole.aws.amazon.com/"));
        assert!(!on_console_host(
            "https://console.aws.amazon.com.evil.example/"
        ));
        assert!(!on_console_host(
            "https://evil.example/?console.aws.amazon.com"
        ));
        assert!(!on_console_host(""));
    }
}
