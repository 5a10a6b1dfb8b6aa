//! The tray item and its menu as a panel sees them: the app registers its
//! StatusNotifierItem with the watcher, and the menu read over dbusmenu
//! shows the summary, the sandbox's profiles with what is left of each,
//! the sign-in entry and the fixed entries, with no WebKit process running.

use super::app::World;
use super::dbusmenu::render;
use super::desk::{Desk, Panel, is_summary, is_time, lease_line, left_of};
use super::procs;

/// The sandbox's profiles that live on its Identity Center sign-in.
const SSO_PROFILES: [&str; 4] = ["dev-admin", "dev-readonly", "prod-readonly", "auditor"];

#[test]
fn the_item_registers_and_its_menu_lists_every_lease_with_what_is_left() {
    let desk = Desk::start(World::start(60.0, ""), Panel::WithHost, &[]);
    let item = desk.item(40);
    assert!(
        item.path().starts_with("/org/ayatana/NotificationItem/"),
        "a libayatana item: {item:?}"
    );
    let menu = desk.menu();
    assert_eq!(menu.path(), format!("{}/Menu", item.path()));
    let rows = menu.wait(40, "the sandbox's profiles", |rows| {
        SSO_PROFILES.iter().all(|p| left_of(rows, p).is_some())
    });
    let shown = render(&rows);
    let visible: Vec<_> = rows
        .iter()
        .filter(|r| r.visible && r.kind != "separator")
        .collect();

    // The first line is the summary, not clickable.
    let first = visible.first().expect("a non-empty menu");
    assert!(is_summary(&first.label), "a summary first:\n{shown}");
    assert!(!first.enabled, "the summary is disabled:\n{shown}");
    // Nobody signed in yet: the summary counts those who need the person.
    assert!(first.label.contains(" you \u{b7} "), "{shown}");

    // Every profile on the sign-in is waiting for it.
    for p in SSO_PROFILES {
        assert_eq!(left_of(&rows, p), Some("sign in"), "{p}:\n{shown}");
    }
    // The MFA role cannot renew without a code.
    assert!(
        matches!(left_of(&rows, "breakglass"), Some("MFA code" | "expired")),
        "breakglass:\n{shown}"
    );
    // Every lease line is `<profile> — <left>`, a disabled line.
    let known: Vec<String> = leasekeeper_sandbox::profiles(desk.world.sb.world())
        .into_iter()
        .map(|p| p.name)
        .collect();
    for r in &visible {
        if let Some((profile, left)) = lease_line(&r.label) {
            assert!(known.iter().any(|k| k == profile), "{profile}:\n{shown}");
            // `no expiry`: keys that never lapse, or roles over them that
            // renew by themselves (as `leasekeeper status` says).
            assert!(
                is_time(left)
                    || ["sign in", "MFA code", "expired", "error", "no expiry"].contains(&left),
                "{profile}'s left {left:?} is not in the menu's format:\n{shown}"
            );
        }
    }
    // A session header before the lease lines.
    assert!(
        visible
            .iter()
            .any(|r| !r.enabled && r.label.contains("sandbox") && lease_line(&r.label).is_none()),
        "a header for the sandbox session:\n{shown}"
    );

    // What doctor finds (the sign-in, at least): one line that opens the window.
    assert!(
        visible.iter().any(|r| r.enabled
            && r.label.ends_with(" Open Leasekeeper")
            && r.label.contains(" problem")),
        "a problems line:\n{shown}"
    );
    // Open console lists the lease lines' profiles.
    assert!(
        rows.iter().any(|r| r.label == "Open console"),
        "an Open console submenu:\n{shown}"
    );

    // The actions, enabled, with the fixed entries last.
    let labels: Vec<&str> = visible.iter().map(|r| r.label.as_str()).collect();
    let enabled = |l: &str| visible.iter().any(|r| r.label == l && r.enabled);
    assert!(enabled("Sign in to sandbox\u{2026}"), "{shown}");
    assert_eq!(
        labels[labels.len() - 3..],
        ["Refresh all", "Open Leasekeeper", "Quit"],
        "{shown}"
    );
    assert!(
        ["Refresh all", "Open Leasekeeper", "Quit"]
            .iter()
            .all(|l| enabled(l)),
        "{shown}"
    );

    // Reading the menu opened no window: no WebKit process exists.
    let webkit = procs::webkit_in_tree(desk.app.pid());
    assert!(
        webkit.is_empty(),
        "WebKit runs with no window opened: {webkit:?}"
    );
}

#[test]
fn past_fifteen_leases_the_menu_says_how_many_more() {
    let world = World::start(60.0, "");
    // Ten more profiles with static keys: eighteen leases in all.
    let mut creds = world.credentials();
    for i in 1..=10 {
        creds.push_str(&format!(
            "\n[extra-{i:02}]\naws_access_key_id = AKIAEXTRA{i:011}\n\
             aws_secret_access_key = extraSecret{i:029}\n"
        ));
    }
    std::fs::write(world.var("AWS_SHARED_CREDENTIALS_FILE"), creds).expect("credentials");
    let desk = Desk::start(world, Panel::WithHost, &[]);
    let more = "3 more\u{2026} Open Leasekeeper";
    let rows = desk.menu().wait(40, more, |rows| {
        rows.iter().any(|r| r.visible && r.label == more)
    });
    let shown = render(&rows);
    let lines = rows
        .iter()
        .filter(|r| r.visible && lease_line(&r.label).is_some())
        .count();
    assert_eq!(lines, 15, "at most 15 lease lines:\n{shown}");
    // The most urgent are the ones kept: every sign-in is listed.
    for p in SSO_PROFILES {
        assert_eq!(left_of(&rows, p), Some("sign in"), "{p}:\n{shown}");
    }
    let summary = rows
        .iter()
        .find(|r| r.visible && r.kind != "separator")
        .expect("a summary");
    assert!(summary.label.ends_with(" 18 leases"), "{shown}");
}
