//! `leasekeeper credential-process` when the person must act, with the
//! keeper running on a private session bus whose notification server (in
//! this process) records every `Notify`: the process fails at once with one
//! line and nothing on stdout, and the keeper shows the need as a desktop
//! notification — once, however often the SDKs run the process — also for
//! profiles the keeper itself does not renew.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::credential_process_keeper::world;
use super::daemon_notify::{Bus, Shown, serve_notifications};
use super::daemon_sandbox::{config_dir, stop_daemon};
use super::login_harness::{Running, World};

/// The daemon on `w` with the bus, once its socket is served.
fn daemon_on(w: &World, bus: &Bus) -> Running {
    let cfg = config_dir(w);
    let mut daemon = w.spawn(
        &["daemon"],
        &[
            ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
            ("LEASEKEEPER_LOG", "info"),
            ("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str()),
        ],
    );
    daemon.wait_line(60, |l| l.contains("serving the keeper's socket"));
    daemon
}

/// Runs `credential-process --profile P` and checks it failed as a person
/// who must act should see it: exit 3, one line containing `expected`.
fn must_act(w: &World, profile: &str, expected: &str) {
    let started = Instant::now();
    let (code, stderr, stdout) = w
        .spawn(&["credential-process", "--profile", profile], &[])
        .finish(20);
    assert_eq!(code, 3, "{profile}: {stderr}");
    assert_eq!(stdout, "", "{profile}: nothing on stdout");
    assert_eq!(stderr.lines().count(), 1, "{profile}: one line: {stderr}");
    assert!(stderr.contains(expected), "{profile}: {stderr}");
    // No prompt and no network wait (a guard against hangs only).
    assert!(started.elapsed() < Duration::from_secs(15));
}

/// The notifications recorded whose summary starts with `summary`, once some arrived and a
/// second more passed with no new ones.
fn recorded(shown: &Arc<Mutex<Vec<Shown>>>, summary: &str) -> Vec<Shown> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let of = || -> Vec<Shown> {
        shown
            .lock()
            .unwrap()
            .iter()
            .filter(|n| n.summary.starts_with(summary))
            .cloned()
            .collect()
    };
    while of().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no {summary:?} notification; shown: {:?}",
            shown.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    of()
}

#[test]
fn an_mfa_code_needed_by_a_profile_the_keeper_does_not_renew_is_notified_once() {
    // The keeper renews the rest, but not breakglass (a role with
    // mfa_serial over alice's keys): only credential-process finds its need.
    let w = world(
        60.0,
        "[renew]\nstatic_keys = true\n\n[profiles.breakglass]\nrenew = false\n",
        true,
    );
    let bus = Bus::start("session");
    let shown = serve_notifications(&bus);
    let daemon = daemon_on(&w, &bus);
    std::thread::sleep(Duration::from_secs(1));
    let mfa_shown = |s: &Arc<Mutex<Vec<Shown>>>| {
        let shown = s.lock().unwrap();
        shown
            .iter()
            .any(|n| n.summary.starts_with("MFA code needed"))
    };
    assert!(
        !mfa_shown(&shown),
        "the keeper alone does not know the need"
    );
    for _ in 0..3 {
        must_act(&w, "breakglass", "needs an MFA code for arn:aws:iam::");
    }
    let told = recorded(&shown, "MFA code needed: 1 lease waits");
    assert_eq!(told.len(), 1, "once for three runs: {told:?}");
    assert_eq!(told[0].app, "Leasekeeper");
    assert!(told[0].body.contains("breakglass"), "{told:?}");
    assert!(
        told[0].body.contains("arn:aws:iam::111111111111:mfa/alice"),
        "{told:?}"
    );
    stop_daemon(daemon);
}

#[test]
fn a_sign_in_needed_by_profiles_the_keeper_does_not_renew_is_notified_once() {
    // Nobody signed in, and the keeper renews no SSO chain (`silent = false`):
    // the need reaches it only through credential-process.
    let w = world(60.0, "[renew]\nsilent = false\n", false);
    let bus = Bus::start("session");
    let shown = serve_notifications(&bus);
    let daemon = daemon_on(&w, &bus);
    let line = "leasekeeper: profile dev-admin needs a sign-in: run `leasekeeper login --sso-session sandbox`";
    must_act(&w, "dev-admin", line);
    must_act(&w, "dev-admin", line);
    must_act(
        &w,
        "auditor",
        "needs a sign-in: run `leasekeeper login --sso-session sandbox`",
    );
    let told = recorded(&shown, "Sign in to sandbox: ");
    assert_eq!(told.len(), 1, "once for the session: {told:?}");
    assert!(
        told[0]
            .body
            .ends_with("\nRun: leasekeeper login --sso-session sandbox"),
        "a server without buttons gets the command: {told:?}"
    );
    assert!(told[0].body.contains("dev-admin"), "{told:?}");
    stop_daemon(daemon);
}
