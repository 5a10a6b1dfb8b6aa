//! `doctor`, purely: why a command gets ExpiredToken (or will), and the one
//! command or edit that fixes it. Each [`Finding`] has a stable [`Code`],
//! a [`Severity`] that decides the exit code as `status`'s does (3 when
//! something needs the person, which wins over 4 for something
//! misconfigured), the profile it concerns, what will happen and the fix.
//!
//! - [`home`]: the shell's `AWS_*` variables and the AWS home (exported
//!   keys, a profile that does not exist, a chained role asking for more
//!   than an hour, a sign-in to renew, a legacy SSO profile, lapsed keys
//!   another tool wrote, a skewed clock).
//! - [`process`]: running processes on keys that lapse.
//! - [`issued`]: the keys Leasekeeper issued or wrote, by a hash of their
//!   key id, so exported keys and processes can be matched to a profile
//!   and an expiry.
//! - [`explain`]: an error as the AWS CLI or an SDK prints it, read for
//!   its cause.

pub mod explain;
pub mod home;
pub mod issued;
pub mod process;

use serde::Serialize;
use time::OffsetDateTime;

/// What a finding is about; stable, documented in docs/DOCTOR.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    ExportedKeys,
    ProfileNotFound,
    ChainedDuration,
    SignInNeeded,
    LegacySso,
    FileKeysExpired,
    ClockSkew,
    ProcessOnExportedKeys,
    UnusableFile,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::ExportedKeys => "exported_keys",
            Code::ProfileNotFound => "profile_not_found",
            Code::ChainedDuration => "chained_duration",
            Code::SignInNeeded => "sign_in_needed",
            Code::LegacySso => "legacy_sso",
            Code::FileKeysExpired => "file_keys_expired",
            Code::ClockSkew => "clock_skew",
            Code::ProcessOnExportedKeys => "process_on_exported_keys",
            Code::UnusableFile => "unusable_file",
        }
    }
}

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The person must act (sign in, restart a process): exit 3.
    NeedsYou,
    /// Something is set up so that it will fail: exit 4.
    Misconfigured,
}

/// One thing doctor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The profile it concerns, when one.
    pub profile: Option<String>,
    /// What is wrong and what will happen.
    pub message: String,
    /// The one command or edit that fixes it.
    pub fix: String,
    /// When the keys concerned lapse (or lapsed), when known.
    #[serde(
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<OffsetDateTime>,
    /// A process: its pid, program and shortened command line (secrets masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The sso-session concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

impl Finding {
    /// A finding with only its required fields.
    pub fn new(
        code: Code,
        severity: Severity,
        profile: Option<String>,
        message: String,
        fix: String,
    ) -> Finding {
        Finding {
            code,
            severity,
            profile,
            message,
            fix,
            expires_at: None,
            pid: None,
            program: None,
            command: None,
            session: None,
        }
    }
}

/// Everything doctor found, most urgent first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(mut findings: Vec<Finding>) -> Report {
        findings.sort_by(|a, b| {
            (a.severity, a.code, &a.profile, a.pid).cmp(&(b.severity, b.code, &b.profile, b.pid))
        });
        Report { findings }
    }

    /// 0 nothing to act on; 3 something needs the person (wins over 4);
    /// 4 something is misconfigured.
    pub fn exit_code(&self) -> u8 {
        if self
            .findings
            .iter()
            .any(|f| f.severity == Severity::NeedsYou)
        {
            3
        } else if self.findings.is_empty() {
            0
        } else {
            4
        }
    }
}

/// `in 14 min`, `3 h ago`, `12 days ago`, for a message.
pub(crate) fn when(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let minutes = (at - now).whole_minutes();
    let m = minutes.unsigned_abs();
    let span = match m {
        0 => return "now".to_owned(),
        1..120 => format!("{m} min"),
        120..2880 => format!("{} h", m / 60),
        _ => format!("{} days", m / 1440),
    };
    if minutes > 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

#[cfg(test)]
mod tests;
