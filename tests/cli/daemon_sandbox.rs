//! `leasekeeper daemon` and `leasekeeper refresh` against the sandbox at
//! speed 60 (an hour's lease lives a minute): sections written for an SSO
//! role and a role over static keys, renewed at half life, read by botocore
//! and accepted by STS; a second daemon on the same home refused with the
//! holder's pid; SIGTERM stops it cleanly; refresh in one pass.

use std::time::{Duration, Instant};

use super::login_harness::*;

/// Reads one section of the credentials file the way botocore does and
/// calls GetCallerIdentity with its keys.
const CHECK: &str = r#"
import json, os, sys
import boto3, botocore.configloader
creds = botocore.configloader.raw_config_parse(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
s = creds[sys.argv[1]]
client = boto3.client("sts", region_name="us-east-1", aws_access_key_id=s["aws_access_key_id"],
    aws_secret_access_key=s["aws_secret_access_key"], aws_session_token=s["aws_session_token"])
print(json.dumps({"arn": client.get_caller_identity()["Arn"], "expires": s["x_security_token_expires"]}))
"#;

fn signed_in_world() -> World {
    signed_in_world_at(60.0)
}

/// A sandbox at `speed`, signed in, with static keys renewed too.
pub(super) fn signed_in_world_at(speed: f64) -> World {
    let w = World::start(|c| {
        c.auto_approve = true;
        c.speed = speed;
    });
    let cfg = w.dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("settings.toml"), "[renew]\nstatic_keys = true\n").unwrap();
    let (code, stderr, _) = w
        .spawn(&["login", "--use-device-code", "--no-browser"], &[])
        .finish(60);
    assert_eq!(code, 0, "{stderr}");
    w
}

pub(super) fn config_dir(w: &World) -> String {
    w.dir.path().join("cfg").display().to_string()
}

fn check(w: &World, section: &str) -> serde_json::Value {
    let (ok, out, err) = w.python_run(CHECK, &[section]);
    assert!(ok, "botocore check of [{section}] failed: {err}");
    serde_json::from_str(out.trim()).unwrap()
}

#[test]
fn the_daemon_writes_renews_refuses_a_second_keeper_and_stops_on_sigterm() {
    let w = signed_in_world();
    let cfg = config_dir(&w);
    let env = [("LEASEKEEPER_CONFIG_DIR", cfg.as_str())];
    // Either section may come first.
    let mut daemon = start_daemon(&w);
    let text = std::fs::read_to_string(w.var("AWS_SHARED_CREDENTIALS_FILE").unwrap()).unwrap();
    assert!(
        text.contains("[dev-admin]\n# managed by leasekeeper\naws_access_key_id = "),
        "{text}"
    );
    assert!(
        text.contains("[alice]\naws_access_key_id = AKIASANDBOXALICE0001\n"),
        "{text}"
    );
    let first = check(&w, "dev-admin");
    assert!(first["arn"].as_str().unwrap().contains("Admin"), "{first}");
    assert!(
        check(&w, "deploy")["arn"]
            .as_str()
            .unwrap()
            .contains("Deploy")
    );

    // A second keeper on the same home says who holds it.
    let pid = daemon.child.id();
    let (code, stderr, _) = w.spawn(&["daemon"], &env).finish(30);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "another keeper runs for these AWS files (pid {pid})"
        )),
        "{stderr}"
    );

    // About half a minute-long lease later the section holds new keys. The
    // first check may already have read keys whose line is still to come
    // (both leases renew at about the same moment): wait for a write the
    // first check has not seen (the bound leaves room for a loaded machine).
    let deadline = Instant::now() + Duration::from_secs(90);
    let second = loop {
        let left = deadline.saturating_duration_since(Instant::now()).as_secs();
        daemon.wait_line(left, |l| {
            l.contains("wrote section") && l.contains("section=dev-admin")
        });
        let second = check(&w, "dev-admin");
        if second["expires"] != first["expires"] {
            break second;
        }
    };
    assert!(
        second["expires"].as_str() > first["expires"].as_str(),
        "renewed keys expire later: {first} then {second}"
    );

    // SIGTERM: a clean stop.
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let (code, stderr, _) = daemon.finish(20);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("keeper stopped"), "{stderr}");
}

#[test]
fn refresh_renews_one_profile_in_one_pass() {
    let w = signed_in_world();
    let cfg = config_dir(&w);
    let env = [("LEASEKEEPER_CONFIG_DIR", cfg.as_str())];
    let (code, stderr, _) = w
        .spawn(&["refresh", "--profile", "auditor"], &env)
        .finish(60);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Renewed [auditor]: keys valid until"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("[deploy]"),
        "only the profile asked for: {stderr}"
    );
    assert!(
        check(&w, "auditor")["arn"]
            .as_str()
            .unwrap()
            .contains("Auditor")
    );

    let (code, stderr, _) = w.spawn(&["refresh"], &env).finish(30);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("name a profile with --profile P, or use --all"),
        "{stderr}"
    );
}

/// `leasekeeper daemon` on `w`'s home, once it has written `[dev-admin]`
/// and `[deploy]`.
pub(super) fn start_daemon(w: &World) -> Running {
    let cfg = config_dir(w);
    let env = [
        ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
        ("LEASEKEEPER_LOG", "info"),
    ];
    let mut daemon = w.spawn(&["daemon"], &env);
    let mut pending = vec!["section=dev-admin", "section=deploy"];
    while !pending.is_empty() {
        let line = daemon.wait_line(60, |l| {
            l.contains("wrote section") && pending.iter().any(|s| l.contains(s))
        });
        pending.retain(|s| !line.contains(s));
    }
    daemon
}

/// The `x_security_token_expires` of `section` in the credentials file.
pub(super) fn file_expiry(w: &World, section: &str) -> Option<time::OffsetDateTime> {
    let path = w
        .var("AWS_SHARED_CREDENTIALS_FILE")
        .expect("credentials file");
    let text = std::fs::read_to_string(path).ok()?;
    let header = format!("[{section}]");
    let body = text.split(header.as_str()).nth(1)?;
    let body = body.split("\n[").next()?;
    let value = body.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "x_security_token_expires").then(|| v.trim().to_owned())
    })?;
    time::OffsetDateTime::parse(&value, &time::format_description::well_known::Rfc3339).ok()
}

/// Stops the daemon with SIGTERM and checks it stopped cleanly.
pub(super) fn stop_daemon(daemon: Running) {
    signal(&daemon, "TERM");
    let (code, stderr, _) = daemon.finish(20);
    assert_eq!(code, 0, "{stderr}");
}

/// Sends `SIG<name>` to the daemon this test started.
pub(super) fn signal(daemon: &Running, name: &str) {
    let ok = std::process::Command::new("kill")
        .args([format!("-{name}"), daemon.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name}");
}
