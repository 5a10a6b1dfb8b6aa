//! `leasekeeper sandbox` as a person starts it: the lines it prints point a
//! shell at it, `status` then shows its world, and SIGTERM stops it cleanly.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use super::harness::{leasekeeper, run};

#[test]
fn printed_lines_point_status_at_the_sandbox_and_sigterm_stops_it() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("world");
    let mut cmd = leasekeeper(home.path());
    cmd.args(["sandbox", "--speed", "60", "--write-config"])
        .arg(&dir)
        .env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut lines = Vec::new();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(line)) = out.next() {
        let last = line.starts_with("export LEASEKEEPER_TIME_SCALE=");
        lines.push(line);
        if last {
            break;
        }
    }
    assert!(
        lines.contains(&"unset AWS_IGNORE_CONFIGURED_ENDPOINT_URLS".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"export LEASEKEEPER_TIME_SCALE=60".to_owned()),
        "{lines:?}"
    );
    let mut status = leasekeeper(home.path());
    status.args(["status", "--json"]);
    for line in &lines {
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            status.env(name, value);
        }
    }
    let r = run(status);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    let profiles: Vec<&str> = report["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    for expected in ["dev-admin", "deploy", "breakglass", "alice"] {
        assert!(profiles.contains(&expected), "{expected} in {profiles:?}");
    }
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true"),
        "warns: {err}"
    );
}
