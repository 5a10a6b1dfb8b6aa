//! What `leasekeeper doctor` finds, in the tray and the window: the menu
//! shows an "N problems… Open Leasekeeper" line, and the window's Problems
//! section lists each finding with its fix, a process of this user on keys
//! that lapsed among them (by its pid, with `leasekeeper exec` as the fix).

use std::process::{Command, Stdio};

use super::app::World;
use super::window_driver::Window;

#[test]
fn the_window_lists_each_problem_with_its_fix_a_lapsed_process_among_them() {
    let world = World::start(60.0, "");
    // A job started on keys that lapsed.
    let mut job = Command::new("sleep")
        .arg("600")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_ACCESS_KEY_ID", "ASIAJOBKEYS000000001")
        .env("AWS_SECRET_ACCESS_KEY", "am9ic2VjcmV0am9ic2VjcmV0")
        .env("AWS_SESSION_TOKEN", "am9idG9rZW4")
        .env("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sleep runs");
    let pid = job.id();
    let ipc = world.dir.path().join("ipc.jsonl");
    let ipc_s = ipc.display().to_string();
    let w = Window::open(world, &[("LEASEKEEPER_IPC_LOG", ipc_s.as_str())]);
    let process = w.wait_js(
        30,
        "the process in the problems",
        &format!(
            "const f = document.querySelector('#findings [data-pid=\"{pid}\"]'); \
             return f && !document.getElementById('findings').hidden ? f.textContent : null"
        ),
    );
    let text = process.as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains(&format!("sleep 600 (pid {pid}) runs on keys that lapsed")),
        "{text}"
    );
    assert!(
        text.contains("Fix: run it with `leasekeeper exec --profile PROFILE -- …`"),
        "{text}"
    );
    let sign_in = w.wait_js(
        10,
        "the sign-in in the problems",
        "return document.querySelector('#findings [data-finding=\"sign_in_needed\"]')?.textContent ?? null",
    );
    assert!(
        sign_in
            .as_str()
            .unwrap_or_default()
            .contains("Fix: leasekeeper login --sso-session sandbox"),
        "{sign_in}"
    );
    let log = std::fs::read_to_string(&ipc).expect("the IPC log");
    for secret in [
        "am9ic2VjcmV0am9ic2VjcmV0",
        "am9idG9rZW4",
        "ASIAJOBKEYS000000001",
    ] {
        assert!(!log.contains(secret), "a key crossed the IPC");
    }
    let _ = job.kill();
    let _ = job.wait();
}
