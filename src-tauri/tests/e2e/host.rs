//! No tray host (stock GNOME without the AppIndicator extension): with no
//! StatusNotifierWatcher, or a watcher with no host registered, the app
//! says so in a notification and keeps running; with a host it does not.

use std::time::{Duration, Instant};

use super::app::World;
use super::desk::{Desk, Panel, left_of};

const NO_TRAY: &str = "Leasekeeper has no tray here";

fn says_no_tray_and_keeps_running(panel: Panel) {
    let mut desk = Desk::start(World::start(60.0, ""), panel, &[]);
    let note = desk
        .notes
        .wait(40, "saying there is no tray", |n| n.summary == NO_TRAY);
    assert_eq!(note.app, "Leasekeeper", "{note:?}");
    assert!(!note.body.is_empty(), "it says what to do: {note:?}");
    // Still running a while later: the keeper works without a tray.
    let notes = &desk.notes;
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        desk.app.assert_running("after saying it has no tray");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        notes
            .shown()
            .iter()
            .filter(|n| n.summary == NO_TRAY)
            .count(),
        1,
        "said once"
    );
}

#[test]
fn without_a_status_notifier_watcher_it_says_it_has_no_tray_and_keeps_running() {
    says_no_tray_and_keeps_running(Panel::None);
}

#[test]
fn with_a_watcher_but_no_host_it_says_it_has_no_tray_and_keeps_running() {
    says_no_tray_and_keeps_running(Panel::WatcherOnly);
}

#[test]
fn with_a_tray_host_it_does_not_say_it_has_none() {
    let mut desk = Desk::start(World::start(60.0, ""), Panel::WithHost, &[]);
    // Settled: the item registered and the keeper's first view is in the menu.
    desk.menu().wait(40, "the leases", |rows| {
        left_of(rows, "dev-admin").is_some()
    });
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        let said = desk
            .notes
            .shown()
            .into_iter()
            .find(|n| n.summary == NO_TRAY);
        assert!(said.is_none(), "a host is there, yet: {said:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    desk.app.assert_running("with a host");
}
