//! Running the keeper for one AWS home, as `leasekeeper daemon` and the
//! tray app both do: the keeper assembled from the environment, the home's
//! keeper lock taken, its socket served, logind's sleep signals fed to the
//! loop, and the loop run on the system clock until `shutdown`, every event
//! logged, handed to the shell and broadcast to the socket's subscribers.
//! The shells only add what is theirs through a [`KeeperShell`]
//! (notifications and a terminal prompt in the daemon, the menu in the
//! tray).

use std::future::Future;

use leasekeeper_engine::doctor::Finding;
use leasekeeper_engine::keeper::{EngineEvent, Input};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::Mode;
use leasekeeper_host::keeper::Report;
use leasekeeper_host::keeper::home_lock::KeeperLockError;
use leasekeeper_host::signin::{EnvError, SignInEnv};
use leasekeeper_host::sleep::{Logind, SleepSignals as _};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::assemble::{keeper_in, log_event, serve_socket, take_lock};
use crate::env::Environment;

/// What a shell adds to the keeper [`run_keeper`] runs.
pub trait KeeperShell {
    /// The lock is taken and the socket served; `inputs` feeds the loop
    /// (commands, MFA codes) until it stops.
    fn started(&mut self, env: &SignInEnv, inputs: &UnboundedSender<Input>);
    /// Every engine event, as it happens (after it is logged, before the
    /// socket's subscribers get it).
    fn event(&mut self, event: &EngineEvent);
    /// The loop stopped (our sections removed when the settings say so);
    /// the socket and the lock go right after.
    fn stopped(&mut self, report: &Report);
    /// Where the processes running on keys about to lapse go, each once
    /// (`ops::doctor::watch`, beside the keeper); `None`: not looked for.
    /// Asked once, after [`KeeperShell::started`].
    fn process_warnings(&mut self) -> Option<UnboundedSender<Finding>> {
        None
    }
}

/// Why the keeper did not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The environment cannot be used (time scale, state folder).
    #[error(transparent)]
    Setup(#[from] EnvError),
    /// The keeper lock cannot be taken: another keeper holds it
    /// ([`KeeperLockError::Held`]) or the lock file fails.
    #[error(transparent)]
    Lock(#[from] KeeperLockError),
}

/// Runs the keeper of the home at `paths`, with the surroundings
/// `environment` describes, until `shutdown` resolves; then stops it
/// cleanly and releases the socket and the lock. Must be called inside a
/// Tokio runtime.
pub async fn run_keeper(
    paths: &AwsPaths,
    environment: &Environment,
    shutdown: impl Future<Output = ()>,
    shell: &mut impl KeeperShell,
) -> Result<Report, RunError> {
    let (mut keeper, env) = keeper_in(paths, environment)?;
    let lock = take_lock(&env, paths)?;
    let (inputs_tx, inputs) = unbounded_channel();
    let socket = serve_socket(&mut keeper, &env, paths, inputs_tx.clone());
    tokio::spawn(Logind.watch(inputs_tx.clone()));
    // Looks for new accounts and roles; ends with the keeper.
    let assignments = tokio::spawn(crate::ops::assignments::watch(
        paths.clone(),
        environment.clone(),
        env.scale.factor(),
    ));
    shell.started(&env, &inputs_tx);
    // Processes on keys about to lapse; ends with the keeper.
    let processes = shell.process_warnings().map(|tell| {
        tokio::spawn(crate::ops::doctor::watch(
            env.state_dir.clone(),
            environment.clone(),
            env.scale.factor(),
            tell,
        ))
    });
    tracing::info!(
        pid = std::process::id(),
        credentials = %paths.credentials.display(),
        scale = env.scale.factor(),
        "keeper started"
    );
    let report = keeper
        .run(Mode::Daemon, shutdown, inputs, |event| {
            log_event(event);
            shell.event(event);
            if let Some((_, events)) = &socket {
                // No subscriber is no error.
                let _ = events.send(event.clone());
            }
        })
        .await;
    assignments.abort();
    if let Some(p) = processes {
        p.abort();
    }
    shell.stopped(&report);
    tracing::info!(
        written = report.written.len(),
        removed = report.removed.len(),
        "keeper stopped"
    );
    drop(socket);
    drop(lock);
    Ok(report)
}
