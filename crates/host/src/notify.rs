//! Desktop notifications for what needs the person: a [`Notifier`] shows a
//! [`Note`], [`Desktop`] does it over D-Bus (`org.freedesktop.Notifications`
//! on the session bus, through notify-rust), and [`Notifications`] sends the
//! keeper's events one at a time on a task of their own so the loop never
//! waits for a notification server.
//!
//! The engine emits each event that needs the person once (one per lease
//! per warning threshold, one summary per wake), so nothing is
//! de-duplicated here. A failed notification (no session bus, no server) is
//! logged — the first as a warning, the rest at debug — and never fatal.
//! The text is the engine's event message: profile and session names,
//! times and error messages, never keys or tokens.
//!
//! `[notifications] enabled = false` in the settings file turns them off:
//! [`Notifications::spawn_with`] reads the file again before each one, so a
//! change holds at once; the events are still logged by the caller.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use leasekeeper_engine::keeper::{EngineEvent, WarningKind};
use leasekeeper_engine::settings::Settings;
use tokio::sync::mpsc;

/// The application name notifications carry.
pub const APP_NAME: &str = "Leasekeeper";

/// How long one notification may take before it counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The headline.
    pub summary: String,
    /// One line on what happened and what to do.
    pub body: String,
    /// The person must act soon (a sign-in ends, renewals fail for good).
    pub urgent: bool,
}

impl Note {
    /// The notification for `event`, or `None` when it is only for logs
    /// (see [`EngineEvent::notify`]).
    pub fn for_event(event: &EngineEvent) -> Option<Note> {
        if !event.notify() {
            return None;
        }
        let (summary, urgent) = match event {
            EngineEvent::LoginNeeded { .. } => ("Sign in needed", true),
            EngineEvent::WarningDue(w) => match w.kind {
                WarningKind::SignInEnding => ("Sign-in ending", true),
                WarningKind::MfaSessionEnding => ("MFA session ending", false),
                WarningKind::MfaCodeNeeded => ("MFA code needed", false),
                WarningKind::RenewalFailing => ("Keys lapsing", true),
                WarningKind::OtherToolKeys => ("Keys lapsing", false),
            },
            EngineEvent::RenewalFailed { will_retry, .. } => ("Renewal failed", !will_retry),
            EngineEvent::DurationRefused { .. } => ("Role duration refused", false),
            EngineEvent::WriteFailed { .. } => ("Credentials file not written", true),
            EngineEvent::MfaCodeNeeded { .. } => ("MFA code needed", true),
            EngineEvent::MfaCodeRefused { .. } => ("MFA code refused", true),
            EngineEvent::WokeSummary(_) => ("After the sleep", false),
            EngineEvent::ClockSkew { .. } => ("Clock is off", false),
            EngineEvent::LeaseChanged { .. } | EngineEvent::MfaCodeAccepted { .. } => return None,
        };
        Some(Note {
            summary: summary.to_owned(),
            body: event.message(),
            urgent,
        })
    }
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

/// Shows notifications.
pub trait Notifier: Send + Sync + 'static {
    fn show(&self, note: &Note) -> impl Future<Output = Result<(), NotifyError>> + Send;
}

/// The desktop's notification server on the session bus
/// (`DBUS_SESSION_BUS_ADDRESS`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Desktop;

impl Notifier for Desktop {
    async fn show(&self, note: &Note) -> Result<(), NotifyError> {
        let mut n = notify_rust::Notification::new();
        n.appname(APP_NAME)
            .summary(&note.summary)
            .body(&note.body)
            .urgency(if note.urgent {
                notify_rust::Urgency::Critical
            } else {
                notify_rust::Urgency::Normal
            });
        match tokio::time::timeout(SEND_TIMEOUT, n.show_async()).await {
            Ok(Ok(_handle)) => Ok(()),
            Ok(Err(e)) => Err(NotifyError::Bus(e.to_string())),
            Err(_) => Err(NotifyError::Timeout(SEND_TIMEOUT)),
        }
    }
}

/// The keeper's events on their way to a [`Notifier`], in order.
#[derive(Debug, Clone)]
pub struct Notifications {
    tx: mpsc::UnboundedSender<Note>,
}

impl Notifications {
    /// Starts the sending task on the current tokio runtime; every note is shown.
    pub fn spawn(notifier: impl Notifier) -> Notifications {
        Notifications::spawn_with(notifier, None)
    }

    /// Starts the sending task on the current tokio runtime; a note is
    /// shown only while the settings file at `settings` (read again for
    /// each note) leaves notifications on.
    pub fn spawn_with(notifier: impl Notifier, settings: Option<PathBuf>) -> Notifications {
        let (tx, mut rx) = mpsc::unbounded_channel::<Note>();
        tokio::spawn(async move {
            let mut warned = false;
            while let Some(note) = rx.recv().await {
                if !enabled(settings.as_deref()) {
                    tracing::debug!(summary = %note.summary, "notifications are off; not shown");
                    continue;
                }
                match notifier.show(&note).await {
                    Ok(()) => tracing::debug!(summary = %note.summary, "notification shown"),
                    Err(e) if !warned => {
                        warned = true;
                        tracing::warn!(code = e.code(), "{e}; events are logged only");
                    }
                    Err(e) => tracing::debug!(code = e.code(), "{e}"),
                }
            }
        });
        Notifications { tx }
    }

    /// Queues the notification for `event`, if it needs the person.
    pub fn event(&self, event: &EngineEvent) {
        if let Some(note) = Note::for_event(event) {
            // The task ends only with the runtime.
            let _ = self.tx.send(note);
        }
    }
}

/// Whether the settings file at `settings` leaves notifications on: yes
/// without a file, or when it cannot be read (the keeper logs its problems).
pub fn enabled(settings: Option<&Path>) -> bool {
    settings
        .and_then(|p| std::fs::read_to_string(p).ok())
        .is_none_or(|text| Settings::parse(&text).0.notifications.enabled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasekeeper_engine::keeper::WakeSummary;
    use std::sync::{Arc, Mutex};

    /// Records what it is asked to show.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<String>>>);

    impl Notifier for Recorder {
        async fn show(&self, note: &Note) -> Result<(), NotifyError> {
            self.0.lock().expect("lock").push(note.summary.clone());
            Ok(())
        }
    }

    fn skew(minutes: i64) -> EngineEvent {
        EngineEvent::ClockSkew {
            skew_seconds: minutes * 60,
            message: format!("your clock is off by {minutes} minutes"),
        }
    }

    #[tokio::test]
    async fn turning_notifications_off_in_the_settings_file_holds_at_once() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("settings.toml");
        let recorder = Recorder::default();
        let notes = Notifications::spawn_with(recorder.clone(), Some(path.clone()));
        let shown = || recorder.0.lock().expect("lock").len();
        let settle = || tokio::time::sleep(Duration::from_millis(100));

        notes.event(&skew(7));
        settle().await;
        assert_eq!(shown(), 1, "no file: notifications are on");
        std::fs::write(&path, "# mine\n[notifications]\nenabled = false\n").expect("write");
        notes.event(&skew(8));
        settle().await;
        assert_eq!(shown(), 1, "off: nothing shown");
        std::fs::write(&path, "[notifications]\nenabled = true\n").expect("write");
        notes.event(&skew(9));
        settle().await;
        assert_eq!(shown(), 2, "on again");
        assert!(enabled(None));
    }

    #[test]
    fn events_for_the_person_carry_the_engines_message() {
        let skew = EngineEvent::ClockSkew {
            skew_seconds: 420,
            message: "your clock is off by 7 minutes".into(),
        };
        let note = Note::for_event(&skew).expect("a skew is shown");
        assert_eq!(note.summary, "Clock is off");
        assert_eq!(note.body, "your clock is off by 7 minutes");
        let woke = EngineEvent::WokeSummary(WakeSummary {
            slept_seconds: 3000,
            lapsed: vec!["dev".into()],
            renewed: vec!["dev".into()],
            failing: Vec::new(),
        });
        let note = Note::for_event(&woke).expect("a summary is shown");
        assert_eq!(note.summary, "After the sleep");
        assert!(note.body.contains("dev"), "{}", note.body);
    }
}
