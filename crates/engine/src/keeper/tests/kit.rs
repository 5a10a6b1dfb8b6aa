//! A manual clock and a fake host around [`step`]: files from config text,
//! every renewal answered at once (or as a test says), actions recorded.

use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use time::{Duration, OffsetDateTime};

use crate::keeper::testkit::{T0, TokenFile, snapshot};
use crate::keeper::{
    Action, EngineEvent, Failure, Files, Finished, Input, KeeperState, NodeId, Outcome, Policy,
    RemoveReason, StepOutput, step,
};
use crate::settings::Settings;
use crate::signin::records::SessionRecord;
use crate::write::credentials::ManagedKeys;

pub const SEED: u64 = 42;

pub struct Harness {
    pub state: KeeperState,
    pub wall: OffsetDateTime,
    pub mono: StdDuration,
    pub config: String,
    pub credentials: String,
    pub tokens: Vec<TokenFile>,
    pub sections: Vec<ManagedKeys>,
    pub sessions: BTreeMap<String, SessionRecord>,
}

impl Harness {
    pub fn new(config: &str, tokens: Vec<TokenFile>, settings: &str) -> Harness {
        Harness::scaled(config, tokens, settings, 1.0)
    }

    pub fn scaled(config: &str, tokens: Vec<TokenFile>, settings: &str, scale: f64) -> Harness {
        let (settings, errors) = Settings::parse(settings);
        assert!(errors.is_empty(), "{errors:?}");
        Harness {
            state: KeeperState::new(Policy::new(scale), settings, SEED),
            wall: T0,
            mono: StdDuration::from_secs(1),
            config: config.to_owned(),
            credentials: String::new(),
            tokens,
            sections: Vec::new(),
            sessions: BTreeMap::new(),
        }
    }

    pub fn files(&self) -> Input {
        Input::Files(Box::new(Files {
            snapshot: snapshot(&self.config, &self.credentials, &self.tokens),
            managed_sections: self.sections.clone(),
            sessions: self.sessions.clone(),
        }))
    }

    /// The first step: the files read.
    pub fn start(&mut self) -> StepOutput {
        let files = self.files();
        self.step(vec![files])
    }

    pub fn step(&mut self, inputs: Vec<Input>) -> StepOutput {
        step(&mut self.state, self.wall, self.mono, &inputs)
    }

    /// Both clocks move on by `d`.
    pub fn advance(&mut self, d: Duration) {
        self.wall += d;
        self.mono += d.unsigned_abs();
    }

    /// Moves on by `d` and steps with no input.
    pub fn after(&mut self, d: Duration) -> StepOutput {
        self.advance(d);
        self.step(Vec::new())
    }

    /// `node` renewed, expiring `life` from now on our clock.
    pub fn ok(&self, node: &NodeId, life: Duration) -> Input {
        Input::Finished(Finished {
            node: node.clone(),
            server_date: None,
            outcome: Outcome::Renewed {
                expires_at: self.wall + life,
            },
        })
    }

    pub fn fail(&self, node: &NodeId, code: &str, message: &str, retryable: bool) -> Input {
        self.failed(node, Failure::new(code, message, retryable))
    }

    pub fn failed(&self, node: &NodeId, failure: Failure) -> Input {
        Input::Finished(Finished {
            node: node.clone(),
            server_date: None,
            outcome: Outcome::Failed(failure),
        })
    }

    /// The nodes with a call in flight.
    pub fn running(&self) -> Vec<NodeId> {
        let nodes = &self.state.nodes;
        nodes
            .iter()
            .filter(|(_, s)| s.in_flight.is_some())
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Answers every call in flight with `life`, step after step, until
    /// none is left; every output on the way, `out` first.
    pub fn settle(&mut self, out: StepOutput, life: Duration) -> Vec<StepOutput> {
        let mut outs = vec![out];
        loop {
            let nodes = self.running();
            if nodes.is_empty() {
                return outs;
            }
            let inputs = nodes.iter().map(|n| self.ok(n, life)).collect();
            outs.push(self.step(inputs));
        }
    }

    /// Steps as the host's loop would (sleeping `next_wake`), answering
    /// every renewal with `life` at once, until `until`; each renewal
    /// started, with the wall time it started at.
    pub fn run_until(
        &mut self,
        until: OffsetDateTime,
        life: Duration,
    ) -> Vec<(OffsetDateTime, NodeId)> {
        self.run(until, life)
            .into_iter()
            .filter_map(|(at, a)| match a {
                Action::Renew { node, .. } | Action::RefreshToken { node, .. } => Some((at, node)),
                _ => None,
            })
            .collect()
    }

    /// Every event until `until`, as [`Harness::run_until`] runs.
    pub fn run_events(
        &mut self,
        until: OffsetDateTime,
        life: Duration,
    ) -> Vec<(OffsetDateTime, EngineEvent)> {
        self.run(until, life)
            .into_iter()
            .filter_map(|(at, a)| match a {
                Action::Emit(e) => Some((at, e)),
                _ => None,
            })
            .collect()
    }

    /// Every action until `until`, with the wall time it came at.
    pub fn run(&mut self, until: OffsetDateTime, life: Duration) -> Vec<(OffsetDateTime, Action)> {
        let mut log = Vec::new();
        let mut out = self.step(Vec::new());
        loop {
            log.extend(out.actions.iter().map(|a| (self.wall, a.clone())));
            let answers: Vec<Input> = started(&out).iter().map(|n| self.ok(n, life)).collect();
            if !answers.is_empty() {
                out = self.step(answers);
                continue;
            }
            let wait = Duration::try_from(out.next_wake).expect("fits");
            if self.wall + wait > until {
                return log;
            }
            out = self.after(wait);
        }
    }

    pub fn node(&self, profile: &str) -> NodeId {
        self.state.graph().managed()[profile].node.clone()
    }

    /// The parent of `profile`'s node.
    pub fn parent(&self, profile: &str) -> NodeId {
        let node = self.node(profile);
        self.state
            .graph()
            .node(&node)
            .and_then(|n| n.parent.clone())
            .expect("a parent")
    }
}

/// The nodes whose renewal (or token refresh) `out` starts.
pub fn started(out: &StepOutput) -> Vec<NodeId> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Renew { node, .. } | Action::RefreshToken { node, .. } => Some(node.clone()),
            _ => None,
        })
        .collect()
}

pub fn events(out: &StepOutput) -> Vec<EngineEvent> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

/// Events of one code.
pub fn events_of(out: &StepOutput, code: &str) -> Vec<EngineEvent> {
    events(out)
        .into_iter()
        .filter(|e| e.code() == code)
        .collect()
}

pub fn writes(out: &StepOutput) -> Vec<(String, OffsetDateTime)> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Write {
                section,
                expires_at,
                ..
            } => Some((section.clone(), *expires_at)),
            _ => None,
        })
        .collect()
}

pub fn removes(out: &StepOutput) -> Vec<(String, RemoveReason)> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Remove { section, reason } => Some((section.clone(), *reason)),
            _ => None,
        })
        .collect()
}

/// A refreshable token of sso-session `corp`, valid for `life` from T0.
pub fn corp_token(life: Duration) -> TokenFile {
    TokenFile::new("corp", T0 + life)
}
