//! The socket's protocol: one JSON object per line. Requests carry a
//! `request` tag, responses a `response` tag; an error is
//! `{"response":"error","code":…,"message":…}`. A line longer than
//! [`MAX_LINE`] is refused without being read into memory.
//!
//! Both sides read and write the same types ([`Request`], [`Response`],
//! the engine's [`EngineEvent`] inside [`WireEvent`]). Every line carries
//! the writer's [`ProtocolVersion`] (`"protocol":{"major":1,"minor":0}`;
//! a line without one is 1.0). Readers ignore fields they do not know, so
//! a newer minor version (new optional fields, new event kinds, new
//! requests) is understood; a different major is refused by name
//! ([`LineError::Incompatible`]) before anything else of the line is read.

use std::fmt;

use leasekeeper_engine::keeper::{EngineEvent, ProfileRenewal, RenewalState};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use super::keys::{WireKeys, WireSecret};

/// The longest request line taken, in bytes (the newline excluded).
pub const MAX_LINE: usize = 16 * 1024;

/// The longest answer or event line a client takes, in bytes (the newline
/// excluded). Answers outgrow requests: a `status` of a home with thousands
/// of profiles, each with its error message, is a few megabytes; anything
/// longer is refused, never held.
pub const MAX_ANSWER_LINE: usize = 16 * 1024 * 1024;

/// A version of this protocol. Within a major version a newer minor only
/// adds (optional fields, event kinds, requests, answers), so either side
/// reads the other; a new major may change anything, and is refused. The
/// field's own shape never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolVersion {
    pub major: u32,
    pub minor: u32,
}

/// The version this build speaks.
pub const PROTOCOL: ProtocolVersion = ProtocolVersion { major: 1, minor: 1 };

impl ProtocolVersion {
    /// What a line without a version is: written before versions were
    /// carried.
    pub const UNVERSIONED: ProtocolVersion = ProtocolVersion { major: 1, minor: 0 };

    /// Whether a reader of this version understands lines of `theirs`.
    pub fn understands(self, theirs: ProtocolVersion) -> bool {
        self.major == theirs.major
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Why a line read from the socket is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// Not JSON, or not a message of this protocol.
    #[error("{0}")]
    Malformed(String),
    /// Written by a side that speaks another major version.
    #[error("the other side speaks protocol {theirs}; this one speaks {ours}")]
    Incompatible {
        theirs: ProtocolVersion,
        ours: ProtocolVersion,
    },
}

impl LineError {
    pub fn code(&self) -> &'static str {
        match self {
            LineError::Malformed(_) => "malformed_line",
            LineError::Incompatible { .. } => "protocol_incompatible",
        }
    }
}

/// Only the version of a line, read before the rest.
#[derive(Deserialize)]
struct VersionOf {
    #[serde(default)]
    protocol: Option<ProtocolVersion>,
}

/// A line as written: the message's own fields and the writer's version.
#[derive(Serialize)]
struct Versioned<'a, T> {
    #[serde(flatten)]
    body: &'a T,
    protocol: ProtocolVersion,
}

/// One line (without its newline) as `T`: its version first (a different
/// major is [`LineError::Incompatible`]), then the message, fields this
/// version does not know ignored.
pub fn decode<T: DeserializeOwned>(line: &[u8]) -> Result<T, LineError> {
    let malformed = |e: serde_json::Error| {
        LineError::Malformed(format!("{e} (line {}, column {})", e.line(), e.column()))
    };
    let theirs = serde_json::from_slice::<VersionOf>(line)
        .map_err(malformed)?
        .protocol
        .unwrap_or(ProtocolVersion::UNVERSIONED);
    if !PROTOCOL.understands(theirs) {
        return Err(LineError::Incompatible {
            theirs,
            ours: PROTOCOL,
        });
    }
    serde_json::from_slice(line).map_err(malformed)
}

/// An engine event as it crosses the socket: one this version knows, or
/// the kind of one a newer keeper tells (a newer minor version), which a
/// client skips. A known kind that does not read is an error, never taken
/// for a newer one.
#[derive(Debug, Clone, PartialEq)]
pub enum WireEvent {
    Known(Box<EngineEvent>),
    Newer { event: String },
}

impl From<EngineEvent> for WireEvent {
    fn from(event: EngineEvent) -> WireEvent {
        WireEvent::Known(Box::new(event))
    }
}

impl Serialize for WireEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Tag<'a> {
            event: &'a str,
        }
        match self {
            WireEvent::Known(event) => event.serialize(serializer),
            WireEvent::Newer { event } => Tag { event }.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for WireEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WireEvent, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Read {
            Known(Box<EngineEvent>),
            Tagged { event: String },
        }
        match Read::deserialize(deserializer)? {
            Read::Known(event) => Ok(WireEvent::Known(event)),
            Read::Tagged { event } if EngineEvent::CODES.contains(&event.as_str()) => Err(
                serde::de::Error::custom(format!("a {event} event whose fields do not read")),
            ),
            Read::Tagged { event } => Ok(WireEvent::Newer { event }),
        }
    }
}

/// What a client asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
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
        /// The program that keeps the home (`leasekeeper` for the daemon,
        /// `leasekeeper-tray`), since 1.1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program: Option<String>,
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
        event: WireEvent,
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
    pub state: ProfileState,
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

/// Where a profile's renewal stands, as the socket spells it: the
/// engine's [`RenewalState`], or [`ProfileState::Unknown`] for a state a
/// newer keeper tells (read, never an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileState {
    Fresh,
    Renewing,
    Retrying,
    Pending,
    Lapsed,
    NeedsLogin,
    NeedsMfaCode,
    /// A state this version does not know.
    #[serde(other)]
    Unknown,
}

impl ProfileState {
    /// The engine's state; `None` for [`ProfileState::Unknown`].
    pub fn renewal(self) -> Option<RenewalState> {
        Some(match self {
            ProfileState::Fresh => RenewalState::Fresh,
            ProfileState::Renewing => RenewalState::Renewing,
            ProfileState::Retrying => RenewalState::Retrying,
            ProfileState::Pending => RenewalState::Pending,
            ProfileState::Lapsed => RenewalState::Lapsed,
            ProfileState::NeedsLogin => RenewalState::NeedsLogin,
            ProfileState::NeedsMfaCode => RenewalState::NeedsMfaCode,
            ProfileState::Unknown => return None,
        })
    }

    /// `fresh`, `needs_login`, …, or `unknown`.
    pub fn as_str(self) -> &'static str {
        self.renewal().map_or("unknown", RenewalState::as_str)
    }
}

impl From<RenewalState> for ProfileState {
    fn from(state: RenewalState) -> ProfileState {
        match state {
            RenewalState::Fresh => ProfileState::Fresh,
            RenewalState::Renewing => ProfileState::Renewing,
            RenewalState::Retrying => ProfileState::Retrying,
            RenewalState::Pending => ProfileState::Pending,
            RenewalState::Lapsed => ProfileState::Lapsed,
            RenewalState::NeedsLogin => ProfileState::NeedsLogin,
            RenewalState::NeedsMfaCode => ProfileState::NeedsMfaCode,
        }
    }
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
            state: r.state.into(),
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
    decode(line).map_err(|e| match e {
        LineError::Malformed(message) => {
            Response::error("bad_request", format!("not a request: {message}"))
        }
        incompatible @ LineError::Incompatible { .. } => Response::error(
            incompatible.code(),
            format!("{incompatible}: use a leasekeeper of the keeper's version"),
        ),
    })
}

pub(crate) fn too_large() -> Response {
    Response::error(
        "request_too_large",
        format!("a request line holds at most {MAX_LINE} bytes"),
    )
}

/// `value` as one line with this build's [`PROTOCOL`], newline included.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let versioned = Versioned {
        body: value,
        protocol: PROTOCOL,
    };
    let mut line = serde_json::to_vec(&versioned).unwrap_or_else(|_| {
        format!(
            r#"{{"response":"error","code":"encode_failed","message":"cannot encode the answer","protocol":{{"major":{},"minor":{}}}}}"#,
            PROTOCOL.major, PROTOCOL.minor
        )
        .into_bytes()
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
        assert_eq!(
            line,
            b"{\"request\":\"refresh\",\"all\":true,\"protocol\":{\"major\":1,\"minor\":1}}\n"
        );
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
            code(parse(br#"{"request":"signed_out","extra":1}"#)),
            "bad_request"
        );
        let big = vec![b' '; MAX_LINE + 1];
        assert_eq!(code(parse(&big)), "request_too_large");
    }
}
