//! The window process: `leasekeeper-tray --window`. One per session (a
//! second raises the first and ends, [`crate::single::claim_window`]); it
//! shows the window at once, follows the keeper over its socket
//! ([`super::follow`]) and ends when the window closes, taking every WebKit
//! process it started with it. It never keeps a lease itself: if no keeper
//! runs, it says so and waits for one.

use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_engine::settings::AwsEnvSettings;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::settings::tray as homes;
use tauri::{Manager as _, RunEvent};

use crate::single::{self, Claim};

/// Runs the window until it closes.
pub fn run(add_profiles: Option<&str>) -> anyhow::Result<ExitCode> {
    let runtime = crate::app_runtime()?;
    let instance = match runtime.block_on(single::claim_window(add_profiles))? {
        Claim::Ours(instance) => instance,
        Claim::HandedOver => {
            tracing::info!("the window is open already: it was raised");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let base = Environment::process();
    // A settings file mid-edit: the environment as it is, until it reads.
    let home = match homes::tray_environment(&base)? {
        Some(home) => home,
        None => homes::home(&base, &AwsEnvSettings::default())?,
    };
    let scale = home
        .sign_in_env()
        .context("cannot read the environment")?
        .scale
        .factor();
    let app = tauri::Builder::default()
        .invoke_handler(super::commands::handler())
        .build(crate::context())
        .context("cannot start the window")?;
    let shared = super::manage(app.handle(), &home, &base, scale, runtime.handle());
    shared.request(add_profiles);
    if let Some(instance) = &instance {
        let handle = app.handle().clone();
        let asked = shared.clone();
        instance.on_call(move |request| {
            if !request.is_empty() {
                asked.request(Some(request));
            }
            if let Err(e) = super::open(&handle) {
                tracing::warn!(error = %e, "cannot raise the window");
            }
        });
    }
    super::open(app.handle()).context("cannot open the window")?;
    runtime.spawn(super::follow::run(app.handle().clone(), shared));
    let code = app.run_return(|app, event| {
        if let RunEvent::WindowEvent {
            event: tauri::WindowEvent::Destroyed,
            ..
        } = event
        {
            if app.webview_windows().is_empty() {
                tracing::info!("window closed");
                app.exit(0);
            }
        }
    });
    drop(instance);
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(u8::try_from(code).map_or(ExitCode::FAILURE, ExitCode::from))
}
