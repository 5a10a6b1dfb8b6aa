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
use leasekeeper_engine::keeper::{EngineEvent, Input};
use leasekeeper_host::keeper::Report;
use leasekeeper_host::keeper::home_lock::KeeperLockError;
use leasekeeper_host::keeper::mfa_prompt::{MfaPrompter, Terminal};
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::notify::{Desktop, Notifications};
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_service::{self as service, Environment, KeeperShell, RunError};
use tokio::sync::mpsc::UnboundedSender;

use crate::exit;
use crate::home::Home;
use crate::runtime::runtime;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    leasekeeper_host::logging::init_or("info");
    let environment = Environment::process();
    let mut shell = DaemonShell::default();
    let ran = runtime()?.block_on(service::run_keeper(
        &home.paths,
        &environment,
        shutdown_signal(),
        &mut shell,
    ));
    match ran {
        Ok(_) => Ok(exit::code(exit::OK)),
        Err(RunError::Lock(e @ KeeperLockError::Held { .. })) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            Ok(exit::code(exit::FAILURE))
        }
        Err(RunError::Lock(e)) => Err(e).context("cannot take the keeper lock"),
        Err(RunError::Setup(e)) => Err(e.into()),
    }
}

/// What the daemon adds: desktop notifications, and a prompt for MFA codes
/// when stdin is a terminal.
#[derive(Debug, Default)]
struct DaemonShell {
    notifications: Option<Notifications>,
    prompter: Option<MfaPrompter>,
}

impl KeeperShell for DaemonShell {
    fn started(&mut self, _env: &SignInEnv, inputs: &UnboundedSender<Input>) {
        self.notifications = Some(Notifications::spawn_with(
            Desktop,
            settings_path(|name| std::env::var_os(name)),
        ));
        self.prompter = std::io::stdin()
            .is_terminal()
            .then(|| MfaPrompter::spawn(Terminal, inputs.clone()));
    }

    fn event(&mut self, event: &EngineEvent) {
        if let Some(n) = &self.notifications {
            n.event(event);
        }
        if let Some(p) = &self.prompter {
            p.event(event);
        }
    }

    fn stopped(&mut self, _report: &Report) {}
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
