//! Desktop notifications from the tray, through notify-rust (app name
//! `Leasekeeper`). The keeper's events become the host's
//! [`Note`]s; a sign-in that is needed carries a `Sign in` action (key
//! `sign-in:<session>`, only where the server lists the `actions`
//! capability), and the server's `ActionInvoked` for that notification
//! comes back to the controller as the click it stands for. Every
//! notification's body, clicked, opens the window (the `default` action,
//! where actions are shown).
//! A renewal failure is shown once per failure streak (until the lease is
//! fresh again). Failures to notify are logged, never fatal.
//! `[notifications] enabled = false` in the settings file silences them.

use std::collections::HashSet;

use leasekeeper_engine::keeper::{EngineEvent, RenewalState, WarningKind};
use leasekeeper_engine::menu::MenuId;
use leasekeeper_host::notify::{APP_NAME, Note, SEND_TIMEOUT};
use tokio::sync::mpsc;

use crate::controller::Msg;

/// The label of the sign-in action.
pub const SIGN_IN_LABEL: &str = "Sign in";
/// The action a click on a notification's body invokes.
pub const DEFAULT_ACTION: &str = "default";

/// One notification and the click it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub note: Note,
    /// The menu click its action stands for (a sign-in).
    pub action: Option<MenuId>,
}

impl Notice {
    pub fn plain(summary: impl Into<String>, body: impl Into<String>) -> Notice {
        Notice {
            note: Note {
                summary: summary.into(),
                body: body.into(),
                urgent: false,
            },
            action: None,
        }
    }
}

/// Which events were already shown, so a streak is told once.
#[derive(Debug, Default)]
pub struct Dedupe {
    /// Renewal failures shown, by the profiles they are about.
    failing: HashSet<String>,
}

impl Dedupe {
    /// The notice for `event`, or `None` when it is for logs only or was
    /// already shown for this streak.
    pub fn notice(&mut self, event: &EngineEvent) -> Option<Notice> {
        match event {
            EngineEvent::LeaseChanged { renewal } => {
                if renewal.state == RenewalState::Fresh {
                    self.renewed(&renewal.profile);
                }
                return None;
            }
            EngineEvent::RenewalFailed { profiles, .. } if !self.failed(profiles) => {
                return None;
            }
            _ => {}
        }
        let note = Note::for_event(event)?;
        let action = match event {
            EngineEvent::LoginNeeded { session, .. } => Some(MenuId::SignIn(session.clone())),
            EngineEvent::WarningDue(w) if w.kind == WarningKind::SignInEnding => {
                Some(MenuId::SignIn(w.subject.clone()))
            }
            _ => None,
        };
        Some(Notice { note, action })
    }

    /// A renewal of `profiles` failed: whether that starts a streak for
    /// any of them (and so is worth telling).
    pub fn failed(&mut self, profiles: &[String]) -> bool {
        let mut new = false;
        for p in profiles {
            new |= self.failing.insert(p.clone());
        }
        new
    }

    /// `profile` is fresh again: its streak is over.
    pub fn renewed(&mut self, profile: &str) {
        self.failing.remove(profile);
    }
}

/// Notifications on their way to the server, one at a time.
#[derive(Debug, Clone)]
pub struct Notices {
    tx: mpsc::UnboundedSender<Notice>,
}

impl Notices {
    /// A sink that drops everything (no desktop).
    pub fn none() -> Notices {
        let (tx, _) = mpsc::unbounded_channel();
        Notices { tx }
    }

    /// Starts sending on `runtime`; a clicked action comes back to
    /// `controller` as the click it stands for. Nothing is shown while the
    /// settings file at `settings` turns notifications off (read again for
    /// each notice, so a change holds at once); the events are still logged.
    pub fn spawn(
        runtime: &tokio::runtime::Handle,
        controller: mpsc::UnboundedSender<Msg>,
        settings: Option<std::path::PathBuf>,
    ) -> Notices {
        let (tx, mut rx) = mpsc::unbounded_channel::<Notice>();
        runtime.spawn(async move {
            let mut actions: Option<bool> = None;
            let mut warned = false;
            while let Some(notice) = rx.recv().await {
                if !leasekeeper_host::notify::enabled(settings.as_deref()) {
                    tracing::info!(summary = %notice.note.summary, "notifications are off; not shown");
                    continue;
                }
                if actions.is_none() {
                    // Asked again with the next notice when the server did not answer.
                    actions = server_has_actions().await;
                }
                let with_action = actions == Some(true);
                match show(&notice, with_action).await {
                    Ok(handle) => {
                        tracing::debug!(summary = %notice.note.summary, id = handle.id(), "notification shown");
                        if with_action {
                            tokio::spawn(wait_for_click(handle, notice.action, controller.clone()));
                        }
                    }
                    Err(e) if !warned => {
                        warned = true;
                        // The capabilities are asked again with the next one.
                        actions = None;
                        tracing::warn!(
                            "cannot show a desktop notification: {e}; events are logged only"
                        );
                    }
                    Err(e) => tracing::debug!("cannot show a desktop notification: {e}"),
                }
            }
        });
        Notices { tx }
    }

    pub fn send(&self, notice: Notice) {
        // Without a sending task (no desktop) the notice is only logged.
        if self.tx.send(notice.clone()).is_err() {
            tracing::debug!(summary = %notice.note.summary, "notification not sent");
        }
    }
}

async fn show(
    notice: &Notice,
    with_action: bool,
) -> Result<notify_rust::NotificationHandle, String> {
    let mut n = notify_rust::Notification::new();
    n.appname(APP_NAME)
        .summary(&notice.note.summary)
        .body(&notice.note.body)
        .urgency(if notice.note.urgent {
            notify_rust::Urgency::Critical
        } else {
            notify_rust::Urgency::Normal
        });
    if with_action {
        n.action(DEFAULT_ACTION, "Open Leasekeeper");
        if let Some(action) = &notice.action {
            n.action(&action.to_string(), SIGN_IN_LABEL);
        }
    }
    match tokio::time::timeout(SEND_TIMEOUT, n.show_async()).await {
        Ok(Ok(handle)) => Ok(handle),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("the server did not answer within {SEND_TIMEOUT:?}")),
    }
}

const NOTIFICATIONS: &str = "org.freedesktop.Notifications";
const NOTIFICATIONS_PATH: &str = "/org/freedesktop/Notifications";

async fn proxy(conn: &zbus::Connection) -> zbus::Result<zbus::Proxy<'static>> {
    zbus::proxy::Builder::new(conn)
        .destination(NOTIFICATIONS)
        .path(NOTIFICATIONS_PATH)
        .interface(NOTIFICATIONS)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
}

/// Whether the notification server shows actions; `None` when it cannot
/// be asked.
async fn server_has_actions() -> Option<bool> {
    let asked = async {
        let conn = zbus::Connection::session().await?;
        let caps: Vec<String> = proxy(&conn).await?.call("GetCapabilities", &()).await?;
        zbus::Result::Ok(caps.iter().any(|c| c == "actions"))
    };
    match tokio::time::timeout(SEND_TIMEOUT, asked).await {
        Ok(Ok(has)) => Some(has),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "cannot ask the notification server's capabilities");
            None
        }
        Err(_) => None,
    }
}

/// Waits on the notification's own connection (servers may send
/// `ActionInvoked` only to the connection that asked for the notification)
/// until it is closed or an action clicked; the click goes to the
/// controller as the menu click it stands for (the body: Open Leasekeeper).
async fn wait_for_click(
    handle: notify_rust::NotificationHandle,
    action: Option<MenuId>,
    controller: mpsc::UnboundedSender<Msg>,
) {
    handle
        .wait_for_action_async(|response| {
            let (key, clicked) = match response {
                // The body: notify-rust's name for the `default` action.
                notify_rust::NotificationResponse::Default => (DEFAULT_ACTION, Some(MenuId::Open)),
                notify_rust::NotificationResponse::Action(key) => (
                    key.as_str(),
                    MenuId::parse(key).filter(|id| action.as_ref() == Some(id)),
                ),
                _ => return,
            };
            if let Some(action) = clicked {
                tracing::info!(action = %key, "notification action clicked");
                // The controller ends only with the app.
                let _ = controller.send(Msg::Click(action));
            } else {
                tracing::debug!(action = %key, "an action that is not ours");
            }
        })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_streak_is_told_once_and_a_sign_in_carries_its_action() {
        let mut d = Dedupe::default();
        let dev = ["dev".to_owned()];
        assert!(d.failed(&dev), "the first failure starts a streak");
        assert!(!d.failed(&dev), "the same streak again");
        assert!(
            d.failed(&["dev".to_owned(), "prod".to_owned()]),
            "a new lease in it"
        );
        d.renewed("dev");
        assert!(d.failed(&dev), "a new streak after a renewal");
        let login = EngineEvent::LoginNeeded {
            session: "corp".into(),
            profiles: vec!["dev".into()],
            reason: "the token expired".into(),
        };
        let n = d.notice(&login).expect("a sign-in is shown");
        assert_eq!(n.note.summary, "Sign in needed");
        assert_eq!(
            n.action.map(|a| a.to_string()).as_deref(),
            Some("sign-in:corp")
        );
    }
}
