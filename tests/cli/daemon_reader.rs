//! The file reader in miniature: `leasekeeper daemon` at sandbox speed 150
//! (an hour's lease lives 24 s) keeps `[dev-admin]` (an SSO role) and
//! `[deploy]` (a role over static keys) in the credentials file while one
//! long-lived Python process opens a new botocore session on each section
//! every ~2 s for five lifetimes and calls GetCallerIdentity with what it
//! finds: it never meets an expired token.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::daemon_sandbox::{signed_in_world_at, start_daemon, stop_daemon};
use super::login_harness::*;

const SPEED: f64 = 150.0;
/// An hour at [`SPEED`].
const LIFETIME: Duration = Duration::from_secs(24);

/// Every `argv[1]` seconds until `argv[2]` seconds have passed: for each
/// section named after them, a new botocore session on that profile (the
/// config file is empty, so only the credentials file speaks) and one
/// GetCallerIdentity; one JSON line per call.
const READER: &str = r#"
import json, sys, time
import botocore.session
from botocore.exceptions import ClientError
every, total, sections = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
end = time.monotonic() + total
while time.monotonic() < end:
    for name in sections:
        s = botocore.session.Session(profile=name)
        expires = s.get_scoped_config().get("x_security_token_expires")
        out = {"section": name, "expires": expires}
        try:
            arn = s.create_client("sts", region_name="us-east-1").get_caller_identity()["Arn"]
            out.update(ok=True, arn=arn)
        except ClientError as e:
            out.update(ok=False, code=e.response["Error"]["Code"])
        print(json.dumps(out), flush=True)
    time.sleep(every)
"#;

#[test]
fn a_reader_opening_new_sessions_for_five_lifetimes_never_sees_an_expired_token() {
    let w = signed_in_world_at(SPEED);
    let daemon = start_daemon(&w);
    let empty_config = w.dir.path().join("empty-config");
    std::fs::write(&empty_config, "").unwrap();
    let total = LIFETIME * 5 + Duration::from_secs(2);
    let mut reader = Command::new(World::python())
        .arg("-c")
        .arg(READER)
        .args(["2", &total.as_secs().to_string(), "dev-admin", "deploy"])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .envs(w.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("AWS_CONFIG_FILE", &empty_config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    let started = Instant::now();
    let stdout = reader.stdout.take().expect("stdout");
    let mut calls = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("reader output");
        let call: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        assert_eq!(
            call["ok"],
            true,
            "the reader met a failure after {:?}: {call}",
            started.elapsed()
        );
        calls.push(call);
    }
    let status = reader.wait().expect("reader ends");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut reader.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "the reader failed: {err}");
    assert!(started.elapsed() >= LIFETIME * 5, "five lifetimes");

    for (section, role) in [("dev-admin", "Admin"), ("deploy", "Deploy")] {
        let seen: Vec<_> = calls.iter().filter(|c| c["section"] == section).collect();
        assert!(!seen.is_empty(), "[{section}] was read");
        assert!(
            seen.iter()
                .all(|c| c["arn"].as_str().unwrap().contains(role)),
            "[{section}] is {role}"
        );
        let mut expiries: Vec<_> = seen.iter().map(|c| c["expires"].to_string()).collect();
        expiries.dedup();
        // No keys last five lifetimes: every read succeeding means the
        // reader was handed renewed keys (how many sets depends on how
        // often a loaded machine lets it read; the paused-clock tests count
        // renewals).
        assert!(
            expiries.len() >= 2,
            "[{section}] renewed through the run: {expiries:?}"
        );
    }
    stop_daemon(daemon);
}
