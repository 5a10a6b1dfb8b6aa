//! The Leasekeeper window: every lease with a live countdown, sign-in and
//! sign-out, settings. It is created on demand ("Open Leasekeeper", a
//! second launch, or a desktop without a tray) and destroyed when closed,
//! so no WebKit web process idles behind the tray.
//!
//! - [`dto`]: every command's input and output and every event's payload;
//!   nothing secret can be expressed in them.
//! - [`commands`]: the window's commands, each one call and a conversion.
//! - [`view`], [`settings`], [`aws_env`], [`signin`], [`mfa`], [`hints`]:
//!   what the commands turn into a call of [`leasekeeper_service::ops`] and
//!   what they render.
//!
//! Everything the window receives leaves through [`Shared::emit`] or a
//! command's answer; with `LEASEKEEPER_IPC_LOG` set, each payload is also
//! appended to that file as one JSON line (the tests read it to prove no
//! secret reaches the webview).

pub mod aws_env;
pub mod commands;
pub mod dto;
pub mod error;
pub mod hints;
pub mod mfa;
pub mod settings;
pub mod signin;
pub mod view;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use leasekeeper_engine::keeper::{EngineEvent, ProfileRenewal};
use leasekeeper_engine::menu::KeeperLine;
use leasekeeper_service::Environment;
use serde::Serialize;
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime, WebviewUrl, WebviewWindowBuilder};
use tokio::sync::mpsc;

use crate::controller::Msg;
use dto::SignInEvent;
use leasekeeper_service::ops::settings::Home;

/// The window's label.
pub const LABEL: &str = "main";
/// Where each payload sent to the window is recorded, when set.
pub const IPC_LOG_ENV: &str = "LEASEKEEPER_IPC_LOG";

/// Sends an event (name, payload) to the window, if it is open.
type Emitter = Box<dyn Fn(&str, serde_json::Value) + Send + Sync>;

/// What the window's commands work with: the app's AWS home and what the
/// keeper last said. Kept in the app's state as `Arc<Shared>`.
pub struct Shared {
    /// The app's own environment, before the settings' `[aws]` table.
    base: Environment,
    /// The AWS files and environment in use; replaced when the settings
    /// name others.
    home: RwLock<Home>,
    pub scale: f64,
    pub runtime: tokio::runtime::Handle,
    controller: mpsc::UnboundedSender<Msg>,
    emit: Emitter,
    ipc_log: Option<PathBuf>,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

/// What changes while the app runs.
#[derive(Debug, Default)]
pub struct Inner {
    pub lines: BTreeMap<String, KeeperLine>,
    pub renewals: BTreeMap<String, ProfileRenewal>,
    pub attached_pid: Option<u32>,
    /// Running sign-ins by session, to cancel them.
    pub sign_ins: HashMap<String, tokio::task::AbortHandle>,
    /// The address a device-code or no-browser sign-in asked to open.
    pub addresses: HashMap<String, String>,
    /// A renewal changed since the window was last told.
    pub dirty: bool,
    /// When the window was last told to fetch its view.
    pub told: Option<std::time::Instant>,
}

/// The longest an open window goes without fetching its view again, for
/// what changes without an event (files other tools write, thresholds).
pub const RETELL_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

impl Shared {
    pub fn locked(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The AWS files and environment in use now.
    pub fn home(&self) -> Home {
        self.home.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The app's own environment (where the settings file is, what a
    /// variable said before the settings' `[aws]` table).
    pub fn base(&self) -> &Environment {
        &self.base
    }

    /// Sends `payload` to the window as event `name`.
    pub fn emit<T: Serialize>(&self, name: &str, payload: &T) {
        match serde_json::to_value(payload) {
            Ok(value) => {
                self.record(name, &value);
                (self.emit)(name, value);
            }
            Err(e) => tracing::warn!(error = %e, event = name, "cannot encode an event"),
        }
    }

    /// Records a command's answer before it goes to the window.
    pub fn reply<T: Serialize, E: Serialize>(
        &self,
        command: &str,
        r: Result<T, E>,
    ) -> Result<T, E> {
        if self.ipc_log.is_some() {
            let value = match &r {
                Ok(v) => serde_json::to_value(v),
                Err(e) => serde_json::to_value(e),
            };
            if let Ok(value) = value {
                self.record(command, &value);
            }
        }
        r
    }

    fn record(&self, name: &str, value: &serde_json::Value) {
        let Some(path) = &self.ipc_log else { return };
        let line = serde_json::json!({ "name": name, "payload": value }).to_string();
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(path).and_then(|mut f| writeln!(f, "{line}"));
        if let Err(e) = written {
            tracing::warn!(error = %e, "cannot record an IPC payload");
        }
    }

    fn sign_in_event(&self, event: &SignInEvent) {
        self.emit(dto::SIGN_IN, event);
    }

    fn remember_address(&self, session: &str, url: &str) {
        self.locked()
            .addresses
            .insert(session.to_owned(), url.to_owned());
    }

    /// Tells the controller a sign-in ended (it notifies and refreshes).
    fn sign_in_ended(&self, ended: crate::signin::Ended) {
        // The controller ends only when the app does.
        let _ = self.controller.send(Msg::SignInEnded(ended));
    }
}

/// Puts the window's state into the app; called once at start.
pub fn manage<R: Runtime>(
    app: &AppHandle<R>,
    home: &Home,
    base: &Environment,
    scale: f64,
    runtime: &tokio::runtime::Handle,
    controller: mpsc::UnboundedSender<Msg>,
) {
    let handle = app.clone();
    let shared = Shared {
        base: base.clone(),
        home: RwLock::new(home.clone()),
        scale,
        runtime: runtime.clone(),
        controller,
        emit: Box::new(move |name, value| {
            if handle.get_webview_window(LABEL).is_some() {
                if let Err(e) = handle.emit_to(LABEL, name, value) {
                    tracing::debug!(error = %e, "cannot send an event to the window");
                }
            }
        }),
        ipc_log: base.var(IPC_LOG_ENV).map(PathBuf::from),
        inner: Mutex::new(Inner::default()),
    };
    app.manage(Arc::new(shared));
}

/// Opens the window, or brings it to the front when it is open.
pub fn open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(LABEL) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    let window = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title("Leasekeeper")
        .inner_size(980.0, 700.0)
        .min_inner_size(560.0, 420.0)
        .visible(true)
        .build()?;
    tracing::info!(label = window.label(), "window opened");
    Ok(())
}

/// The controller's hook after every refresh: what the keeper said, and a
/// nudge to the window (if open) to fetch its view again.
pub fn refreshed<R: Runtime>(
    app: &AppHandle<R>,
    lines: &BTreeMap<String, KeeperLine>,
    attached_pid: Option<u32>,
) {
    let Some(shared) = app.try_state::<Arc<Shared>>() else {
        return;
    };
    let tell = {
        let mut inner = shared.locked();
        let changed = inner.dirty || inner.lines != *lines || inner.attached_pid != attached_pid;
        let stale = inner.told.is_none_or(|t| t.elapsed() >= RETELL_AFTER);
        inner.lines.clone_from(lines);
        inner.attached_pid = attached_pid;
        let open = app.get_webview_window(LABEL).is_some();
        if open && (changed || stale) {
            inner.dirty = false;
            inner.told = Some(std::time::Instant::now());
        }
        open && (changed || stale)
    };
    // Only what changed: a thousand rows are not rebuilt every tick.
    if tell {
        shared.emit(dto::VIEW_CHANGED, &());
    }
}

/// The controller's hook when the settings' `[aws]` table changed: the
/// home the window shows, and when the app `moved` to other AWS files or
/// another connection, what the old keeper said is gone. The window is told.
pub fn rehomed<R: Runtime>(app: &AppHandle<R>, home: &Home, moved: bool) {
    let Some(shared) = app.try_state::<Arc<Shared>>() else {
        return;
    };
    *shared.home.write().unwrap_or_else(|p| p.into_inner()) = home.clone();
    {
        let mut inner = shared.locked();
        if moved {
            inner.lines.clear();
            inner.renewals.clear();
            inner.attached_pid = None;
        }
        inner.dirty = true;
    }
    if app.get_webview_window(LABEL).is_some() {
        shared.emit(dto::VIEW_CHANGED, &());
    }
}

/// The controller's hook for each event of this app's keeper.
pub fn engine_event<R: Runtime>(app: &AppHandle<R>, event: &EngineEvent) {
    if let (Some(shared), EngineEvent::LeaseChanged { renewal }) =
        (app.try_state::<Arc<Shared>>(), event)
    {
        let mut inner = shared.locked();
        inner
            .renewals
            .insert(renewal.profile.clone(), renewal.clone());
        inner.dirty = true;
    }
}
