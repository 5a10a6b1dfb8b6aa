//! Desktop notifications, the same in the daemon and the tray: the
//! keeper's events go through the engine's [`Announcer`] (one notification
//! per thing the person must do) to a [`NotificationServer`]
//! ([`Desktop`]: `org.freedesktop.Notifications` on the session bus), on a
//! task of their own so the keeper never waits for a server.
//!
//! - A notice on a topic already shown replaces it (`replaces_id`); a topic
//!   nothing waits on any more is withdrawn (`CloseNotification`).
//! - Where the server lists the `actions` capability, a notice carries its
//!   button ("Sign in", "Enter code") when the shell can carry it out
//!   ([`Offer`]), and a click on its body opens the window where there is
//!   one (the `default` action). The click comes back to the shell as a
//!   [`Click`]: the person's click is what may open a browser.
//! - Without actions (or a button the shell cannot carry out) the text
//!   says the command to run.
//! - The text is names, times and messages, never keys or tokens.
//! - `[notifications] enabled = false` in the settings file turns them off
//!   and `after_sleep` the quiet summary after a sleep; the file is read
//!   again for each event, so a change holds at once. The events are still
//!   logged by the caller. A failed notification is logged (the first as a
//!   warning) and never fatal.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt as _;
use leasekeeper_engine::keeper::{Announce, Announcer, EngineEvent, Notice, NoticeAction, Topic};
use leasekeeper_engine::settings::{NotificationSettings, Settings};
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// The application name notifications carry.
pub const APP_NAME: &str = "Leasekeeper";

/// How long one call to the server may take before it counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// The key of the action a click on a notification's body invokes.
pub const DEFAULT_ACTION: &str = "default";

/// One notification as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub summary: String,
    pub body: String,
    pub urgent: bool,
    /// Action keys and labels, in order.
    pub actions: Vec<(String, String)>,
}

/// What the shell can do when a notification is clicked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offer {
    /// Open the window (a click on the body).
    pub open: bool,
    /// Start a sign-in ("Sign in").
    pub sign_in: bool,
    /// Ask for an MFA code ("Enter code").
    pub enter_code: bool,
}

impl Offer {
    fn carries(&self, action: &NoticeAction) -> bool {
        match action {
            NoticeAction::SignIn(_) | NoticeAction::SignInProfile(_) => self.sign_in,
            NoticeAction::EnterCode(_) => self.enter_code,
        }
    }
}

/// A click on one of our notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Click {
    /// Its button.
    Action(NoticeAction),
    /// Its body: open the window.
    Open,
}

/// Why a notification was not shown.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// No session bus, no notification server, or the server refused.
    #[error("cannot show a desktop notification: {0}")]
    Bus(String),
    /// The server did not answer within [`SEND_TIMEOUT`].
    #[error("the notification server did not answer within {0:?}")]
    Timeout(Duration),
}

impl NotifyError {
    /// A stable identifier for logs.
    pub fn code(&self) -> &'static str {
        match self {
            NotifyError::Bus(_) => "notify_bus",
            NotifyError::Timeout(_) => "notify_timeout",
        }
    }
}

/// What a notification server can do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// It shows buttons (`actions`).
    pub actions: bool,
    /// It reads the body as markup (`body-markup`): ours is escaped.
    pub markup: bool,
}

/// A notification server.
pub trait NotificationServer: Send + Sync + 'static {
    /// What it can do (`GetCapabilities`).
    fn capabilities(&self) -> impl Future<Output = Result<Caps, NotifyError>> + Send;
    /// Shows `n`, replacing notification `replaces` (0: none); its id.
    fn notify(
        &self,
        n: &Outgoing,
        replaces: u32,
    ) -> impl Future<Output = Result<u32, NotifyError>> + Send;
    /// Withdraws notification `id`.
    fn close(&self, id: u32) -> impl Future<Output = Result<(), NotifyError>> + Send;
    /// Sends every action invoked on any notification (id, key) to `to`,
    /// until the server goes away.
    fn clicks(
        &self,
        to: mpsc::UnboundedSender<(u32, String)>,
    ) -> impl Future<Output = Result<(), NotifyError>> + Send;
}

/// What goes to the sending task.
#[derive(Debug)]
enum Cmd {
    Event(Box<EngineEvent>),
    SignedIn(String),
    Plain {
        summary: String,
        body: String,
        key: Option<String>,
    },
}

/// Notifications on their way to a server, in order.
#[derive(Debug, Clone)]
pub struct Notifications {
    tx: mpsc::UnboundedSender<Cmd>,
}

impl Notifications {
    /// A sink that drops everything (no desktop).
    pub fn none() -> Notifications {
        let (tx, _) = mpsc::unbounded_channel();
        Notifications { tx }
    }

    /// Starts the sending task on `runtime`. `scale` is the time scale the
    /// durations are spoken in; `settings` the settings file read for each
    /// event; a click on a button in `offer` or on the body comes back on
    /// `clicks`.
    pub fn spawn(
        runtime: &tokio::runtime::Handle,
        server: impl NotificationServer,
        scale: f64,
        settings: Option<PathBuf>,
        offer: Offer,
        clicks: mpsc::UnboundedSender<Click>,
    ) -> Notifications {
        let (tx, rx) = mpsc::unbounded_channel::<Cmd>();
        let task = Task {
            server: std::sync::Arc::new(server),
            announcer: Announcer::new(scale, true),
            settings,
            offer,
            clicks,
            ids: HashMap::new(),
            actions: HashMap::new(),
            caps: None,
            listening: false,
            warned: false,
        };
        runtime.spawn(task.run(rx));
        Notifications { tx }
    }

    /// Tells the person what `event` means for them, if anything.
    pub fn event(&self, event: &EngineEvent) {
        // The task ends only with the runtime; without one nothing is shown.
        let _ = self.tx.send(Cmd::Event(Box::new(event.clone())));
    }

    /// A sign-in to `session` ended well: the notice asking for it goes.
    pub fn signed_in(&self, session: &str) {
        let _ = self.tx.send(Cmd::SignedIn(session.to_owned()));
    }

    /// A notification of the shell's own (a sign-in's progress), replacing
    /// the last one sent with the same `key`.
    pub fn plain(&self, key: Option<&str>, summary: impl Into<String>, body: impl Into<String>) {
        let _ = self.tx.send(Cmd::Plain {
            summary: summary.into(),
            body: body.into(),
            key: key.map(str::to_owned),
        });
    }
}

/// The sending task's state.
struct Task<S> {
    server: std::sync::Arc<S>,
    announcer: Announcer,
    settings: Option<PathBuf>,
    offer: Offer,
    clicks: mpsc::UnboundedSender<Click>,
    /// The server's id of each topic (or plain key) shown.
    ids: HashMap<String, u32>,
    /// What each shown notification's button does, by its id.
    actions: HashMap<u32, Option<NoticeAction>>,
    /// Asked again after a failure.
    caps: Option<Caps>,
    listening: bool,
    warned: bool,
}

impl<S: NotificationServer> Task<S> {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Cmd>) {
        let (click_tx, mut click_rx) = mpsc::unbounded_channel::<(u32, String)>();
        loop {
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(cmd) => self.handle(cmd, &click_tx).await,
                    None => return,
                },
                Some((id, key)) = click_rx.recv() => self.clicked(id, &key),
            }
        }
    }

    async fn handle(&mut self, cmd: Cmd, click_tx: &mpsc::UnboundedSender<(u32, String)>) {
        let settings = read_settings(self.settings.as_deref());
        match cmd {
            Cmd::Event(_) | Cmd::SignedIn(_) => {
                self.announcer.set_after_sleep(settings.after_sleep);
                let out = match cmd {
                    Cmd::Event(event) => self.announcer.event(&event, OffsetDateTime::now_utc()),
                    Cmd::SignedIn(session) => self.announcer.signed_in(&session),
                    Cmd::Plain { .. } => Vec::new(),
                };
                for a in out {
                    match a {
                        Announce::Show(n) if !settings.enabled => {
                            tracing::info!(summary = %n.summary, "notifications are off; not shown");
                        }
                        Announce::Show(n) => {
                            let key = topic_key(&n.topic);
                            self.show(key, &n, click_tx).await;
                        }
                        Announce::Close(topic) => self.close(&topic_key(&topic)).await,
                    }
                }
            }
            Cmd::Plain { summary, body, key } => {
                if !settings.enabled {
                    return;
                }
                let n = Notice {
                    topic: Topic::Other(String::new()),
                    summary,
                    body,
                    urgent: false,
                    action: None,
                };
                let key = key.map_or_else(String::new, |k| format!("plain:{k}"));
                self.show(key, &n, click_tx).await;
            }
        }
    }

    async fn show(
        &mut self,
        key: String,
        n: &Notice,
        click_tx: &mpsc::UnboundedSender<(u32, String)>,
    ) {
        if self.caps.is_none() {
            self.caps = self.server.capabilities().await.ok();
        }
        let caps = self.caps.unwrap_or_default();
        let with_actions = caps.actions;
        if with_actions && !self.listening {
            self.listening = true;
            let server = self.server.clone();
            let to = click_tx.clone();
            tokio::spawn(async move {
                if let Err(e) = server.clicks(to).await {
                    tracing::debug!(code = e.code(), "{e}; notification clicks are not followed");
                }
            });
        }
        let mut out = outgoing(n, self.offer, with_actions);
        if caps.markup {
            out.body = escaped(&out.body);
        }
        let replaces = if key.is_empty() {
            0
        } else {
            self.ids.get(&key).copied().unwrap_or(0)
        };
        match self.server.notify(&out, replaces).await {
            Ok(id) => {
                tracing::debug!(summary = %n.summary, id, replaces, "notification shown");
                if replaces != 0 && replaces != id {
                    self.actions.remove(&replaces);
                }
                if !key.is_empty() {
                    self.ids.insert(key, id);
                }
                let action = n.action.clone().filter(|a| self.offer.carries(a));
                self.actions.insert(id, action);
            }
            Err(e) => {
                // Asked again with the next one.
                self.caps = None;
                if self.warned {
                    tracing::debug!(code = e.code(), "{e}");
                } else {
                    self.warned = true;
                    tracing::warn!(code = e.code(), "{e}; events are logged only");
                }
            }
        }
    }

    async fn close(&mut self, key: &str) {
        let Some(id) = self.ids.remove(key) else {
            return;
        };
        self.actions.remove(&id);
        if let Err(e) = self.server.close(id).await {
            tracing::debug!(code = e.code(), id, "{e}");
        }
    }

    /// A click on notification `id`: only ours, and only the button it carries.
    fn clicked(&mut self, id: u32, key: &str) {
        let Some(action) = self.actions.get(&id) else {
            return;
        };
        let click = if key == DEFAULT_ACTION {
            self.offer.open.then_some(Click::Open)
        } else {
            NoticeAction::parse(key)
                .filter(|a| action.as_ref() == Some(a))
                .map(Click::Action)
        };
        match click {
            Some(click) => {
                tracing::info!(action = %key, "notification action clicked");
                // The shell ends only with the process.
                let _ = self.clicks.send(click);
            }
            None => tracing::debug!(action = %key, "an action that is not ours"),
        }
    }
}

/// What is sent for `n`: its button where the server shows them and the
/// shell carries it out, else the command in the text.
pub fn outgoing(n: &Notice, offer: Offer, with_actions: bool) -> Outgoing {
    let mut body = n.body.clone();
    let mut actions = Vec::new();
    if with_actions && offer.open {
        actions.push((DEFAULT_ACTION.to_owned(), "Open Leasekeeper".to_owned()));
    }
    if let Some(action) = &n.action {
        if with_actions && offer.carries(action) {
            actions.push((action.key(), action.label().to_owned()));
        } else {
            body.push_str(&format!("\nRun: {}", action.command()));
        }
    }
    Outgoing {
        summary: n.summary.clone(),
        body,
        urgent: n.urgent,
        actions,
    }
}

/// `text` for a server that reads markup: shown as it is.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn topic_key(topic: &Topic) -> String {
    match topic {
        Topic::SignIn(s) => format!("sign-in:{s}"),
        Topic::MfaCode(s) => format!("mfa:{s}"),
        Topic::File(s) => format!("file:{s}"),
        Topic::Renewal(s) => format!("renewal:{s}"),
        Topic::OtherKeys(s) => format!("keys:{s}"),
        Topic::Wake => "wake".to_owned(),
        Topic::Other(s) => format!("other:{s}"),
    }
}

/// The `[notifications]` table of the settings file at `settings`: the
/// defaults without a file, or when it cannot be read (the keeper logs its
/// problems).
fn read_settings(settings: Option<&Path>) -> NotificationSettings {
    settings
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map_or_else(
            || Settings::default().notifications,
            |text| Settings::parse(&text).0.notifications,
        )
}

/// Whether the settings file at `settings` leaves notifications on.
pub fn enabled(settings: Option<&Path>) -> bool {
    read_settings(settings).enabled
}

const NOTIFICATIONS: &str = "org.freedesktop.Notifications";
const NOTIFICATIONS_PATH: &str = "/org/freedesktop/Notifications";

/// The desktop's notification server on the session bus
/// (`DBUS_SESSION_BUS_ADDRESS`), over one connection kept for the
/// process (servers send `ActionInvoked` to the connection that asked for
/// the notification).
#[derive(Debug, Default)]
pub struct Desktop {
    conn: tokio::sync::OnceCell<zbus::Connection>,
}

impl Desktop {
    async fn proxy(&self) -> Result<zbus::Proxy<'static>, NotifyError> {
        let conn = self
            .conn
            .get_or_try_init(zbus::Connection::session)
            .await
            .map_err(bus)?;
        zbus::proxy::Builder::new(conn)
            .destination(NOTIFICATIONS)
            .path(NOTIFICATIONS_PATH)
            .interface(NOTIFICATIONS)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .map_err(bus)
    }
}

fn bus(e: zbus::Error) -> NotifyError {
    NotifyError::Bus(e.to_string())
}

async fn timed<T>(f: impl Future<Output = Result<T, NotifyError>>) -> Result<T, NotifyError> {
    tokio::time::timeout(SEND_TIMEOUT, f)
        .await
        .map_err(|_| NotifyError::Timeout(SEND_TIMEOUT))?
}

impl NotificationServer for Desktop {
    async fn capabilities(&self) -> Result<Caps, NotifyError> {
        timed(async {
            let caps: Vec<String> = self
                .proxy()
                .await?
                .call("GetCapabilities", &())
                .await
                .map_err(bus)?;
            Ok(Caps {
                actions: caps.iter().any(|c| c == "actions"),
                markup: caps.iter().any(|c| c == "body-markup"),
            })
        })
        .await
    }

    async fn notify(&self, n: &Outgoing, replaces: u32) -> Result<u32, NotifyError> {
        let actions: Vec<&str> = n
            .actions
            .iter()
            .flat_map(|(k, l)| [k.as_str(), l.as_str()])
            .collect();
        let mut hints: HashMap<&str, zbus::Variant<'_>> = HashMap::new();
        // Urgency: 1 normal, 2 critical.
        hints.insert("urgency", zbus::Variant::U8(if n.urgent { 2 } else { 1 }));
        timed(async {
            self.proxy()
                .await?
                .call(
                    "Notify",
                    &(
                        APP_NAME,
                        replaces,
                        "",
                        n.summary.as_str(),
                        n.body.as_str(),
                        actions,
                        hints,
                        -1i32,
                    ),
                )
                .await
                .map_err(bus)
        })
        .await
    }

    async fn close(&self, id: u32) -> Result<(), NotifyError> {
        timed(async {
            self.proxy()
                .await?
                .call::<_, _, ()>("CloseNotification", &(id,))
                .await
                .map_err(bus)
        })
        .await
    }

    async fn clicks(&self, to: mpsc::UnboundedSender<(u32, String)>) -> Result<(), NotifyError> {
        let proxy = self.proxy().await?;
        let mut signals = proxy.receive_signal("ActionInvoked").await.map_err(bus)?;
        while let Some(msg) = signals.next().await {
            match msg.body().deserialize::<(u32, String)>() {
                Ok(click) => {
                    if to.send(click).is_err() {
                        break;
                    }
                }
                Err(e) => tracing::debug!(error = %e, "an ActionInvoked that cannot be read"),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
