//! What the tray tells the person after a sleep, as the daemon does: the
//! sandbox at speed 240 (an hour lives 15 s), the test notification server
//! (with buttons) and a stand-in logind on a second private bus as the
//! system bus. Signed in through a notification's own "Sign in"; then a
//! sleep played as on a laptop (logind says sleep is coming, the app is
//! frozen while world time runs on and the sign-in session ends, thawed,
//! logind says it resumed) gives one notification, asking to sign in with
//! its button and the sleep in it, and no browser opens until it is
//! clicked.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::app::World;
use super::bus::Bus;
use super::desk::{Desk, Panel};

fn prepare_for_sleep(system: &Bus, logind: &zbus::Connection, start: bool) {
    system
        .rt
        .block_on(logind.emit_signal(
            None::<&str>,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            &(start,),
        ))
        .expect("signal sent");
}

fn kill(pid: u32, signal: &str) {
    let ok = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -{signal} {pid}");
}

/// Waits at most `secs` for the browser to have been given `n` addresses.
fn wait_urls(desk: &Desk, n: usize, secs: u64) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let urls = desk.world.browser_urls();
        if urls.len() >= n {
            return urls;
        }
        assert!(
            Instant::now() < deadline,
            "{n} sign-in(s) not started within {secs} s: {urls:?}; stderr:\n{}",
            desk.app.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_sleep_past_the_sign_in_is_one_notification_whose_button_signs_in() {
    // breakglass would ask for an MFA code at every wake too: this test is
    // about the sign-in alone (the daemon's wake tests do the same).
    let world = World::start(240.0, "[profiles.breakglass]\nrenew = false\n");
    let browser = world.browser(true);
    let system = Bus::start();
    let logind = system.connect(Some("org.freedesktop.login1"));
    let mut desk = Desk::start(
        world,
        Panel::WithHost,
        &[
            ("LEASEKEEPER_BROWSER", &browser),
            ("DBUS_SYSTEM_BUS_ADDRESS", &system.address),
        ],
    );
    desk.app.wait_line(40, "listening for logind", |l| {
        l.contains("listening for logind")
    });
    let ask = desk.notes.wait(40, "asking to sign in", |n| {
        n.summary.starts_with("Sign in to sandbox: ")
    });
    assert!(desk.world.browser_urls().is_empty(), "no browser by itself");
    desk.bus.wait_listening(desk.app.pid(), "ActionInvoked", 20);
    desk.notes.invoke_action(ask.id, "sign-in:sandbox");
    wait_urls(&desk, 1, 40);
    desk.app
        .wait_line(60, "the first renewal after signing in", |l| {
            l.contains("wrote section") && l.contains("section=dev-admin")
        });
    std::thread::sleep(Duration::from_secs(2));
    let from = desk.notes.shown().len();

    prepare_for_sleep(&system, &logind, true);
    desk.app.wait_line(10, "sleep announced", |l| {
        l.contains("the system is going to sleep")
    });
    kill(desk.app.pid(), "STOP");
    assert!(desk.world.sb.end_all_sessions() > 0, "a session to end");
    std::thread::sleep(Duration::from_secs(16));
    kill(desk.app.pid(), "CONT");
    prepare_for_sleep(&system, &logind, false);

    let again = desk
        .notes
        .wait_from(from, 40, "asking to sign in again", |n| {
            n.summary.starts_with("Sign in to sandbox: ")
        });
    std::thread::sleep(Duration::from_secs(3));
    let after: Vec<_> = desk.notes.shown().into_iter().skip(from).collect();
    // One notification left on screen: a wake summary shown alone before
    // the sign-in was known to be needed is withdrawn when the sign-in
    // notice takes its line in.
    let closed = desk.notes.closed();
    let ids: BTreeSet<u32> = after
        .iter()
        .map(|n| n.id)
        .filter(|id| !closed.contains(id))
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "one notification: {after:#?}, closed {closed:?}"
    );
    let last = after.last().expect("shown");
    assert!(
        !closed.contains(&last.id),
        "the sign-in notice stays: {closed:?}"
    );
    assert!(
        last.actions
            .iter()
            .any(|(k, label)| k == "sign-in:sandbox" && label == "Sign in"),
        "{last:?}"
    );
    assert!(
        last.body.contains("Back after 1 h ") && last.body.contains(" asleep"),
        "the sleep in the world's time: {}",
        last.body
    );
    assert_eq!(desk.world.browser_urls().len(), 1, "no browser by itself");

    desk.notes.invoke_action(again.id, "sign-in:sandbox");
    let urls = wait_urls(&desk, 2, 40);
    assert!(urls[1].contains("/authorize?"), "{urls:?}");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(desk.world.browser_urls().len(), 2, "one sign-in per click");
}
