//! [`step`]: the keeper's one decision function. The host calls it with the
//! wall clock, the monotonic clock and whatever happened since the last call,
//! performs the actions it returns and calls it again after `next_wake` (or
//! sooner, when something happens). It never reads a clock itself, so every
//! case — a suspend, a clock set back, a storm of failures — is a test with a
//! manual clock.

use std::time::Duration as StdDuration;

use time::{Duration, OffsetDateTime};

use super::action::{Action, RemoveReason};
use super::clock::Jump;
use super::event::EngineEvent;
use super::graph::{Graph, NodeKind};
use super::input::{Command, Files, Input};
use super::state::{KeeperState, Mono, Need};
use crate::settings::Settings;
use crate::signin::SessionOver;

/// What one step decided.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutput {
    /// In order: what the inputs called for (keys to forget, sections to
    /// remove on sign-out or exit), renewals, credentials-file changes, events.
    pub actions: Vec<Action>,
    /// How long the host may sleep before the next step (monotonic), never
    /// more than the tick.
    pub next_wake: StdDuration,
}

/// One step: applies `inputs`, then decides what to start, write, remove
/// and tell at `now_wall` (our wall clock; corrected by the skew measured)
/// and `now_mono` (monotonic time since the keeper started).
pub fn step(
    state: &mut KeeperState,
    now_wall: OffsetDateTime,
    now_mono: StdDuration,
    inputs: &[Input],
) -> StepOutput {
    let mono: Mono = Duration::try_from(now_mono).unwrap_or(Duration::MAX);
    let mut actions = Vec::new();
    let mut events = Vec::new();

    let jump = state.clock.observe(&state.policy, now_wall, mono);
    let now = state.clock.corrected(now_wall);
    match jump {
        Jump::Forward(_) => state.begin_wake(state.clock.previous_corrected(jump, now), now, mono),
        Jump::Backward(_) => state.nodes.values_mut().for_each(|st| st.retry_at = None),
        Jump::None => {}
    }
    for input in inputs {
        let now = state.clock.corrected(now_wall);
        match input {
            Input::Files(files) => state.files_read(files, &mut actions),
            Input::Settings(settings) => state.settings_changed(settings, &mut actions),
            Input::Finished(f) => events.extend(state.finished(f, now_wall, mono, &mut actions)),
            Input::WriteFailed(w) => events.extend(state.write_refused(w)),
            Input::Resumed => {
                if state.wake.resume_is_new(&state.policy, mono) {
                    state.begin_wake(now, now, mono);
                }
            }
            Input::SleepComing { at } => {
                let at = state.clock.corrected(*at).min(now);
                state.wake.sleep_coming(&state.policy, at, mono);
            }
            Input::NetworkBack => {
                for st in state.nodes.values_mut().filter(|s| s.network_attempts > 0) {
                    st.retry_at = None;
                }
            }
            Input::Command(c) => state.command(c, now, &mut actions),
            // Codes go last: to the graph of the files read in this step.
            Input::MfaCode(_) => {}
        }
    }
    for input in inputs {
        if let Input::MfaCode(code) = input {
            let now = state.clock.corrected(now_wall);
            events.extend(state.mfa_code_given(code, now));
        }
    }
    let now = state.clock.corrected(now_wall);
    if let Some(hold) = state.wake.hold_until.filter(|t| *t <= mono) {
        if mono - hold > state.policy.sleep_hold {
            // The loop woke far past the hold: it did not run meanwhile
            // (the process was frozen across the sleep, the monotonic clock
            // running on). A wake from when sleep was announced.
            state.begin_wake(now, now, mono);
        } else {
            // Sleep was announced but never came (inhibited or cancelled).
            state.wake.hold_until = None;
            state.wake.asleep_since = None;
        }
    }

    let mut next = vec![state.policy.tick];
    if !state.shutting_down {
        let (lapsed, lapse_at) = state.expire_codes(now);
        events.extend(lapsed);
        next.extend(lapse_at);
        events.extend(state.announce(now));
        let pass = state.schedule(now, mono);
        actions.extend(pass.actions);
        next.extend(pass.next);
        let (writes, lapse) = state.section_actions(now);
        actions.extend(writes);
        next.extend(lapse);
        let (warnings, threshold) = state.warnings(now);
        events.extend(warnings);
        next.extend(threshold);
        events.extend(state.lease_changes(now));
        events.extend(state.wake_summary(now, mono, pass.pending));
    }
    next.extend(state.wake.hold_until.map(|t| t - mono));
    next.extend(
        state
            .wake
            .report
            .as_ref()
            .map(|r| r.started + state.policy.network_grace - mono),
    );
    let wait = next.into_iter().min().unwrap_or(state.policy.tick);
    let wait = wait.clamp(state.policy.min_wake, state.policy.tick);
    actions.extend(events.into_iter().map(Action::Emit));
    StepOutput {
        actions,
        next_wake: wait.unsigned_abs(),
    }
}

impl KeeperState {
    fn files_read(&mut self, files: &Files, actions: &mut Vec<Action>) {
        self.sections.file_read(&files.managed_sections);
        self.files = Some(Box::new(files.clone()));
        // A token refused earlier stays refused only while it is the one in
        // the file; keys refused as expired get another chance.
        let prints: Vec<_> = self
            .graph
            .nodes()
            .filter_map(|n| match &n.kind {
                NodeKind::SsoToken(t) => Some((n.id.clone(), self.token_fingerprint(t))),
                _ => None,
            })
            .collect();
        for (id, print) in prints {
            let st = self.st_mut(&id);
            if st
                .needs_login
                .as_ref()
                .is_some_and(|r| r.fingerprint != print)
            {
                st.needs_login = None;
            }
        }
        self.nodes
            .values_mut()
            .for_each(|st| st.keys_lapsed = false);
        self.rebuild(actions);
    }

    fn settings_changed(&mut self, settings: &Settings, actions: &mut Vec<Action>) {
        self.settings = settings.clone();
        self.rebuild(actions);
    }

    /// The graph again from the current files and settings; state carries
    /// over by node id, nodes that left are forgotten.
    fn rebuild(&mut self, actions: &mut Vec<Action>) {
        let Some(files) = &self.files else {
            return;
        };
        self.graph = Graph::build(&files.snapshot, &self.settings);
        let gone: Vec<_> = self
            .nodes
            .keys()
            .filter(|id| self.graph.node(id).is_none())
            .cloned()
            .collect();
        for id in gone {
            let st = self.nodes.remove(&id).unwrap_or_default();
            actions.extend(super::mfa::code_dropped(&st).map(Action::Emit));
            if st.in_flight.is_some() {
                // Its answer is still to come: keep it until then.
                self.nodes.insert(id, st);
            } else if st.held.is_some() {
                actions.push(Action::Forget { node: id });
            }
        }
        let graph = &self.graph;
        self.shown.retain(|p, _| graph.managed().contains_key(p));
    }

    fn command(&mut self, command: &Command, now: OffsetDateTime, actions: &mut Vec<Action>) {
        match command {
            Command::Refresh { profile } => self.force(profile, now),
            Command::RefreshAll => {
                let profiles: Vec<String> = self.graph.managed().keys().cloned().collect();
                profiles.iter().for_each(|p| self.force(p, now));
            }
            Command::SignedOut { session } => {
                let token = self
                    .graph
                    .nodes()
                    .find(|n| KeeperState::session_name(n) == Some(session.as_str()))
                    .cloned();
                if let Some(token) = token {
                    self.refuse_token(&token.id, "signed out".to_owned());
                    // A deliberate sign-out is not answered with "sign in again".
                    self.announced.insert((token.id.clone(), Need::Login));
                    actions.extend(self.remove_under(&token.id, RemoveReason::SignedOut));
                }
            }
            Command::PersonNeeded { profile, need } => {
                if let Some(event) = self.person_needed(profile, need, now) {
                    actions.push(Action::Emit(event));
                }
            }
            Command::Shutdown => {
                self.shutting_down = true;
                if self.settings.renew.remove_on_exit {
                    actions.extend(self.remove_all(RemoveReason::Exiting));
                }
            }
        }
    }

    /// Makes `profile`'s node due now, with the ancestors whose keys are not
    /// usable; a code may be asked for, since the person asked.
    fn force(&mut self, profile: &str, now: OffsetDateTime) {
        let Some(m) = self.graph.managed().get(profile) else {
            return;
        };
        let lineage: Vec<_> = self.graph.lineage(&m.node).into_iter().cloned().collect();
        for (i, node) in lineage.iter().enumerate() {
            let is_token = matches!(node.kind, NodeKind::SsoToken(_));
            if !node.renewable() || is_token || (i > 0 && self.usable(node, now)) {
                continue;
            }
            let st = self.st_mut(&node.id);
            if node.needs.is_some() && st.code.is_none() {
                // Only a code the person gives (`Input::MfaCode`) starts it.
                st.needs_code = true;
                continue;
            }
            st.forced = true;
            st.retry_at = None;
            st.needs_code = false;
        }
    }

    /// `login_needed` and `mfa_code_needed`, once each until the need clears.
    fn announce(&mut self, now: OffsetDateTime) -> Vec<EngineEvent> {
        let mut events = Vec::new();
        let nodes: Vec<_> = self.graph.nodes().cloned().collect();
        for node in &nodes {
            let need = self.person_block(node, now);
            self.announced
                .retain(|(id, n)| id != &node.id || Some(*n) == need);
            let Some(need) = need else { continue };
            if !self.announced.insert((node.id.clone(), need)) {
                continue;
            }
            events.push(match (&node.kind, need) {
                (NodeKind::SsoToken(target), _) => EngineEvent::LoginNeeded {
                    session: target.name().to_owned(),
                    profiles: node.profiles.clone(),
                    reason: self.login_reason(node, now),
                },
                (NodeKind::MfaSession { mfa_serial, .. }, Need::MfaCode) => {
                    EngineEvent::MfaCodeNeeded {
                        node: node.id.clone(),
                        profiles: node.profiles.clone(),
                        mfa_serial: mfa_serial.clone(),
                    }
                }
                (NodeKind::AssumeRole(role), _) => EngineEvent::MfaCodeNeeded {
                    node: node.id.clone(),
                    profiles: node.profiles.clone(),
                    mfa_serial: role.mfa_serial.clone().unwrap_or_default(),
                },
                _ => continue,
            });
        }
        let live: Vec<_> = nodes.iter().map(|n| n.id.clone()).collect();
        self.announced.retain(|(id, _)| live.contains(id));
        events
    }

    fn login_reason(&self, node: &super::graph::Node, now: OffsetDateTime) -> String {
        let NodeKind::SsoToken(target) = &node.kind else {
            return String::new();
        };
        let st = self.nodes.get(&node.id);
        if let Some(refused) = st.and_then(|s| s.needs_login.as_ref()) {
            return refused.reason.clone();
        }
        let over = match self.token(target) {
            None => SessionOver::NoToken,
            Some(t) if t.refresh_token.is_some() && !t.refreshable_at(now) => {
                SessionOver::RegistrationInvalid
            }
            Some(_) => SessionOver::Expired,
        };
        over.as_str().to_owned()
    }
}
