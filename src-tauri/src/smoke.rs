//! The whole app on Tauri's mock runtime: it reads a real AWS home, becomes
//! its keeper, shows the menu the engine computes, keeps running when its
//! last window closes, and quits cleanly from the menu's Quit (the keeper
//! stopped, its lock released, exit code 0).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use leasekeeper_engine::menu::MenuId;
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::home_lock::KeeperLockError;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_service::Environment;
use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};
use tauri::{AppHandle, Manager as _, WebviewUrl, WebviewWindowBuilder};

use crate::controller::{Ctl, Msg, Shown};
use crate::{Options, on_event, run_app};

const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
";

const CREDENTIALS: &str =
    "[alice]\naws_access_key_id = AKIAALICE0000000001\naws_secret_access_key = c2VjcmV0\n";

/// Opens a window and closes it again: the last window gone.
fn open_and_close_a_window(app: &AppHandle<MockRuntime>, label: &str) {
    let window = WebviewWindowBuilder::new(app, label, WebviewUrl::default())
        .build()
        .expect("a window on the mock runtime");
    window.destroy().expect("the window closes");
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_app_keeps_its_home_shows_the_menu_outlives_its_windows_and_quits_cleanly() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".aws")).expect("an AWS folder");
    std::fs::write(home.join(".aws/config"), CONFIG).expect("config written");
    std::fs::write(home.join(".aws/credentials"), CREDENTIALS).expect("credentials written");
    let mut env = Environment::process();
    env.set("HOME", &home);
    env.unset("AWS_CONFIG_FILE");
    env.unset("AWS_SHARED_CREDENTIALS_FILE");
    env.unset("AWS_PROFILE");
    env.set("LEASEKEEPER_STATE_DIR", dir.path().join("state"));
    env.set("LEASEKEEPER_CONFIG_DIR", dir.path().join("settings"));
    env.set("LEASEKEEPER_TIME_SCALE", "60");
    let paths = AwsPaths::from_env(env.lookup()).expect("the AWS files");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");

    let options = Options {
        paths: paths.clone(),
        env: env.clone(),
        tray: false,
        desktop: false,
        // The mock runtime ends its loop when the last window goes and
        // nobody prevents the exit: after Quit, nobody does.
        exit: Box::new(|app: &AppHandle<MockRuntime>| open_and_close_a_window(app, "last")),
        runtime: runtime.handle().clone(),
    };
    let app = run_app(mock_builder(), mock_context(noop_assets()), options).expect("the app");
    let handle = app.handle().clone();
    let quit_sent = Arc::new(AtomicBool::new(false));
    let sent = quit_sent.clone();
    let (lock_env, lock_paths) = (env.clone(), paths.clone());
    let driver = std::thread::spawn(move || {
        let shown = || {
            handle
                .state::<Shown>()
                .0
                .lock()
                .ok()
                .and_then(|s| s.as_ref().map(|(_, labels)| labels.clone()))
                .unwrap_or_default()
        };
        wait_for("the menu", Duration::from_secs(20), || {
            shown().iter().any(|l| l == "1 needs you · 2 leases")
        });
        let labels = shown();
        // This app is the keeper of the home: its lock is taken.
        let sign_env = SignInEnv::from_env(lock_env.lookup(), &lock_paths).expect("the env");
        wait_for("the keeper lock", Duration::from_secs(20), || {
            matches!(
                leasekeeper_service::take_lock(&sign_env, &lock_paths),
                Err(KeeperLockError::Held { pid: Some(pid), .. }) if pid == std::process::id()
            )
        });
        // Closing every window does not end a tray app.
        open_and_close_a_window(&handle, "probe");
        std::thread::sleep(Duration::from_secs(3));
        sent.store(true, Ordering::SeqCst);
        handle.state::<Ctl>().send(Msg::Click(MenuId::Quit));
        labels
    });
    let code = app.run_return(on_event);
    let labels = driver.join().expect("the driver ends");
    assert!(
        quit_sent.load(Ordering::SeqCst),
        "the app ended before Quit: closing its window must not end it"
    );
    assert_eq!(code, 0);
    assert_eq!(
        labels,
        [
            "1 needs you · 2 leases",
            "",
            "corp",
            "dev — sign in",
            "alice",
            "alice — no expiry",
            "",
            "1 problem… Open Leasekeeper",
            "",
            "Sign in to corp…",
            "",
            "Open console",
            "Refresh all",
            "Open Leasekeeper",
            "Quit",
        ]
    );
    // The keeper stopped and let go of the home: another one may take it.
    let sign_env = SignInEnv::from_env(env.lookup(), &paths).expect("the env");
    let lock = leasekeeper_service::take_lock(&sign_env, &paths);
    assert!(lock.is_ok(), "the keeper lock is still held: {lock:?}");
}
