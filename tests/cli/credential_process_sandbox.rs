//! `leasekeeper credential-process` without a keeper, against the sandbox:
//! one long-lived boto3 client per profile, on the profile `setup-process`
//! added, calls STS every couple of seconds across more than six key
//! lifetimes and never sees ExpiredToken (an SSO role and a role over
//! static keys); the Version 1 JSON and its cache; and, when the person must
//! act, a non-zero exit at once with one line and nothing on stdout.

use std::time::{Duration, Instant};

use super::login_harness::*;

/// The sandbox's speed: a one-hour lease lives 18 s, and the 15-minute reuse
/// margin is 4.5 s: room for a loaded machine between handing out keys and
/// the call that uses them.
const SPEED: f64 = 200.0;

/// One long-lived client per profile, a call each every 2 s for `secs`;
/// prints how many calls, which errors, and how many distinct keys were used.
pub(super) const LONG_JOB: &str = r#"
import json, sys, time
import boto3
from botocore.exceptions import ClientError
secs = float(sys.argv[1])
clients = {p: boto3.session.Session(profile_name=p).client("sts") for p in sys.argv[2:]}
report = {p: {"calls": 0, "errors": [], "keys": []} for p in clients}
end = time.time() + secs
while time.time() < end:
    for p, c in clients.items():
        r = report[p]
        try:
            arn = c.get_caller_identity()["Arn"]
            r["calls"] += 1
            r["arn"] = arn
            key = c._request_signer._credentials.get_frozen_credentials().access_key
            if key not in r["keys"]:
                r["keys"].append(key)
        except ClientError as e:
            r["errors"].append(e.response["Error"]["Code"])
        except Exception as e:
            r["errors"].append(type(e).__name__ + ": " + str(e)[:300])
    time.sleep(2)
print(json.dumps(report))
"#;

fn signed_in(speed: f64) -> World {
    let w = World::start(|c| {
        c.auto_approve = true;
        c.speed = speed;
    });
    let (code, stderr, _) = w
        .spawn(&["login", "--use-device-code", "--no-browser"], &[])
        .finish(60);
    assert_eq!(code, 0, "{stderr}");
    w
}

pub(super) fn setup(w: &World, profile: &str) {
    let (code, stderr, stdout) = w
        .spawn(&["setup-process", "--profile", profile], &[])
        .finish(30);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!("AWS_PROFILE={profile}-leasekeeper")),
        "{stdout}"
    );
}

#[test]
fn a_long_job_on_credential_process_never_sees_expired_token() {
    let w = signed_in(SPEED);
    setup(&w, "dev-admin");
    setup(&w, "deploy");
    // 6.5 one-hour lifetimes, inside the 8-hour sign-in session.
    let secs = 6.5 * 3600.0 / SPEED;
    let (ok, out, err) = w.python_run(
        LONG_JOB,
        &[
            &secs.to_string(),
            "dev-admin-leasekeeper",
            "deploy-leasekeeper",
        ],
    );
    assert!(ok, "the long job failed: {err}");
    let report: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    for (profile, role) in [
        ("dev-admin-leasekeeper", "Admin"),
        ("deploy-leasekeeper", "Deploy"),
    ] {
        let r = &report[profile];
        assert_eq!(r["errors"], serde_json::json!([]), "{profile}: {r}");
        assert!(r["arn"].as_str().unwrap().contains(role), "{profile}: {r}");
        // No keys last 6.5 lifetimes: calls succeeding to the end mean
        // the SDK was handed renewed keys (how many depends on how often a
        // loaded machine lets the job call).
        let keys = r["keys"].as_array().unwrap().len();
        assert!(
            keys >= 2,
            "{profile} used {keys} keys over 6.5 lifetimes: {r}"
        );
    }
}

#[test]
fn version_1_json_is_printed_and_reused_from_the_cache() {
    let w = signed_in(60.0);
    let run = |profile: &str| {
        let (code, stderr, stdout) = w
            .spawn(&["credential-process", "--profile", profile], &[])
            .finish(30);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stderr, "", "nothing on stderr");
        let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
        v
    };
    let first = run("auditor");
    assert_eq!(first["Version"], 1);
    for field in ["AccessKeyId", "SecretAccessKey", "SessionToken"] {
        assert!(
            first[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }
    let exp = first["Expiration"].as_str().unwrap();
    assert!(exp.ends_with('Z') && exp.len() == 20, "RFC 3339 Z: {exp}");
    // Run again: the same keys, from the cache, not a new AssumeRole.
    assert_eq!(run("auditor")["AccessKeyId"], first["AccessKeyId"]);
    let cache = w.dir.path().join("state/process");
    let files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let path = &files[0];
    #[cfg(unix)]
    assert_eq!(mode(path), 0o600);
    // Long-term keys alone are given as written, without a session token.
    let alice = run("alice");
    assert_eq!(alice["AccessKeyId"], "AKIASANDBOXALICE0001");
    assert!(alice.get("SessionToken").is_none() && alice.get("Expiration").is_none());
}

#[test]
fn when_the_person_must_act_it_fails_at_once_with_one_line() {
    // Nobody signed in.
    let w = World::start(|c| c.speed = 60.0);
    for (profile, expected) in [
        (
            "dev-admin",
            "leasekeeper: profile dev-admin needs a sign-in: run `leasekeeper login --sso-session sandbox`",
        ),
        (
            "auditor",
            "leasekeeper: profile auditor needs a sign-in: run `leasekeeper login --sso-session sandbox`",
        ),
        ("breakglass", "needs an MFA code for arn:aws:iam::"),
    ] {
        let started = Instant::now();
        // A generous guard against hangs only; the time is in BENCHMARKS.md.
        let (code, stderr, stdout) = w
            .spawn(&["credential-process", "--profile", profile], &[])
            .finish(20);
        assert!(started.elapsed() < Duration::from_secs(20));
        assert_eq!(code, 3, "{profile}: {stderr}");
        assert_eq!(stdout, "", "{profile}: nothing on stdout");
        assert_eq!(stderr.lines().count(), 1, "{profile}: one line: {stderr}");
        assert!(stderr.starts_with("leasekeeper: "), "{stderr}");
        assert!(stderr.contains(expected), "{profile}: {stderr}");
    }
    let (code, stderr, stdout) = w
        .spawn(&["credential-process", "--profile", "nope"], &[])
        .finish(20);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
}
