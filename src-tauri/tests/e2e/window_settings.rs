//! The window's sign-in with a device code and its settings: the dialog
//! shows the very code the sandbox waits for, approving it there signs in,
//! and signing out from the settings undoes it; settings changed in the window land in the keeper's settings file
//! and an XDG autostart entry, and are shown again after a restart; "Use
//! credential_process" adds the profile `leasekeeper setup-process` adds.

use leasekeeper_sandbox::SignInKind;

use super::app::World;
use super::window_driver::Window;

#[test]
fn the_device_code_dialog_shows_the_sandbox_code_approving_it_signs_in_and_sign_out_undoes_it() {
    // No auto-approval: the sign-in waits for the approval below.
    let world = World::start_with("", |c| c.speed = 60.0);
    let w = Window::open(world, &[]);
    w.click("[data-sign-in=\"sandbox\"]");
    w.click("#dlg-device");
    let shown = w.wait_js(
        30,
        "the device code",
        "return document.getElementById('device-code').textContent",
    );
    let shown = shown.as_str().expect("text").to_owned();
    let pending = w.world().sb.pending_sign_ins();
    let device: Vec<_> = pending
        .iter()
        .filter(|p| p.kind == SignInKind::DeviceCode)
        .collect();
    assert_eq!(device.len(), 1, "{pending:?}");
    assert_eq!(shown, device[0].id, "the dialog shows the sandbox's code");
    let uri = w.js("return document.getElementById('dlg-uri').textContent");
    assert!(
        uri.as_str()
            .is_some_and(|u| u.starts_with(w.world().sb.base_url())),
        "the sandbox's address: {uri}"
    );

    w.world().sb.approve(&shown).expect("approved");
    w.wait_js(60, "dev-admin fresh", "const r = document.querySelector('.row[data-profile=\"dev-admin\"]'); return r && r.dataset.tone === 'ok'");
    w.wait_js(10, "the dialog to say so", "return !document.getElementById('dlg-done').hidden || !document.getElementById('sign-in-dialog').open");

    // Signing out from the settings: the session's rows need a sign-in again.
    w.js("if (document.getElementById('sign-in-dialog').open) document.getElementById('sign-in-dialog').close(); return true");
    w.click("#tab-settings");
    w.wait_js(
        10,
        "the sign-out button",
        "return document.querySelector('[data-sign-out=\"sandbox\"]')",
    );
    w.click("[data-sign-out=\"sandbox\"]");
    w.wait_js(
        20,
        "signed out",
        "return document.getElementById('settings-status').textContent === 'Signed out of sandbox'",
    );
    w.click("#tab-leases");
    w.wait_js(30, "dev-admin needing a sign-in", "const r = document.querySelector('.row[data-profile=\"dev-admin\"]'); return r && r.querySelector('.left').textContent === 'sign in'");
}

#[test]
fn settings_changed_in_the_window_persist_across_a_restart() {
    let world = World::start(60.0, "");
    let xdg = world.dir.path().join("xdg");
    let xdg_s = xdg.display().to_string();
    let extra = [
        ("XDG_CONFIG_HOME", xdg_s.as_str()),
        // Shown without its password; the sandbox is reached directly.
        ("HTTPS_PROXY", "http://me:s3cret@127.0.0.1:9"),
        ("NO_PROXY", "127.0.0.1,localhost"),
    ];
    let w = Window::open(world, &extra);
    w.click("#tab-settings");
    w.wait_js(
        10,
        "the settings",
        "return document.querySelector('input[data-renew=\"dev-admin\"]')",
    );
    assert_eq!(
        w.js("return document.querySelector('[data-aws-in-use=\"httpsProxy\"]').textContent"),
        "In use: http://127.0.0.1:9 (from HTTPS_PROXY)"
    );
    assert_eq!(
        w.js("return document.body.innerText.includes('s3cret')"),
        false,
        "the proxy's password is not shown"
    );
    // The About names this build: its version and the commit (or that the
    // commit is unknown).
    let version = w.js("return document.getElementById('version').textContent");
    let version = version.as_str().unwrap_or_default();
    assert!(
        version.starts_with(concat!(env!("CARGO_PKG_VERSION"), " (")) && version.contains("commit"),
        "{version}"
    );
    w.type_into("#leads", "30m, 10m");
    w.js("document.getElementById('leads').dispatchEvent(new Event('change')); return true");
    w.wait_js(
        10,
        "the leads saved",
        "return document.getElementById('settings-status').textContent === 'Saved'",
    );
    w.js("document.getElementById('settings-status').textContent = ''; return true");
    w.click("input[data-renew=\"dev-admin\"]");
    w.wait_js(10, "renewal off saved", "return document.getElementById('settings-status').textContent === 'Saved' && !document.querySelector('input[data-renew=\"dev-admin\"]').checked");
    w.js("document.getElementById('settings-status').textContent = ''; return true");
    w.click("#autostart");
    w.wait_js(10, "autostart saved", "return document.getElementById('settings-status').textContent === 'Saved' && document.getElementById('autostart').checked");

    let settings_file = w.world().dir.path().join("cfg/settings.toml");
    let text = std::fs::read_to_string(&settings_file).expect("settings file");
    assert!(text.contains("leads = [\"30m\", \"10m\"]"), "{text}");
    assert!(
        text.contains("[profiles.dev-admin]") && text.contains("renew = false"),
        "{text}"
    );
    let entry = xdg.join("autostart/leasekeeper-tray.desktop");
    let desktop = std::fs::read_to_string(&entry).expect("the autostart entry");
    let exec = desktop
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("an Exec line");
    assert!(exec.ends_with("leasekeeper-tray"), "runs the tray: {exec}");
    assert!(
        exec.contains(&format!(
            "AWS_CONFIG_FILE={}",
            w.world().var("AWS_CONFIG_FILE")
        )),
        "names the AWS config it looks after: {exec}"
    );

    // "Use credential_process": setup-process's operation adds the profile.
    w.click("tr[data-profile=\"dev-readonly\"] button");
    w.wait_js(30, "the profile added", "return document.getElementById('settings-status').textContent.includes('dev-readonly-leasekeeper')");
    let config = std::fs::read_to_string(w.world().var("AWS_CONFIG_FILE")).expect("config");
    let added = config
        .split("[profile dev-readonly-leasekeeper]")
        .nth(1)
        .expect("the new profile in the config file");
    assert!(
        added.contains("credential_process = ")
            && added.contains("credential-process --profile dev-readonly"),
        "{config}"
    );

    let world = w.into_world();
    let w = Window::open(world, &extra);
    w.click("#tab-settings");
    w.wait_js(
        10,
        "the settings again",
        "return document.querySelector('input[data-renew=\"dev-admin\"]')",
    );
    assert_eq!(
        w.js("return document.getElementById('leads').value"),
        "30m, 10m"
    );
    assert_eq!(
        w.js("return document.querySelector('input[data-renew=\"dev-admin\"]').checked"),
        false
    );
    assert_eq!(
        w.js("return document.querySelector('input[data-renew=\"dev-readonly\"]').checked"),
        true
    );
    assert_eq!(
        w.js("return document.getElementById('autostart').checked"),
        true
    );
}
