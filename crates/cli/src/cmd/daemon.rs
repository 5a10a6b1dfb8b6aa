//! `leasekeeper daemon`: the keeper in the foreground. It takes the keeper
//! lock of this AWS home (a second one says who holds it and exits), renews
//! every managed profile, writes their sections, logs structured lines to
//! stderr (`LEASEKEEPER_LOG` changes the filter, `info` by default) and
//! stops cleanly on SIGINT or SIGTERM, removing our sections when the
//! settings say so. Events that need the person also become desktop
//! notifications (when a session bus and a notification server exist, and
//! unless `[notifications] enabled = false` in the settings file), and
//! logind's sleep and resume signals make it re-evaluate at once. When an
//! MFA code is needed and stdin is a terminal, it asks for one there (on a
//! thread of its own: the renewals go on meanwhile); a code can always be
//! given with `leasekeeper mfa` too.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_host::keeper::home_lock::{KeeperLock, KeeperLockError};
use leasekeeper_host::keeper::mfa_prompt::{MfaPrompter, Terminal};
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::keeper::{Keeper, Mode};
use leasekeeper_host::notify::{Desktop, Notifications};
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::sleep::{Logind, SleepSignals as _};
use leasekeeper_service::{self as service, SdkConnect};

use crate::cmd::login::runtime;
use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// Takes the keeper lock; `Err(exit code)` after telling who holds it.
pub fn take_lock(env: &SignInEnv, home: &Home) -> anyhow::Result<Result<KeeperLock, ExitCode>> {
    match service::take_lock(env, &home.paths) {
        Ok(lock) => Ok(Ok(lock)),
        Err(e @ KeeperLockError::Held { .. }) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            Ok(Err(exit::code(exit::FAILURE)))
        }
        Err(e) => Err(e).context("cannot take the keeper lock"),
    }
}

/// A keeper for `home`, with its sign-in surroundings.
pub fn keeper_for(home: &Home) -> anyhow::Result<(Keeper<SdkConnect>, SignInEnv)> {
    Ok(service::keeper_for(&home.paths)?)
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
        let socket = service::serve_socket(&mut keeper, &env, &home.paths, signals_tx.clone());
        tokio::spawn(Logind.watch(signals_tx.clone()));
        let notifications =
            Notifications::spawn_with(Desktop, settings_path(|name| std::env::var_os(name)));
        let prompter = std::io::stdin()
            .is_terminal()
            .then(|| MfaPrompter::spawn(Terminal, signals_tx.clone()));
        tracing::info!(
            pid = std::process::id(),
            credentials = %home.paths.credentials.display(),
            scale = env.scale.factor(),
            "keeper started"
        );
        let report = keeper
            .run(Mode::Daemon, shutdown_signal(), signals, |event| {
                service::log_event(event);
                notifications.event(event);
                if let Some(p) = &prompter {
                    p.event(event);
                }
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
