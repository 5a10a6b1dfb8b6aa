//! `leasekeeper daemon`: the keeper in the foreground. It takes the keeper
//! lock of this AWS home (a second one says who holds it and exits), renews
//! every managed profile, writes their sections, logs structured lines to
//! stderr (`LEASEKEEPER_LOG` changes the filter, `info` by default) and
//! stops cleanly on SIGINT or SIGTERM, removing our sections when the
//! settings say so. Events that need the person also become desktop
//! notifications (when a session bus and a notification server exist), and
//! logind's sleep and resume signals make it re-evaluate at once.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use leasekeeper_aws::{Aws, AwsSettings};
use leasekeeper_engine::keeper::EngineEvent;
use leasekeeper_host::keeper::home_lock::{self, KeeperLock, KeeperLockError};
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::keeper::{Connect, Keeper, KeeperConfig, Mode};
use leasekeeper_host::notify::{Desktop, Notifications};
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::sleep::{Logind, SleepSignals as _};
use leasekeeper_host::socket;

use crate::cmd::login::runtime;
use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// The SDK clients, built per region with this home's files.
#[derive(Debug, Clone)]
pub struct SdkConnect {
    files: (PathBuf, PathBuf),
    ca_bundle: Option<PathBuf>,
}

impl Connect for SdkConnect {
    type Client = Aws;

    async fn connect(&self, region: &str) -> Result<Aws, String> {
        let settings = AwsSettings {
            region: region.to_owned(),
            profile: None,
            ca_bundle: self.ca_bundle.clone(),
            files: Some(self.files.clone()),
        };
        Aws::load(&settings).await.map_err(|e| e.to_string())
    }
}

/// The keeper's surroundings for `home`.
pub fn keeper_for(home: &Home) -> anyhow::Result<(Keeper<SdkConnect>, SignInEnv)> {
    let env = SignInEnv::from_env(|n| std::env::var_os(n), &home.paths)?;
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
        ^ u64::from(std::process::id());
    let config = KeeperConfig {
        paths: home.paths.clone(),
        store: env.store(),
        scale: env.scale,
        settings_path: settings_path(|n| std::env::var_os(n)),
        seed,
    };
    let connect = SdkConnect {
        files: (home.paths.config.clone(), home.paths.credentials.clone()),
        ca_bundle: env.ca_bundle(None),
    };
    Ok((Keeper::new(config, connect), env))
}

/// Takes the keeper lock; `Err(exit code)` after telling who holds it.
pub fn take_lock(env: &SignInEnv, home: &Home) -> anyhow::Result<Result<KeeperLock, ExitCode>> {
    match home_lock::take(&env.state_dir, &home.paths) {
        Ok(lock) => Ok(Ok(lock)),
        Err(e @ KeeperLockError::Held { .. }) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            Ok(Err(exit::code(exit::FAILURE)))
        }
        Err(e) => Err(e).context("cannot take the keeper lock"),
    }
}

/// Logs an engine event as one structured line.
pub fn log_event(event: &EngineEvent) {
    let json = serde_json::to_string(event).unwrap_or_default();
    match event {
        EngineEvent::LeaseChanged { .. } => tracing::info!(event = %json, "keeper event"),
        _ => tracing::warn!(event = %json, "keeper event"),
    }
}

pub fn run(_args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    leasekeeper_host::logging::init_or("info");
    let (mut keeper, env) = keeper_for(home)?;
    let lock = match take_lock(&env, home)? {
        Ok(lock) => lock,
        Err(code) => return Ok(code),
    };
    runtime()?.block_on(async {
        let (signals_tx, signals) = tokio::sync::mpsc::unbounded_channel();
        let socket = serve_socket(&mut keeper, &env, home, signals_tx.clone());
        tokio::spawn(Logind.watch(signals_tx));
        let notifications = Notifications::spawn(Desktop);
        tracing::info!(
            pid = std::process::id(),
            credentials = %home.paths.credentials.display(),
            scale = env.scale.factor(),
            "keeper started"
        );
        let report = keeper
            .run(Mode::Daemon, shutdown_signal(), signals, |event| {
                log_event(event);
                notifications.event(event);
                if let Some((_, events)) = &socket {
                    // No subscriber is no error.
                    let _ = events.send(event.clone());
                }
            })
            .await;
        tracing::info!(
            written = report.written.len(),
            removed = report.removed.len(),
            "keeper stopped"
        );
    });
    drop(lock);
    Ok(exit::code(exit::OK))
}

/// Serves the keeper's socket; without it the keeper still renews (the
/// commands then say they cannot reach it).
fn serve_socket(
    keeper: &mut Keeper<SdkConnect>,
    env: &SignInEnv,
    home: &Home,
    commands: tokio::sync::mpsc::UnboundedSender<leasekeeper_engine::keeper::Input>,
) -> Option<(socket::Server, socket::EventSender)> {
    match socket::serve_keeper(keeper, &env.state_dir, &home.paths, commands) {
        Ok((server, events)) => {
            tracing::info!(socket = %server.path().display(), "serving the keeper's socket");
            Some((server, events))
        }
        Err(e) => {
            tracing::warn!(error = %e, code = e.code(), "cannot serve the keeper's socket");
            None
        }
    }
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            // Without a SIGTERM handler, Ctrl-C still stops the keeper.
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
