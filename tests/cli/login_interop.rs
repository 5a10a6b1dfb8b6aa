//! What others make of our sign-in, and what we make of theirs: botocore
//! resolves an SSO profile from our token file and refreshes it, and
//! `status` reads the file botocore wrote back; over HTTPS with the
//! sandbox's CA (from `AWS_CA_BUNDLE` or the profile's `ca_bundle`) and
//! through an HTTPS proxy; a corrupt file replaced by the next sign-in; and
//! no secret in a full sign-in's trace-level log.

use leasekeeper_sandbox::ConnectProxy;

use super::login_harness::*;

fn login(w: &World, extra: &[(&str, &str)]) -> (i32, String, String) {
    w.spawn(&["login", "--use-device-code", "--no-browser"], extra)
        .finish(60)
}

fn status(w: &World, profile: &str) -> serde_json::Value {
    let out = w
        .command(&["status", "--json", "-p", profile])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

const BOTOCORE: &str = r#"
import json, sys
import boto3
arn = boto3.Session(profile_name=sys.argv[1]).client("sts").get_caller_identity()["Arn"]
print(json.dumps({"arn": arn}))
"#;

#[test]
fn botocore_uses_our_token_file_and_we_read_the_one_it_writes_back() {
    // Speed 60: the one-hour token lives a minute, so botocore (which
    // refreshes within 15 minutes of expiry) refreshes it at once.
    let w = World::start(|c| {
        c.auto_approve = true;
        c.speed = 60.0;
    });
    let (exit, stderr, _) = login(&w, &[]);
    assert_eq!(exit, 0, "{stderr}");
    let ours = w.token_json();
    let (ok, out, err) = w.python_run(BOTOCORE, &["dev-admin"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let arn = v["arn"].as_str().unwrap();
    assert!(
        arn.starts_with("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_")
            && arn.ends_with("/sandbox-user"),
        "{arn}"
    );
    let theirs = w.token_json();
    assert_ne!(
        theirs["accessToken"], ours["accessToken"],
        "botocore refreshed with our registration"
    );
    assert_eq!(theirs["clientId"], ours["clientId"]);
    // We read botocore's write-back: refreshable, with botocore's expiry.
    let report = status(&w, "dev-admin");
    let p = &report["profiles"][0];
    assert_eq!(p["sso"]["refreshable"], true, "{report:#}");
    assert_eq!(
        leasekeeper_engine::timefmt::parse_timestamp(
            p["sso"]["token_expires_at"].as_str().unwrap()
        ),
        leasekeeper_engine::timefmt::parse_timestamp(theirs["expiresAt"].as_str().unwrap()),
    );
    assert!(
        report["problems"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
}

#[test]
fn over_https_the_sandbox_ca_comes_from_the_environment_or_the_profile() {
    let w = World::start(|c| {
        c.auto_approve = true;
        c.tls = true;
    });
    assert!(w.sb.base_url().starts_with("https://"));
    let ca = w.var("AWS_CA_BUNDLE").unwrap().to_owned();
    let (exit, stderr, _) = login(&w, &[]);
    assert_eq!(exit, 0, "{stderr}");

    // Without the CA the certificate is refused.
    std::fs::remove_file(w.token_path("sandbox")).unwrap();
    let mut run = w.command(&["login", "--use-device-code", "--no-browser"]);
    run.env_remove("AWS_CA_BUNDLE");
    let out = run.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[network]") && stderr.contains("cannot reach"),
        "{stderr}"
    );

    // The profile's `ca_bundle` does the same as AWS_CA_BUNDLE.
    let config = std::path::PathBuf::from(w.var("AWS_CONFIG_FILE").unwrap());
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replacen(
        "[profile dev-admin]\n",
        &format!("[profile dev-admin]\nca_bundle = {ca}\n"),
        1,
    );
    std::fs::write(&config, text).unwrap();
    let mut run = w.command(&[
        "login",
        "--profile",
        "dev-admin",
        "--use-device-code",
        "--no-browser",
    ]);
    run.env_remove("AWS_CA_BUNDLE");
    let out = run.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn https_proxy_is_honoured_and_no_proxy_bypasses_it() {
    let w = World::start(|c| {
        c.auto_approve = true;
        c.tls = true;
    });
    let proxy = ConnectProxy::start().unwrap();
    let (exit, stderr, _) = login(&w, &[("HTTPS_PROXY", proxy.url())]);
    assert_eq!(exit, 0, "{stderr}");
    let addr = w.sb.addr().to_string();
    assert!(
        proxy.seen().contains(&addr),
        "every call tunnels through the proxy: {:?}",
        proxy.seen()
    );
    proxy.clear();
    let (exit, stderr, _) = login(
        &w,
        &[("HTTPS_PROXY", proxy.url()), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(exit, 0, "{stderr}");
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
}

#[test]
fn a_corrupt_token_file_is_reported_and_replaced_by_the_next_sign_in() {
    let w = World::start(|c| c.auto_approve = true);
    let path = w.token_path("sandbox");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"{\"accessToken\": \"trunc").unwrap();
    let report = status(&w, "dev-admin");
    assert_eq!(
        report["problems"][0]["code"], "token_cache_corrupt",
        "{report:#}"
    );
    assert_eq!(report["profiles"][0]["state"], "needs_login");
    let (exit, stderr, _) = login(&w, &[]);
    assert_eq!(exit, 0, "{stderr}");
    let report = status(&w, "dev-admin");
    assert_eq!(report["profiles"][0]["state"], "fresh", "{report:#}");
    assert!(report["problems"].as_array().unwrap().is_empty());
}

#[test]
fn a_full_sign_in_logged_at_trace_level_shows_no_secret() {
    let w = World::start(|c| c.auto_approve = true);
    let (exit, stderr, stdout) = login(&w, &[("LEASEKEEPER_LOG", "trace")]);
    assert_eq!(exit, 0, "{stderr}");
    // The capture is real: the SDK's own trace lines are in it.
    assert!(stderr.contains("aws_smithy_runtime"), "{stderr}");
    let token = w.token_json();
    let mut secrets: Vec<String> = ["accessToken", "refreshToken", "clientSecret"]
        .iter()
        .map(|k| token[k].as_str().unwrap().to_owned())
        .collect();
    let regs = w.dir.path().join("state/registrations");
    for entry in std::fs::read_dir(regs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue; // the sidecar lock files
        }
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        secrets.push(v["clientSecret"].as_str().unwrap().to_owned());
    }
    for s in &secrets {
        assert!(s.len() > 16);
        assert!(!stderr.contains(s.as_str()), "a secret is in the log");
        assert!(!stdout.contains(s.as_str()), "a secret is on stdout");
    }
}
