use super::*;
use leasekeeper_engine::keeper::WakeSummary;
use std::sync::{Arc, Mutex};

/// Where a server sends the clicks: (notification id, action key).
type ClickSink = mpsc::UnboundedSender<(u32, String)>;

/// A notification server in memory: records every call, answers ids as a
/// server does (a replaced notification keeps its id), and lets a test
/// click.
#[derive(Clone, Default)]
struct Recorder {
    actions: bool,
    markup: bool,
    calls: Arc<Mutex<Vec<(u32, u32, Outgoing)>>>,
    closed: Arc<Mutex<Vec<u32>>>,
    clicks: Arc<Mutex<Option<ClickSink>>>,
}

impl NotificationServer for Recorder {
    async fn capabilities(&self) -> Result<Caps, NotifyError> {
        Ok(Caps {
            actions: self.actions,
            markup: self.markup,
        })
    }

    async fn notify(&self, n: &Outgoing, replaces: u32) -> Result<u32, NotifyError> {
        let mut calls = self.calls.lock().expect("lock");
        let id = if replaces == 0 {
            calls.len() as u32 + 1
        } else {
            replaces
        };
        calls.push((id, replaces, n.clone()));
        Ok(id)
    }

    async fn close(&self, id: u32) -> Result<(), NotifyError> {
        self.closed.lock().expect("lock").push(id);
        Ok(())
    }

    async fn clicks(&self, to: mpsc::UnboundedSender<(u32, String)>) -> Result<(), NotifyError> {
        *self.clicks.lock().expect("lock") = Some(to);
        Ok(())
    }
}

impl Recorder {
    fn calls(&self) -> Vec<(u32, u32, Outgoing)> {
        self.calls.lock().expect("lock").clone()
    }

    fn click(&self, id: u32, key: &str) {
        let tx = self
            .clicks
            .lock()
            .expect("lock")
            .clone()
            .expect("listening");
        tx.send((id, key.to_owned())).expect("sent");
    }
}

fn login(session: &str) -> EngineEvent {
    EngineEvent::LoginNeeded {
        session: session.into(),
        profiles: vec!["dev".into(), "prod".into()],
        reason: "the sign-in session ended".into(),
    }
}

fn skew(minutes: i64) -> EngineEvent {
    EngineEvent::ClockSkew {
        skew_seconds: minutes * 60,
        message: format!("your clock is off by {minutes} minutes"),
    }
}

const ALL: Offer = Offer {
    open: true,
    sign_in: true,
    enter_code: true,
};

fn settle() -> tokio::time::Sleep {
    tokio::time::sleep(Duration::from_millis(100))
}

fn start(
    server: &Recorder,
    offer: Offer,
    settings: Option<PathBuf>,
) -> (Notifications, mpsc::UnboundedReceiver<Click>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let n = Notifications::spawn(
        &tokio::runtime::Handle::current(),
        server.clone(),
        1.0,
        settings,
        offer,
        tx,
    );
    (n, rx)
}

#[tokio::test]
async fn a_need_told_again_replaces_its_notification_and_its_button_comes_back_as_a_click() {
    let server = Recorder {
        actions: true,
        ..Recorder::default()
    };
    let (notes, mut clicks) = start(&server, ALL, None);
    notes.event(&login("corp"));
    notes.event(&EngineEvent::WokeSummary(WakeSummary {
        slept_seconds: 4800,
        lapsed: Vec::new(),
        renewed: vec!["static".into()],
        failing: vec!["dev".into()],
    }));
    settle().await;
    let calls = server.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!(
        (calls[1].0, calls[1].1),
        (1, 1),
        "the second replaces the first"
    );
    assert_eq!(calls[1].2.summary, "Sign in to corp: 2 leases wait");
    assert!(calls[1].2.body.contains("Back after 1 h 20 min asleep"));
    assert_eq!(
        calls[1].2.actions,
        [
            ("default".to_owned(), "Open Leasekeeper".to_owned()),
            ("sign-in:corp".to_owned(), "Sign in".to_owned())
        ]
    );
    assert!(!calls[1].2.body.contains("Run:"), "the button says it");

    server.click(1, "sign-in:other");
    server.click(7, "sign-in:corp");
    server.click(1, "sign-in:corp");
    server.click(1, "default");
    settle().await;
    assert_eq!(
        clicks.recv().await,
        Some(Click::Action(NoticeAction::SignIn("corp".into())))
    );
    assert_eq!(clicks.recv().await, Some(Click::Open));
    assert!(clicks.try_recv().is_err(), "no click that is not ours");
}

#[tokio::test]
async fn without_actions_or_a_shell_that_can_carry_one_the_text_says_the_command() {
    let plain = Recorder::default();
    let (notes, _clicks) = start(&plain, ALL, None);
    notes.event(&login("corp"));
    settle().await;
    let sent = &plain.calls()[0].2;
    assert!(sent.actions.is_empty());
    assert!(
        sent.body
            .ends_with("\nRun: leasekeeper login --sso-session corp"),
        "{}",
        sent.body
    );

    let server = Recorder {
        actions: true,
        ..Recorder::default()
    };
    let daemon = Offer {
        sign_in: true,
        ..Offer::default()
    };
    let (notes, _clicks) = start(&server, daemon, None);
    notes.event(&EngineEvent::MfaCodeNeeded {
        node: serde_json::from_str("\"mfa:dev\"").expect("a node id"),
        profiles: vec!["dev".into()],
        mfa_serial: "arn:aws:iam::1:mfa/me".into(),
    });
    settle().await;
    let sent = &server.calls()[0].2;
    assert!(
        sent.actions.is_empty(),
        "no window to take the code: {sent:?}"
    );
    assert!(
        sent.body.ends_with("\nRun: leasekeeper mfa --profile dev"),
        "{}",
        sent.body
    );
}

#[tokio::test]
async fn a_topic_nothing_waits_on_is_withdrawn() {
    let server = Recorder::default();
    let (notes, _clicks) = start(&server, ALL, None);
    notes.event(&EngineEvent::MfaCodeNeeded {
        node: serde_json::from_str("\"mfa:dev\"").expect("a node id"),
        profiles: vec!["dev".into()],
        mfa_serial: "arn:mfa".into(),
    });
    notes.event(&EngineEvent::MfaCodeAccepted {
        serial: "arn:mfa".into(),
        request: 1,
        node: serde_json::from_str("\"mfa:dev\"").expect("a node id"),
        profiles: vec!["dev".into()],
        expires_at: time::OffsetDateTime::UNIX_EPOCH,
    });
    settle().await;
    assert_eq!(*server.closed.lock().expect("lock"), [1]);
}

#[tokio::test]
async fn turning_notifications_off_in_the_settings_file_holds_at_once() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("settings.toml");
    let server = Recorder::default();
    let (notes, _clicks) = start(&server, ALL, Some(path.clone()));
    let shown = || server.calls().len();

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

#[tokio::test]
async fn a_server_that_reads_markup_gets_the_text_escaped_and_a_sign_in_withdraws_its_notice() {
    let server = Recorder {
        markup: true,
        ..Recorder::default()
    };
    let (notes, _clicks) = start(&server, ALL, None);
    notes.event(&EngineEvent::LoginNeeded {
        session: "corp".into(),
        profiles: vec!["<b>dev</b>".into()],
        reason: "a & b".into(),
    });
    notes.signed_in("corp");
    settle().await;
    let body = &server.calls()[0].2.body;
    assert!(
        body.contains("A &amp; b.") && body.contains("&lt;b&gt;dev&lt;/b&gt;"),
        "{body}"
    );
    assert_eq!(*server.closed.lock().expect("lock"), [1]);
}
