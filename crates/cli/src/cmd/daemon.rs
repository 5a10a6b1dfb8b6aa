//! `leasekeeper daemon`: the keeper in the foreground. It takes the keeper
//! lock of this AWS home (a second one says who holds it and exits), renews
//! every managed profile, writes their sections, logs structured lines to
//! stderr (`LEASEKEEPER_LOG` changes the filter, `info` by default) and
//! stops cleanly on SIGINT or SIGTERM, removing our sections when the
//! settings say so. Events that need the person also become desktop
//! notifications (when a session bus and a notification server exist, and
//! unless `[notifications] enabled = false` in the settings file), one per
//! thing to do, with its button: "Sign in" starts a sign-in here (the
//! browser opens then, and only then); where the tray app is installed
//! beside this program, "Enter code" and a click on the body open its
//! window, attached to this daemon. logind's sleep and resume signals make
//! it re-evaluate at once. When an
//! MFA code is needed and stdin is a terminal, it asks for one there (on a
//! thread of its own: the renewals go on meanwhile); a code can always be
//! given with `leasekeeper mfa` too.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_engine::doctor::Finding;
use leasekeeper_engine::keeper::{EngineEvent, Input, NoticeAction};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::Report;
use leasekeeper_host::keeper::home_lock::KeeperLockError;
use leasekeeper_host::keeper::mfa_prompt::{MfaPrompter, Terminal};
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::notify::{Click, Desktop, Notifications, Offer};
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_service::ops::sign_in_notified::{Running, sign_in_notified};
use leasekeeper_service::ops::{Target, doctor};
use leasekeeper_service::{self as service, Environment, KeeperShell, RunError};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::exit;
use crate::home::Home;
use crate::runtime::runtime;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    leasekeeper_host::logging::init_or("info");
    let environment = Environment::process();
    let mut shell = DaemonShell {
        paths: home.paths.clone(),
        environment: environment.clone(),
        notifications: None,
        prompter: None,
    };
    let ran = runtime()?.block_on(service::run_keeper(
        &home.paths,
        &environment,
        crate::runtime::shutdown_signal(),
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

/// What the daemon adds: desktop notifications and what their buttons do,
/// and a prompt for MFA codes when stdin is a terminal.
#[derive(Debug)]
struct DaemonShell {
    paths: AwsPaths,
    environment: Environment,
    notifications: Option<Notifications>,
    prompter: Option<MfaPrompter>,
}

impl KeeperShell for DaemonShell {
    fn started(&mut self, env: &SignInEnv, inputs: &UnboundedSender<Input>) {
        let window = window_program();
        let offer = Offer {
            open: window.is_some(),
            sign_in: true,
            enter_code: window.is_some(),
        };
        let (clicks, clicked) = tokio::sync::mpsc::unbounded_channel();
        let runtime = tokio::runtime::Handle::current();
        let notifications = Notifications::spawn(
            &runtime,
            Desktop::default(),
            env.scale.factor(),
            settings_path(|name| std::env::var_os(name)),
            offer,
            clicks,
        );
        runtime.spawn(follow_clicks(
            clicked,
            self.paths.clone(),
            self.environment.clone(),
            notifications.clone(),
            window,
        ));
        self.notifications = Some(notifications);
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

    fn process_warnings(&mut self) -> Option<UnboundedSender<Finding>> {
        let notifications = self.notifications.clone()?;
        let (tell, mut told) = tokio::sync::mpsc::unbounded_channel::<Finding>();
        tokio::spawn(async move {
            while let Some(f) = told.recv().await {
                doctor::notify_process(&notifications, &f);
            }
        });
        Some(tell)
    }
}

/// Carries out the clicks on the daemon's notifications: a sign-in here,
/// the window of the tray app for the rest.
async fn follow_clicks(
    mut clicked: UnboundedReceiver<Click>,
    paths: AwsPaths,
    environment: Environment,
    notifications: Notifications,
    window: Option<std::path::PathBuf>,
) {
    let running = Running::default();
    while let Some(click) = clicked.recv().await {
        match click {
            Click::Action(action @ (NoticeAction::SignIn(_) | NoticeAction::SignInProfile(_))) => {
                let (name, target) = match action {
                    NoticeAction::SignInProfile(p) => (p.clone(), Target::Profile(p)),
                    NoticeAction::SignIn(s) | NoticeAction::EnterCode(s) => {
                        (s.clone(), Target::Session(s))
                    }
                };
                if !running.begin(&name) {
                    tracing::info!(session = name, "a sign-in to it already runs");
                    continue;
                }
                tracing::info!(session = name, "signing in, as the notification asked");
                let (paths, environment) = (paths.clone(), environment.clone());
                let (notifications, running) = (notifications.clone(), running.clone());
                tokio::spawn(async move {
                    let holder = format!("leasekeeper daemon (pid {})", std::process::id());
                    match sign_in_notified(target, &paths, &environment, &notifications, holder)
                        .await
                    {
                        Ok(signed) => {
                            tracing::info!(session = signed, "signed in from the notification");
                        }
                        Err(why) => tracing::warn!(session = name, "sign-in failed: {why}"),
                    }
                    running.end(&name);
                });
            }
            Click::Action(NoticeAction::EnterCode(_)) | Click::Open => {
                if let Some(program) = &window {
                    open_window(program, &paths);
                }
            }
        }
    }
}

/// The tray app beside this program, whose `--window` is the window.
fn window_program() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let tray = exe.with_file_name("leasekeeper-tray");
    tray.is_file().then_some(tray)
}

/// Starts the window process on this daemon's AWS files (it attaches to
/// this daemon over its socket, or raises the window already open).
fn open_window(program: &std::path::Path, paths: &AwsPaths) {
    let started = std::process::Command::new(program)
        .arg("--window")
        .env("AWS_CONFIG_FILE", &paths.config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &paths.credentials)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn();
    match started {
        Ok(mut child) => {
            tracing::info!(pid = child.id(), "window process started");
            // Reaped when it ends, so no zombie stays behind.
            std::thread::spawn(move || child.wait());
        }
        Err(e) => tracing::warn!(error = %e, "cannot start the window"),
    }
}
