//! The status report: every lease and every file-level problem, in the stable
//! shape `leasekeeper status --json` prints (docs/status-schema.md).

use serde::Serialize;
use time::OffsetDateTime;

use crate::lease::{
    Lease, LeaseError, LeaseState, Renewal, SsoLease, rfc3339_encodable, serialize_steps,
};
use crate::resolve::StepView;

/// Version of the JSON schema; bumped only on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// How serious a file-level problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something is unusable (a file botocore refuses, a corrupt cache file).
    Error,
    /// Worth knowing, nothing is lost.
    Warning,
}

/// A problem with a file rather than with one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    /// The file concerned, as a path.
    pub file: Option<String>,
    /// 1-based line, when the problem is on one line.
    pub line: Option<u32>,
}

/// One profile as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileStatus {
    pub profile: String,
    pub kind: String,
    pub state: LeaseState,
    pub renewal: Renewal,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    pub seconds_left: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub action_needed_at: Option<OffsetDateTime>,
    pub action_needed_estimated: bool,
    /// `action_needed_at` is only an upper bound (see [`Lease`]).
    pub action_needed_upper_bound: bool,
    pub description: String,
    /// The source chain, step by step (see [`serialize_steps`]).
    #[serde(serialize_with = "serialize_steps")]
    pub source: Vec<StepView>,
    pub sso: Option<SsoLease>,
    pub unusable_by_botocore: bool,
    pub errors: Vec<LeaseError>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub schema_version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    pub profiles: Vec<ProfileStatus>,
    pub problems: Vec<Problem>,
}

impl StatusReport {
    /// Builds the report from leases already in display order.
    pub fn new(leases: Vec<Lease>, problems: Vec<Problem>, now: OffsetDateTime) -> Self {
        let profiles = leases
            .into_iter()
            .map(|l| ProfileStatus {
                seconds_left: l.seconds_left(now),
                profile: l.profile,
                kind: l.kind,
                state: l.state,
                renewal: l.renewal,
                expires_at: l.expires_at,
                action_needed_at: l.action_needed_at,
                action_needed_estimated: l.action_needed_estimated,
                action_needed_upper_bound: l.action_needed_upper_bound,
                description: l.description,
                source: l.source,
                sso: l.sso,
                unusable_by_botocore: l.unusable_by_botocore,
                errors: l.errors,
            })
            .collect();
        StatusReport {
            schema_version: SCHEMA_VERSION,
            generated_at: now,
            profiles,
            problems,
        }
    }

    /// Whether the report can be encoded as JSON: every timestamp it writes
    /// as RFC 3339 can be. When this is true, encoding fails only on I/O, so
    /// the report can be streamed without leaving half a document behind.
    pub fn encodable(&self) -> bool {
        let ok = |t: &Option<OffsetDateTime>| t.is_none_or(rfc3339_encodable);
        rfc3339_encodable(self.generated_at)
            && self.profiles.iter().all(|p| {
                ok(&p.expires_at)
                    && ok(&p.action_needed_at)
                    && p.sso.as_ref().is_none_or(|s| {
                        ok(&s.token_expires_at)
                            && ok(&s.registration_expires_at)
                            && ok(&s.signed_in_at)
                            && ok(&s.first_seen_at)
                    })
            })
    }
}
