//! Signing in from the tray: a click on `Sign in to sandbox…` over dbusmenu
//! opens the "browser" (a script following every redirect, on a sandbox
//! approving at once), the browser sign-in completes on the app's loopback
//! listener and the profiles' lines turn from `sign in` to a time; and the
//! `Sign in` action of a notification starts a sign-in the same way.

use super::app::World;
use super::dbusmenu::render;
use super::desk::{Desk, Panel, is_time, left_of};

#[test]
fn clicking_sign_in_completes_it_through_the_sandbox_and_the_line_shows_a_time() {
    let world = World::start(60.0, "");
    let browser = world.browser(true);
    let desk = Desk::start(world, Panel::WithHost, &[("LEASEKEEPER_BROWSER", &browser)]);
    let menu = desk.menu();
    menu.wait(40, "dev-admin waiting for a sign-in", |rows| {
        left_of(rows, "dev-admin") == Some("sign in")
    });
    assert!(
        desk.world.browser_urls().is_empty(),
        "no browser opens before a click"
    );
    assert!(desk.world.sb.sessions().is_empty());

    menu.click_label("Sign in to sandbox\u{2026}");

    let rows = menu.wait(60, "dev-admin signed in", |rows| {
        left_of(rows, "dev-admin").is_some_and(is_time)
    });
    let shown = render(&rows);
    let urls = desk.world.browser_urls();
    assert_eq!(urls.len(), 1, "one browser tab: {urls:?}");
    assert!(
        urls[0].starts_with(&format!(
            "{}/authorize?response_type=code&client_id=",
            desk.world.sb.base_url()
        )),
        "the PKCE authorize URL: {urls:?}"
    );
    assert_eq!(desk.world.sb.sessions().len(), 1, "one sign-in session");
    for p in ["dev-readonly", "prod-readonly"] {
        assert!(
            left_of(&rows, p).is_some_and(is_time),
            "{p} shows a time:\n{shown}"
        );
    }
    assert!(
        !rows
            .iter()
            .any(|r| r.visible && r.label == "Sign in to sandbox\u{2026}"),
        "no sign-in entry once signed in:\n{shown}"
    );
}

#[test]
fn the_sign_in_action_of_a_notification_starts_a_sign_in() {
    let world = World::start(60.0, "");
    // A browser that only records: the sign-in stays pending.
    let browser = world.browser(false);
    let desk = Desk::start(world, Panel::WithHost, &[("LEASEKEEPER_BROWSER", &browser)]);
    let note = desk.notes.wait(40, "with a sign-in action", |n| {
        n.actions.iter().any(|(k, _)| k == "sign-in:sandbox")
    });
    assert_eq!(note.app, "Leasekeeper", "{note:?}");
    assert!(
        note.actions
            .iter()
            .any(|(k, label)| k == "sign-in:sandbox" && label == "Sign in"),
        "{note:?}"
    );
    assert!(
        desk.world.browser_urls().is_empty(),
        "a notification never opens a browser by itself"
    );

    // A person clicks after the app listens for the click; the test waits
    // for that too.
    desk.bus.wait_listening(desk.app.pid(), "ActionInvoked", 20);
    desk.notes.invoke_action(note.id, "sign-in:sandbox");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let urls = loop {
        let urls = desk.world.browser_urls();
        if !urls.is_empty() {
            break urls;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the action started no sign-in within 30 s; stderr:\n{}",
            desk.app.stderr()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(
        urls[0].starts_with(&format!("{}/authorize?", desk.world.sb.base_url())),
        "{urls:?}"
    );
}
