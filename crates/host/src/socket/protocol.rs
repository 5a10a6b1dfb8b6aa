//! The socket's protocol: one JSON object per line. Requests carry a
//! `request` tag, responses a `response` tag; an error is
//! `{"response":"error","code":…,"message":…}`. A line longer than
//! [`MAX_LINE`] is refused without being read into memory.

use leasekeeper_engine::keeper::ProfileRenewal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::keys::{WireKeys, WireSecret};

/// The longest request line taken, in bytes (the newline excluded).
pub const MAX_LINE: usize = 16 * 1024;

/// What a client asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Who answers: the keeper's pid and version.
    Hello,
    /// The renewal view the keeper holds.
    Status,
    /// Renew `profile` now (or every managed profile with `all`); answered
    /// once the renewals ended, failed, or the wait ran out.
    Refresh {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        all: bool,
    },
    /// The person signed out of this sso-session: its sections go at once.
    SignedOut { session: String },
    /// The person signed in to this sso-session: profiles waiting on it
    /// are renewed at once.
    SignedIn { session: String },
    /// Stream the engine's events until the client hangs up.
    Subscribe,
    /// A code of the MFA device `serial` (`leasekeeper mfa`): answered
    /// `accepted` once AWS took it (an MFA session, or a role's keys), or an
    /// error with the reason (`mfa_code_reused`, `mfa_code_malformed`, `mfa_code_expired`,
    /// `mfa_serial_unknown`, `mfa_code_busy`, AWS's code). Never logged.
    MfaCode { serial: String, code: WireSecret },
    /// The keys the keeper holds for `profile`, for `credential-process`:
    /// answered with `credentials` (the only answer that carries secrets),
    /// `needs_user`, or an error (`not_managed`, `not_renewed_yet`).
    Credentials { profile: String },
    /// `credential-process` found that `profile` needs the person: the
    /// keeper tells it as it tells its own needs (once).
    NotifyNeedsUser {
        profile: String,
        /// `needs_sign_in` (with `session`) or `needs_mfa_code` (with `mfa_serial`).
        code: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mfa_serial: Option<String>,
    },
}

/// What the keeper answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "response", rename_all = "snake_case")]
pub enum Response {
    Hello {
        pid: u32,
        version: String,
    },
    Status {
        keeper: KeeperView,
    },
    /// The profiles asked for, renewed or not, once their renewals ended.
    Refreshed {
        renewed: Vec<ProfileView>,
        failed: Vec<ProfileView>,
    },
    /// The command was passed to the keeper's loop.
    Accepted,
    /// Events follow, one `event` line each.
    Subscribed,
    Event {
        event: serde_json::Value,
    },
    /// A profile's keys (secrets: never logged; `Debug` redacts them).
    Credentials {
        profile: String,
        keys: WireKeys,
    },
    /// Nothing can be served until the person acts.
    NeedsUser {
        profile: String,
        /// `needs_sign_in` or `needs_mfa_code`.
        code: String,
        message: String,
        /// What to run.
        command: String,
    },
    Error {
        code: String,
        message: String,
    },
}

impl Response {
    pub fn error(code: &str, message: impl Into<String>) -> Response {
        Response::Error {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The keeper and its renewals, as `status` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeeperView {
    pub pid: u32,
    pub version: String,
    pub profiles: Vec<ProfileView>,
}

/// One managed profile's renewal: no keys, only states and times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub profile: String,
    pub section: String,
    /// `fresh`, `renewing`, `retrying`, `pending`, `lapsed`, `needs_login`
    /// or `needs_mfa_code`.
    pub state: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub renewed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_renewal_at: Option<OffsetDateTime>,
    /// When the MFA session the chain renews through ends (absent from
    /// older keepers).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub mfa_session_ends_at: Option<OffsetDateTime>,
    pub last_error: Option<ErrorView>,
    /// Kept only for `credential-process` (its `section` is empty: nothing
    /// is written for it).
    #[serde(default)]
    pub served: bool,
}

/// A renewal's last failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorView {
    pub code: String,
    pub message: String,
}

impl From<&ProfileRenewal> for ProfileView {
    fn from(r: &ProfileRenewal) -> ProfileView {
        ProfileView {
            profile: r.profile.clone(),
            section: r.section.clone(),
            state: r.state.as_str().to_owned(),
            expires_at: r.expires_at,
            renewed_at: r.renewed_at,
            next_renewal_at: r.next_renewal_at,
            mfa_session_ends_at: r.mfa_session_ends_at,
            served: false,
            last_error: r.last_error.as_ref().map(|f| ErrorView {
                code: f.code.clone(),
                message: f.message.clone(),
            }),
        }
    }
}

/// A request line (without its newline), or the error response for it.
pub fn parse(line: &[u8]) -> Result<Request, Response> {
    if line.len() > MAX_LINE {
        return Err(too_large());
    }
    serde_json::from_slice(line).map_err(|e| {
        Response::error(
            "bad_request",
            format!(
                "not a request: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

pub(crate) fn too_large() -> Response {
    Response::error(
        "request_too_large",
        format!("a request line holds at most {MAX_LINE} bytes"),
    )
}

/// `value` as one line, newline included.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut line = serde_json::to_vec(value).unwrap_or_else(|_| {
        br#"{"response":"error","code":"encode_failed","message":"cannot encode the answer"}"#
            .to_vec()
    });
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_from_their_json_lines() {
        assert_eq!(parse(br#"{"request":"hello"}"#), Ok(Request::Hello));
        assert_eq!(
            parse(br#"{"request":"refresh","profile":"dev"}"#),
            Ok(Request::Refresh {
                profile: Some("dev".into()),
                all: false
            })
        );
        assert_eq!(
            parse(br#"{"request":"signed_out","session":"corp"}"#),
            Ok(Request::SignedOut {
                session: "corp".into()
            })
        );
        let line = encode(&Request::Refresh {
            profile: None,
            all: true,
        });
        assert_eq!(line, b"{\"request\":\"refresh\",\"all\":true}\n");
    }

    #[test]
    fn an_mfa_code_reads_from_its_line_and_never_shows_in_debug() {
        let request =
            parse(br#"{"request":"mfa_code","serial":"arn:aws:iam::1:mfa/me","code":"123456"}"#)
                .expect("a request");
        assert!(
            matches!(&request, Request::MfaCode { serial, .. } if serial == "arn:aws:iam::1:mfa/me")
        );
        assert!(!format!("{request:?}").contains("123456"));
    }

    #[test]
    fn malformed_unknown_and_oversized_lines_get_error_responses() {
        let code = |r: Result<Request, Response>| match r {
            Err(Response::Error { code, .. }) => code,
            other => panic!("expected an error, got {other:?}"),
        };
        assert_eq!(code(parse(b"{not json")), "bad_request");
        assert_eq!(code(parse(br#"{"request":"format_disk"}"#)), "bad_request");
        assert_eq!(
            code(parse(
                br#"{"request":"signed_out","session":"a","extra":1}"#
            )),
            "bad_request"
        );
        let big = vec![b' '; MAX_LINE + 1];
        assert_eq!(code(parse(&big)), "request_too_large");
    }
}
