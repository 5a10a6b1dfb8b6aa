//! The Leasekeeper window: every lease with a live countdown, sign-in and
//! sign-out, settings. It runs in a process of its own
//! (`leasekeeper-tray --window`, started by the tray on "Open Leasekeeper",
//! a second launch, a notification's action or a desktop without a tray),
//! which ends when the window closes, and every WebKit process with it; the
//! tray never starts a webview. The window reaches the keeper only over its
//! socket, as every other client does ([`follow`]), and performs what a
//! person asks through [`leasekeeper_service::ops`].
//!
//! - [`process`]: the window process: one per session (`dev.leasekeeper.Window`
//!   on the session bus; a second one raises the first and ends).
//! - [`follow`]: the keeper's view and events over its socket; when the
//!   keeper stops or the settings move it, the window says so and
//!   reconnects.
//! - [`dto`]: every command's input and output and every event's payload;
//!   nothing secret can be expressed in them.
//! - [`commands`]: the window's commands, each one call and a conversion.
//! - [`view`], [`settings`], [`aws_env`], [`signin`], [`mfa`], [`hints`]:
//!   what the commands turn into a call of [`leasekeeper_service::ops`] and
//!   what they render.
//! - [`portal`]: the first run's way from an access portal to profiles
//!   (commands and payloads of their own).
//!
//! Everything the window receives leaves through [`Shared::emit`] or a
//! command's answer; with `LEASEKEEPER_IPC_LOG` set, each payload is also
//! appended to that file as one JSON line (the tests read it to prove no
//! secret reaches the webview).

pub mod aws_env;
pub mod commands;
pub mod dto;
pub mod error;
pub mod follow;
pub mod hints;
pub mod mfa;
pub mod portal;
pub mod process;
pub mod settings;
pub mod signin;
pub mod view;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use leasekeeper_engine::keeper::EngineEvent;
use leasekeeper_engine::menu::KeeperLine;
use leasekeeper_host::socket::ProfileView;
use leasekeeper_service::Environment;
use serde::Serialize;
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime, WebviewUrl, WebviewWindowBuilder};

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
    emit: Emitter,
    ipc_log: Option<PathBuf>,
    inner: Mutex<Inner>,
    /// When the window's state was made (the process's start, near enough).
    pub started: std::time::Instant,
    /// The page has painted its first list.
    pub painted: std::sync::atomic::AtomicBool,
    /// What `doctor` finds, for the Problems section.
    pub findings: leasekeeper_service::ops::doctor::RecentFindings,
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
    /// Each managed profile's renewal as the keeper last told it.
    pub renewals: BTreeMap<String, ProfileView>,
    pub attached_pid: Option<u32>,
    /// The keeper the window follows, as far as it knows.
    pub keeper: Link,
    /// Running sign-ins by session, to cancel them.
    pub sign_ins: HashMap<String, tokio::task::AbortHandle>,
    /// The address a device-code or no-browser sign-in asked to open.
    pub addresses: HashMap<String, String>,
    /// A renewal changed since the window was last told.
    pub dirty: bool,
    /// When the window was last told to fetch its view.
    pub told: Option<std::time::Instant>,
    /// What each session gave when last listed, to choose from.
    pub listings: HashMap<String, leasekeeper_service::ops::available::Listed>,
    /// The roles of this session to choose from, as asked when the window
    /// was opened (the tray's "Add profiles from <session>…"): handed to
    /// the page once, with its next view.
    pub add_profiles: Option<String>,
}

/// The window's link to the keeper of its AWS files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Link {
    /// Not asked yet.
    #[default]
    Connecting,
    /// A keeper answers: its pid and program.
    Connected { pid: u32, program: Option<String> },
    /// None answers (it stopped, or the settings moved to other files
    /// where none runs yet): said in the window, asked again.
    Lost,
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

    /// The window was opened to add profiles from `session`: the page
    /// is told to fetch its view, which says so once.
    pub fn request(&self, session: Option<&str>) {
        if let Some(session) = session.filter(|s| !s.is_empty()) {
            self.locked().add_profiles = Some(session.to_owned());
            self.emit(dto::VIEW_CHANGED, &());
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
}

/// Puts the window's state into the app; called once at start.
pub fn manage<R: Runtime>(
    app: &AppHandle<R>,
    home: &Home,
    base: &Environment,
    scale: f64,
    runtime: &tokio::runtime::Handle,
) -> Arc<Shared> {
    let handle = app.clone();
    let shared = Shared {
        base: base.clone(),
        home: RwLock::new(home.clone()),
        scale,
        runtime: runtime.clone(),
        emit: Box::new(move |name, value| {
            if handle.get_webview_window(LABEL).is_some() {
                if let Err(e) = handle.emit_to(LABEL, name, value) {
                    tracing::debug!(error = %e, "cannot send an event to the window");
                }
            }
        }),
        ipc_log: base.var(IPC_LOG_ENV).map(PathBuf::from),
        inner: Mutex::new(Inner::default()),
        started: std::time::Instant::now(),
        painted: std::sync::atomic::AtomicBool::new(false),
        findings: Default::default(),
    };
    let shared = Arc::new(shared);
    app.manage(shared.clone());
    shared
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

/// Tells the window (if open) to fetch its view again when something
/// changed, or when it last did [`RETELL_AFTER`] ago (what changes without
/// an event: files other tools write, thresholds). Only what changed: a
/// thousand rows are not rebuilt every tick.
pub fn retell<R: Runtime>(app: &AppHandle<R>, shared: &Shared) {
    let tell = {
        let mut inner = shared.locked();
        let stale = inner.told.is_none_or(|t| t.elapsed() >= RETELL_AFTER);
        let open = app.get_webview_window(LABEL).is_some();
        let tell = open && (inner.dirty || stale);
        if tell {
            inner.dirty = false;
            inner.told = Some(std::time::Instant::now());
        }
        tell
    };
    if tell {
        tracing::debug!("the window is told its view changed");
        shared.emit(dto::VIEW_CHANGED, &());
    }
}

/// The home the window shows changed (the settings' `[aws]` table); when it
/// `moved` to other AWS files or another connection, what the old keeper
/// said is gone.
pub fn rehomed(shared: &Shared, home: &Home, moved: bool) {
    *shared.home.write().unwrap_or_else(|p| p.into_inner()) = home.clone();
    let mut inner = shared.locked();
    if moved {
        inner.lines.clear();
        inner.renewals.clear();
        inner.attached_pid = None;
        inner.keeper = Link::Connecting;
    }
    inner.dirty = true;
}

/// A keeper answered: its renewals replace what the window knew.
pub fn connected(
    shared: &Shared,
    link: Link,
    lines: BTreeMap<String, KeeperLine>,
    renewals: BTreeMap<String, ProfileView>,
) {
    let mut inner = shared.locked();
    inner.attached_pid = match &link {
        // The tray keeps the home as the window's own app did: no banner.
        Link::Connected { pid, program } if program.as_deref() != Some(TRAY_PROGRAM) => Some(*pid),
        _ => None,
    };
    inner.keeper = link;
    inner.lines = lines;
    inner.renewals = renewals;
    inner.dirty = true;
}

/// No keeper answers (any more): said in the window.
pub fn lost(shared: &Shared) {
    let mut inner = shared.locked();
    if inner.keeper != Link::Lost {
        inner.keeper = Link::Lost;
        inner.attached_pid = None;
        inner.dirty = true;
    }
}

/// Each event of the keeper the window follows.
pub fn engine_event(shared: &Shared, event: &EngineEvent) {
    let mut inner = shared.locked();
    if let Some(line) = leasekeeper_service::ops::attach::line_of_event(event) {
        inner.lines.insert(line.profile.clone(), line);
        inner.dirty = true;
    }
    if let EngineEvent::LeaseChanged { renewal } = event {
        inner
            .renewals
            .insert(renewal.profile.clone(), ProfileView::from(renewal));
        inner.dirty = true;
    }
}

/// The tray's program name, as its keeper says `hello`.
pub const TRAY_PROGRAM: &str = "leasekeeper-tray";
