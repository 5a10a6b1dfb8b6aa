//! The controller: one loop on a thread of its own that owns the menu, the
//! notifications and what clicks do. Every minute (divided by the time
//! scale), on every keeper event and after every click it reads the AWS
//! files, computes the leases, lets the engine build the
//! [`MenuModel`] and shows it. One `match` maps each [`MenuId`] to what it
//! does.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use anyhow::Context as _;
use leasekeeper_engine::keeper::EngineEvent;
use leasekeeper_engine::lease::{self, policy::EXPIRING_LEAD};
use leasekeeper_engine::menu::{self, KeeperLine, MenuId, MenuInput, MenuModel};
use leasekeeper_engine::settings::AwsEnvSettings;
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::doctor::RecentFindings;
use leasekeeper_service::ops::snapshot;
use tauri::{AppHandle, Manager as _, Runtime};
use tokio::sync::mpsc;

use crate::keeper::{self, KeeperHandle, Role};
use crate::launch::Windows;
use crate::menu::NativeMenu;
use crate::signin::{self, Ended, Target};
use crate::trayhost::{self, NO_TRAY_SUMMARY};
use crate::{ExitHook, Options, Quitting};
use leasekeeper_host::notify::Notifications;
use leasekeeper_service::ops::settings::tray::{self as home, Home};

/// How often the menu is refreshed at time scale 1.
pub const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// How long Quit waits for the keeper to stop.
pub const STOP_WAIT: Duration = Duration::from_secs(10);

/// What reaches the controller.
#[derive(Debug)]
pub enum Msg {
    /// An event of this app's keeper.
    Engine(EngineEvent),
    /// An event of the daemon this app is attached to.
    Remote(EngineEvent),
    /// The daemon's renewals, all of them.
    View(Vec<KeeperLine>),
    /// Who renews changed.
    Role(Role),
    /// A menu item or a notification action was clicked.
    Click(MenuId),
    /// Another launch asked this one to show itself.
    Activate,
    SignInEnded(Ended),
    /// The settings file changed (the window may have changed its `[aws]`
    /// table): the loop follows it at once.
    SettingsChanged,
    /// A process runs on keys about to lapse (told once per process).
    ProcessAtRisk(Box<leasekeeper_engine::doctor::Finding>),
    /// SIGINT or SIGTERM: quit as from the menu.
    Quit,
}

/// Where the controller takes its messages; kept in the app's state.
#[derive(Debug, Clone)]
pub struct Ctl(pub mpsc::UnboundedSender<Msg>);

impl Ctl {
    pub fn send(&self, msg: Msg) {
        // The controller ends only when the app does.
        let _ = self.0.send(msg);
    }
}

/// The latest menu, for tests and `Activate`.
#[derive(Debug, Default)]
pub struct Shown(pub std::sync::Mutex<Option<(MenuModel, Vec<String>)>>);

pub struct Controller<R: Runtime> {
    app: AppHandle<R>,
    /// The app's own environment, before the settings' `[aws]` table.
    base: Environment,
    /// The `[aws]` settings the home below follows.
    aws: AwsEnvSettings,
    /// The keeper was replaced: what the old one said until the new one
    /// says who renews is dropped.
    stale: bool,
    paths: AwsPaths,
    env: Environment,
    scale: f64,
    runtime: tokio::runtime::Handle,
    tx: mpsc::UnboundedSender<Msg>,
    native: NativeMenu<R>,
    keeper: Option<KeeperHandle>,
    lines: BTreeMap<String, KeeperLine>,
    /// What `doctor` finds, for the menu's problems line.
    findings: RecentFindings,
    role: Option<Role>,
    notices: Notifications,
    signing_in: HashSet<String>,
    exit: ExitHook<R>,
    /// The window processes started from here.
    windows: Windows,
}

impl<R: Runtime> std::fmt::Debug for Controller<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("paths", &self.paths)
            .field("role", &self.role)
            .field("lines", &self.lines.len())
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> Controller<R> {
    /// Builds the tray from the files as they are, starts the keeper and
    /// the loop.
    pub fn start(app: &AppHandle<R>, options: Options<R>) -> anyhow::Result<()> {
        let (tx, rx) = mpsc::unbounded_channel();
        app.manage(Ctl(tx.clone()));
        app.manage(Shown::default());
        let base = options.env.clone();
        // A settings file mid-edit: the environment as it is, until it reads.
        let home = match home::tray_environment(&base)? {
            Some(home) => home,
            None => home::home(&base, &AwsEnvSettings::default())?,
        };
        let sign_env = home.sign_in_env().context("cannot read the environment")?;
        let scale = sign_env.scale.factor();
        let windows = Windows::new(base.clone());
        let findings = RecentFindings::default();
        let model = model_at(
            &home.paths,
            &home.env,
            &BTreeMap::new(),
            None,
            scale,
            &findings,
        );
        let ctl = Ctl(tx.clone());
        let native = NativeMenu::new(app, &model, options.tray, move |_, id| {
            ctl.send(Msg::Click(id));
        })
        .context("cannot build the tray menu")?;
        let notices = if options.desktop {
            let settings =
                leasekeeper_host::keeper::settings_file::settings_path(options.env.lookup());
            crate::notify::spawn(&options.runtime, tx.clone(), scale, settings)
        } else {
            Notifications::none()
        };
        spawn_settings_watch(&options.runtime, &base, tx.clone());
        let keeper = keeper::start(
            home.paths.clone(),
            home.env.clone(),
            &sign_env,
            tx.clone(),
            options.runtime.clone(),
        )?;
        if options.desktop && options.tray {
            let notices = notices.clone();
            let windows = windows.clone();
            options.runtime.spawn(async move {
                // Give a panel that starts with the session a moment.
                tokio::time::sleep(Duration::from_secs(1)).await;
                let host = trayhost::detect().await;
                tracing::info!(?host, "tray host");
                if host.missing() {
                    // No tray to open it from: the window instead.
                    if let Err(e) = windows.open() {
                        tracing::warn!(error = %e, "cannot open the window");
                    }
                    notices.plain(
                        None,
                        NO_TRAY_SUMMARY,
                        "This desktop shows no tray icons (on GNOME, the AppIndicator extension adds them). Leasekeeper keeps running and notifies you when something needs you.",
                    );
                }
            });
        }
        spawn_signal_handler(&options.runtime, tx.clone());
        let controller = Controller {
            app: app.clone(),
            base,
            aws: home.aws,
            stale: false,
            paths: home.paths,
            env: home.env,
            scale,
            runtime: options.runtime.clone(),
            tx,
            native,
            keeper: Some(keeper),
            lines: BTreeMap::new(),
            findings,
            role: None,
            notices,
            signing_in: HashSet::new(),
            exit: options.exit,
            windows,
        };
        controller.publish(&model);
        let runtime = options.runtime;
        std::thread::Builder::new()
            .name("controller".into())
            .spawn(move || runtime.block_on(controller.run(rx)))
            .context("cannot start the controller")?;
        Ok(())
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Msg>) {
        let every = REFRESH_EVERY.div_f64(self.scale.max(f64::MIN_POSITIVE));
        loop {
            let msg = tokio::select! {
                msg = rx.recv() => msg,
                () = tokio::time::sleep(every) => None,
            };
            let mut pending: Vec<Msg> = msg.into_iter().collect();
            while let Ok(more) = rx.try_recv() {
                pending.push(more);
            }
            for msg in pending {
                if matches!(msg, Msg::Quit | Msg::Click(MenuId::Quit)) {
                    self.quit();
                    return;
                }
                self.handle(msg);
            }
            self.refresh();
        }
    }

    fn handle(&mut self, msg: Msg) {
        if self.stale && matches!(msg, Msg::Engine(_) | Msg::Remote(_) | Msg::View(_)) {
            return;
        }
        match msg {
            Msg::Engine(event) => {
                if let Some(line) = keeper::line_of_event(&event) {
                    self.lines.insert(line.profile.clone(), line);
                }
                self.notices.event(&event);
            }
            Msg::Remote(event) => {
                // The daemon notifies by itself: only the menu follows.
                if let Some(line) = keeper::line_of_event(&event) {
                    self.lines.insert(line.profile.clone(), line);
                }
            }
            Msg::View(lines) => {
                self.lines = lines.into_iter().map(|l| (l.profile.clone(), l)).collect();
            }
            Msg::Role(role) => {
                self.stale = false;
                if self.role != Some(role) {
                    self.lines.clear();
                }
                self.role = Some(role);
            }
            Msg::Click(id) => self.click(id),
            Msg::Activate => self.click(MenuId::Open),
            Msg::ProcessAtRisk(finding) => {
                leasekeeper_service::ops::doctor::notify_process(&self.notices, &finding);
                self.findings.invalidate();
                self.refresh();
            }
            Msg::SignInEnded(ended) => {
                // Its end was told in a notification by the sign-in itself.
                self.signing_in.remove(ended.target.name());
                if let Err(why) = &ended.result {
                    tracing::warn!(target = ended.target.name(), "sign-in failed: {why}");
                }
            }
            // The loop follows the settings after every message.
            Msg::SettingsChanged | Msg::Quit => {}
        }
    }

    /// Starts the keeper again on other AWS files or with another CA bundle
    /// or proxy when the settings' `[aws]` table says so. A file that cannot
    /// be read or is mid-edit changes nothing; a new spelling of the same
    /// files only updates what the window shows.
    fn follow_settings(&mut self) -> Result<(), String> {
        let Some(aws) = home::aws_settings(&self.base) else {
            return Ok(());
        };
        if aws == self.aws {
            return Ok(());
        }
        let current = Home {
            paths: self.paths.clone(),
            env: self.env.clone(),
            aws: self.aws.clone(),
        };
        self.aws = aws.clone();
        let home = home::home(&self.base, &aws).map_err(|e| {
            tracing::warn!(error = %e, "the settings name AWS files that cannot be used");
            e.to_string()
        })?;
        if current.same_connection(&home) {
            self.env = home.env;
            return Ok(());
        }
        tracing::info!(
            config = %home.paths.config.display(),
            credentials = %home.paths.credentials.display(),
            proxy = ?home.env.proxy(),
            "the settings changed the AWS files or connection: the keeper starts again"
        );
        if let Some(keeper) = self.keeper.take() {
            keeper.stop(STOP_WAIT);
        }
        self.stale = true;
        self.lines.clear();
        self.role = None;
        let sign_env = home.sign_in_env();
        self.paths = home.paths;
        self.env = home.env;
        let started = sign_env.map_err(anyhow::Error::from).and_then(|sign_env| {
            keeper::start(
                self.paths.clone(),
                self.env.clone(),
                &sign_env,
                self.tx.clone(),
                self.runtime.clone(),
            )
        });
        match started {
            Ok(keeper) => {
                self.keeper = Some(keeper);
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the keeper");
                Err(format!("cannot start the keeper: {e:#}"))
            }
        }
    }

    /// What each click does.
    fn click(&mut self, id: MenuId) {
        tracing::info!(item = %id, "clicked");
        match id {
            MenuId::SignIn(session) => self.sign_in(Target::Session(session)),
            MenuId::SignInProfile(profile) => self.sign_in(Target::Profile(profile)),
            MenuId::Lease(profile) => self.show_lease(&profile),
            MenuId::Console(profile) => crate::console::open(
                profile,
                self.paths.clone(),
                self.env.clone(),
                self.notices.clone(),
                self.runtime.clone(),
            ),
            MenuId::AddProfiles(session) => {
                if let Err(e) = self.windows.open_to(Some(&session)) {
                    tracing::warn!(error = %e, "cannot open the window");
                }
            }
            MenuId::More | MenuId::Open | MenuId::Problems => {
                if let Err(e) = self.windows.open() {
                    tracing::warn!(error = %e, "cannot open the window");
                    self.show_status();
                }
            }
            MenuId::RefreshAll => {
                if let Some(k) = &self.keeper {
                    k.refresh_all();
                }
            }
            // Handled by the loop before it gets here.
            MenuId::Quit => {}
        }
    }

    fn sign_in(&mut self, target: Target) {
        if !self.signing_in.insert(target.name().to_owned()) {
            self.notices.plain(
                Some(&format!("sign-in-running:{}", target.name())),
                format!("Sign in to {}", target.name()),
                "A sign-in is already waiting for you in your browser.",
            );
            return;
        }
        signin::start(
            target,
            self.paths.clone(),
            self.env.clone(),
            self.notices.clone(),
            self.tx.clone(),
            self.runtime.clone(),
        );
    }

    /// Until the window exists: the status in a notification.
    fn show_status(&self) {
        let model = self.model();
        let mut body: Vec<String> = model.attached.iter().cloned().collect();
        for g in &model.groups {
            let lines: Vec<&str> = g.lines.iter().map(|l| l.label.as_str()).collect();
            body.push(format!("{}: {}", g.header, lines.join(", ")));
        }
        if let Some(more) = &model.more {
            body.push(more.clone());
        }
        self.notices.plain(
            Some("status"),
            format!("Leasekeeper: {}", model.summary),
            body.join("\n"),
        );
    }

    fn show_lease(&self, profile: &str) {
        // Read as the menu reads the files, session estimates included.
        let moment = snapshot::Moment::scaled(self.scale);
        let lease = snapshot::lease(&self.paths, &self.env, moment, profile);
        let mut body = vec![
            lease.description.clone(),
            format!("state: {}", lease.state.as_str()),
        ];
        body.extend(lease.errors.iter().map(|e| e.message.clone()));
        self.notices
            .plain(Some(&format!("lease:{profile}")), profile, body.join("\n"));
    }

    fn model(&self) -> MenuModel {
        let pid = match self.role {
            Some(Role::Attached { pid }) => Some(pid),
            _ => None,
        };
        model_at(
            &self.paths,
            &self.env,
            &self.lines,
            pid,
            self.scale,
            &self.findings,
        )
    }

    fn refresh(&mut self) {
        if let Err(e) = self.follow_settings() {
            tracing::warn!(error = %e, "the settings' AWS files are not followed");
        }
        let model = self.model();
        if let Err(e) = self.native.show(&model) {
            tracing::warn!(error = %e, "cannot update the tray menu");
        }
        self.publish(&model);
    }

    fn publish(&self, model: &MenuModel) {
        let shown = self.app.state::<Shown>();
        if let Ok(mut s) = shown.0.lock() {
            *s = Some((model.clone(), self.native.labels()));
        }
    }

    /// Stops the keeper (its sections go if the settings say so), then the app.
    fn quit(&mut self) {
        tracing::info!("quitting");
        self.app.state::<Quitting>().set();
        self.windows.close_all();
        if let Some(keeper) = self.keeper.take() {
            keeper.stop(STOP_WAIT);
        }
        (self.exit)(&self.app);
    }
}

/// The menu for the files at `paths` now.
fn model_at(
    paths: &AwsPaths,
    env: &Environment,
    lines: &BTreeMap<String, KeeperLine>,
    attached_pid: Option<u32>,
    scale: f64,
    findings: &RecentFindings,
) -> MenuModel {
    let shown = snapshot::snapshot(paths, env, snapshot::Moment::scaled(scale));
    let (now, leases) = (shown.now, lease::leases(&shown.snapshot, shown.now));
    let keeper: Vec<KeeperLine> = lines.values().cloned().collect();
    let mut model = menu::build(&MenuInput {
        leases: &leases,
        keeper: &keeper,
        now,
        expiring_lead: EXPIRING_LEAD / scale,
        attached_pid,
        limit: menu::DEFAULT_LIMIT,
    });
    // Sessions signed in: one waiting for a sign-in offers that first.
    let sessions: Vec<String> = shown
        .snapshot
        .set
        .sso_sessions
        .keys()
        .filter(|s| {
            !model
                .sign_ins
                .iter()
                .any(|i| i.id == MenuId::SignIn((*s).clone()))
        })
        .cloned()
        .collect();
    let new_roles = leasekeeper_service::ops::assignments::pending(paths, env);
    model.add_profiles = menu::add_profiles(&sessions, &new_roles);
    let problems = findings.get(paths, env, scale).len();
    model.problems = (problems > 0).then(|| menu::label::problems(problems));
    model
}

/// How often the settings file is looked at for a change.
const SETTINGS_WATCH: Duration = Duration::from_secs(1);

/// Wakes the loop when the settings file changes (its modification time,
/// size or inode), so a change made in the window is followed within a
/// second rather than at the next refresh.
fn spawn_settings_watch(
    runtime: &tokio::runtime::Handle,
    base: &Environment,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let Some(path) = leasekeeper_host::keeper::settings_file::settings_path(base.lookup()) else {
        return;
    };
    runtime.spawn(async move {
        let stamp = leasekeeper_host::keeper::watch::stamp;
        let mut last = stamp(&path);
        loop {
            tokio::time::sleep(SETTINGS_WATCH).await;
            let now = stamp(&path);
            if now != last {
                last = now;
                if tx.send(Msg::SettingsChanged).is_err() {
                    return;
                }
            }
        }
    });
}

/// SIGINT and SIGTERM quit as the menu's Quit does.
fn spawn_signal_handler(runtime: &tokio::runtime::Handle, tx: mpsc::UnboundedSender<Msg>) {
    runtime.spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            tracing::warn!("cannot listen for SIGINT and SIGTERM");
            return;
        };
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        tracing::info!("stopping on a signal");
        let _ = tx.send(Msg::Quit);
    });
}
