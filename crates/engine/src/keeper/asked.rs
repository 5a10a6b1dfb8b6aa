//! A client of the keeper (`credential-process`) found that a profile
//! needs the person: [`Command::PersonNeeded`](super::Command). The keeper
//! tells it as it tells its own needs, and never twice for one need:
//!
//! - when the keeper's own view of that session (or MFA device) already
//!   says the person must act, its own `login_needed` / `mfa_code_needed`
//!   is (or was) the one told, and the request adds nothing;
//! - otherwise (a profile the keeper does not renew, or a need the keeper
//!   has not seen yet) it is told once, and again for the same session or
//!   device no sooner than [`REASK_AFTER`] later, however often the SDKs
//!   run `credential-process` meanwhile.

use time::OffsetDateTime;

use super::event::EngineEvent;
use super::graph::{Node, NodeId, NodeKind};
use super::state::{KeeperState, Need};

pub use super::policy::REASK_AFTER;

/// What the person must do, as the client found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonNeed {
    /// Sign in to this sso-session (or legacy start URL).
    Login { session: String },
    /// Type a code of this MFA device.
    MfaCode { mfa_serial: String },
}

impl KeeperState {
    /// The event for a client's `profile` needing the person, unless it was
    /// told already.
    pub(super) fn person_needed(
        &mut self,
        profile: &str,
        need: &PersonNeed,
        now: OffsetDateTime,
    ) -> Option<EngineEvent> {
        let (subject, kind) = match need {
            PersonNeed::Login { session } => (session.as_str(), Need::Login),
            PersonNeed::MfaCode { mfa_serial } => (mfa_serial.as_str(), Need::MfaCode),
        };
        let node = self.graph.nodes().find(|n| about(n, need)).cloned();
        if let Some(node) = &node {
            if self.person_block(node, now) == Some(kind) {
                // The keeper's own announcement covers it.
                return None;
            }
        }
        let key = (subject.to_owned(), kind);
        let spacing = self.policy.scaled(REASK_AFTER);
        if self.asked.get(&key).is_some_and(|t| now - *t < spacing) {
            return None;
        }
        self.asked.insert(key, now);
        let mut profiles = node
            .as_ref()
            .map(|n| n.profiles.clone())
            .unwrap_or_default();
        if !profiles.iter().any(|p| p == profile) {
            profiles.insert(0, profile.to_owned());
        }
        Some(match need {
            PersonNeed::Login { session } => EngineEvent::LoginNeeded {
                session: session.clone(),
                profiles,
                reason: format!("`credential-process` was asked for the keys of {profile}"),
            },
            PersonNeed::MfaCode { mfa_serial } => EngineEvent::MfaCodeNeeded {
                node: node
                    .map(|n| n.id)
                    .unwrap_or_else(|| NodeId::new(format!("mfa:{mfa_serial}"))),
                profiles,
                mfa_serial: mfa_serial.clone(),
            },
        })
    }
}

/// Whether `node` is the session or MFA device `need` is about.
fn about(node: &Node, need: &PersonNeed) -> bool {
    match (need, &node.kind) {
        (PersonNeed::Login { session }, NodeKind::SsoToken(t)) => t.name() == session,
        (PersonNeed::MfaCode { mfa_serial }, NodeKind::MfaSession { mfa_serial: s, .. }) => {
            s == mfa_serial
        }
        (PersonNeed::MfaCode { mfa_serial }, NodeKind::AssumeRole(r)) => {
            r.mfa_serial.as_deref() == Some(mfa_serial.as_str())
        }
        _ => false,
    }
}
