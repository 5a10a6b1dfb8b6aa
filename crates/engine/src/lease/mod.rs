//! Leases: for every profile, when the person must act next, when its current
//! credentials expire, its [`LeaseState`] and whether it can be renewed
//! without them ([`Renewal`]).
//!
//! [`Lease`] is computed from a [`crate::snapshot::Snapshot`] and "now" by
//! [`compute::leases`]; [`urgency`] orders them for display.

pub mod compute;
pub mod policy;
pub mod sign_in;
#[cfg(test)]
mod sign_in_tests;
pub mod urgency;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use time::OffsetDateTime;

use crate::resolve::StepView;

pub use compute::leases;
pub use sign_in::{SignInEnd, sign_in_end};

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
    /// When Leasekeeper signed this session in, as recorded; `None` when
    /// another tool did (or no record is at hand).
    #[serde(with = "time::serde::rfc3339::option")]
    pub signed_in_at: Option<OffsetDateTime>,
    /// When Leasekeeper first saw the sign-in another tool made, when the
    /// estimate counts from it; `None` otherwise.
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_seen_at: Option<OffsetDateTime>,
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
    /// Whether `action_needed_at` is only an upper bound: the client
    /// registration's expiry of a sign-in whose start nothing tells.
    pub action_needed_upper_bound: bool,
    pub sso: Option<SsoLease>,
    /// A short description of the source chain (`role dev ← base (mfa)`).
    pub description: String,
    /// The source chain, step by step, without secrets. Serialised by
    /// [`serialize_steps`]: each step an object with its keys in sorted order.
    #[serde(serialize_with = "serialize_steps")]
    pub source: Vec<StepView>,
    /// Whether botocore and the AWS CLI refuse the file this profile is in.
    pub unusable_by_botocore: bool,
    pub errors: Vec<LeaseError>,
}

impl Lease {
    /// What the profile's chain amounts to; `None` when it cannot be
    /// resolved (`kind` is then `unknown` or `none`).
    pub fn chain_kind(&self) -> Option<crate::resolve::Kind> {
        crate::resolve::Kind::from_name(&self.kind)
    }

    /// Seconds from `now` until the person must act (negative once past).
    pub fn seconds_left(&self, now: OffsetDateTime) -> Option<i64> {
        self.action_needed_at.map(|t| (t - now).whole_seconds())
    }
}

/// Serialises chain steps as `leasekeeper status --json` has always shown
/// them: each step an object whose keys (its `type` tag included) are in
/// sorted order, and the whole list `null` when a step's timestamp cannot be
/// written as RFC 3339 (a year outside 0000–9999).
pub fn serialize_steps<S: Serializer>(
    steps: &[StepView],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if !steps.iter().all(step_encodable) {
        return serializer.serialize_unit();
    }
    serializer.collect_seq(steps.iter().map(SortedStep))
}

/// Whether every timestamp of `step` can be written as RFC 3339.
fn step_encodable(step: &StepView) -> bool {
    match step {
        StepView::TemporaryKeys {
            expires_at: Some(t),
            ..
        } => rfc3339_encodable(*t),
        _ => true,
    }
}

/// Whether `t` can be written as RFC 3339: a four-digit year and an offset
/// in whole minutes.
pub fn rfc3339_encodable(t: OffsetDateTime) -> bool {
    (0..10_000).contains(&t.year()) && t.offset().seconds_past_minute() == 0
}

/// An optional timestamp as RFC 3339 (or `null`).
struct Rfc3339Opt(Option<OffsetDateTime>);

impl Serialize for Rfc3339Opt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        time::serde::rfc3339::option::serialize(&self.0, serializer)
    }
}

/// One step with its keys in sorted order.
struct SortedStep<'a>(&'a StepView);

impl Serialize for SortedStep<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            StepView::Sso {
                profile,
                sso_session,
                start_url,
                region,
                account_id,
                role_name,
                legacy,
            } => {
                let mut map = serializer.serialize_map(Some(8))?;
                map.serialize_entry("account_id", account_id)?;
                map.serialize_entry("legacy", legacy)?;
                map.serialize_entry("profile", profile)?;
                map.serialize_entry("region", region)?;
                map.serialize_entry("role_name", role_name)?;
                map.serialize_entry("sso_session", sso_session)?;
                map.serialize_entry("start_url", start_url)?;
                map.serialize_entry("type", "sso")?;
                map.end()
            }
            StepView::StaticKeys {
                profile,
                key_hint,
                account_id,
            } => {
                let mut map = serializer.serialize_map(Some(4))?;
                map.serialize_entry("account_id", account_id)?;
                map.serialize_entry("key_hint", key_hint)?;
                map.serialize_entry("profile", profile)?;
                map.serialize_entry("type", "static_keys")?;
                map.end()
            }
            StepView::TemporaryKeys {
                profile,
                key_hint,
                account_id,
                expires_at,
                expiry_key,
            } => {
                let mut map = serializer.serialize_map(Some(6))?;
                map.serialize_entry("account_id", account_id)?;
                map.serialize_entry("expires_at", &Rfc3339Opt(*expires_at))?;
                map.serialize_entry("expiry_key", expiry_key)?;
                map.serialize_entry("key_hint", key_hint)?;
                map.serialize_entry("profile", profile)?;
                map.serialize_entry("type", "temporary_keys")?;
                map.end()
            }
            StepView::Process {
                profile,
                program,
                has_arguments,
            } => {
                let mut map = serializer.serialize_map(Some(4))?;
                map.serialize_entry("has_arguments", has_arguments)?;
                map.serialize_entry("profile", profile)?;
                map.serialize_entry("program", program)?;
                map.serialize_entry("type", "process")?;
                map.end()
            }
            StepView::WebIdentity {
                profile,
                role_arn,
                token_file,
                role_session_name,
            } => {
                let mut map = serializer.serialize_map(Some(5))?;
                map.serialize_entry("profile", profile)?;
                map.serialize_entry("role_arn", role_arn)?;
                map.serialize_entry("role_session_name", role_session_name)?;
                map.serialize_entry("token_file", token_file)?;
                map.serialize_entry("type", "web_identity")?;
                map.end()
            }
            StepView::CredentialSource { profile, source } => {
                let mut map = serializer.serialize_map(Some(3))?;
                map.serialize_entry("profile", profile)?;
                map.serialize_entry("source", source)?;
                map.serialize_entry("type", "credential_source")?;
                map.end()
            }
            StepView::Role {
                profile,
                role_arn,
                external_id,
                role_session_name,
                duration_seconds,
                mfa_serial,
            } => {
                let mut map = serializer.serialize_map(Some(7))?;
                map.serialize_entry("duration_seconds", duration_seconds)?;
                map.serialize_entry("external_id", external_id)?;
                map.serialize_entry("mfa_serial", mfa_serial)?;
                map.serialize_entry("profile", profile)?;
                map.serialize_entry("role_arn", role_arn)?;
                map.serialize_entry("role_session_name", role_session_name)?;
                map.serialize_entry("type", "role")?;
                map.end()
            }
        }
    }
}
