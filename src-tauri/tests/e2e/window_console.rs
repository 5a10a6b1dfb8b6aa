//! "Open console" in a row of the window: alice's row opens the "browser"
//! on a one-shot loopback address that leads to the sandbox console as the
//! federated user; the row says who the session is and that it carries no
//! MFA context; the sign-in URL never crosses the window's IPC.

use super::app::World;
use super::window_driver::Window;

#[test]
fn open_console_in_a_row_opens_the_browser_and_the_url_never_reaches_the_window() {
    let world = World::start(60.0, "");
    let browser = world.browser(true);
    let ipc = world.dir.path().join("ipc.jsonl");
    let ipc_s = ipc.display().to_string();
    let w = Window::open(
        world,
        &[
            ("LEASEKEEPER_IPC_LOG", ipc_s.as_str()),
            ("LEASEKEEPER_BROWSER", browser.as_str()),
        ],
    );
    w.wait_js(
        30,
        "alice's row",
        "return !!document.querySelector('.row[data-profile=\"alice\"] button.head')",
    );
    w.click(".row[data-profile=\"alice\"] button.head");
    w.click("button[data-console=\"alice\"]");
    w.wait_js(
        60,
        "the console opened",
        "const s = document.querySelector('button[data-console=\"alice\"] + [role=status]'); return s && s.textContent.startsWith('Opened as arn:aws:sts::111111111111:federated-user/lk-alice') && s.textContent.includes('no MFA context')",
    );
    let urls = w.world().browser_urls();
    assert_eq!(urls.len(), 1, "{urls:?}");
    assert!(urls[0].starts_with("http://127.0.0.1:"), "{urls:?}");
    let log = std::fs::read_to_string(&ipc).expect("the IPC log");
    assert!(log.contains("\"open_console\""), "the answer was recorded");
    for secret in ["SigninToken", "getSigninToken", "federation?"] {
        assert!(!log.contains(secret), "{secret} crossed the IPC");
    }
}
