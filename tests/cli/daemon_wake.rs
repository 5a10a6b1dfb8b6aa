//! What `leasekeeper daemon` tells the person after a sleep: the sandbox
//! at speed 240 (an hour lives 15 s), a private session bus with a
//! notification server that shows buttons, and a stand-in logind on a
//! private system bus. A sleep is played as it happens on a laptop: logind
//! says sleep is coming, the daemon is frozen (SIGSTOP) while world time
//! runs on, then thawed, and logind says it resumed.
//!
//! - A sleep past the end of the sign-in session gives one notification
//!   asking to sign in, with its button and the sleep's summary in it; the
//!   MFA role waiting on a code keeps its own, the only other one.
//! - No browser opens until the button is clicked; the click starts one
//!   sign-in, and once its leases are fresh the notification is withdrawn.
//! - A sleep that lost nothing gives one quiet summary, or none with
//!   `[notifications] after_sleep = false`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::daemon_notify::{Bus, Served, Shown};
use super::daemon_sandbox::{config_dir, signal, signed_in_world_at, stop_daemon};
use super::daemon_sleep::{fake_logind, prepare_for_sleep};
use super::login_harness::{Running, World};

/// World seconds a real second counts for.
const SPEED: f64 = 240.0;
/// Real seconds asleep: 64 world minutes, past every hour-long role.
const ASLEEP: Duration = Duration::from_secs(16);

/// A browser that records each address it is given, then follows it as a
/// person's browser would (the sandbox approves by itself).
fn recording_browser(w: &World) -> (String, std::path::PathBuf) {
    let log = w.dir.path().join("opened.txt");
    let script = w.dir.path().join("browser.py");
    std::fs::write(
        &script,
        format!(
            "#!{}\nimport sys, urllib.request\nopen({:?}, 'a').write(sys.argv[1] + '\\n')\nurllib.request.urlopen(sys.argv[1]).read()\n",
            World::python().display(),
            log.display().to_string()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script.display().to_string(), log)
}

fn opened(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

struct Desk {
    session: Bus,
    system: Bus,
    logind: zbus::Connection,
    server: Served,
    daemon: Running,
}

/// The daemon on `w` with both buses, once it listens for logind and has
/// written its first sections.
fn desk(w: &World, browser: &str) -> Desk {
    let session = Bus::start("session");
    let system = Bus::start("system");
    let logind = fake_logind(&system);
    let server = Served::start(&session, true);
    let cfg = config_dir(w);
    let mut daemon = w.spawn(
        &["daemon"],
        &[
            ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
            ("LEASEKEEPER_LOG", "info"),
            ("LEASEKEEPER_BROWSER", browser),
            ("DBUS_SESSION_BUS_ADDRESS", session.address.as_str()),
            ("DBUS_SYSTEM_BUS_ADDRESS", system.address.as_str()),
        ],
    );
    daemon.wait_line(60, |l| l.contains("listening for logind"));
    daemon.wait_line(60, |l| {
        l.contains("wrote section") && l.contains("section=dev-admin")
    });
    Desk {
        session,
        system,
        logind,
        server,
        daemon,
    }
}

impl Desk {
    /// Sleep announced, the daemon frozen for `ASLEEP` while `meanwhile`
    /// runs, thawed, resume announced.
    fn sleep(&mut self, meanwhile: impl FnOnce()) {
        prepare_for_sleep(&self.system, &self.logind, true);
        self.daemon
            .wait_line(10, |l| l.contains("the system is going to sleep"));
        signal(&self.daemon, "STOP");
        meanwhile();
        std::thread::sleep(ASLEEP);
        signal(&self.daemon, "CONT");
        prepare_for_sleep(&self.system, &self.logind, false);
        self.daemon
            .wait_line(10, |l| l.contains("the system resumed"));
    }

    /// Every notification shown, waiting until `done` holds (at most 40 s)
    /// and then 3 s more for any that would follow.
    fn settled(&self, what: &str, done: impl Fn(&[Shown]) -> bool) -> Vec<Shown> {
        let deadline = Instant::now() + Duration::from_secs(40);
        while !done(&self.server.shown()) {
            assert!(
                Instant::now() < deadline,
                "{what}: not within 40 s; shown: {:#?}",
                self.server.shown()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_secs(3));
        self.server.shown()
    }
}

/// The ids of the notifications in `shown` (a replaced one keeps its id).
fn ids(shown: &[Shown]) -> BTreeSet<u32> {
    shown.iter().map(|n| n.id).collect()
}

/// The last version of each notification.
fn latest(shown: &[Shown]) -> Vec<Shown> {
    ids(shown)
        .into_iter()
        .filter_map(|id| shown.iter().rev().find(|n| n.id == id).cloned())
        .collect()
}

#[test]
fn a_sleep_past_the_sign_in_is_one_notification_to_sign_in_and_its_button_signs_in_once() {
    let w = signed_in_world_at(SPEED);
    let (browser, log) = recording_browser(&w);
    let mut desk = desk(&w, &browser);
    let before = desk.settled("the MFA role's need", |s| {
        s.iter().any(|n| n.summary.starts_with("MFA code needed"))
    });

    desk.sleep(|| {
        assert!(w.sb.end_all_sessions() > 0, "a session to end");
    });
    let shown = desk.settled("a sign-in asked for", |s| {
        s.iter()
            .any(|n| n.summary.starts_with("Sign in to sandbox"))
    });
    let last = latest(&shown);
    assert_eq!(
        last.len(),
        2,
        "one notification per thing to do: {last:#?}\nbefore the sleep: {before:#?}"
    );
    let ask = last
        .iter()
        .find(|n| n.summary.starts_with("Sign in to sandbox: "))
        .expect("the sign-in");
    assert!(ask.summary.ends_with(" leases wait"), "{ask:?}");
    assert!(
        ask.actions
            .contains(&("sign-in:sandbox".to_owned(), "Sign in".to_owned())),
        "{ask:?}"
    );
    assert!(
        ask.body.contains("Back after 1 h ") && ask.body.contains(" asleep"),
        "the sleep in the world's time, merged in: {}",
        ask.body
    );
    assert_eq!(ask.body.matches("sign in to").count(), 0, "{}", ask.body);
    let mfa = last
        .iter()
        .find(|n| n.summary.starts_with("MFA code needed"))
        .expect("the MFA role's own");
    assert!(mfa.body.contains("breakglass"), "{mfa:?}");
    assert!(
        !shown
            .iter()
            .any(|n| n.summary.starts_with("Renewal failed") || n.summary.starts_with("Back from")),
        "nothing else: {shown:#?}"
    );
    assert!(opened(&log).is_empty(), "no browser before the click");

    desk.server.invoke(&desk.session, ask.id, "sign-in:sandbox");
    desk.daemon
        .wait_line(30, |l| l.contains("signed in from the notification"));
    let deadline = Instant::now() + Duration::from_secs(40);
    while !desk.server.closed.lock().unwrap().contains(&ask.id) {
        assert!(
            Instant::now() < deadline,
            "the sign-in's notification stays after its leases renewed; closed: {:?}",
            desk.server.closed.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let urls = opened(&log);
    assert_eq!(urls.len(), 1, "one sign-in: {urls:?}");
    assert!(urls[0].contains("/authorize?"), "{urls:?}");
    stop_daemon(desk.daemon);
}

#[test]
fn a_sleep_that_lost_nothing_is_one_quiet_summary_or_none_by_the_setting() {
    let w = signed_in_world_at(SPEED);
    let cfg = w.dir.path().join("cfg/settings.toml");
    // Nothing needs the person: the MFA role is left alone.
    std::fs::write(
        &cfg,
        "[renew]\nstatic_keys = true\n\n[profiles.breakglass]\nrenew = false\n",
    )
    .unwrap();
    let (browser, log) = recording_browser(&w);
    let mut desk = desk(&w, &browser);
    std::thread::sleep(Duration::from_secs(2));
    let from = desk.server.shown().len();

    desk.sleep(|| {});
    let shown = desk.settled("a summary", |s| s.len() > from);
    let after: Vec<Shown> = shown.into_iter().skip(from).collect();
    assert_eq!(ids(&after).len(), 1, "{after:#?}");
    let summary = &after[after.len() - 1];
    assert_eq!(
        summary.summary, "Back from sleep: all renewed",
        "{summary:?}"
    );
    assert!(
        summary.body.starts_with("Back after 1 h ") && summary.body.contains("renewed by itself: "),
        "{summary:?}"
    );
    assert!(
        !summary
            .actions
            .iter()
            .any(|(k, _)| k.starts_with("sign-in:")),
        "{summary:?}"
    );

    // Replaced at once, as an editor saves: the keeper never reads half a file.
    let next = cfg.with_extension("toml.new");
    std::fs::write(
        &next,
        "[renew]\nstatic_keys = true\n\n[profiles.breakglass]\nrenew = false\n\n[notifications]\nafter_sleep = false\n",
    )
    .unwrap();
    std::fs::rename(&next, &cfg).unwrap();
    let from = desk.server.shown().len();
    desk.sleep(|| {});
    desk.daemon.wait_line(30, |l| {
        l.contains("wrote section") && l.contains("section=dev-admin")
    });
    std::thread::sleep(Duration::from_secs(5));
    let later: Vec<Shown> = desk.server.shown().into_iter().skip(from).collect();
    assert!(later.is_empty(), "the summary is off: {later:#?}");
    assert!(opened(&log).is_empty(), "no browser without a click");
    stop_daemon(desk.daemon);
}
