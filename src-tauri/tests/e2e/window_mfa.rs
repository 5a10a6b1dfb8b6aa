//! The MFA prompt: breakglass (a role with alice's `mfa_serial`) shows
//! "MFA code"; the code of alice's device typed into its row goes to the
//! keeper, which opens an MFA session and renews the role: the row shows
//! the renewal fresh and the keys' expiry, and no longer reads "expired" or
//! "MFA code". The code never comes back to the window.

use std::time::{SystemTime, UNIX_EPOCH};

use leasekeeper_sandbox::{ALICE_TOTP_SECRET, totp};

use super::app::World;
use super::window_driver::Window;

#[test]
fn an_mfa_code_typed_in_the_window_renews_the_role() {
    let world = World::start(60.0, "");
    let ipc = world.dir.path().join("ipc.jsonl");
    let ipc_s = ipc.display().to_string();
    let w = Window::open(world, &[("LEASEKEEPER_IPC_LOG", ipc_s.as_str())]);
    w.wait_js(30, "breakglass asking for a code", "const r = document.querySelector('.row[data-profile=\"breakglass\"]'); return r && r.dataset.action === 'mfa_code' && r.dataset.tone === 'needs_you' && !!r.querySelector('form[data-mfa]')");
    w.click(".row[data-profile=\"breakglass\"] button.head");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let code = totp::totp_code(ALICE_TOTP_SECRET, now).expect("a base32 secret");
    w.type_into("form[data-mfa=\"breakglass\"] input", &code);
    w.click("form[data-mfa=\"breakglass\"] button");
    w.wait_js(
        60,
        "breakglass renewed",
        "const r = document.querySelector('.row[data-profile=\"breakglass\"]'); return r && r.dataset.renewal === 'fresh' && r.dataset.keysExpires",
    );
    // The keeper holds the role's keys now: the row counts down to the MFA
    // session's end (the menu line comes from the same engine rule).
    let row = w.row("breakglass");
    let left = row["left"].as_str().unwrap_or_default();
    assert!(
        left != "expired" && row["action"] != "mfa_code" && row["state"] != "expired",
        "a kept role never reads expired: {row}"
    );
    w.wait_js(10, "the code accepted", "return document.querySelector('form[data-mfa=\"breakglass\"] [role=status]')?.textContent === 'Code accepted' || !document.querySelector('form[data-mfa=\"breakglass\"]')");
    let log = std::fs::read_to_string(&ipc).expect("the IPC log");
    assert!(
        log.contains("\"submit_mfa_code\""),
        "the answer was recorded"
    );
    assert!(
        !log.contains(&code),
        "the code never comes back to the window"
    );
}
