//! A keeper for one AWS home: its configuration from the environment
//! (state folder, time scale, settings file), the keeper lock, the socket,
//! and how its events are logged.

use std::time::{SystemTime, UNIX_EPOCH};

use leasekeeper_engine::keeper::{EngineEvent, Input};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::home_lock::{self, KeeperLock, KeeperLockError};
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::keeper::{Keeper, KeeperConfig};
use leasekeeper_host::signin::{EnvError, SignInEnv};
use leasekeeper_host::socket;
use tokio::sync::mpsc::UnboundedSender;

use crate::SdkConnect;
use crate::env::Environment;

/// The socket a keeper serves and where its events are broadcast.
pub type KeeperSocket = (socket::Server, socket::EventSender);

/// A keeper for the files at `paths`, with the sign-in surroundings taken
/// from the process environment.
pub fn keeper_for(paths: &AwsPaths) -> Result<(Keeper<SdkConnect>, SignInEnv), EnvError> {
    keeper_in(paths, &Environment::process())
}

/// A keeper for the files at `paths`, with the sign-in surroundings, the
/// time scale and the settings file taken from `environment`.
pub fn keeper_in(
    paths: &AwsPaths,
    environment: &Environment,
) -> Result<(Keeper<SdkConnect>, SignInEnv), EnvError> {
    let env = sign_in_env(environment, paths)?;
    // Drives jitter only: distinct per process is all it needs to be.
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
        ^ u64::from(std::process::id());
    let config = KeeperConfig {
        paths: paths.clone(),
        store: env.store(),
        scale: env.scale,
        settings_path: settings_path(environment.lookup()),
        seed,
    };
    let connect = SdkConnect {
        files: (paths.config.clone(), paths.credentials.clone()),
        ca_bundle: env.ca_bundle(None),
        proxy: env.proxy.clone(),
    };
    Ok((Keeper::new(config, connect), env))
}

/// The sign-in surroundings `environment` describes, its proxy included.
pub fn sign_in_env(environment: &Environment, paths: &AwsPaths) -> Result<SignInEnv, EnvError> {
    let mut env = SignInEnv::from_env(environment.lookup(), paths)?;
    env.proxy = environment.proxy().clone();
    Ok(env)
}

/// Takes the keeper lock of the home at `paths`: one keeper per home.
pub fn take_lock(env: &SignInEnv, paths: &AwsPaths) -> Result<KeeperLock, KeeperLockError> {
    home_lock::take(&env.state_dir, paths)
}

/// Logs an engine event as one structured line.
pub fn log_event(event: &EngineEvent) {
    let json = serde_json::to_string(event).unwrap_or_default();
    match event {
        EngineEvent::LeaseChanged { .. } => tracing::info!(event = %json, "keeper event"),
        _ => tracing::warn!(event = %json, "keeper event"),
    }
}

/// Serves the keeper's socket; without it the keeper still renews (other
/// processes then say they cannot reach it), so a failure is logged.
pub fn serve_socket(
    keeper: &mut Keeper<SdkConnect>,
    env: &SignInEnv,
    paths: &AwsPaths,
    commands: UnboundedSender<Input>,
) -> Option<KeeperSocket> {
    match socket::serve_keeper(keeper, &env.state_dir, paths, commands) {
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
