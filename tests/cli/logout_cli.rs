//! `leasekeeper logout` against the sandbox: the portal session ended and
//! the token file removed; a file another tool already removed is a
//! sign-out, not an alarm.

use super::login_harness::*;

fn signed_in(w: &World) {
    let run = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    let (exit, stderr, _) = run.finish(30);
    assert_eq!(exit, 0, "{stderr}");
    assert!(w.token_path("sandbox").exists());
}

fn logout(w: &World, args: &[&str]) -> (i32, String) {
    let mut all = vec!["logout"];
    all.extend_from_slice(args);
    let out = w.command(&all).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn logout_ends_the_portal_session_and_removes_the_token_file() {
    let w = World::start(|c| c.auto_approve = true);
    signed_in(&w);
    assert!(w.sb.sessions().iter().all(|s| !s.ended));
    let (code, stderr) = logout(&w, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr.trim(), "Signed out of sandbox");
    assert!(!w.token_path("sandbox").exists());
    let sessions = w.sb.sessions();
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].ended, "the portal's Logout ended the session");
    let (code, stderr) = logout(&w, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr.trim(),
        "Not signed in to any sso-session; nothing to do"
    );
}

#[test]
fn a_token_file_removed_by_another_tool_is_a_sign_out_not_an_alarm() {
    let w = World::start(|c| c.auto_approve = true);
    signed_in(&w);
    // What `aws sso logout` leaves: no token file.
    std::fs::remove_file(w.token_path("sandbox")).unwrap();
    let (code, stderr) = logout(&w, &["--sso-session", "sandbox"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr
            .contains("sandbox was already signed out (its token file was removed by another tool"),
        "{stderr}"
    );
    let (code, stderr) = logout(&w, &["--sso-session", "sandbox"]);
    assert_eq!(code, 0);
    assert_eq!(stderr.trim(), "Not signed in to sandbox");
    let (code, stderr) = logout(&w, &["--sso-session", "other"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no sso-session named `other`"), "{stderr}");
}
