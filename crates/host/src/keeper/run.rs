//! The loop around [`step`]: read what changed, step, carry out the
//! actions, sleep until the engine's next wake (never more than its tick),
//! a renewal's end, a platform signal or shutdown, and step again.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leasekeeper_engine::keeper::{
    Action, Command, EngineEvent, Failure, Finished, Input, KeeperState, NodeId, Outcome, Policy,
    step,
};
use leasekeeper_engine::ports::Credentials;
use leasekeeper_engine::settings::Settings;
use leasekeeper_engine::signin::TimeScale;
use time::OffsetDateTime;
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinSet;

use super::clock::KeeperClock;
use super::exec::{Connect, Done};
use super::mfa_store::MfaStore;
use super::settings_file::SettingsFile;
use super::watch::Watch;
use crate::aws_files::AwsPaths;
use crate::clock::SystemClock;
use crate::socket::{ProfileView, ServedMap};
use crate::store::FileStore;

/// STS calls are made in the profile's `region`, else this one.
pub const DEFAULT_STS_REGION: &str = "us-east-1";

/// What a keeper runs on.
#[derive(Debug, Clone)]
pub struct KeeperConfig {
    pub paths: AwsPaths,
    pub store: FileStore,
    pub scale: TimeScale,
    /// The settings file (`None`: the defaults).
    pub settings_path: Option<PathBuf>,
    /// Drives every jitter.
    pub seed: u64,
}

/// How long the keeper runs.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Until the shutdown future resolves.
    Daemon,
    /// One pass: `command`, then until nothing is in flight (at most `limit`).
    Once { command: Command, limit: Duration },
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Sections written, with the expiry of their keys.
    pub written: Vec<(String, OffsetDateTime)>,
    /// Sections removed.
    pub removed: Vec<String>,
    pub events: Vec<EngineEvent>,
    /// A one-pass run hit its limit with renewals still in flight.
    pub timed_out: bool,
}

/// A change made to the settings after each read.
type SettingsAdjust = Box<dyn Fn(&mut Settings) + Send>;

type Clients<C> = Arc<Mutex<HashMap<String, Arc<<C as Connect>::Client>>>>;

/// The keeper: engine state, keys held by node, running renewals, and the
/// clock it runs on (the system's unless [`Keeper::with_clock`] gave one).
pub struct Keeper<C: Connect, K: KeeperClock = SystemClock> {
    pub(super) config: KeeperConfig,
    pub(super) connect: Arc<C>,
    pub(super) clock: K,
    pub(super) clients: Clients<C>,
    pub(super) state: KeeperState,
    pub(super) held: HashMap<NodeId, Credentials>,
    pub(super) watch: Watch,
    pub(super) settings: SettingsFile,
    pub(super) adjust: Option<SettingsAdjust>,
    pub(super) tasks: JoinSet<Done>,
    pub(super) task_nodes: HashMap<tokio::task::Id, NodeId>,
    /// Inputs for the first step ([`Keeper::give`]).
    pub(super) initial: Vec<Input>,
    /// The MFA session files (`mfa.persist`).
    pub(super) mfa_store: MfaStore,
    /// Where the renewals are published after every step (the socket).
    pub(super) view: Option<watch::Sender<Vec<ProfileView>>>,
    /// Where what can be served to `credential-process` is published.
    pub(super) served: Option<watch::Sender<ServedMap>>,
}

impl<C: Connect, K: KeeperClock> std::fmt::Debug for Keeper<C, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keeper")
            .field("nodes", &self.state.graph().len())
            .field("held", &self.held.len())
            .field("in_flight", &self.tasks.len())
            .finish_non_exhaustive()
    }
}

impl<C: Connect> Keeper<C> {
    /// A keeper on the system clock.
    pub fn new(config: KeeperConfig, connect: C) -> Keeper<C> {
        Keeper::with_clock(config, connect, SystemClock)
    }
}

impl<C: Connect, K: KeeperClock> Keeper<C, K> {
    /// A keeper on `clock`: its wall and monotonic time, and its sleeps.
    pub fn with_clock(config: KeeperConfig, connect: C, clock: K) -> Keeper<C, K> {
        let policy = Policy::with_scale(config.scale);
        let mfa_store = MfaStore::new(config.store.state_dir(), &config.paths.credentials);
        Keeper {
            state: KeeperState::new(policy, Settings::default(), config.seed),
            watch: Watch::new(config.paths.clone(), config.store.clone()),
            settings: SettingsFile::new(config.settings_path.clone()),
            config,
            connect: Arc::new(connect),
            clock,
            clients: Arc::new(Mutex::new(HashMap::new())),
            held: HashMap::new(),
            adjust: None,
            tasks: JoinSet::new(),
            task_nodes: HashMap::new(),
            initial: Vec::new(),
            mfa_store,
            view: None,
            served: None,
        }
    }

    /// Changes the settings after each read (a one-pass refresh of one profile).
    pub fn adjust_settings(&mut self, adjust: impl Fn(&mut Settings) + Send + 'static) {
        self.adjust = Some(Box::new(adjust));
    }

    /// Feeds `input` to the first step (an MFA code the person gave before
    /// a one-pass run).
    pub fn give(&mut self, input: Input) {
        self.initial.push(input);
    }

    /// Publishes every managed profile's renewal to `view` after each step.
    pub fn publish_renewals(&mut self, view: watch::Sender<Vec<ProfileView>>) {
        self.view = Some(view);
    }

    /// Publishes what each renewed profile can be served (keys held in
    /// memory, or what the person must do) to `served` after each step.
    pub fn publish_served(&mut self, served: watch::Sender<ServedMap>) {
        self.served = Some(served);
    }

    /// The time scale the keeper runs at.
    pub fn scale(&self) -> TimeScale {
        self.config.scale
    }

    fn publish(&self) {
        if let Some(served) = &self.served {
            let now = crate::socket::served::compute(&self.state, &self.held, self.clock.now());
            served.send_if_modified(|v| {
                let changed = *v != now;
                if changed {
                    *v = now;
                }
                changed
            });
        }
        if let Some(view) = &self.view {
            let wall = self.clock.now();
            let managed = self.state.renewals(wall);
            let served = self.state.served_renewals(wall);
            let now: Vec<ProfileView> = managed
                .iter()
                .map(ProfileView::from)
                .chain(served.iter().map(|r| ProfileView {
                    served: true,
                    ..ProfileView::from(r)
                }))
                .collect();
            view.send_if_modified(|v| {
                let changed = *v != now;
                if changed {
                    *v = now;
                }
                changed
            });
        }
    }

    /// Runs until `shutdown` (daemon) or the pass is over (once); `signals`
    /// brings sleep and resume from the platform; `on_event` is told every
    /// engine event as it happens.
    pub async fn run(
        mut self,
        mode: Mode,
        shutdown: impl Future<Output = ()>,
        mut signals: mpsc::UnboundedReceiver<Input>,
        mut on_event: impl FnMut(&EngineEvent),
    ) -> Report {
        let start = self.clock.monotonic();
        let mut report = Report::default();
        let mut inputs = std::mem::take(&mut self.initial);
        let mut mfa_seen = std::collections::HashSet::new();
        let (once, limit) = match &mode {
            Mode::Daemon => (false, None),
            Mode::Once { command, limit } => {
                inputs.push(Input::Command(command.clone()));
                (true, Some(start + *limit))
            }
        };
        tokio::pin!(shutdown);
        let mut signals_open = true;
        loop {
            self.poll_files(&mut inputs);
            self.mfa_sessions_from_disk(&mut inputs, &mut mfa_seen);
            let now_mono = self.since(start);
            let out = step(&mut self.state, self.clock.now(), now_mono, &inputs);
            inputs.clear();
            // What the step decided is served before its events are told:
            // a client woken by an event finds the keeper knowing it.
            self.publish();
            let spawned = self.perform(out.actions, &mut inputs, &mut report, &mut on_event);
            self.publish();
            if once && spawned == 0 && self.tasks.is_empty() && inputs.is_empty() {
                break;
            }
            if limit.is_some_and(|l| self.clock.monotonic() >= l) {
                report.timed_out = true;
                break;
            }
            let wait = if inputs.is_empty() {
                out.next_wake
            } else {
                Duration::ZERO
            };
            let clock = self.clock.clone();
            let wait = time::Duration::try_from(wait).unwrap_or(time::Duration::MAX);
            tokio::select! {
                () = clock.sleep(wait) => {}
                Some(done) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    inputs.extend(self.finished(done));
                }
                signal = signals.recv(), if signals_open => match signal {
                    Some(s) => inputs.push(s),
                    None => signals_open = false,
                },
                () = &mut shutdown, if !once => {
                    self.shut_down(start, &mut report, &mut on_event);
                    break;
                }
            }
            while let Some(done) = self.tasks.try_join_next_with_id() {
                inputs.extend(self.finished(done));
            }
        }
        self.tasks.abort_all();
        report
    }

    /// Monotonic time since `start`.
    fn since(&self, start: std::time::Instant) -> Duration {
        self.clock.monotonic().saturating_duration_since(start)
    }

    fn shut_down(
        &mut self,
        start: std::time::Instant,
        report: &mut Report,
        on_event: &mut impl FnMut(&EngineEvent),
    ) {
        let inputs = [Input::Command(Command::Shutdown)];
        let (wall, mono) = (self.clock.now(), self.since(start));
        let out = step(&mut self.state, wall, mono, &inputs);
        let mut rest = Vec::new();
        let renewals = out
            .actions
            .into_iter()
            .filter(|a| !matches!(a, Action::Renew { .. } | Action::RefreshToken { .. }))
            .collect();
        self.perform(renewals, &mut rest, report, on_event);
    }

    fn poll_files(&mut self, inputs: &mut Vec<Input>) {
        if let Some(mut settings) = self.settings.poll() {
            if let Some(adjust) = &self.adjust {
                adjust(&mut settings);
            }
            self.watch.use_settings(&settings, self.config.scale);
            inputs.push(Input::Settings(Box::new(settings)));
        }
        if let Some(files) = self.watch.poll(self.clock.now()) {
            inputs.push(Input::Files(Box::new(files)));
        }
    }

    /// Records keys a profile is given (written or served) for `doctor`: by
    /// the first profile whose keys are this node's.
    fn record_issued(&self, node: &NodeId, keys: &Credentials) {
        let graph = self.state.graph();
        let profile = graph
            .managed()
            .values()
            .chain(graph.served().values())
            .find(|m| &m.node == node)
            .map(|m| m.profile.clone());
        if let Some(profile) = profile {
            crate::issued::record(
                self.config.store.state_dir(),
                &profile,
                keys,
                time::OffsetDateTime::now_utc(),
            );
        }
    }

    /// The report of an ended task (every task is registered when spawned).
    fn finished(
        &mut self,
        done: Result<(tokio::task::Id, Done), tokio::task::JoinError>,
    ) -> Option<Input> {
        match done {
            Ok((id, done)) => {
                self.task_nodes.remove(&id);
                if let Some(keys) = done.keys {
                    self.record_issued(&done.finished.node, &keys);
                    self.held.insert(done.finished.node.clone(), keys);
                    self.mfa_session_obtained(&done.finished.node);
                }
                Some(Input::Finished(done.finished))
            }
            Err(e) => {
                let node = self.task_nodes.remove(&e.id())?;
                Some(Input::Finished(Finished {
                    node,
                    server_date: None,
                    outcome: Outcome::Failed(Failure::new("task_failed", e.to_string(), true)),
                }))
            }
        }
    }
}
