//! A renewal the sandbox refuses becomes a notification: the roles over
//! alice's static keys are renewed by the tray (`static_keys = true`) at
//! speed 240 (an hour's lease lives 15 s); once the app runs, the sandbox
//! answers every request with a 5xx, and the test server receives a
//! notification for the failed renewal, with no key or secret in it. With
//! `[notifications] enabled = false` the same failure is only logged.

use leasekeeper_sandbox::{ALICE_SECRET_ACCESS_KEY, Faults};

use super::app::World;
use super::desk::{Desk, Panel};

#[test]
fn a_renewal_failing_on_the_sandbox_is_notified_without_secrets() {
    let world = World::start(240.0, "[renew]\nstatic_keys = true\n");
    let desk = Desk::start(world, Panel::WithHost, &[]);
    desk.item(40);
    desk.world
        .sb
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .expect("faults");

    let roles = ["deploy", "vendor"];
    let failed = desk.notes.wait(45, "for the failed renewal", |n| {
        n.summary.contains("Renewal failed") || roles.iter().any(|r| n.summary.contains(r))
    });
    assert_eq!(failed.app, "Leasekeeper", "{failed:?}");
    assert!(
        roles
            .iter()
            .any(|r| failed.body.contains(r) || failed.summary.contains(r)),
        "the notification names the role: {failed:?}"
    );

    let creds = desk.world.credentials();
    let mut secrets: Vec<String> = creds
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| ["aws_secret_access_key", "aws_session_token"].contains(&k.trim()))
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    secrets.push(ALICE_SECRET_ACCESS_KEY.to_owned());
    for n in desk.notes.shown() {
        for s in &secrets {
            assert!(
                !n.body.contains(s.as_str()) && !n.summary.contains(s.as_str()),
                "a secret in {n:?}"
            );
        }
    }
    let stderr = desk.app.stderr();
    for s in &secrets {
        assert!(!stderr.contains(s.as_str()), "a secret in the app's log");
    }
}

#[test]
fn with_notifications_off_a_failing_renewal_is_logged_and_never_notified() {
    let world = World::start(
        240.0,
        "# quiet please\n[renew]\nstatic_keys = true\n\n[notifications]\nenabled = false\n",
    );
    let mut desk = Desk::start(world, Panel::WithHost, &[]);
    desk.item(40);
    desk.world
        .sb
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .expect("faults");
    let line = desk.app.wait_line(45, "the failure held back", |l| {
        l.contains("notifications are off") && l.contains("Renewal failed")
    });
    assert!(line.contains("not shown"), "{line}");
    let shown = desk.notes.shown();
    assert!(shown.is_empty(), "no Notify call at all: {shown:?}");
}
