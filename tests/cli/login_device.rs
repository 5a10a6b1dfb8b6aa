//! `leasekeeper login --use-device-code` against the sandbox: the code
//! approved (or denied) as on the approval page, a code that lapses, the
//! network dropping mid-poll, and two logins for one session at once.

use std::time::{Duration, SystemTime};

use leasekeeper_sandbox::{Clock, Faults, SignInKind};

use super::login_harness::*;

#[test]
fn a_device_code_sign_in_succeeds_once_approved() {
    let w = World::start(|_| {});
    let mut run = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    let line = run.wait_line(30, |l| l.contains("and enter the code "));
    assert!(
        line.starts_with(&format!(
            "To sign in to sandbox, open {}/_sandbox/device and enter the code ",
            w.sb.base_url()
        )),
        "{line}"
    );
    let code = line.rsplit(' ').next().unwrap().to_owned();
    let pending = w.sb.pending_sign_ins();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, SignInKind::DeviceCode);
    assert_eq!(pending[0].client_name, "leasekeeper");
    w.sb.approve(&code).unwrap();
    let (exit, stderr, _) = run.finish(30);
    assert_eq!(exit, 0, "{stderr}");
    assert!(
        stderr.contains("Signed in to sandbox; token valid until"),
        "{stderr}"
    );
    assert!(
        w.token_json()["refreshToken"].is_string(),
        "sso:account:access brings a refresh token"
    );
}

#[test]
fn a_denied_code_and_a_lapsed_code_say_so() {
    let w = World::start(|_| {});
    let mut run = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    let code = run.device_code();
    w.sb.deny(&code).unwrap();
    let (exit, stderr, _) = run.finish(30);
    assert_eq!(exit, 1);
    assert!(
        stderr.contains("the sign-in to sandbox was denied [access_denied]"),
        "{stderr}"
    );

    let clock = Clock::manual(SystemTime::now());
    let w = World::start(|c| c.clock = clock.clone());
    let mut run = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    run.device_code();
    // Ten minutes pass on the sandbox: the code lapses.
    clock.advance(Duration::from_secs(601));
    let (exit, stderr, _) = run.finish(30);
    assert_eq!(exit, 1);
    assert!(
        stderr.contains("the code for sandbox expired before it was approved; run the sign-in again [expired_token]"),
        "{stderr}"
    );
    assert!(!w.token_path("sandbox").exists());
}

#[test]
fn polling_goes_on_while_the_network_drops() {
    let w = World::start(|_| {});
    let mut run = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    let code = run.device_code();
    w.sb.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    })
    .unwrap();
    run.wait_line(60, |l| {
        l.contains("Lost contact with IAM Identity Center (network); still waiting")
    });
    w.sb.set_faults(Faults::default()).unwrap();
    w.sb.approve(&code).unwrap();
    let (exit, stderr, _) = run.finish(60);
    assert_eq!(exit, 0, "{stderr}");
    assert!(w.token_path("sandbox").exists());
}

#[test]
fn a_second_login_for_the_same_session_joins_the_first() {
    let w = World::start(|_| {});
    let mut first = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    let code = first.device_code();
    let mut second = w.spawn(&["login", "--no-browser"], &[]);
    let line = second.wait_line(30, |l| l.contains("is already running in leasekeeper (pid"));
    assert!(
        line.starts_with("A sign-in to sandbox is already running"),
        "{line}"
    );
    second.wait_line(5, |l| l.contains(&format!("It waits for the code {code}")));
    assert_eq!(
        w.sb.pending_sign_ins().len(),
        1,
        "no second sign-in was started"
    );
    w.sb.approve(&code).unwrap();
    let (exit, stderr, _) = first.finish(30);
    assert_eq!(exit, 0, "{stderr}");
    let (exit, stderr, _) = second.finish(30);
    assert_eq!(exit, 0, "{stderr}");
    assert!(
        stderr.contains("Signed in to sandbox by the sign-in in leasekeeper (pid"),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_stops_the_sign_in_without_writing_anything() {
    let w = World::start(|_| {});
    let mut run = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    run.device_code();
    let pid = run.child.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let (exit, stderr, _) = run.finish(30);
    assert_eq!(exit, 130, "{stderr}");
    assert!(
        stderr.contains("sign-in to sandbox cancelled; nothing was changed"),
        "{stderr}"
    );
    assert!(!w.token_path("sandbox").exists());
    // The next login is not blocked by the one stopped.
    let mut again = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    let code = again.device_code();
    w.sb.approve(&code).unwrap();
    assert_eq!(again.finish(30).0, 0);
}

#[test]
fn the_command_line_names_the_sessions_when_the_choice_is_wrong() {
    let w = World::start(|_| {});
    let out = w
        .command(&["login", "--sso-session", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "leasekeeper: no sso-session named `nope`; configured: sandbox"
    );
    let out = w
        .command(&["login", "--profile", "alice"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("profile `alice` does not sign in with IAM Identity Center")
    );
}
