//! One tray per session and per AWS home: a second launch hands over to the
//! first and exits 0; a tray started while `leasekeeper daemon` keeps the
//! home attaches to it and says so in its menu; Quit from the menu ends the
//! app with exit 0, removing our credentials-file sections only when the
//! settings say so.

use super::app::World;
use super::bus::Bus;
use super::dbusmenu::{Menu, render};
use super::desk::{Desk, Panel, left_of};
use super::procs;

#[test]
fn a_second_launch_hands_over_to_the_first_and_exits_0() {
    let mut desk = Desk::start(World::start(60.0, ""), Panel::WithHost, &[]);
    let first = desk.item(40);
    let menu = Menu::of(&desk.bus, &first);
    let rows = menu.wait(40, "the leases", |rows| {
        left_of(rows, "dev-admin").is_some()
    });
    let summary = rows
        .iter()
        .find(|r| r.visible && r.kind != "separator")
        .map(|r| r.label.clone())
        .expect("a summary line");
    let before = desk.notes.shown().len();

    let mut second = desk.world.tray(&desk.bus, &[], &[]);
    let code = second.wait_exit(40);
    assert_eq!(
        code,
        0,
        "the second launch exits 0; stderr:\n{}",
        second.stderr()
    );
    // The first shows itself: its window (a WebKit process appears in its
    // tree) or, where there is no window, the status as a notification.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let window = !procs::webkit_in_tree(desk.app.pid()).is_empty();
        let note = desk.notes.shown().into_iter().skip(before).find(|n| {
            n.app == "Leasekeeper" && (n.summary.contains(&summary) || n.body.contains(&summary))
        });
        if window || note.is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the first tray showed neither its window nor its status within 30 s; \
             notifications: {:#?}",
            desk.notes.shown()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    desk.app.assert_running("after a second launch");
    let items = desk.watcher.as_ref().expect("a watcher").items();
    assert!(
        items.iter().all(|r| r.sender == first.sender),
        "only the first registered an item: {items:?}"
    );
    // The first still answers as a tray.
    menu.wait(20, "the leases", |rows| {
        left_of(rows, "dev-admin").is_some()
    });
}

#[test]
fn a_tray_started_while_the_daemon_runs_attaches_to_it_and_says_so() {
    let world = World::start(60.0, "");
    let bus = Bus::start();
    let mut daemon = world.cli(&bus, &["daemon"]);
    daemon.wait_line(40, "the keeper's socket", |l| {
        l.contains("serving the keeper's socket")
    });
    // The tray in the same session as the daemon.
    let desk = Desk::start_on(world, bus, Panel::WithHost, &[]);
    let pid = daemon.pid();
    let line = format!("Attached to leasekeeper daemon (pid {pid})");
    let rows = desk.menu().wait(40, &line, |rows| {
        rows.iter().any(|r| r.visible && r.label == line)
    });
    let row = rows.iter().find(|r| r.label == line).expect("the line");
    assert!(!row.enabled, "an information line:\n{}", render(&rows));
    assert!(
        left_of(&rows, "dev-admin").is_some(),
        "the daemon's leases are listed:\n{}",
        render(&rows)
    );
    daemon.assert_running("with a tray attached");
    assert_eq!(daemon.stop(), Some(0), "{}", daemon.stderr());
}

/// Starts the tray, waits for `[deploy]` to be written, clicks Quit; the
/// credentials file after the exit.
fn quit_after_a_write(settings: &str) -> String {
    let mut desk = Desk::start(World::start(60.0, settings), Panel::WithHost, &[]);
    let menu = desk.menu();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while !desk
        .world
        .credentials()
        .contains("[deploy]\n# managed by leasekeeper\n")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "[deploy] not written within 40 s; stderr:\n{}",
            desk.app.stderr()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    menu.click_label("Quit");
    let code = desk.app.wait_exit(30);
    assert_eq!(code, 0, "Quit exits 0; stderr:\n{}", desk.app.stderr());
    desk.world.credentials()
}

#[test]
fn quit_from_the_menu_exits_0_and_keeps_our_sections_by_default() {
    let creds = quit_after_a_write("[renew]\nstatic_keys = true\n");
    assert!(
        creds.contains("[deploy]\n# managed by leasekeeper\n"),
        "{creds}"
    );
    assert!(creds.contains("[alice]\naws_access_key_id = "), "{creds}");
}

#[test]
fn quit_from_the_menu_exits_0_and_removes_our_sections_when_set() {
    let creds = quit_after_a_write("[renew]\nstatic_keys = true\nremove_on_exit = true\n");
    assert!(!creds.contains("[deploy]"), "{creds}");
    assert!(!creds.contains("# managed by leasekeeper"), "{creds}");
    assert!(creds.contains("[alice]\naws_access_key_id = "), "{creds}");
}
