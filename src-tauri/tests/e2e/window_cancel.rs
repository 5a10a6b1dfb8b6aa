//! A browser sign-in in progress: the dialog says to continue in the
//! browser, Cancel (or Esc) stops the sign-in, and a new one can start at
//! once.

use super::app::World;
use super::window_driver::Window;

#[test]
fn a_browser_sign_in_says_continue_in_your_browser_and_cancel_stops_it() {
    let world = World::start(60.0, "");
    // A browser that only records the address: the sign-in stays pending.
    let browser = world.browser(false);
    let w = Window::open(world, &[("LEASEKEEPER_BROWSER", browser.as_str())]);
    w.click("[data-sign-in=\"sandbox\"]");
    w.click("#dlg-browser");
    w.wait_js(
        30,
        "continue in your browser",
        "return !document.getElementById('dlg-wait').hidden && document.getElementById('dlg-wait-text').textContent === 'Continue in your browser…'",
    );
    assert_eq!(
        w.world().browser_urls().len(),
        1,
        "the browser was opened once"
    );

    w.keys_to_page("\u{E00C}").expect("Esc");
    w.wait_js(
        10,
        "the dialog closed",
        "return !document.getElementById('sign-in-dialog').open",
    );
    // Cancelled: a new sign-in is accepted at once (no "already running").
    w.click("[data-sign-in=\"sandbox\"]");
    w.click("#dlg-browser");
    w.wait_js(
        30,
        "a second sign-in",
        "return document.getElementById('dlg-wait-text').textContent === 'Continue in your browser…' && document.getElementById('dlg-error').hidden",
    );
    assert_eq!(w.world().browser_urls().len(), 2, "a second browser tab");
    assert_eq!(
        w.row("dev-admin")["left"],
        "sign in",
        "nothing signed in meanwhile"
    );
}
