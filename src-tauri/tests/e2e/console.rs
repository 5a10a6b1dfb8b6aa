//! "Open console" from the tray: the menu lists the profiles of its lease
//! lines under `Open console`; a click on `alice` (an IAM user's long-term
//! keys) opens the "browser" on a one-shot loopback address, never the
//! sign-in URL, which leads it to the sandbox console as the federated
//! user; a notification says who the session is and that it carries no MFA
//! context. A profile waiting for a sign-in gets a notification saying so.

use super::app::World;
use super::dbusmenu::render;
use super::desk::{Desk, Panel, left_of};

#[test]
fn open_console_signs_the_browser_in_through_a_loopback_address_and_says_who() {
    let world = World::start(60.0, "");
    let browser = world.browser(true);
    let desk = Desk::start(world, Panel::WithHost, &[("LEASEKEEPER_BROWSER", &browser)]);
    let menu = desk.menu();
    let rows = menu.wait(40, "the console entries", |rows| {
        rows.iter().any(|r| r.label == "Open console")
            && left_of(rows, "alice").is_some()
            && left_of(rows, "dev-admin") == Some("sign in")
    });
    let shown = render(&rows);
    assert!(
        rows.iter().any(|r| r.label == "alice" && r.enabled),
        "alice under Open console:\n{shown}"
    );

    menu.click_label("alice");
    let opened = desk.notes.wait(60, "the console opened", |n| {
        n.summary == "Console opened as alice"
    });
    assert!(
        opened
            .body
            .contains("arn:aws:sts::111111111111:federated-user/lk-alice"),
        "{opened:?}"
    );
    assert!(opened.body.contains("no MFA context"), "{opened:?}");
    let urls = desk.world.browser_urls();
    assert_eq!(urls.len(), 1, "{urls:?}");
    assert!(urls[0].starts_with("http://127.0.0.1:"), "{urls:?}");
    assert!(!urls[0].contains("SigninToken") && !urls[0].contains("federation"));

    // Before any sign-in an SSO role cannot: the notification says what to do.
    menu.click_label("dev-admin");
    let refused = desk.notes.wait(60, "the console refused", |n| {
        n.summary == "Cannot open the console as dev-admin"
    });
    assert!(
        refused.body.contains("sign in") || refused.body.contains("login"),
        "{refused:?}"
    );
    assert_eq!(
        desk.world.browser_urls().len(),
        1,
        "no browser without keys"
    );
}
