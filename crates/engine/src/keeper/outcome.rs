//! Applying a finished renewal: new credentials are scheduled for renewal at
//! half their life; a failure is told apart by its code — a session over, an
//! MFA code needed, a refused duration (retried at once without it), a
//! parent's keys expired, the clock off, or a failure that may pass
//! (retried with backoff; after a wake, network failures wait for the
//! network instead of counting).

use time::OffsetDateTime;

use super::action::Action;
use super::event::EngineEvent;
use super::graph::{Node, NodeId, NodeKind};
use super::input::{Failure, Finished, MFA_CODE_NEEDED, Outcome};
use super::policy::unit_random;
use super::signature;
use super::state::{Held, KeeperState, Mono};

/// What a failure means for the keeper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FailureClass {
    /// The SSO session is over: a sign-in is needed.
    SessionOver,
    /// An MFA code was refused or could not be asked for.
    NeedsCode,
    /// STS refused the DurationSeconds asked.
    DurationRefused,
    /// The parent's keys were refused as expired.
    ParentExpired,
    /// `Signature expired`: the clock is off.
    ClockOff,
    /// No answer: may pass once the network is back.
    Network,
    /// Throttling, a 5xx: may pass.
    Transient,
    /// Anything else: retried slowly.
    Other,
}

/// Classifies a failure by its stable code (and, for the two STS errors
/// that share a code with other causes, its message).
pub(super) fn classify(f: &Failure, asked_duration: bool, needs_code: bool) -> FailureClass {
    match f.code.as_str() {
        "needs_login" | "invalid_grant" | "invalid_client" | "unauthorized" => {
            FailureClass::SessionOver
        }
        MFA_CODE_NEEDED => FailureClass::NeedsCode,
        "forbidden" | "access_denied" if needs_code => FailureClass::NeedsCode,
        "validation" | "ValidationError"
            if asked_duration && f.message.contains("DurationSeconds") =>
        {
            FailureClass::DurationRefused
        }
        "expired_credentials" => FailureClass::ParentExpired,
        "invalid_credentials" | "SignatureDoesNotMatch"
            if f.message.contains(signature::SIGNATURE_EXPIRED)
                || f.message.contains(signature::SIGNATURE_NOT_YET_CURRENT) =>
        {
            FailureClass::ClockOff
        }
        "network" => FailureClass::Network,
        _ if f.retryable => FailureClass::Transient,
        _ => FailureClass::Other,
    }
}

impl KeeperState {
    /// Applies one finished action; the events it gives.
    pub(super) fn finished(
        &mut self,
        f: &Finished,
        wall: OffsetDateTime,
        mono: Mono,
        actions: &mut Vec<Action>,
    ) -> Vec<EngineEvent> {
        let mut events = Vec::new();
        let spanned_jump = self
            .nodes
            .get(&f.node)
            .and_then(|st| st.in_flight.as_ref())
            .is_some_and(|i| i.jumps_at_start != self.clock.jumps);
        // A refusal of our signature's time carries AWS's clock in its words.
        let refused_at = match &f.outcome {
            Outcome::Failed(failure) => signature::skew_in(&failure.message).map(|d| wall + d),
            _ => None,
        };
        if let Some(date) = f.server_date.or(refused_at).filter(|_| !spanned_jump) {
            events.extend(self.clock.measure(&self.policy, date, wall));
        }
        let now = self.clock.corrected(wall);
        let Some(node) = self.graph.node(&f.node).cloned() else {
            // The node left the graph while its call ran: nothing to keep.
            let st = self.nodes.remove(&f.node).unwrap_or_default();
            events.extend(super::mfa::code_dropped(&st));
            if matches!(f.outcome, Outcome::Renewed { .. }) {
                actions.push(Action::Forget {
                    node: f.node.clone(),
                });
            }
            return events;
        };
        let asked = self.st_mut(&f.node).in_flight.take();
        let answer = match &f.outcome {
            Outcome::Renewed { expires_at } if *expires_at > now => Ok(*expires_at),
            Outcome::Failed(failure) => Err((failure.code.clone(), failure.message.clone())),
            _ => Err((
                "expired_on_arrival".to_owned(),
                "AWS answered with credentials that are already expired".to_owned(),
            )),
        };
        events.extend(self.code_answered(&node, answer));
        match &f.outcome {
            Outcome::Renewed { expires_at } if *expires_at > now => {
                self.renewed(&node, now, *expires_at)
            }
            Outcome::Renewed { .. } => {
                let failure = Failure::new(
                    "expired_on_arrival",
                    "AWS answered with credentials that are already expired",
                    true,
                );
                events.extend(self.failed(&node, &failure, FailureClass::Transient, mono));
            }
            Outcome::Deferred { until } => {
                let st = self.st_mut(&f.node);
                st.deferred_until = Some(*until);
                st.forced = false;
            }
            Outcome::Failed(failure) => {
                let asked_duration = asked.is_some_and(|a| a.asked_duration.is_some());
                let class = classify(failure, asked_duration, node.needs.is_some());
                let told_skew = events
                    .iter()
                    .any(|e| matches!(e, EngineEvent::ClockSkew { .. }));
                let more = self.failed(&node, failure, class, mono);
                // A `Signature expired` whose answer just measured the skew is told once.
                events.extend(
                    more.into_iter()
                        .filter(|e| !(told_skew && matches!(e, EngineEvent::ClockSkew { .. }))),
                );
                if class == FailureClass::DurationRefused {
                    events.push(EngineEvent::DurationRefused {
                        node: node.id.clone(),
                        profiles: node.profiles.clone(),
                        asked_seconds: asked.and_then(|a| a.asked_duration).unwrap_or_default(),
                        message: failure.message.clone(),
                    });
                }
            }
        }
        events
    }

    fn renewed(&mut self, node: &Node, now: OffsetDateTime, expires_at: OffsetDateTime) {
        self.generation += 1;
        let generation = self.generation;
        let unit = unit_random(self.seed, node.id.as_str(), generation);
        let due_at = self.policy.due_at(now, expires_at, unit);
        let st = self.st_mut(&node.id);
        st.held = Some(Held {
            obtained_at: now,
            expires_at,
            due_at,
            generation,
        });
        st.failures = 0;
        st.network_attempts = 0;
        st.retry_at = None;
        st.deferred_until = None;
        st.last_error = None;
        st.needs_login = None;
        st.needs_code = false;
        st.forced = false;
        st.reported = None;
        self.note_renewed(&node.id);
    }

    fn failed(
        &mut self,
        node: &Node,
        failure: &Failure,
        class: FailureClass,
        mono: Mono,
    ) -> Vec<EngineEvent> {
        let in_grace = self.wake.in_grace(mono);
        let seed = self.seed;
        let policy = self.policy;
        match class {
            FailureClass::SessionOver => {
                let token = match &node.kind {
                    NodeKind::SsoToken(_) => Some(node.id.clone()),
                    _ => node.parent.clone(),
                };
                if let Some(token) = token {
                    self.refuse_token(&token, failure.message.clone());
                    let st = self.st_mut(&node.id);
                    st.last_error = Some(failure.clone());
                    st.forced = false;
                    st.retry_at = None;
                    // `login_needed` for the session says it all: a failed
                    // renewal on top would be a second notice of one thing.
                    return Vec::new();
                }
            }
            FailureClass::NeedsCode => self.st_mut(&node.id).needs_code = true,
            FailureClass::ParentExpired => {
                if let Some(parent) = node
                    .parent
                    .as_ref()
                    .and_then(|p| self.graph.node(p).cloned())
                {
                    let st = self.st_mut(&parent.id);
                    match parent.kind {
                        NodeKind::Keys { .. } => st.keys_lapsed = true,
                        _ => st.held = None,
                    }
                }
            }
            _ => {}
        }
        let st = self.st_mut(&node.id);
        st.last_error = Some(failure.clone());
        st.forced = false;
        let key = |n: u32| unit_random(seed, node.id.as_str(), u64::from(n) << 32);
        match class {
            FailureClass::DurationRefused => {
                st.drop_duration = true;
                st.forced = true;
                return Vec::new();
            }
            FailureClass::Network if in_grace => {
                st.network_attempts += 1;
                st.retry_at = Some(
                    mono + policy.network_delay(st.network_attempts, key(st.network_attempts)),
                );
                return Vec::new();
            }
            FailureClass::SessionOver | FailureClass::NeedsCode => st.retry_at = None,
            FailureClass::Other => {
                st.failures += 1;
                st.retry_at = Some(mono + policy.retry_cap);
            }
            _ => {
                st.failures += 1;
                st.retry_at = Some(mono + policy.retry_delay(st.failures, key(st.failures)));
            }
        }
        if class == FailureClass::ClockOff && self.clock.known {
            // Told once while the skew lasts, however many renewals it refuses.
            if self.clock.warned {
                return Vec::new();
            }
            self.clock.warned = true;
            return vec![self.clock.skew_event()];
        }
        self.report_failure(
            &node.id,
            failure,
            !matches!(class, FailureClass::SessionOver | FailureClass::NeedsCode),
        )
    }

    /// `renewal_failed` for the first failure of a streak or a new reason.
    fn report_failure(
        &mut self,
        id: &NodeId,
        failure: &Failure,
        will_retry: bool,
    ) -> Vec<EngineEvent> {
        let st = self.st_mut(id);
        if st.reported.as_deref() == Some(failure.code.as_str()) {
            return Vec::new();
        }
        st.reported = Some(failure.code.clone());
        let profiles = self
            .graph
            .node(id)
            .map(|n| n.profiles.clone())
            .unwrap_or_default();
        vec![EngineEvent::RenewalFailed {
            node: id.clone(),
            profiles,
            code: failure.code.clone(),
            message: failure.message.clone(),
            will_retry,
        }]
    }
}
