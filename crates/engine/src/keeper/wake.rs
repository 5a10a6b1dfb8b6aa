//! Sleep and wake: holding back new calls once sleep is announced, and after
//! a wake — seen as logind's resume signal or as wall time jumping ahead of
//! monotonic time — re-evaluating everything at once, giving the network a
//! grace period before failures count, and telling ONE summary of what lapsed
//! during the sleep and what was renewed after it.

use std::collections::BTreeSet;

use time::{Duration, OffsetDateTime};

use super::event::{EngineEvent, WakeSummary};
use super::graph::NodeKind;
use super::policy::Policy;
use super::state::{KeeperState, Mono};

#[derive(Debug, Clone, Default)]
pub(super) struct WakeState {
    pub report: Option<WakeReport>,
    /// When "sleep is coming" arrived (AWS's clock); cleared by the wake.
    pub asleep_since: Option<OffsetDateTime>,
    /// No new call starts before this, after "sleep is coming".
    pub hold_until: Option<Mono>,
    /// Network failures are not counted before this, after a wake.
    pub grace_until: Option<Mono>,
    pub last_wake: Option<Mono>,
}

/// A wake whose summary is not told yet.
#[derive(Debug, Clone)]
pub(super) struct WakeReport {
    pub started: Mono,
    pub slept: Duration,
    pub lapsed: BTreeSet<String>,
    pub renewed: BTreeSet<String>,
}

impl WakeState {
    pub fn sleep_coming(&mut self, policy: &Policy, now: OffsetDateTime, mono: Mono) {
        self.asleep_since.get_or_insert(now);
        self.hold_until = Some(mono + policy.sleep_hold);
    }

    pub fn holding(&self, mono: Mono) -> bool {
        self.hold_until.is_some_and(|t| mono < t)
    }

    pub fn in_grace(&self, mono: Mono) -> bool {
        self.grace_until.is_some_and(|t| mono < t)
    }

    /// Whether a resume signal is a wake of its own, not the echo of one
    /// the clocks already showed.
    pub fn resume_is_new(&self, policy: &Policy, mono: Mono) -> bool {
        self.asleep_since.is_some()
            || self
                .last_wake
                .is_none_or(|t| mono - t > policy.network_grace)
    }
}

impl KeeperState {
    /// Starts (or extends) a wake: `from` is the last moment known awake.
    pub(super) fn begin_wake(&mut self, from: OffsetDateTime, now: OffsetDateTime, mono: Mono) {
        let from = self.wake.asleep_since.take().map_or(from, |a| a.min(from));
        let lapsed = self.lapsed_between(from, now);
        let w = &mut self.wake;
        w.hold_until = None;
        w.grace_until = Some(mono + self.policy.network_grace);
        w.last_wake = Some(mono);
        let report = w.report.get_or_insert(WakeReport {
            started: mono,
            slept: Duration::ZERO,
            lapsed: BTreeSet::new(),
            renewed: BTreeSet::new(),
        });
        report.slept += (now - from).max(Duration::ZERO);
        report.lapsed.extend(lapsed);
        // Everything is looked at again now: no retry waits out its delay.
        for st in self.nodes.values_mut() {
            st.retry_at = None;
            st.network_attempts = 0;
        }
    }

    /// Profiles (managed, or holding another tool's keys) whose keys
    /// expired in (`from`, `now`].
    fn lapsed_between(&self, from: OffsetDateTime, now: OffsetDateTime) -> BTreeSet<String> {
        let within = |t: Option<OffsetDateTime>| t.is_some_and(|t| from < t && t <= now);
        let mut out = BTreeSet::new();
        for m in self.graph.managed().values() {
            if let Some(node) = self.graph.node(&m.node) {
                if within(self.expiry(node)) {
                    out.insert(m.profile.clone());
                }
            }
        }
        for node in self.graph.nodes() {
            if let NodeKind::Keys {
                temporary: true, ..
            } = node.kind
            {
                if within(self.expiry(node)) {
                    out.extend(node.profiles.iter().cloned());
                }
            }
        }
        out
    }

    /// Records a renewal of `node` for the wake summary.
    pub(super) fn note_renewed(&mut self, node: &super::graph::NodeId) {
        if let Some(report) = self.wake.report.as_mut() {
            for m in self.graph.managed().values().filter(|m| &m.node == node) {
                report.renewed.insert(m.profile.clone());
            }
        }
    }

    /// The summary, once nothing is left to do right away after the wake
    /// (`pending` renewals due now) or the grace period ended.
    pub(super) fn wake_summary(
        &mut self,
        now: OffsetDateTime,
        mono: Mono,
        pending: usize,
    ) -> Option<EngineEvent> {
        let report = self.wake.report.as_ref()?;
        let settled = pending == 0 && self.in_flight() == 0;
        if !settled && mono < report.started + self.policy.network_grace {
            return None;
        }
        let report = self.wake.report.take()?;
        let failing: Vec<String> = self
            .graph
            .managed()
            .values()
            .filter(|m| {
                self.graph
                    .node(&m.node)
                    .is_none_or(|n| !self.usable(n, now))
            })
            .map(|m| m.profile.clone())
            .collect();
        if report.lapsed.is_empty() && report.renewed.is_empty() && failing.is_empty() {
            // A short sleep that changed nothing is not worth a notification.
            return None;
        }
        Some(EngineEvent::WokeSummary(WakeSummary {
            slept_seconds: report.slept.whole_seconds(),
            lapsed: report.lapsed.into_iter().collect(),
            renewed: report.renewed.into_iter().collect(),
            failing,
        }))
    }
}
