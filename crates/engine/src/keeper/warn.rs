//! Warnings ahead of what needs the person: a sign-in ending (by its
//! estimate, its client registration's expiry, or a token that cannot be
//! refreshed), an MFA session ending, role keys that need a code lapsing,
//! renewals failing while keys lapse, other tools' keys lapsing.
//!
//! Each deadline is warned about at every configured lead (15 and 5 minutes
//! by default), ONE event per deadline per threshold: a threshold fires when
//! it is crossed, and when a deadline is first seen with several thresholds
//! already passed only the most urgent fires. A deadline that moves (a new
//! token, a new MFA session) starts over.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use super::event::{EngineEvent, Warning, WarningKind};
use super::graph::{NeedsPerson, NodeKind};
use super::state::KeeperState;

/// Thresholds already told, by deadline key.
#[derive(Debug, Clone, Default)]
pub(super) struct WarningMemory {
    sent: BTreeMap<String, Sent>,
}

#[derive(Debug, Clone, Copy)]
struct Sent {
    deadline: OffsetDateTime,
    /// Index of the most urgent lead told (leads are longest first).
    upto: usize,
}

/// Something the person must act on by `at`.
#[derive(Debug, Clone)]
struct Deadline {
    key: String,
    kind: WarningKind,
    subject: String,
    at: OffsetDateTime,
    estimated: bool,
    profiles: Vec<String>,
    /// The MFA device a code is needed of (MFA warnings).
    mfa_serial: Option<String>,
}

impl KeeperState {
    /// Warnings due at `now`, and the time until the next threshold.
    pub(super) fn warnings(&mut self, now: OffsetDateTime) -> (Vec<EngineEvent>, Option<Duration>) {
        let leads: Vec<Duration> = self
            .settings
            .warnings
            .leads
            .iter()
            .map(|l| self.policy.scaled(*l))
            .collect();
        let deadlines = self.deadlines(now);
        let mut events = Vec::new();
        let mut next: Option<Duration> = None;
        for d in &deadlines {
            let left = d.at - now;
            let sent = self
                .warned
                .sent
                .get(&d.key)
                .filter(|s| s.deadline == d.at)
                .map(|s| s.upto);
            for (i, lead) in leads.iter().enumerate() {
                if sent.is_some_and(|s| i <= s) {
                    continue;
                }
                if left > *lead {
                    next = Some(next.map_or(left - *lead, |n| n.min(left - *lead)));
                }
            }
            if left <= Duration::ZERO {
                continue;
            }
            let Some(i) = leads.iter().rposition(|lead| left <= *lead) else {
                continue;
            };
            if sent.is_some_and(|s| i <= s) {
                continue;
            }
            self.warned.sent.insert(
                d.key.clone(),
                Sent {
                    deadline: d.at,
                    upto: i,
                },
            );
            events.push(EngineEvent::WarningDue(Warning {
                kind: d.kind,
                subject: d.subject.clone(),
                deadline: d.at,
                lead_seconds: leads.get(i).map_or(0, |lead| lead.whole_seconds()),
                seconds_left: left.whole_seconds(),
                estimated: d.estimated,
                profiles: d.profiles.clone(),
                mfa_serial: d.mfa_serial.clone(),
            }));
        }
        self.warned
            .sent
            .retain(|k, _| deadlines.iter().any(|d| &d.key == k));
        (events, next)
    }

    fn deadlines(&self, now: OffsetDateTime) -> Vec<Deadline> {
        let mut out = Vec::new();
        for node in self.graph.nodes() {
            let st = self.nodes.get(&node.id);
            let deadline = |key: String, kind, subject: &str, at, estimated| Deadline {
                key,
                kind,
                subject: subject.to_owned(),
                at,
                estimated,
                profiles: node.profiles.clone(),
                mfa_serial: None,
            };
            let expiry = self.expiry(node);
            let failing = st.is_some_and(|s| s.failures > 0 || s.last_error.is_some());
            match (&node.kind, node.needs) {
                (NodeKind::SsoToken(target), _) => {
                    if self.person_block(node, now).is_some() {
                        continue;
                    }
                    let name = target.name();
                    if let Some((at, estimated)) = self.sign_in_end(node, now) {
                        out.push(deadline(
                            format!("signin:{name}"),
                            WarningKind::SignInEnding,
                            name,
                            at,
                            estimated,
                        ));
                    }
                    if let (true, Some(at)) = (failing, expiry) {
                        out.push(deadline(
                            format!("failing:{}", node.id),
                            WarningKind::RenewalFailing,
                            name,
                            at,
                            false,
                        ));
                    }
                }
                (
                    NodeKind::Keys {
                        temporary: true,
                        profile,
                        ..
                    },
                    _,
                ) => {
                    if let Some(at) = expiry {
                        out.push(deadline(
                            format!("keys:{profile}"),
                            WarningKind::OtherToolKeys,
                            profile,
                            at,
                            false,
                        ));
                    }
                }
                (NodeKind::Keys { .. }, _) => {}
                (
                    NodeKind::MfaSession {
                        profile,
                        mfa_serial,
                        ..
                    },
                    _,
                ) => {
                    if let Some(at) = expiry {
                        let mut d = deadline(
                            format!("mfa:{}", node.id),
                            WarningKind::MfaSessionEnding,
                            profile,
                            at,
                            false,
                        );
                        d.mfa_serial = Some(mfa_serial.clone());
                        out.push(d);
                    }
                }
                (_, Some(NeedsPerson::MfaCodeEachRenewal)) => {
                    if let Some(at) = expiry {
                        let mut d = deadline(
                            format!("code:{}", node.id),
                            WarningKind::MfaCodeNeeded,
                            node.id.as_str(),
                            at,
                            false,
                        );
                        if let NodeKind::AssumeRole(role) = &node.kind {
                            d.mfa_serial = role.mfa_serial.clone();
                        }
                        out.push(d);
                    }
                }
                _ => {
                    if let (true, Some(at)) = (failing, expiry) {
                        out.push(deadline(
                            format!("failing:{}", node.id),
                            WarningKind::RenewalFailing,
                            node.id.as_str(),
                            at,
                            false,
                        ));
                    }
                }
            }
        }
        out
    }

    /// When a session's sign-in ends: a token that cannot be refreshed at
    /// its expiry; otherwise the earlier of the client registration's expiry
    /// and the estimate (sign-in time plus the configured session length),
    /// with whether the estimate is the one.
    fn sign_in_end(
        &self,
        node: &super::graph::Node,
        now: OffsetDateTime,
    ) -> Option<(OffsetDateTime, bool)> {
        let NodeKind::SsoToken(target) = &node.kind else {
            return None;
        };
        let token = self.token(target)?;
        let key = target.cache_key();
        let record = self.files.as_ref().and_then(|f| f.sessions.get(&key));
        let sighting = self
            .files
            .as_ref()
            .and_then(|f| f.snapshot.sign_ins.sightings.get(&key));
        let length = self
            .policy
            .scaled(self.settings.session_length(target.name()));
        crate::lease::sign_in_end(token, target.is_legacy(), record, sighting, length, now)
            .map(|end| (end.at, end.estimated))
    }
}
