//! Who renews: this app, or the `leasekeeper daemon` that already holds the
//! home's keeper lock. [`start`] runs a supervisor on a thread of its own:
//! it takes the lock and runs the keeper exactly as the daemon does
//! (`leasekeeper_service::run_keeper`: its socket, logind's sleep signals;
//! every event to the controller), or,
//! when the lock is held, follows the holder (`service::ops::attach`: its
//! view, then its events, forwarded to the controller) and takes over the
//! renewing if that keeper goes away. [`KeeperHandle`] passes commands
//! (a refresh of an attached keeper through `service::ops::refresh`, which
//! waits the keeper policy's `KEEPER_WAIT`) and stops it cleanly.

use std::thread::JoinHandle;
use std::time::Duration;

use leasekeeper_engine::keeper::policy::ATTACH_RETRY;
use leasekeeper_engine::keeper::{Command, EngineEvent, Input};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::Report;
use leasekeeper_host::keeper::home_lock::KeeperLockError;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::{ClientError, KeeperView, WireEvent};
use leasekeeper_service::ops::attach::{self, Remote};
use leasekeeper_service::ops::refresh::{self, Refreshed, Selection};
use leasekeeper_service::{self as service, Environment, KeeperShell, RunError};
use tokio::sync::{mpsc, watch};

use crate::controller::Msg;

/// The renewal a keeper's event announces, as the menu takes it.
pub use leasekeeper_service::ops::attach::line_of_event;

/// Who renews, as the menu shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// This app is the keeper.
    Own,
    /// A `leasekeeper daemon` with this pid is.
    Attached { pid: u32 },
}

/// The running supervisor.
#[derive(Debug)]
pub struct KeeperHandle {
    stop: watch::Sender<bool>,
    commands: watch::Sender<Option<mpsc::UnboundedSender<Input>>>,
    paths: AwsPaths,
    env: Environment,
    thread: Option<JoinHandle<()>>,
}

impl KeeperHandle {
    /// Renew every managed profile now.
    pub fn refresh_all(&self) {
        if let Some(tx) = self.commands.borrow().as_ref() {
            if tx.send(Input::Command(Command::RefreshAll)).is_ok() {
                return;
            }
        }
        // Attached: ask the daemon; its answer comes after the renewals.
        let (paths, env) = (self.paths.clone(), self.env.clone());
        std::thread::spawn(
            move || match refresh::by_keeper(&paths, &env, &Selection::All) {
                Ok(Some(Refreshed::ByKeeper {
                    pid,
                    renewed,
                    failed,
                    ..
                })) => tracing::info!(
                    pid,
                    renewed = renewed.len(),
                    failed = failed.len(),
                    "the keeper refreshed"
                ),
                Ok(Some(Refreshed::OnePass(_))) => {}
                Ok(None) => tracing::warn!("no keeper to refresh"),
                Err(e) => tracing::warn!(error = %e, code = e.code(), "the keeper did not refresh"),
            },
        );
    }

    /// Stops the keeper (our sections go if the settings say so) and waits
    /// for it, at most `limit`.
    pub fn stop(mut self, limit: Duration) {
        // The supervisor may be gone already: nothing left to stop then.
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let deadline = std::time::Instant::now() + limit;
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if thread.is_finished() {
                if thread.join().is_err() {
                    tracing::warn!("the keeper's thread panicked");
                }
            } else {
                tracing::warn!("the keeper did not stop within {limit:?}");
            }
        }
    }
}

/// Starts the supervisor for the home at `paths`.
pub fn start(
    paths: AwsPaths,
    env: Environment,
    sign_env: &SignInEnv,
    controller: mpsc::UnboundedSender<Msg>,
    runtime: tokio::runtime::Handle,
) -> anyhow::Result<KeeperHandle> {
    let (stop, stopped) = watch::channel(false);
    let (commands, commands_rx) = watch::channel(None);
    let sup = Supervisor {
        remote: Remote::of(sign_env, &paths),
        paths: paths.clone(),
        env: env.clone(),
        controller,
        stopped,
        commands: commands.clone(),
    };
    drop(commands_rx);
    let thread = std::thread::Builder::new()
        .name("keeper".into())
        .spawn(move || runtime.block_on(sup.run()))?;
    Ok(KeeperHandle {
        stop,
        commands,
        paths,
        env,
        thread: Some(thread),
    })
}

struct Supervisor {
    paths: AwsPaths,
    env: Environment,
    controller: mpsc::UnboundedSender<Msg>,
    stopped: watch::Receiver<bool>,
    commands: watch::Sender<Option<mpsc::UnboundedSender<Input>>>,
    /// The keeper that holds the lock, as this app follows it.
    remote: Remote,
}

impl Supervisor {
    async fn run(mut self) {
        while !*self.stopped.borrow() {
            match self.own().await {
                Ok(()) => return,
                Err(Held::By(pid)) => {
                    self.attached(pid).await;
                }
                Err(Held::Failed) => {}
            }
            let mut stopped = self.stopped.clone();
            tokio::select! {
                () = tokio::time::sleep(ATTACH_RETRY) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
        }
    }

    /// Runs the keeper until stopped, if the lock can be taken.
    async fn own(&mut self) -> Result<(), Held> {
        let mut stopped = self.stopped.clone();
        let shutdown = async move {
            // A dropped sender also means stop.
            let _ = stopped.wait_for(|s| *s).await;
        };
        let mut shell = TrayShell {
            controller: self.controller.clone(),
            commands: self.commands.clone(),
        };
        match service::run_keeper(&self.paths, &self.env, shutdown, &mut shell).await {
            Ok(_) => Ok(()),
            Err(RunError::Lock(KeeperLockError::Held { pid, .. })) => {
                Err(Held::By(pid.unwrap_or(0)))
            }
            Err(RunError::Lock(e)) => {
                tracing::error!(error = %e, code = e.code(), "cannot take the keeper lock");
                Err(Held::Failed)
            }
            Err(RunError::Setup(e)) => {
                tracing::error!(error = %e, code = e.code(), "cannot set up the keeper");
                Err(Held::Failed)
            }
        }
    }

    /// Follows the keeper that holds the lock until it goes away or this
    /// app stops.
    async fn attached(&mut self, pid_from_lock: u32) {
        let Some(view) = view_of(&self.remote).await else {
            return;
        };
        let pid = if view.pid == 0 {
            pid_from_lock
        } else {
            view.pid
        };
        tracing::info!(pid, "a leasekeeper daemon keeps this home: attached to it");
        let _ = self.controller.send(Msg::Role(Role::Attached { pid }));
        let _ = self
            .controller
            .send(Msg::View(attach::lines(&view.profiles)));
        let mut stopped = self.stopped.clone();
        tokio::select! {
            () = follow(&self.remote, &self.controller) => {
                tracing::info!(pid, "the leasekeeper daemon went away");
            }
            _ = stopped.wait_for(|s| *s) => {}
        }
    }
}

/// What the tray adds to its keeper: the loop's input for the menu's
/// commands, and every event to the controller.
struct TrayShell {
    controller: mpsc::UnboundedSender<Msg>,
    commands: watch::Sender<Option<mpsc::UnboundedSender<Input>>>,
}

impl KeeperShell for TrayShell {
    fn started(&mut self, _env: &SignInEnv, inputs: &mpsc::UnboundedSender<Input>) {
        self.commands.send_replace(Some(inputs.clone()));
        let _ = self.controller.send(Msg::Role(Role::Own));
    }

    fn event(&mut self, event: &EngineEvent) {
        // The controller ends only with the app.
        let _ = self.controller.send(Msg::Engine(event.clone()));
    }

    fn stopped(&mut self, _report: &Report) {
        self.commands.send_replace(None);
    }

    fn process_warnings(
        &mut self,
    ) -> Option<mpsc::UnboundedSender<leasekeeper_engine::doctor::Finding>> {
        let (tell, mut told) = mpsc::unbounded_channel();
        let controller = self.controller.clone();
        tokio::spawn(async move {
            while let Some(f) = told.recv().await {
                if controller.send(Msg::ProcessAtRisk(Box::new(f))).is_err() {
                    return;
                }
            }
        });
        Some(tell)
    }
}

enum Held {
    /// Another keeper holds the lock (its pid, 0 when unknown).
    By(u32),
    /// The keeper cannot run here; try again later.
    Failed,
}

/// The view of the keeper that holds the lock: `None` when none answers
/// (a keeper of another major version of the protocol is said once a try,
/// by name, rather than followed wrongly).
async fn view_of(remote: &Remote) -> Option<KeeperView> {
    let remote = remote.clone();
    match tokio::task::spawn_blocking(move || remote.view()).await {
        Ok(Ok(view)) => view,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, code = e.code(), "cannot attach to the keeper");
            None
        }
        Err(_) => None,
    }
}

/// Forwards the keeper's events to the controller until it hangs up.
async fn follow(remote: &Remote, controller: &mpsc::UnboundedSender<Msg>) {
    let mut events = match remote.subscribe().await {
        Ok(Some(events)) => events,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, code = e.code(), "cannot follow the keeper");
            return;
        }
    };
    while let Some(heard) = events.next().await {
        match heard {
            Ok(WireEvent::Known(event)) => {
                let _ = controller.send(Msg::Remote(*event));
            }
            Ok(WireEvent::Newer { event }) => {
                tracing::debug!(event, "an event of a newer keeper, skipped");
            }
            Err(e @ (ClientError::Incompatible { .. } | ClientError::AnswerTooLarge { .. })) => {
                tracing::warn!(error = %e, code = e.code(), "cannot follow the keeper");
            }
            Err(e) => tracing::debug!(error = %e, code = e.code(), "not an event of the keeper"),
        }
    }
}
