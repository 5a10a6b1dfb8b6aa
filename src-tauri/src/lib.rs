//! The Leasekeeper tray app: a thin shell over the engine, host and AWS
//! crates. The tray icon follows the worst lease; on Linux the menu is the
//! whole interface (leases by sign-in session, sign-ins, Refresh all, Open
//! Leasekeeper, Quit); what needs the person also comes as a desktop
//! notification. The window runs in a process of its own
//! (`leasekeeper-tray --window`): this process never starts a webview.
//!
//! - [`args`]: the command line (`--demo`, `--speed`, `--open-window`,
//!   `--window`).
//! - [`single`]: one tray and one window process per session
//!   (`dev.leasekeeper.Tray`, `dev.leasekeeper.Window` on the session
//!   bus); a second launch hands over to the first.
//! - [`launch`]: the tray starts the window process and ends it on Quit.
//! - [`home`]: the AWS files, CA bundle and proxy it looks after: its
//!   environment, with the settings' `[aws]` table winning.
//! - [`keeper`]: this app is the keeper of its AWS home, or a client of
//!   the `leasekeeper daemon` that is.
//! - [`controller`]: the loop that turns files, keeper events and clicks
//!   into the menu, the icon, notifications and actions.
//! - [`menu`]: the native menu and icon from the engine's
//!   [`leasekeeper_engine::menu::MenuModel`].
//! - [`notify`], [`signin`], [`trayhost`], [`demo`]: notifications with
//!   actions, sign-in from a click, tray host detection, the demo world.
//! - [`window`]: the window process: the webview, its commands, and its
//!   link to the keeper over the socket.

pub mod args;
pub mod console;
pub mod controller;
pub mod demo;
pub mod keeper;
pub mod launch;
pub mod menu;
pub mod notify;
pub mod signin;
pub mod single;
pub mod trayhost;
pub mod window;

#[cfg(test)]
mod smoke;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use clap::Parser as _;
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_service::Environment;
use tauri::{App, AppHandle, Context, Manager, RunEvent, Runtime};

use crate::controller::Controller;

/// The tray icon's id. Its StatusNotifierItem is at
/// `/org/ayatana/NotificationItem/tray_icon_tray_app_leasekeeper`:
/// libayatana derives the path from tray-icon's indicator name.
pub const TRAY_ID: &str = "leasekeeper";

/// Ends the event loop once Quit has stopped everything.
pub type ExitHook<R> = Box<dyn Fn(&AppHandle<R>) + Send + Sync>;

/// How the app is started.
pub struct Options<R: Runtime> {
    /// The AWS files to look after.
    pub paths: AwsPaths,
    /// The environment the keeper reads (the demo's overrides).
    pub env: Environment,
    /// Show a tray icon (the mock runtime has no tray).
    pub tray: bool,
    /// Send desktop notifications and look for a tray host.
    pub desktop: bool,
    /// Ends the event loop once Quit has stopped everything.
    pub exit: ExitHook<R>,
    /// The async runtime everything runs on.
    pub runtime: tokio::runtime::Handle,
}

impl<R: Runtime> std::fmt::Debug for Options<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("paths", &self.paths)
            .field("tray", &self.tray)
            .field("desktop", &self.desktop)
            .finish_non_exhaustive()
    }
}

/// Set once Quit was chosen: from then on the app may exit.
#[derive(Debug, Default, Clone)]
pub struct Quitting(Arc<AtomicBool>);

impl Quitting {
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Builds the app on `builder` and starts the tray, the keeper and the
/// controller. Generic over the runtime so a test runs it on the mock one.
pub fn run_app<R: Runtime>(
    builder: tauri::Builder<R>,
    context: Context<R>,
    options: Options<R>,
) -> anyhow::Result<App<R>> {
    let app = builder
        .build(context)
        .context("cannot start the desktop app")?;
    app.manage(Quitting::default());
    Controller::start(app.handle(), options)?;
    Ok(app)
}

/// What the event loop does with the app's events: closing the last window
/// never quits (the tray stays); only Quit does.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: RunEvent) {
    if let RunEvent::ExitRequested { code, api, .. } = event {
        let quitting = app.state::<Quitting>().get();
        if code.is_none() && !quitting {
            api.prevent_exit();
        }
    }
}

/// The async runtime (two workers) that is also Tauri's, for the tray and
/// the window process alike.
pub fn app_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    tauri::async_runtime::set(runtime.handle().clone());
    Ok(runtime)
}

/// The app's configuration, icons and front end, embedded once for the
/// tray and the window process alike.
pub fn context() -> Context<tauri::Wry> {
    tauri::generate_context!()
}

/// Runs the tray app: `main` calls this and nothing else.
pub fn run() -> ExitCode {
    let args = args::Args::parse();
    leasekeeper_host::logging::init_or("info");
    match run_with(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("leasekeeper-tray: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_with(args: args::Args) -> anyhow::Result<ExitCode> {
    if args.demo {
        return demo::run(args.speed);
    }
    if args.window {
        return window::process::run(args.add_profiles.as_deref());
    }
    let runtime = app_runtime()?;
    // One instance per session: a second launch hands over and ends.
    let instance = match runtime.block_on(single::claim())? {
        single::Claim::Ours(instance) => instance,
        single::Claim::HandedOver => {
            tracing::info!("Leasekeeper already runs in this session: it was asked to show itself");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let env = Environment::process();
    let paths = AwsPaths::from_env(env.lookup()).context("cannot find the AWS files")?;
    let options = Options {
        paths,
        env,
        tray: true,
        desktop: true,
        exit: Box::new(|app: &AppHandle| app.exit(0)),
        runtime: runtime.handle().clone(),
    };
    let app = run_app(tauri::Builder::default(), context(), options)?;
    let ctl = app.state::<controller::Ctl>().inner().clone();
    if let Some(instance) = &instance {
        let ctl = ctl.clone();
        instance.on_call(move |_| ctl.send(controller::Msg::Activate));
    }
    if args.open_window {
        ctl.send(controller::Msg::Activate);
    }
    let code = app.run_return(on_event);
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    Ok(u8::try_from(code).map_or(ExitCode::FAILURE, ExitCode::from))
}
