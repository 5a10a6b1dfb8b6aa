//! MFA codes the person gives ([`Input::MfaCode`](super::Input)): which
//! node a code is for, and the one rule AWS also enforces — a code is never
//! used twice.
//!
//! A code goes to ONE node, since AWS takes it once: the MFA session
//! (GetSessionToken) of that device that waits for the person, else a role
//! assumed with that device each time (its source is not long-term keys),
//! else an MFA session still running (a new session before the old one
//! ends). The call then starts at once, carrying the code
//! ([`Action::Renew`](super::Action)'s `token_code`); every role over the
//! session renews without a code until it ends.
//!
//! Each code ends in exactly one event: [`EngineEvent::MfaCodeAccepted`]
//! once AWS took it, [`EngineEvent::MfaCodeRefused`] when it is refused
//! here (not six digits, no node uses that device, a call with a code for
//! it is running, the code equals the last one accepted for that device
//! within [`MFA_CODE_REUSE_STEPS`] time steps, the chain needs a sign-in
//! first, the profiles changed before it was used, it waited for a free
//! renewal slot until AWS would no longer take it) or by AWS.

use time::{Duration, OffsetDateTime};

use super::event::EngineEvent;
use super::graph::{Node, NodeId, NodeKind};
use super::state::{KeeperState, Need, NodeState};
use crate::Secret;

pub use super::policy::{MFA_CODE_REUSE_STEPS, MFA_CODE_STEP};

/// A code of an MFA device, as the person typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaCode {
    /// The device's serial (`arn:aws:iam::ACCOUNT:mfa/NAME`, or a hardware
    /// token's serial), as the profile's `mfa_serial` names it.
    pub serial: String,
    pub code: Secret,
    /// Who gave it, echoed in the event it ends in, so a client waiting for
    /// the answer knows its own (0: nobody waits).
    pub request: u64,
}

/// A code waiting for its node's call to start, or sent with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GivenCode {
    pub serial: String,
    pub code: Secret,
    /// The TOTP step it was given in (AWS's clock).
    pub step: i64,
    pub request: u64,
}

/// The last code AWS accepted, per device.
pub(super) type AcceptedCodes = std::collections::BTreeMap<String, GivenCode>;

fn step_of(t: OffsetDateTime) -> i64 {
    t.unix_timestamp().div_euclid(MFA_CODE_STEP.whole_seconds())
}

fn refused(serial: &str, request: u64, code: &str, message: String) -> EngineEvent {
    EngineEvent::MfaCodeRefused {
        serial: serial.to_owned(),
        request,
        code: code.to_owned(),
        message,
    }
}

/// The event for a code whose node left the graph (its profiles changed)
/// before the code was used or answered.
pub(super) fn code_dropped(st: &NodeState) -> Option<EngineEvent> {
    let given = st.code.as_ref().or(st.code_sent.as_ref())?;
    Some(refused(
        &given.serial,
        given.request,
        "mfa_profile_changed",
        format!(
            "the profiles that use {} changed before the code was used: give a new code",
            given.serial
        ),
    ))
}

/// The serial a node's call needs a code of.
fn serial_of(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::MfaSession { mfa_serial, .. } => Some(mfa_serial),
        NodeKind::AssumeRole(r) => r.mfa_serial.as_deref(),
        _ => None,
    }
}

impl KeeperState {
    /// Takes a code the person gave at `now` (AWS's clock): the event of a
    /// refusal, or nothing while its call is to come.
    pub(super) fn mfa_code_given(
        &mut self,
        given: &MfaCode,
        now: OffsetDateTime,
    ) -> Option<EngineEvent> {
        let serial = given.serial.trim();
        let code = given.code.expose().trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Some(refused(
                serial,
                given.request,
                "mfa_code_malformed",
                "an MFA code is six digits".to_owned(),
            ));
        }
        let step = step_of(now);
        if let Some(last) = self.accepted_codes.get(serial) {
            if last.code.expose() == code && (step - last.step).abs() <= MFA_CODE_REUSE_STEPS {
                return Some(refused(
                    serial,
                    given.request,
                    "mfa_code_reused",
                    format!(
                        "this code of {serial} was used already and AWS takes a code once: wait for the next one"
                    ),
                ));
            }
        }
        let candidates: Vec<Node> = self
            .graph
            .nodes()
            .filter(|n| serial_of(n) == Some(serial))
            .cloned()
            .collect();
        if candidates.is_empty() {
            return Some(refused(
                serial,
                given.request,
                "mfa_serial_unknown",
                format!("no profile the keeper renews uses the MFA device {serial}"),
            ));
        }
        let checking = candidates.iter().any(|n| {
            let st = self.st(&n.id);
            st.code.is_some() || st.code_sent.is_some()
        });
        if checking {
            return Some(refused(
                serial,
                given.request,
                "mfa_code_busy",
                format!("a code of {serial} is being checked: wait for its answer"),
            ));
        }
        let pick = candidates
            .iter()
            .filter(|n| self.st(&n.id).in_flight.is_none())
            .min_by_key(|n| {
                let waiting = self.person_block(n, now) == Some(Need::MfaCode);
                let session = matches!(n.kind, NodeKind::MfaSession { .. });
                (!waiting, !session, n.depth)
            })
            .cloned();
        let Some(node) = pick else {
            return Some(refused(
                serial,
                given.request,
                "mfa_code_busy",
                format!("a renewal with {serial} is running: try again in a moment"),
            ));
        };
        let lineage = self.graph.lineage(&node.id);
        if lineage
            .iter()
            .skip(1)
            .any(|n| self.person_block(n, now).is_some())
        {
            return Some(refused(
                serial,
                given.request,
                "mfa_needs_sign_in",
                format!(
                    "{} need a sign-in before a code of {serial} can be used: run `leasekeeper login`, then give a new code",
                    node.profiles.join(", ")
                ),
            ));
        }
        let st = self.st_mut(&node.id);
        st.code = Some(GivenCode {
            serial: serial.to_owned(),
            code: Secret::new(code),
            step,
            request: given.request,
        });
        st.forced = true;
        st.retry_at = None;
        st.needs_code = false;
        None
    }

    /// Drops the codes still waiting for their call (every renewal slot
    /// busy) once AWS would no longer take them: more than
    /// [`MFA_CODE_REUSE_STEPS`] steps after the one they were given in. Each
    /// ends in its refusal, and the node waits for a new code. Also: how
    /// long until the next waiting code would lapse.
    pub(super) fn expire_codes(
        &mut self,
        now: OffsetDateTime,
    ) -> (Vec<EngineEvent>, Option<Duration>) {
        let step = step_of(now);
        let mut events = Vec::new();
        let mut next: Option<Duration> = None;
        for st in self.nodes.values_mut() {
            let Some(given) = &st.code else { continue };
            if step - given.step > MFA_CODE_REUSE_STEPS {
                let Some(given) = st.code.take() else {
                    continue;
                };
                st.forced = false;
                st.needs_code = true;
                events.push(refused(
                    &given.serial,
                    given.request,
                    "mfa_code_expired",
                    format!(
                        "the code of {} waited for a free renewal slot until AWS would no longer take it: give a new one",
                        given.serial
                    ),
                ));
            } else {
                let lapses =
                    (given.step + MFA_CODE_REUSE_STEPS + 1) * MFA_CODE_STEP.whole_seconds();
                let left = Duration::seconds(lapses - now.unix_timestamp());
                next = Some(next.map_or(left, |n| n.min(left)));
            }
        }
        (events, next)
    }

    /// The code to send with `node`'s call now starting, if one was given.
    pub(super) fn take_code(&mut self, node: &NodeId) -> Option<Secret> {
        let st = self.st_mut(node);
        let given = st.code.take()?;
        let code = given.code.clone();
        st.code_sent = Some(given);
        Some(code)
    }

    /// The event for a code sent with `node`'s call, now answered.
    pub(super) fn code_answered(
        &mut self,
        node: &Node,
        expires_at: Result<OffsetDateTime, (String, String)>,
    ) -> Option<EngineEvent> {
        let sent = self.st_mut(&node.id).code_sent.take()?;
        Some(match expires_at {
            Ok(expires_at) => {
                let serial = sent.serial.clone();
                let request = sent.request;
                self.accepted_codes.insert(serial.clone(), sent);
                EngineEvent::MfaCodeAccepted {
                    serial,
                    request,
                    node: node.id.clone(),
                    profiles: node.profiles.clone(),
                    expires_at,
                }
            }
            Err((code, message)) => refused(&sent.serial, sent.request, &code, message),
        })
    }
}
