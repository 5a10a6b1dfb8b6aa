//! `leasekeeper login` with the browser flow (PKCE) against the sandbox,
//! the approval done as a browser would: an HTTP client follows the
//! authorize URL to the sign-in page and, once approved, the redirect to
//! our loopback listener.

use super::login_harness::*;

#[test]
fn a_browser_sign_in_writes_the_token_file_as_the_aws_cli_does() {
    let w = World::start(|_| {});
    let mut run = w.spawn(&["login", "--no-browser"], &[]);
    let url = run.sign_in_url();
    assert!(
        url.starts_with(&format!(
            "{}/authorize?response_type=code&client_id=",
            w.sb.base_url()
        )),
        "{url}"
    );
    assert!(url.contains("&code_challenge_method=S256&"), "{url}");
    // The approval page's form, as a person clicks it.
    let id = open_authorize(&url);
    let decision = w.sb.approve(&id).expect("a pending sign-in");
    let back = decision.redirect.expect("a redirect to our listener");
    assert!(back.starts_with("http://127.0.0.1:"), "{back}");
    let (status, _, page) = http_get(&back);
    assert_eq!(status, 200);
    assert!(page.contains("You can close this tab"), "{page}");
    let (code, stderr, stdout) = run.finish(30);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "messages go to stderr: {stdout}");
    assert!(
        stderr.contains("Signed in to sandbox; token valid until ")
            && stderr.contains("(refreshes silently)"),
        "{stderr}"
    );

    let path = w.token_path("sandbox");
    let text = std::fs::read_to_string(&path).unwrap();
    let parts: Vec<&str> = text.split("\": ").collect();
    // Each part but the last ends with a key; the CLI's one-line format.
    let keys: Vec<&str> = parts[..parts.len() - 1]
        .iter()
        .filter_map(|part| part.rsplit('"').next())
        .collect();
    assert!(
        !text.contains('\n') && text.starts_with("{\"startUrl\": \""),
        "{text}"
    );
    assert_eq!(
        keys,
        [
            "startUrl",
            "region",
            "accessToken",
            "expiresAt",
            "clientId",
            "clientSecret",
            "registrationExpiresAt",
            "refreshToken"
        ],
        "{text}"
    );
    let token = w.token_json();
    assert_eq!(token["startUrl"], "https://sandbox.awsapps.com/start");
    assert!(token["expiresAt"].as_str().unwrap().ends_with('Z'));
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);

    // `status` shows the session live: refreshable, with the token's expiry.
    let out = w
        .command(&["status", "--json", "-p", "dev-admin"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &report["profiles"][0];
    assert_eq!(p["state"], "fresh", "{report:#}");
    assert_eq!(p["sso"]["refreshable"], true, "{report:#}");
    assert_eq!(
        leasekeeper_engine::timefmt::parse_timestamp(
            p["sso"]["token_expires_at"].as_str().unwrap()
        ),
        leasekeeper_engine::timefmt::parse_timestamp(token["expiresAt"].as_str().unwrap())
    );
}

#[test]
fn a_browser_opened_by_the_command_completes_the_sign_in_by_itself() {
    // A "browser" that follows every redirect, on a sandbox that approves at once.
    let w = World::start(|c| c.auto_approve = true);
    let script = w.dir.path().join("browser.py");
    std::fs::write(
        &script,
        format!(
            "#!{}\nimport sys, urllib.request\nurllib.request.urlopen(sys.argv[1]).read()\n",
            World::python().display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let browser = script.display().to_string();
    let run = w.spawn(&["login"], &[("LEASEKEEPER_BROWSER", browser.as_str())]);
    let (code, stderr, _) = run.finish(60);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Continue in your browser to sign in to sandbox"),
        "{stderr}"
    );
    assert!(w.token_path("sandbox").exists());
}

#[test]
fn a_denied_browser_sign_in_fails_clearly_and_writes_nothing() {
    let w = World::start(|_| {});
    let mut run = w.spawn(&["login", "--no-browser"], &[]);
    let id = open_authorize(&run.sign_in_url());
    let back = w.sb.deny(&id).unwrap().redirect.unwrap();
    assert!(back.contains("error=access_denied"), "{back}");
    let (status, _, page) = http_get(&back);
    assert_eq!(status, 200);
    assert!(page.contains("not approved"), "{page}");
    let (code, stderr, _) = run.finish(30);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "cannot sign in to sandbox: the sign-in to sandbox was denied [access_denied]"
        ),
        "{stderr}"
    );
    assert!(!w.token_path("sandbox").exists());
}

#[test]
fn a_tampered_state_is_refused_and_no_token_is_taken() {
    let w = World::start(|_| {});
    let mut run = w.spawn(&["login", "--no-browser"], &[]);
    let id = open_authorize(&run.sign_in_url());
    let back = w.sb.approve(&id).unwrap().redirect.unwrap();
    let (before, after) = back.split_once("state=").unwrap();
    let rest = after
        .split_once('&')
        .map(|(_, r)| format!("&{r}"))
        .unwrap_or_default();
    let forged = format!("{before}state=forged{rest}");
    let (status, _, page) = http_get(&forged);
    assert_eq!(status, 400);
    assert!(
        page.contains("not the one Leasekeeper was waiting for"),
        "{page}"
    );
    let (code, stderr, _) = run.finish(30);
    assert_eq!(code, 1);
    assert!(stderr.contains("[state_mismatch]"), "{stderr}");
    assert!(!w.token_path("sandbox").exists());
}

#[test]
fn without_any_browser_the_device_code_is_used_instead() {
    let w = World::start(|_| {});
    // No DISPLAY, no WAYLAND_DISPLAY, no browser command: nothing can open.
    let mut run = w.spawn(&["login"], &[]);
    run.wait_line(30, |l| {
        l.contains("Cannot use the browser sign-in (no graphical session")
    });
    let code = run.device_code();
    w.sb.approve(&code).expect("the device code is pending");
    let (exit, stderr, _) = run.finish(30);
    assert_eq!(exit, 0, "{stderr}");
    assert!(w.token_path("sandbox").exists());
}
