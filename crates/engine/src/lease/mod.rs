//! Leases: for every profile, when the person must act next, when its current
//! credentials expire, its [`LeaseState`] and whether it can be renewed
//! without them ([`Renewal`]).
//!
//! [`Lease`] is computed from a [`crate::snapshot::Snapshot`] and "now" by
//! [`compute::leases`]; [`urgency`] orders them for display.

pub mod compute;
pub mod policy;
pub mod urgency;

use serde::Serialize;
use time::OffsetDateTime;

pub use compute::leases;

/// Where a profile stands, from the person's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseState {
    /// Usable, and nothing is needed from the person before the warning lead.
    Fresh,
    /// The person must act soon (within the warning lead).
    Expiring,
    /// What the person had to renew has lapsed (other tools' keys, an MFA session).
    Expired,
    /// An SSO sign-in is needed.
    NeedsLogin,
    /// Long-term keys: no expiry.
    Static,
    /// Nothing tells when this ends (a `credential_process`, web identity, …).
    Unknown,
    /// The profile cannot be used as written (see its errors).
    Error,
    /// The keeper is renewing it right now.
    Renewing,
}

impl LeaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaseState::Fresh => "fresh",
            LeaseState::Expiring => "expiring",
            LeaseState::Expired => "expired",
            LeaseState::NeedsLogin => "needs_login",
            LeaseState::Static => "static",
            LeaseState::Unknown => "unknown",
            LeaseState::Error => "error",
            LeaseState::Renewing => "renewing",
        }
    }

    /// Whether the person must do something before this profile works again.
    pub fn needs_action_now(self) -> bool {
        matches!(self, LeaseState::Expired | LeaseState::NeedsLogin)
    }
}

/// Whether a lease can be renewed without the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Renewal {
    /// Renewed without asking anything (a refresh token, long-term keys).
    Silent,
    /// Renewing needs the person: a sign-in or an MFA code.
    NeedsUser,
    /// Not renewable by anyone here: long-term keys, another tool's keys,
    /// a `credential_process` the SDKs run themselves.
    Never,
}

impl Renewal {
    pub fn as_str(self) -> &'static str {
        match self {
            Renewal::Silent => "silent",
            Renewal::NeedsUser => "needs_user",
            Renewal::Never => "never",
        }
    }
}

/// The SSO side of a lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SsoLease {
    /// The sso-session name; `None` for a legacy profile.
    pub session: Option<String>,
    pub start_url: String,
    /// When the cached access token expires; `None` when there is no token.
    #[serde(with = "time::serde::rfc3339::option")]
    pub token_expires_at: Option<OffsetDateTime>,
    /// Whether the refresh token can renew it (refresh token present and the
    /// client registration still valid).
    pub refreshable: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub registration_expires_at: Option<OffsetDateTime>,
}

/// One problem of one profile: a stable code and a readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaseError {
    pub code: String,
    pub message: String,
}

impl LeaseError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        LeaseError {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// One profile's lease.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lease {
    pub profile: String,
    /// `sso`, `role`, `static`, `temporary`, `process`, `web_identity`,
    /// `credential_source`, or `unknown` when the profile cannot be resolved.
    pub kind: String,
    pub state: LeaseState,
    pub renewal: Renewal,
    /// When the current credentials expire, as far as any file tells.
    pub expires_at: Option<OffsetDateTime>,
    /// When the person must act next (sign in, enter a code, rerun a tool);
    /// `None` when never.
    pub action_needed_at: Option<OffsetDateTime>,
    /// Whether `action_needed_at` is an estimate (an SSO session's end).
    pub action_needed_estimated: bool,
    pub sso: Option<SsoLease>,
    /// A short description of the source chain (`role dev ← base (mfa)`).
    pub description: String,
    /// The source chain, step by step, without secrets.
    pub source: serde_json::Value,
    /// Whether botocore and the AWS CLI refuse the file this profile is in.
    pub unusable_by_botocore: bool,
    pub errors: Vec<LeaseError>,
}

impl Lease {
    /// Seconds from `now` until the person must act (negative once past).
    pub fn seconds_left(&self, now: OffsetDateTime) -> Option<i64> {
        self.action_needed_at.map(|t| (t - now).whole_seconds())
    }
}
