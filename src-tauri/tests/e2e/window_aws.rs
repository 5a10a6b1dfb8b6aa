//! The AWS files, CA bundle and proxy set in the window: a tray started
//! without a shell's variables (as a desktop starts it) finds nothing; the
//! AWS files named in the settings bring the sandbox's profiles at once; a
//! sign-in fails until the CA bundle is named, then succeeds through the
//! proxy named there, signed in to it with the user and password its
//! address holds (which never reach the page, the IPC or the log); the
//! keeper renews into the credentials file named there; and after a
//! restart, still without the variables, the app looks after the same
//! files.

use leasekeeper_sandbox::ConnectProxy;

use super::app::World;
use super::window_driver::Window;

const SHELL_ONLY: [&str; 3] = [
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CA_BUNDLE",
];

/// Types `value` into the `[aws]` field `key`, leaves the field (as Tab
/// would) and waits until the window shows it in use, set here (`shown`:
/// how the window shows it). Leaving the field ends its edit, so no late
/// `change` of it can answer for the next field.
fn set_aws(w: &Window, key: &str, value: &str, shown: &str) {
    w.js("document.getElementById('settings-status').textContent = ''; return true");
    let css = format!("input[data-aws=\"{key}\"]");
    w.type_into(&css, value);
    w.js(&format!(
        "const e = document.querySelector('{}'); e.dispatchEvent(new Event('change')); e.blur(); return true",
        css.replace('\'', "\\'")
    ));
    let expected = serde_json::to_string(&format!("In use: {shown} (set here)")).expect("text");
    w.wait_js(
        40,
        &format!("{key} in use"),
        &format!(
            "return document.querySelector('[data-aws-in-use=\"{key}\"]').textContent === {expected}"
        ),
    );
    let status = w.wait_js(
        10,
        &format!("{key} saved"),
        "const t = document.getElementById('settings-status').textContent; return t ? t : null",
    );
    assert_eq!(status, "Saved", "{key} = {shown}");
}

fn in_use(w: &Window, key: &str) -> String {
    w.js(&format!(
        "return document.querySelector('[data-aws-in-use=\"{key}\"]').textContent"
    ))
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[test]
fn aws_files_ca_bundle_and_proxy_set_in_the_window_apply_at_once_and_persist() {
    let mut world = World::start_with("", |c| {
        c.speed = 60.0;
        c.auto_approve = true;
        c.tls = true;
    });
    let config = world.var("AWS_CONFIG_FILE").to_owned();
    let credentials = world.var("AWS_SHARED_CREDENTIALS_FILE").to_owned();
    let ca = world.var("AWS_CA_BUNDLE").to_owned();
    world
        .vars
        .retain(|(k, _)| !SHELL_ONLY.contains(&k.as_str()));
    let proxy = ConnectProxy::start().expect("proxy");
    let with_password = format!(
        "http://me:s3cret@{}",
        proxy.url().trim_start_matches("http://")
    );
    let ipc = world.dir.path().join("ipc.jsonl");
    let ipc_s = ipc.display().to_string();

    let w = Window::open(world, &[("LEASEKEEPER_IPC_LOG", ipc_s.as_str())]);
    w.wait_js(
        30,
        "the empty state (no ~/.aws/config in the world's home)",
        "return !document.getElementById('empty').hidden",
    );
    w.click("#tab-settings");
    w.wait_js(
        10,
        "the AWS fields",
        "return document.querySelector('input[data-aws=\"configFile\"]')",
    );
    let shown = in_use(&w, "configFile");
    assert!(
        shown.contains(".aws/config") && shown.contains("the default"),
        "{shown}"
    );

    set_aws(&w, "configFile", &config, &config);
    set_aws(&w, "credentialsFile", &credentials, &credentials);
    let shown = in_use(&w, "configFile");
    assert!(
        shown.contains(&config) && shown.contains("set here"),
        "{shown}"
    );
    w.click("#tab-leases");
    w.wait_js(
        30,
        "the sandbox's profiles listed at once",
        "return document.querySelector('.row[data-profile=\"dev-admin\"]')",
    );

    // Without the CA bundle, the sandbox's certificate is not trusted.
    w.click("[data-sign-in=\"sandbox\"]");
    w.click("#dlg-device");
    w.wait_js(
        60,
        "the sign-in to fail",
        "const e = document.getElementById('dlg-error'); return !e.hidden && e.textContent",
    );
    w.js("document.getElementById('sign-in-dialog').close(); return true");

    w.click("#tab-settings");
    set_aws(&w, "caBundle", &ca, &ca);
    set_aws(&w, "httpsProxy", &with_password, proxy.url());
    let shown = in_use(&w, "httpsProxy");
    assert!(
        shown.contains(proxy.url()) && shown.contains("set here"),
        "{shown}"
    );
    assert_eq!(
        w.js("return document.querySelector('input[data-aws=\"httpsProxy\"]').value"),
        proxy.url(),
        "once saved, the field shows the address without its password"
    );
    w.click("#tab-leases");
    w.click("[data-sign-in=\"sandbox\"]");
    w.click("#dlg-device");
    w.wait_js(90, "dev-admin fresh", "const r = document.querySelector('.row[data-profile=\"dev-admin\"]'); return r && r.dataset.tone === 'ok'");
    let sandbox = w.world().sb.addr().to_string();
    let tunnels = proxy.seen();
    assert!(
        tunnels.contains(&sandbox),
        "the sign-in went through the proxy: {tunnels:?}"
    );
    assert!(
        proxy
            .authorizations()
            .iter()
            .any(|a| a.as_deref() == Some("Basic bWU6czNjcmV0")),
        "signed in to the proxy as me: {:?}",
        proxy.authorizations()
    );
    let page = w.js("return document.body.innerText");
    let ipc_text = std::fs::read_to_string(&ipc).expect("the IPC log");
    for (what, text) in [
        ("page", page.to_string()),
        ("IPC", ipc_text),
        ("log", w.log()),
        (
            "tray's log",
            w.tray.as_ref().map(|t| t.stderr()).unwrap_or_default(),
        ),
    ] {
        assert!(
            !text.contains("s3cret"),
            "the proxy's password in the {what}"
        );
    }

    // The keeper renews into the credentials file the settings name.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(&credentials).unwrap_or_default();
        if text.contains("[dev-admin]") && text.contains("# managed by leasekeeper") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no renewed keys in {credentials}:\n{text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let settings = std::fs::read_to_string(w.world().dir.path().join("cfg/settings.toml"))
        .expect("settings file");
    assert!(
        settings.contains("[aws]") && settings.contains(&format!("config_file = \"{config}\"")),
        "{settings}"
    );

    // Started again, still without the variables: the same files.
    let world = w.into_world();
    let w = Window::open(world, &[]);
    w.wait_js(
        60,
        "dev-admin listed and fresh after the restart",
        "const r = document.querySelector('.row[data-profile=\"dev-admin\"]'); return r && r.dataset.tone === 'ok'",
    );
    w.click("#tab-settings");
    w.wait_js(
        10,
        "the AWS fields again",
        "return document.querySelector('input[data-aws=\"caBundle\"]')",
    );
    assert_eq!(
        w.js("return document.querySelector('input[data-aws=\"caBundle\"]').value"),
        ca.as_str()
    );
    assert!(in_use(&w, "credentialsFile").contains(&credentials));
}
