//! [`EngineEvent`]: what the keeper tells the person and the keeper's
//! clients — names, times, states and error codes, never a secret. Each has
//! a stable [`EngineEvent::code`] and a readable [`EngineEvent::message`]
//! for logs; [`Announcer`](super::Announcer) words the notifications
//! (one per thing the person must do). Events read back as they
//! are written (`Deserialize`): the keeper's socket carries them to its
//! clients as these same types.
//!
//! No event asks for a browser to be opened: a sign-in starts only when the
//! person asks for it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::graph::NodeId;
use super::status::ProfileRenewal;

/// Something worth telling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EngineEvent {
    /// A managed profile's renewal state changed.
    LeaseChanged { renewal: ProfileRenewal },
    /// An sso-session needs the person to sign in again.
    LoginNeeded {
        session: String,
        profiles: Vec<String>,
        reason: String,
    },
    /// Something needs the person before its deadline (one per threshold).
    WarningDue(Warning),
    /// A renewal failed (first failure of a streak, or a new reason).
    RenewalFailed {
        node: NodeId,
        profiles: Vec<String>,
        code: String,
        message: String,
        will_retry: bool,
    },
    /// STS refused the configured `duration_seconds`; the role is renewed
    /// without it (one hour).
    DurationRefused {
        node: NodeId,
        profiles: Vec<String>,
        asked_seconds: u32,
        message: String,
    },
    /// The credentials-file writer refused a section.
    WriteFailed {
        profile: String,
        section: String,
        code: String,
        message: String,
    },
    /// Renewing needs an MFA code: run `leasekeeper mfa --profile P`.
    MfaCodeNeeded {
        node: NodeId,
        profiles: Vec<String>,
        mfa_serial: String,
    },
    /// AWS took the code given: an MFA session (or a role's keys) until
    /// `expires_at`.
    MfaCodeAccepted {
        serial: String,
        /// The [`MfaCode::request`](super::MfaCode) of the code.
        request: u64,
        node: NodeId,
        profiles: Vec<String>,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
    },
    /// A code given was refused, here or by AWS; `code` says why
    /// (`mfa_code_reused`, `mfa_code_malformed`, `mfa_serial_unknown`,
    /// `mfa_code_busy`, `mfa_needs_sign_in`, `mfa_profile_changed`, or AWS's
    /// error code).
    MfaCodeRefused {
        serial: String,
        /// The [`MfaCode::request`](super::MfaCode) of the code.
        request: u64,
        code: String,
        message: String,
    },
    /// After a sleep: what lapsed meanwhile and what was renewed since.
    WokeSummary(WakeSummary),
    /// This machine's clock is off from AWS's.
    ClockSkew { skew_seconds: i64, message: String },
}

/// A warning ahead of a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// The session, profile or node it is about.
    pub subject: String,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    /// The threshold that fired, in seconds before the deadline.
    pub lead_seconds: i64,
    /// Seconds left when it fired.
    pub seconds_left: i64,
    /// The deadline is an estimate (a sign-in session's end).
    pub estimated: bool,
    pub profiles: Vec<String>,
    /// The MFA device whose code is needed (the MFA warnings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<String>,
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// An SSO sign-in ends (its estimated session end, its client
    /// registration's expiry, or a token that cannot be refreshed).
    SignInEnding,
    /// An MFA session ends: a new code will be needed.
    MfaSessionEnding,
    /// Role keys that need a code for every renewal lapse.
    MfaCodeNeeded,
    /// Renewals keep failing and the keys lapse.
    RenewalFailing,
    /// Keys another tool wrote lapse: only that tool can renew them.
    OtherToolKeys,
}

/// The one summary after a wake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WakeSummary {
    /// How long the machine slept, as far as the clocks tell.
    pub slept_seconds: i64,
    /// Profiles whose keys lapsed during the sleep.
    pub lapsed: Vec<String>,
    /// Profiles renewed since the wake.
    pub renewed: Vec<String>,
    /// Profiles still without valid keys.
    pub failing: Vec<String>,
}

impl EngineEvent {
    /// Every event's [`EngineEvent::code`]: the `event` tags this version
    /// knows (a reader tells a newer kind from a malformed known one).
    pub const CODES: [&'static str; 11] = [
        "lease_changed",
        "login_needed",
        "warning_due",
        "renewal_failed",
        "duration_refused",
        "write_failed",
        "mfa_code_needed",
        "mfa_code_accepted",
        "mfa_code_refused",
        "woke_summary",
        "clock_skew",
    ];

    /// A stable identifier for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            EngineEvent::LeaseChanged { .. } => "lease_changed",
            EngineEvent::LoginNeeded { .. } => "login_needed",
            EngineEvent::WarningDue(_) => "warning_due",
            EngineEvent::RenewalFailed { .. } => "renewal_failed",
            EngineEvent::DurationRefused { .. } => "duration_refused",
            EngineEvent::WriteFailed { .. } => "write_failed",
            EngineEvent::MfaCodeNeeded { .. } => "mfa_code_needed",
            EngineEvent::MfaCodeAccepted { .. } => "mfa_code_accepted",
            EngineEvent::MfaCodeRefused { .. } => "mfa_code_refused",
            EngineEvent::WokeSummary(_) => "woke_summary",
            EngineEvent::ClockSkew { .. } => "clock_skew",
        }
    }

    /// One line for a log (notifications are worded by
    /// [`Announcer`](super::Announcer)).
    pub fn message(&self) -> String {
        match self {
            EngineEvent::LeaseChanged { renewal } => {
                format!("{}: {}", renewal.profile, renewal.state.as_str())
            }
            EngineEvent::LoginNeeded {
                session,
                profiles,
                reason,
            } => format!(
                "sign in to {session} again: {reason}; waiting: {}",
                list(profiles)
            ),
            EngineEvent::WarningDue(w) => w.message(),
            EngineEvent::RenewalFailed {
                profiles,
                message,
                will_retry,
                ..
            } => format!(
                "renewing {} failed: {message}{}",
                list(profiles),
                if *will_retry { "; retrying" } else { "" }
            ),
            EngineEvent::DurationRefused {
                profiles,
                asked_seconds,
                message,
                ..
            } => format!(
                "STS refused duration_seconds = {asked_seconds} for {} ({message}); renewed for STS's default of one hour instead",
                list(profiles)
            ),
            EngineEvent::WriteFailed {
                section, message, ..
            } => {
                format!("cannot write [{section}] in the credentials file: {message}")
            }
            EngineEvent::MfaCodeNeeded {
                profiles,
                mfa_serial,
                ..
            } => format!(
                "renewing {} needs a code of the MFA device {mfa_serial}: run `leasekeeper mfa --profile {}`",
                list(profiles),
                profiles.first().map_or("PROFILE", String::as_str)
            ),
            EngineEvent::MfaCodeAccepted {
                serial, profiles, ..
            } => format!(
                "the code of {serial} was accepted: {} will be renewed without another code until the session ends",
                list(profiles)
            ),
            EngineEvent::MfaCodeRefused { message, code, .. } => {
                format!("the MFA code was refused: {message} [{code}]")
            }
            EngineEvent::WokeSummary(s) => s.message(),
            EngineEvent::ClockSkew { message, .. } => message.clone(),
        }
    }
}

impl Warning {
    pub fn message(&self) -> String {
        let left = minutes(self.seconds_left);
        let about = if self.estimated { "about " } else { "" };
        match self.kind {
            WarningKind::SignInEnding => format!(
                "the sign-in to {} ends in {about}{left}: sign in again to keep {} renewing",
                self.subject,
                list(&self.profiles)
            ),
            WarningKind::MfaSessionEnding => format!(
                "the MFA session of {} ends in {left}: {} will need a new code (`leasekeeper mfa --profile {}`)",
                self.subject,
                list(&self.profiles),
                self.profiles.first().map_or("PROFILE", String::as_str)
            ),
            WarningKind::MfaCodeNeeded => format!(
                "keys for {} lapse in {left} and need an MFA code to renew",
                list(&self.profiles)
            ),
            WarningKind::RenewalFailing => format!(
                "renewals keep failing: keys for {} lapse in {left}",
                list(&self.profiles)
            ),
            WarningKind::OtherToolKeys => format!(
                "keys another tool wrote for {} lapse in {left}: rerun that tool",
                self.subject
            ),
        }
    }
}

impl WakeSummary {
    pub fn message(&self) -> String {
        let mut parts = vec![format!("woke after {}", minutes(self.slept_seconds))];
        if !self.lapsed.is_empty() {
            parts.push(format!("lapsed meanwhile: {}", list(&self.lapsed)));
        }
        if !self.renewed.is_empty() {
            parts.push(format!("renewed: {}", list(&self.renewed)));
        }
        if !self.failing.is_empty() {
            parts.push(format!("still without keys: {}", list(&self.failing)));
        }
        parts.join("; ")
    }
}

/// "1 minute", "12 minutes", "under a minute".
fn minutes(seconds: i64) -> String {
    match (seconds.max(0) + 30) / 60 {
        0 => "under a minute".to_owned(),
        1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

fn list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    if names.is_empty() {
        return "no profile".to_owned();
    }
    let mut out = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        out.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    out
}
