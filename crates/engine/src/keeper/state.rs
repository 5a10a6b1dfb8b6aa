//! [`KeeperState`]: everything the keeper remembers between steps — the
//! graph, each node's renewal state, what was written, the clock's skew,
//! warnings already sent — and the questions every part of a step asks of a
//! node: are its credentials usable, is it waiting for the person, when is
//! it due.

use std::collections::{BTreeMap, BTreeSet};

use time::{Duration, OffsetDateTime};

use super::clock::ClockState;
use super::graph::{Graph, Node, NodeId, NodeKind};
use super::input::{Failure, Files};
use super::mfa::{AcceptedCodes, GivenCode};
use super::policy::Policy;
use super::sections::SectionState;
use super::status::ProfileRenewal;
use super::wake::WakeState;
use super::warn::WarningMemory;
use crate::profiles::sso_cache::SsoToken;
use crate::settings::Settings;
use crate::signin::SsoTarget;
use crate::signin::policy::refresh_due_at;

/// Monotonic time since the keeper started, signed for easy arithmetic.
pub(super) type Mono = Duration;

/// The keeper's memory. Built once with [`KeeperState::new`], then changed
/// only by [`step`](super::step).
#[derive(Debug)]
pub struct KeeperState {
    pub(super) policy: Policy,
    pub(super) settings: Settings,
    pub(super) seed: u64,
    pub(super) files: Option<Box<Files>>,
    pub(super) graph: Graph,
    pub(super) nodes: BTreeMap<NodeId, NodeState>,
    /// Every successful renewal gets the next number: what was written is
    /// known by (node, generation).
    pub(super) generation: u64,
    pub(super) sections: SectionState,
    pub(super) clock: ClockState,
    pub(super) wake: WakeState,
    pub(super) warned: WarningMemory,
    /// The last [`ProfileRenewal`] told per profile.
    pub(super) shown: BTreeMap<String, ProfileRenewal>,
    /// Needs of the person already told, until they clear.
    pub(super) announced: BTreeSet<(NodeId, Need)>,
    /// Needs told for clients of the keeper, by session or MFA device, and when.
    pub(super) asked: BTreeMap<(String, Need), OffsetDateTime>,
    pub(super) shutting_down: bool,
    /// The last MFA code AWS accepted, per device: never sent again.
    pub(super) accepted_codes: AcceptedCodes,
}

/// What a node waits for from the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Need {
    Login,
    MfaCode,
}

/// One node's renewal state.
#[derive(Debug, Clone, Default)]
pub(super) struct NodeState {
    /// Credentials the keeper obtained (the host holds the keys).
    pub held: Option<Held>,
    pub in_flight: Option<InFlight>,
    /// Failures in a row (network failures in a post-wake grace not counted).
    pub failures: u32,
    /// Network failures in a row during a post-wake grace.
    pub network_attempts: u32,
    pub retry_at: Option<Mono>,
    /// A token refresh the host found not due before this time.
    pub deferred_until: Option<OffsetDateTime>,
    pub last_error: Option<Failure>,
    /// STS refused the configured duration: ask for none.
    pub drop_duration: bool,
    /// The session's token was refused (or signed out of): it stays
    /// refused while that token is the one in the file.
    pub needs_login: Option<Refused>,
    /// An MFA code was refused or could not be asked for.
    pub needs_code: bool,
    /// A command asked for a renewal now.
    pub forced: bool,
    /// Keys written in the files were refused as expired.
    pub keys_lapsed: bool,
    /// The failure code last told, so a streak is told once.
    pub reported: Option<String>,
    /// An MFA code the person gave, for the call about to start.
    pub code: Option<GivenCode>,
    /// The MFA code sent with the call in flight.
    pub code_sent: Option<GivenCode>,
}

/// A refused token: its fingerprint and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refused {
    pub fingerprint: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Held {
    /// On AWS's clock (skew-corrected), like `expires_at`.
    pub obtained_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub generation: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InFlight {
    /// The DurationSeconds asked for, to tell a refused duration.
    pub asked_duration: Option<u32>,
    /// How many clock jumps had been seen when the call started: an answer
    /// to a call that spans a jump (a suspend) carries a `Date` from the
    /// other side of it and says nothing about the skew.
    pub jumps_at_start: u64,
}

/// How long a node's credentials last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Validity {
    Forever,
    Until(OffsetDateTime),
    Missing,
}

impl KeeperState {
    /// A keeper with no files read yet. `seed` drives every jitter, so a
    /// test passing a fixed seed sees the same decisions every run.
    pub fn new(policy: Policy, settings: Settings, seed: u64) -> KeeperState {
        KeeperState {
            policy,
            settings,
            seed,
            files: None,
            graph: Graph::default(),
            nodes: BTreeMap::new(),
            generation: 0,
            sections: SectionState::default(),
            clock: ClockState::default(),
            wake: WakeState::default(),
            warned: WarningMemory::default(),
            shown: BTreeMap::new(),
            announced: BTreeSet::new(),
            asked: BTreeMap::new(),
            shutting_down: false,
            accepted_codes: AcceptedCodes::new(),
        }
    }

    /// The snapshot last read: the host takes the keys of a
    /// [`NodeKind::Keys`] parent and the SSO tokens from it.
    pub fn snapshot(&self) -> Option<&crate::snapshot::Snapshot> {
        self.files.as_ref().map(|f| f.snapshot.as_ref())
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The latest skew measured (AWS's clock minus ours), once one is known.
    pub fn clock_skew(&self) -> Option<Duration> {
        self.clock.known.then_some(self.clock.skew)
    }

    /// Actions started and not yet reported.
    pub fn in_flight(&self) -> usize {
        self.nodes
            .values()
            .filter(|s| s.in_flight.is_some())
            .count()
    }

    pub(super) fn st(&self, id: &NodeId) -> NodeState {
        self.nodes.get(id).cloned().unwrap_or_default()
    }

    pub(super) fn st_mut(&mut self, id: &NodeId) -> &mut NodeState {
        self.nodes.entry(id.clone()).or_default()
    }

    /// The token file of `target`, when it reads as a token.
    pub(super) fn token(&self, target: &SsoTarget) -> Option<&SsoToken> {
        let files = self.files.as_ref()?;
        files
            .snapshot
            .sso_tokens
            .get(&target.cache_key())?
            .as_ref()
            .ok()
    }

    /// How long `node`'s credentials last, as far as anything tells.
    pub(super) fn validity(&self, node: &Node) -> Validity {
        let st = self.nodes.get(&node.id);
        let held = st.and_then(|s| s.held);
        match &node.kind {
            NodeKind::SsoToken(target) => {
                if st.is_some_and(|s| s.needs_login.is_some()) {
                    return Validity::Missing;
                }
                let file = self.token(target).map(|t| t.expires_at);
                match file.max(held.map(|h| h.expires_at)) {
                    Some(t) => Validity::Until(t),
                    None => Validity::Missing,
                }
            }
            NodeKind::Keys { expires_at, .. } => {
                match (st.is_some_and(|s| s.keys_lapsed), expires_at) {
                    (true, _) => Validity::Missing,
                    (false, Some(t)) => Validity::Until(*t),
                    (false, None) => Validity::Forever,
                }
            }
            _ => held.map_or(Validity::Missing, |h| Validity::Until(h.expires_at)),
        }
    }

    /// Whether `node`'s credentials can be used at `now` (and a margin).
    pub(super) fn usable(&self, node: &Node, now: OffsetDateTime) -> bool {
        match self.validity(node) {
            Validity::Forever => true,
            Validity::Until(t) => t > now + self.policy.parent_margin,
            Validity::Missing => false,
        }
    }

    /// The credentials' expiry, when they have one and it is still ahead.
    pub(super) fn expiry(&self, node: &Node) -> Option<OffsetDateTime> {
        match self.validity(node) {
            Validity::Until(t) => Some(t),
            _ => None,
        }
    }

    /// Whether a token can be refreshed without the person.
    fn refreshable(&self, target: &SsoTarget, now: OffsetDateTime) -> bool {
        !target.is_legacy() && self.token(target).is_some_and(|t| t.refreshable_at(now))
    }

    /// What `node` waits for from the person, if anything.
    pub(super) fn person_block(&self, node: &Node, now: OffsetDateTime) -> Option<Need> {
        match &node.kind {
            NodeKind::SsoToken(target) => {
                let st = self.nodes.get(&node.id);
                if st.is_some_and(|s| s.needs_login.is_some()) || self.token(target).is_none() {
                    return Some(Need::Login);
                }
                let lapsed = self.expiry(node).is_none_or(|t| t <= now);
                (lapsed && !self.refreshable(target, now)).then_some(Need::Login)
            }
            _ if node.needs.is_some() => {
                let st = self.nodes.get(&node.id);
                if st.is_some_and(|s| s.code.is_some() || s.code_sent.is_some()) {
                    // A code is on its way to AWS.
                    return None;
                }
                let lapsed = self.expiry(node).is_none_or(|t| t <= now);
                (lapsed || st.is_some_and(|s| s.needs_code)).then_some(Need::MfaCode)
            }
            _ => None,
        }
    }

    /// When `node` is due for renewal; `None` when the schedule never asks
    /// (keys in files, tokens that cannot be refreshed, MFA without a command).
    pub(super) fn due_at(&self, node: &Node, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let st = self.nodes.get(&node.id);
        if !node.renewable() {
            return None;
        }
        if st.is_some_and(|s| s.forced) {
            return Some(now);
        }
        let held = st.and_then(|s| s.held);
        let due = match &node.kind {
            NodeKind::SsoToken(target) => {
                if !self.refreshable(target, now) || st.is_some_and(|s| s.needs_login.is_some()) {
                    return None;
                }
                let file = self.token(target)?;
                match held.filter(|h| h.expires_at >= file.expires_at) {
                    Some(h) => h.due_at,
                    None => {
                        let record = self
                            .files
                            .as_ref()
                            .and_then(|f| f.sessions.get(&target.cache_key()));
                        refresh_due_at(file, record, self.policy.scale)
                    }
                }
            }
            _ if node.needs.is_some() => return None,
            _ => held.map_or(now, |h| self.before_session_ends(node, h)),
        };
        Some(match st.and_then(|s| s.deferred_until) {
            Some(until) => due.max(until),
            None => due,
        })
    }

    /// `held`'s renewal, brought forward to just before the MFA session
    /// it is obtained with ends: keys obtained then outlive the session by
    /// a whole lifetime.
    fn before_session_ends(&self, node: &Node, held: Held) -> OffsetDateTime {
        let parent = node.parent.as_ref().and_then(|p| self.graph.node(p));
        let session_end = parent
            .filter(|p| matches!(p.kind, NodeKind::MfaSession { .. }))
            .and_then(|p| self.expiry(p));
        match session_end {
            Some(end) => {
                let last_call = end - self.policy.parent_margin * 2;
                if held.obtained_at < last_call && held.due_at > last_call {
                    last_call
                } else {
                    held.due_at
                }
            }
            None => held.due_at,
        }
    }

    /// The token fingerprint a refused sign-in is remembered by.
    pub(super) fn token_fingerprint(&self, target: &SsoTarget) -> String {
        self.token(target)
            .map(|t| crate::signin::records::fingerprint(&t.access_token))
            .unwrap_or_default()
    }

    /// Marks the session of token node `id` as needing a sign-in.
    pub(super) fn refuse_token(&mut self, id: &NodeId, reason: String) {
        let Some(NodeKind::SsoToken(target)) = self.graph.node(id).map(|n| n.kind.clone()) else {
            return;
        };
        let fingerprint = self.token_fingerprint(&target);
        // "sign in to corp again: the sign-in session ended" says its first
        // clause twice where the reason is shown after "sign in to corp".
        let reason = reason
            .strip_prefix(&format!("sign in to {} again: ", target.name()))
            .map_or(reason.clone(), str::to_owned);
        let st = self.st_mut(id);
        st.needs_login = Some(Refused {
            fingerprint,
            reason,
        });
        st.held = None;
    }

    /// The session name a token node stands for (`corp`, or a legacy start URL).
    pub(super) fn session_name(node: &Node) -> Option<&str> {
        match &node.kind {
            NodeKind::SsoToken(t) => Some(t.name()),
            _ => None,
        }
    }
}
