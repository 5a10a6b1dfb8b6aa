//! The window's lease list on the sandbox's world: every profile listed
//! under its sign-in session or source, sorted by urgency; the filter box;
//! a sign-in through the browser (the sandbox approving at once) turns the
//! rows fresh with a live countdown; Refresh all renews and moves the keys'
//! expiry; and every payload the window received in all that holds no
//! secret. The screenshots in docs/ are taken here, light and dark.

use serde_json::Value;

use super::app::World;
use super::window_driver::{Window, docs_dir};

const SSO_PROFILES: [&str; 4] = ["auditor", "dev-admin", "dev-readonly", "prod-readonly"];

#[test]
fn the_window_lists_every_profile_of_the_sandbox_grouped_and_filters_them() {
    let world = World::start(60.0, "");
    let w = Window::open(world, &[]);
    assert_eq!(w.js("return document.title"), "Leasekeeper");
    let profiles =
        w.js("return [...document.querySelectorAll('.row')].map(r => r.dataset.profile)");
    let profiles: Vec<&str> = profiles
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for p in SSO_PROFILES
        .iter()
        .chain(&["alice", "deploy", "vendor", "breakglass"])
    {
        assert!(profiles.contains(p), "{p} is listed: {profiles:?}");
    }
    for p in SSO_PROFILES {
        let row = w.row(p);
        assert_eq!(row["group"], "sandbox", "{p}: {row}");
        assert_eq!(row["left"], "sign in", "{p}: {row}");
        assert_eq!(row["tone"], "needs_you", "{p}: {row}");
    }
    // Most urgent first: what needs the person comes before what does not.
    let first_ok = profiles.iter().position(|p| *p == "alice").expect("alice");
    let last_needs = profiles
        .iter()
        .rposition(|p| SSO_PROFILES.contains(p))
        .expect("sso");
    assert!(last_needs < first_ok, "urgent first: {profiles:?}");
    let summary = w.js("return document.getElementById('summary').textContent");
    assert!(
        summary
            .as_str()
            .is_some_and(|s| s.contains("need") && s.contains("8 leases")),
        "{summary}"
    );

    w.type_into("#filter", "prod");
    w.wait_js(
        5,
        "the filter applied",
        "return document.querySelector('.row[data-profile=\"dev-admin\"]').hidden",
    );
    assert_eq!(w.row("prod-readonly")["hidden"], false);
    assert_eq!(
        w.js("return document.getElementById('count').textContent"),
        "1 of 8"
    );

    // Details open from the keyboard-usable row button.
    w.type_into("#filter", "");
    w.js("document.getElementById('filter').dispatchEvent(new Event('input')); return true");
    w.click(".row[data-profile=\"dev-admin\"] button.head");
    let details = w.wait_js(5, "dev-admin's details", "const d = document.querySelector('.row[data-profile=\"dev-admin\"] .details'); return !d.hidden && d.innerText");
    let details = details.as_str().unwrap_or_default();
    assert!(details.contains("sandbox"), "{details}");
    assert!(
        details.contains("[dev-admin] in "),
        "where its keys go: {details}"
    );
}

/// Every secret the files hold: the credentials file's keys, the SSO
/// token cache's tokens, and the client registrations' secrets.
fn secrets(world: &World) -> Vec<String> {
    let mut out = Vec::new();
    for line in world.credentials().lines() {
        if let Some((k, v)) = line.split_once('=') {
            if ["aws_secret_access_key", "aws_session_token"].contains(&k.trim()) {
                out.push(v.trim().to_owned());
            }
        }
    }
    let dirs = [
        std::path::PathBuf::from(world.var("LEASEKEEPER_STATE_DIR")),
        world.dir.path().to_owned(),
    ];
    for dir in dirs {
        let Ok(entries) = walk(&dir) else { continue };
        for file in entries {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            for key in ["accessToken", "refreshToken", "clientSecret"] {
                if let Some(s) = json.get(key).and_then(Value::as_str) {
                    out.push(s.to_owned());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn walk(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(walk(&p).unwrap_or_default());
        } else {
            out.push(p);
        }
    }
    Ok(out)
}

fn sign_in_and_renew(dark: bool) {
    let world = World::start(60.0, "");
    let browser = world.browser(true);
    let ipc = world.dir.path().join("ipc.jsonl");
    let ipc_s = ipc.display().to_string();
    let mut extra = vec![
        ("LEASEKEEPER_BROWSER", browser.as_str()),
        ("LEASEKEEPER_IPC_LOG", ipc_s.as_str()),
    ];
    if dark {
        extra.push(("GTK_THEME", "Adwaita:dark"));
    }
    let w = Window::open(world, &extra);
    w.click("[data-sign-in=\"sandbox\"]");
    w.wait_js(
        5,
        "the sign-in dialog",
        "return document.getElementById('sign-in-dialog').open",
    );
    w.click("#dlg-browser");
    w.wait_js(60, "dev-admin fresh", "const r = document.querySelector('.row[data-profile=\"dev-admin\"]'); return r && r.dataset.tone === 'ok' && /^(<1m|\\d+m|\\d+h \\d\\dm|\\d+d \\d\\dh)$/.test(r.querySelector('.left').textContent)");
    assert_eq!(w.world().browser_urls().len(), 1, "one browser tab");
    w.wait_js(30, "keys for dev-admin", "const r = document.querySelector('.row[data-profile=\"dev-admin\"]'); return r.dataset.keysExpires");
    for p in SSO_PROFILES {
        let row = w.row(p);
        assert_eq!(row["tone"], "ok", "{p}: {row}");
    }

    // A renewal moves the keys' expiry later.
    let before: i64 = w.row("dev-admin")["keys"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("keys expiry");
    std::thread::sleep(std::time::Duration::from_secs(2));
    w.click("#refresh");
    w.wait_js(40, "the renewed expiry", &format!("const r = document.querySelector('.row[data-profile=\"dev-admin\"]'); return Number(r.dataset.keysExpires) > {before}"));
    // The countdown is live: the bar has a width and the text a time.
    let width = w.js("return document.querySelector('.row[data-profile=\"dev-admin\"] .meter > span').style.width");
    assert!(
        width
            .as_str()
            .is_some_and(|s| s.ends_with('%') && s != "0.0%"),
        "{width}"
    );

    if dark {
        let bg = w.js("return getComputedStyle(document.body).backgroundColor");
        assert_eq!(bg, "rgb(21, 24, 28)", "the dark theme is followed");
    } else {
        let bg = w.js("return getComputedStyle(document.body).backgroundColor");
        assert_eq!(bg, "rgb(246, 247, 249)", "the light theme is followed");
    }
    // The details of one row open, as a person would look at them.
    w.click(".row[data-profile=\"dev-admin\"] button.head");
    w.js("window.getSelection().removeAllRanges(); document.activeElement.blur(); return true");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let name = if dark {
        "window-dark.png"
    } else {
        "window-light.png"
    };
    w.screenshot(&docs_dir().join(name));

    // Nothing secret crossed to the webview.
    let log = std::fs::read_to_string(&ipc).expect("the IPC log");
    assert!(log.contains("\"get_view\""), "answers were recorded");
    assert!(log.contains("\"sign-in\""), "sign-in events were recorded");
    let secrets = secrets(w.world());
    assert!(
        secrets.len() >= 3,
        "secrets found to look for: {}",
        secrets.len()
    );
    for s in &secrets {
        assert!(!log.contains(s.as_str()), "a secret reached the webview");
    }
}

#[test]
fn a_sign_in_turns_the_rows_fresh_a_renewal_moves_the_countdown_and_no_secret_crosses() {
    sign_in_and_renew(false);
}

#[test]
fn the_window_follows_a_dark_theme() {
    sign_in_and_renew(true);
}
