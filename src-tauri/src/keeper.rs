//! Who renews: this app, or the `leasekeeper daemon` that already holds the
//! home's keeper lock. [`start`] runs a supervisor on a thread of its own:
//! it takes the lock and runs the keeper exactly as the daemon does (its
//! socket, logind's sleep signals, every event to the controller), or,
//! when the lock is held, attaches to the holder over its socket (`hello`,
//! `status`, then `subscribe`) and takes over the renewing if that keeper
//! goes away. [`KeeperHandle`] passes commands and stops it cleanly.

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::Duration;

use leasekeeper_engine::keeper::{Command, EngineEvent, Input};
use leasekeeper_engine::menu::{KeeperLine, renewal_state};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::Mode;
use leasekeeper_host::keeper::home_lock::KeeperLockError;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::sleep::{Logind, SleepSignals as _};
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{self, Client, ProfileView, Request, Response};
use leasekeeper_service::{self as service, Environment};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::sync::{mpsc, watch};

use crate::controller::Msg;

/// How long to wait before trying again to reach a keeper.
const RETRY: Duration = Duration::from_secs(1);
/// The longest a refresh through the socket may take.
const REFRESH_WAIT: Duration = Duration::from_secs(60);

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
    socket: PathBuf,
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
        let path = self.socket.clone();
        std::thread::spawn(move || match Client::connect(&path) {
            Ok(Some(mut client)) => {
                let request = Request::Refresh {
                    profile: None,
                    all: true,
                };
                if let Err(e) = client.ask(&request, REFRESH_WAIT) {
                    tracing::warn!(error = %e, code = e.code(), "the keeper did not refresh");
                }
            }
            Ok(None) => tracing::warn!("no keeper to refresh"),
            Err(e) => tracing::warn!(error = %e, code = e.code(), "cannot reach the keeper"),
        });
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
    let socket = socket::socket_path(&sign_env.state_dir, &paths);
    let sup = Supervisor {
        paths,
        env,
        controller,
        stopped,
        commands: commands.clone(),
        socket: socket.clone(),
    };
    drop(commands_rx);
    let thread = std::thread::Builder::new()
        .name("keeper".into())
        .spawn(move || runtime.block_on(sup.run()))?;
    Ok(KeeperHandle {
        stop,
        commands,
        socket,
        thread: Some(thread),
    })
}

struct Supervisor {
    paths: AwsPaths,
    env: Environment,
    controller: mpsc::UnboundedSender<Msg>,
    stopped: watch::Receiver<bool>,
    commands: watch::Sender<Option<mpsc::UnboundedSender<Input>>>,
    socket: PathBuf,
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
                () = tokio::time::sleep(RETRY) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
        }
    }

    /// Runs the keeper until stopped, if the lock can be taken.
    async fn own(&mut self) -> Result<(), Held> {
        let (mut keeper, env) = match service::keeper_in(&self.paths, &self.env) {
            Ok(k) => k,
            Err(e) => {
                tracing::error!(error = %e, code = e.code(), "cannot set up the keeper");
                return Err(Held::Failed);
            }
        };
        let lock = match service::take_lock(&env, &self.paths) {
            Ok(lock) => lock,
            Err(KeeperLockError::Held { pid, .. }) => return Err(Held::By(pid.unwrap_or(0))),
            Err(e) => {
                tracing::error!(error = %e, code = e.code(), "cannot take the keeper lock");
                return Err(Held::Failed);
            }
        };
        let (signals_tx, signals) = mpsc::unbounded_channel();
        let socket = service::serve_socket(&mut keeper, &env, &self.paths, signals_tx.clone());
        tokio::spawn(Logind.watch(signals_tx.clone()));
        self.commands.send_replace(Some(signals_tx));
        let _ = self.controller.send(Msg::Role(Role::Own));
        tracing::info!(
            pid = std::process::id(),
            credentials = %self.paths.credentials.display(),
            scale = env.scale.factor(),
            "keeper started"
        );
        let controller = self.controller.clone();
        let mut stopped = self.stopped.clone();
        let shutdown = async move {
            // A dropped sender also means stop.
            let _ = stopped.wait_for(|s| *s).await;
        };
        let report = keeper
            .run(Mode::Daemon, shutdown, signals, |event| {
                service::log_event(event);
                // The controller ends only with the app.
                let _ = controller.send(Msg::Engine(event.clone()));
                if let Some((_, events)) = &socket {
                    // No subscriber is no error.
                    let _ = events.send(event.clone());
                }
            })
            .await;
        self.commands.send_replace(None);
        tracing::info!(
            written = report.written.len(),
            removed = report.removed.len(),
            "keeper stopped"
        );
        drop(socket);
        drop(lock);
        Ok(())
    }

    /// Follows the keeper that holds the lock until it goes away or this
    /// app stops.
    async fn attached(&mut self, pid_from_lock: u32) {
        let path = self.socket.clone();
        let Some((pid, view)) = hello_and_status(&path).await else {
            return;
        };
        let pid = if pid == 0 { pid_from_lock } else { pid };
        tracing::info!(pid, "a leasekeeper daemon keeps this home: attached to it");
        let _ = self.controller.send(Msg::Role(Role::Attached { pid }));
        let _ = self
            .controller
            .send(Msg::View(view.iter().filter_map(line_of).collect()));
        let mut stopped = self.stopped.clone();
        tokio::select! {
            () = follow(&path, &self.controller) => {
                tracing::info!(pid, "the leasekeeper daemon went away");
            }
            _ = stopped.wait_for(|s| *s) => {}
        }
    }
}

enum Held {
    /// Another keeper holds the lock (its pid, 0 when unknown).
    By(u32),
    /// The keeper cannot run here; try again later.
    Failed,
}

/// The keeper's pid and its renewals.
async fn hello_and_status(path: &std::path::Path) -> Option<(u32, Vec<ProfileView>)> {
    let path = path.to_owned();
    let asked = tokio::task::spawn_blocking(move || {
        let mut client = Client::connect(&path).ok()??;
        let pid = match client.ask(&Request::Hello, SHORT_TIMEOUT).ok()? {
            Response::Hello { pid, .. } => pid,
            _ => 0,
        };
        let view = client.status().ok()?;
        Some((pid, view.profiles))
    })
    .await;
    asked.ok().flatten()
}

/// Streams the keeper's events to the controller until the socket closes.
async fn follow(path: &std::path::Path, controller: &mpsc::UnboundedSender<Msg>) {
    let Ok(mut stream) = tokio::net::UnixStream::connect(path).await else {
        return;
    };
    if stream
        .write_all(&socket::protocol::encode(&Request::Subscribe))
        .await
        .is_err()
    {
        return;
    }
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        match serde_json::from_str::<Response>(&line) {
            Ok(Response::Event { event }) => {
                let _ = controller.send(Msg::Remote(event));
            }
            Ok(Response::Subscribed) => {}
            Ok(other) => tracing::debug!(answer = ?other, "keeper says"),
            Err(e) => tracing::debug!(error = %e, "not an answer from the keeper"),
        }
    }
}

/// A renewal as the socket shows it.
fn line_of(view: &ProfileView) -> Option<KeeperLine> {
    Some(KeeperLine {
        profile: view.profile.clone(),
        state: renewal_state(&view.state)?,
        failing: view.last_error.is_some(),
        expires_at: view.expires_at,
        act_by: view.mfa_session_ends_at,
    })
}

/// The renewal an event announces: from this app's keeper.
pub fn line_of_event(event: &EngineEvent) -> Option<KeeperLine> {
    match event {
        EngineEvent::LeaseChanged { renewal } => Some(KeeperLine {
            profile: renewal.profile.clone(),
            state: renewal.state,
            failing: renewal.last_error.is_some(),
            expires_at: renewal.expires_at,
            act_by: renewal.mfa_session_ends_at,
        }),
        _ => None,
    }
}

/// The renewal an event announces: from a daemon's socket (JSON).
pub fn line_of_remote(event: &serde_json::Value) -> Option<KeeperLine> {
    if event.get("event")?.as_str()? != "lease_changed" {
        return None;
    }
    let renewal = event.get("renewal")?;
    Some(KeeperLine {
        profile: renewal.get("profile")?.as_str()?.to_owned(),
        state: renewal_state(renewal.get("state")?.as_str()?)?,
        failing: renewal.get("last_error").is_some_and(|e| !e.is_null()),
        expires_at: time_of(renewal, "expires_at"),
        act_by: time_of(renewal, "mfa_session_ends_at"),
    })
}

fn time_of(renewal: &serde_json::Value, key: &str) -> Option<OffsetDateTime> {
    renewal
        .get(key)
        .and_then(|e| e.as_str())
        .and_then(|e| OffsetDateTime::parse(e, &Rfc3339).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasekeeper_engine::keeper::RenewalState;

    #[test]
    fn a_daemons_lease_changed_event_becomes_a_keeper_line() {
        let event = serde_json::json!({
            "event": "lease_changed",
            "renewal": {
                "profile": "dev", "section": "dev", "node": "sso-role:corp/1/Admin",
                "state": "retrying", "expires_at": "2026-11-22T11:00:00Z", "renewed_at": null,
                "next_renewal_at": null, "waiting_on": null,
                "mfa_session_ends_at": "2026-11-22T20:00:00Z",
                "last_error": {"code": "Throttling", "message": "rate exceeded", "retry": true},
                "notes": []
            }
        });
        assert_eq!(
            line_of_remote(&event),
            Some(KeeperLine {
                profile: "dev".into(),
                state: RenewalState::Retrying,
                failing: true,
                expires_at: Some(time::macros::datetime!(2026-11-22 11:00 UTC)),
                act_by: Some(time::macros::datetime!(2026-11-22 20:00 UTC)),
            })
        );
        let other = serde_json::json!({"event": "login_needed", "session": "corp"});
        assert_eq!(line_of_remote(&other), None);
        let unknown = serde_json::json!({
            "event": "lease_changed",
            "renewal": {"profile": "dev", "state": "asleep", "last_error": null}
        });
        assert_eq!(line_of_remote(&unknown), None);
    }

    #[test]
    fn a_status_answer_becomes_keeper_lines() {
        let view = ProfileView {
            profile: "prod".into(),
            section: "prod".into(),
            state: "needs_login".into(),
            expires_at: None,
            renewed_at: None,
            next_renewal_at: None,
            mfa_session_ends_at: None,
            last_error: None,
            served: false,
        };
        assert_eq!(
            line_of(&view),
            Some(KeeperLine {
                profile: "prod".into(),
                state: RenewalState::NeedsLogin,
                failing: false,
                expires_at: None,
                act_by: None,
            })
        );
    }
}
