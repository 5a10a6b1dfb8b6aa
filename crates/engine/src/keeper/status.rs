//! [`ProfileRenewal`]: how a managed profile's renewal stands — for
//! `leasekeeper status`, the window, and the `lease_changed` events the
//! keeper emits when it changes.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::event::EngineEvent;
use super::graph::{ManagedProfile, NodeId};
use super::input::Failure;
use super::state::{KeeperState, Need};

/// Where a managed profile's renewal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalState {
    /// Keys written and valid; the next renewal is scheduled.
    Fresh,
    /// A renewal is in flight.
    Renewing,
    /// The last renewal failed; another try is scheduled.
    Retrying,
    /// No keys obtained yet (the keeper just started, or the chain changed).
    Pending,
    /// The keys lapsed and were not renewed.
    Lapsed,
    /// The chain needs an SSO sign-in.
    NeedsLogin,
    /// The chain needs an MFA code.
    NeedsMfaCode,
}

impl RenewalState {
    pub fn as_str(self) -> &'static str {
        match self {
            RenewalState::Fresh => "fresh",
            RenewalState::Renewing => "renewing",
            RenewalState::Retrying => "retrying",
            RenewalState::Pending => "pending",
            RenewalState::Lapsed => "lapsed",
            RenewalState::NeedsLogin => "needs_login",
            RenewalState::NeedsMfaCode => "needs_mfa_code",
        }
    }
}

/// One managed profile, as the keeper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRenewal {
    pub profile: String,
    /// The credentials-file section its keys go to.
    pub section: String,
    pub node: NodeId,
    pub state: RenewalState,
    /// When the keys obtained expire (AWS's clock).
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub renewed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_renewal_at: Option<OffsetDateTime>,
    /// When the MFA session its chain renews through ends: the next time
    /// the person must give a code (none for chains without one).
    #[serde(with = "time::serde::rfc3339::option")]
    pub mfa_session_ends_at: Option<OffsetDateTime>,
    /// The node up the chain that needs the person, when one does.
    pub waiting_on: Option<NodeId>,
    pub last_error: Option<Failure>,
    /// Things worth knowing: a duration capped by role chaining or refused.
    pub notes: Vec<String>,
}

impl KeeperState {
    /// Every managed profile's renewal at `now_wall` (our clock; corrected
    /// by the skew measured).
    pub fn renewals(&self, now_wall: OffsetDateTime) -> Vec<ProfileRenewal> {
        let now = self.clock.corrected(now_wall);
        self.graph
            .managed()
            .values()
            .map(|m| self.renewal(m, now))
            .collect()
    }

    /// The renewals of the profiles kept only to be served to
    /// `credential-process` ([`Graph::served`](super::Graph::served); their
    /// `section` is empty).
    pub fn served_renewals(&self, now_wall: OffsetDateTime) -> Vec<ProfileRenewal> {
        let now = self.clock.corrected(now_wall);
        self.graph
            .served()
            .values()
            .map(|m| self.renewal(m, now))
            .collect()
    }

    pub(super) fn renewal(&self, m: &ManagedProfile, now: OffsetDateTime) -> ProfileRenewal {
        let st = self.st(&m.node);
        let lineage = self.graph.lineage(&m.node);
        let blocked = lineage
            .iter()
            .rev()
            .find_map(|n| self.person_block(n, now).map(|need| (n.id.clone(), need)));
        let usable = lineage.first().is_some_and(|n| self.usable(n, now));
        let state = match (&blocked, st.held) {
            _ if st.in_flight.is_some() => RenewalState::Renewing,
            (Some((_, need)), _) if !usable => match need {
                Need::Login => RenewalState::NeedsLogin,
                Need::MfaCode => RenewalState::NeedsMfaCode,
            },
            _ if st.failures > 0 || st.last_error.is_some() => RenewalState::Retrying,
            _ if usable => RenewalState::Fresh,
            (_, Some(_)) => RenewalState::Lapsed,
            (_, None) => RenewalState::Pending,
        };
        let mut notes = Vec::new();
        let mut mfa_session_ends_at = None;
        if let Some(node) = lineage.first() {
            if let Some(asked) = node.capped_from {
                notes.push(format!(
                    "role chaining limits this role to one hour: duration_seconds = {asked} is not asked for"
                ));
            }
            let session = lineage
                .iter()
                .find(|n| matches!(n.kind, super::graph::NodeKind::MfaSession { .. }));
            if let Some(end) = session.and_then(|n| self.expiry(n)).filter(|t| *t > now) {
                mfa_session_ends_at = Some(end);
                notes.push(format!(
                    "renews without an MFA code until the MFA session ends at {}",
                    crate::timefmt::format_z(end)
                ));
            }
            if st.drop_duration {
                notes.push(format!(
                    "STS refused duration_seconds = {}: renewed for STS's default of one hour",
                    node.duration_seconds.unwrap_or_default()
                ));
            }
        }
        ProfileRenewal {
            profile: m.profile.clone(),
            section: m.section.clone(),
            node: m.node.clone(),
            state,
            expires_at: st.held.map(|h| h.expires_at),
            renewed_at: st.held.map(|h| h.obtained_at),
            next_renewal_at: st.held.map(|h| h.due_at),
            mfa_session_ends_at,
            waiting_on: blocked.map(|(id, _)| id),
            last_error: st.last_error,
            notes,
        }
    }

    /// `lease_changed` for every managed profile whose renewal changed since
    /// it was last told.
    pub(super) fn lease_changes(&mut self, now: OffsetDateTime) -> Vec<EngineEvent> {
        let current: Vec<ProfileRenewal> = self
            .graph
            .managed()
            .values()
            .map(|m| self.renewal(m, now))
            .collect();
        let mut events = Vec::new();
        for r in &current {
            if self.shown.get(&r.profile) != Some(r) {
                events.push(EngineEvent::LeaseChanged { renewal: r.clone() });
            }
        }
        self.shown = current
            .into_iter()
            .map(|r| (r.profile.clone(), r))
            .collect();
        events
    }
}
