//! `leasekeeper doctor` through the real binary: on homes built for each
//! finding, each code appears when its cause is present and not otherwise
//! (the exit code following); the clock against a sandbox serving a skewed
//! `Date`; a child started with keys Leasekeeper gave is found by pid, and
//! a process of another uid is not read; the daemon tells a test
//! notification server about such a child before its keys lapse; an error
//! text is explained by this home's findings; no key or token is printed.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use leasekeeper_sandbox::Faults;

use super::daemon_notify::{Bus, serve_notifications, start_daemon_with};
use super::daemon_sandbox::{signed_in_world_at, stop_daemon};
use super::harness::{home_with, leasekeeper, run};
use super::login_harness::World;

const SSO: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
";

const ALICE: &str =
    "[alice]\naws_access_key_id = AKIAALICE0000000001\naws_secret_access_key = c2VjcmV0c2VjcmV0\n";

/// `doctor --json --offline` on a home of `config` and `credentials`.
fn doctor_on(
    config: &str,
    credentials: &str,
    env: &[(&str, &str)],
) -> (i32, Vec<serde_json::Value>, String) {
    let home = home_with(&[
        (".aws/config", config.as_bytes()),
        (".aws/credentials", credentials.as_bytes()),
    ]);
    let mut cmd = leasekeeper(home.path());
    cmd.args(["doctor", "--json", "--offline"]);
    cmd.env("LEASEKEEPER_STATE_DIR", home.path().join("state"));
    cmd.envs(env.iter().copied());
    let r = run(cmd);
    let json: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("doctor --json printed JSON ({e}): {}{}", r.stdout, r.stderr));
    let findings = json["findings"].as_array().expect("findings").clone();
    (r.code, findings, r.stdout)
}

fn codes(findings: &[serde_json::Value]) -> Vec<String> {
    let mut c: Vec<String> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    c.sort();
    c.dedup();
    c
}

fn temp_keys(name: &str, expires: &str) -> String {
    format!(
        "[{name}]\naws_access_key_id = ASIATEMP0000000001\naws_secret_access_key = dGVtcHNlY3JldA\n\
         aws_session_token = dGVtcHRva2Vu\nx_security_token_expires = {expires}\n"
    )
}

#[test]
fn each_code_appears_with_its_cause_and_not_without() {
    // A clean home: nothing, exit 0.
    let (code, found, _) = doctor_on("[profile alice]\nregion = us-east-1\n", ALICE, &[]);
    assert_eq!((code, codes(&found)), (0, vec![]));

    // Exported keys that lapsed: every profile shadowed, exit 3.
    let exported = [
        ("AWS_ACCESS_KEY_ID", "ASIAEXPORTED00000001"),
        ("AWS_SECRET_ACCESS_KEY", "ZXhwb3J0ZWRzZWNyZXQ"),
        ("AWS_SESSION_TOKEN", "ZXhwb3J0ZWR0b2tlbg"),
        ("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z"),
    ];
    let (code, found, out) = doctor_on("", ALICE, &exported);
    assert_eq!((code, codes(&found)), (3, vec!["exported_keys".to_owned()]));
    assert!(
        found[0]["fix"]
            .as_str()
            .unwrap()
            .contains("leasekeeper exec --profile")
    );
    for (_, secret) in &exported[1..3] {
        assert!(!out.contains(secret), "a secret printed");
    }

    // AWS_PROFILE naming no profile: misconfigured, exit 4.
    let (code, found, _) = doctor_on("", ALICE, &[("AWS_PROFILE", "nope")]);
    assert_eq!(
        (code, codes(&found)),
        (4, vec!["profile_not_found".to_owned()])
    );
    let (_, found, _) = doctor_on("", ALICE, &[("AWS_PROFILE", "alice")]);
    assert!(found.is_empty());

    // A role over SSO keys asking for two hours (and no sign-in yet).
    let chained = format!(
        "{SSO}\n[profile audit]\nrole_arn = arn:aws:iam::2:role/A\nsource_profile = dev\nduration_seconds = 7200\n"
    );
    let (code, found, _) = doctor_on(&chained, "", &[]);
    assert_eq!(codes(&found), ["chained_duration", "sign_in_needed"]);
    assert_eq!(code, 3, "a sign-in needed wins over 4");
    let (_, found, _) = doctor_on(&chained.replace("7200", "3600"), "", &[]);
    assert_eq!(codes(&found), ["sign_in_needed"]);

    // A legacy SSO profile, with the [sso-session] form that replaces it.
    let legacy = "[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 3\nsso_role_name = R\n";
    let (_, found, _) = doctor_on(legacy, "", &[]);
    assert!(
        codes(&found).contains(&"legacy_sso".to_owned()),
        "{found:?}"
    );
    let fix = found.iter().find(|f| f["code"] == "legacy_sso").unwrap()["fix"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        fix.contains("[sso-session old]\nsso_start_url = https://old.awsapps.com/start"),
        "{fix}"
    );
    let (_, found, _) = doctor_on(SSO, "", &[]);
    assert!(!codes(&found).contains(&"legacy_sso".to_owned()));

    // Temporary keys another tool wrote, lapsed; and the same still valid.
    let (code, found, out) = doctor_on("", &temp_keys("okta", "2020-01-01T00:00:00Z"), &[]);
    assert_eq!(
        (code, codes(&found)),
        (3, vec!["file_keys_expired".to_owned()])
    );
    assert!(!out.contains("dGVtcHNlY3JldA") && !out.contains("dGVtcHRva2Vu"));
    let (code, found, _) = doctor_on("", &temp_keys("okta", "2099-01-01T00:00:00Z"), &[]);
    assert_eq!((code, codes(&found)), (0, vec![]));

    // A config file botocore refuses: every profile is affected, exit 4,
    // the file and line named.
    let broken = "[profile a]\nregion = us-east-1\n\n\n\n[profile b\nregion = x\n";
    let (code, found, _) = doctor_on(broken, "", &[]);
    assert_eq!(code, 4, "{found:?}");
    let bad = found.iter().find(|f| f["code"] == "unusable_file").unwrap();
    let message = bad["message"].as_str().unwrap();
    assert!(message.contains(".aws/config, line 6: "), "{message}");
    assert!(message.contains("refuse this whole file"), "{message}");

    // --profile keeps what its chain touches.
    let home = home_with(&[(".aws/config", chained.as_bytes())]);
    let mut cmd = leasekeeper(home.path());
    cmd.args(["doctor", "--offline", "--profile", "nope"]);
    cmd.env("LEASEKEEPER_STATE_DIR", home.path().join("state"));
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("[unknown_profile]"));
}

fn world_doctor(
    w: &World,
    args: &[&str],
    extra: &[(&str, &str)],
) -> (i32, Vec<serde_json::Value>, String) {
    let mut all = vec!["doctor", "--json"];
    all.extend_from_slice(args);
    let (code, stderr, stdout) = w.spawn(&all, extra).finish(60);
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    (code, json["findings"].as_array().unwrap().clone(), stderr)
}

#[test]
fn sign_in_and_clock_findings_follow_the_sandbox() {
    let w = World::start(|c| c.auto_approve = true);
    let (code, found, _) = world_doctor(&w, &[], &[]);
    assert_eq!(code, 3);
    let sign_in: Vec<_> = found
        .iter()
        .filter(|f| f["code"] == "sign_in_needed")
        .collect();
    assert_eq!(sign_in.len(), 1, "one finding for the session: {found:?}");
    assert_eq!(sign_in[0]["fix"], "leasekeeper login --sso-session sandbox");
    assert!(!codes(&found).contains(&"clock_skew".to_owned()));

    let (c, stderr, _) = w
        .spawn(&["login", "--use-device-code", "--no-browser"], &[])
        .finish(60);
    assert_eq!(c, 0, "{stderr}");
    let (_, found, _) = world_doctor(&w, &[], &[]);
    assert!(
        !codes(&found).contains(&"sign_in_needed".to_owned()),
        "{found:?}"
    );

    // AWS's Date 20 minutes ahead: this clock is behind.
    w.sb.set_faults(Faults {
        date_skew_secs: 1200,
        ..Faults::default()
    })
    .unwrap();
    let (code, found, _) = world_doctor(&w, &[], &[]);
    let skew = found
        .iter()
        .find(|f| f["code"] == "clock_skew")
        .expect("clock_skew");
    assert!(
        skew["message"].as_str().unwrap().contains("20 min behind"),
        "{skew}"
    );
    assert_eq!(code, 4);
    // --offline asks AWS nothing.
    let (_, found, stderr) = world_doctor(&w, &["--offline"], &[]);
    assert!(!codes(&found).contains(&"clock_skew".to_owned()));
    assert!(stderr.contains("not checked: the clock (--offline)"));
    w.sb.set_faults(Faults::default()).unwrap();
}

/// The profile's keys as `leasekeeper env --format json` prints them.
fn env_keys(w: &World, profile: &str, extra: &[(&str, &str)]) -> serde_json::Value {
    let (code, stderr, stdout) = w
        .spawn(&["env", "--profile", profile, "--format", "json"], extra)
        .finish(60);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// `sleep 600` with the keys in its environment (and no expiry: it can
/// only be matched by its key id), run as `uid` when given.
fn sleeper(keys: &serde_json::Value, uid: Option<u32>) -> Child {
    let mut cmd = match uid {
        Some(uid) => {
            let mut c = Command::new("setpriv");
            c.args([
                format!("--reuid={uid}"),
                format!("--regid={uid}"),
                "--clear-groups".to_owned(),
                "sleep".to_owned(),
            ]);
            c
        }
        None => Command::new("sleep"),
    };
    cmd.arg("600")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        cmd.env(name, keys[name].as_str().unwrap());
    }
    cmd.spawn().expect("sleep runs")
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").map(|m| m.uid()).ok() == Some(0)
}

fn wait_exec(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|c| c.trim().to_owned())
        .ok()
        != Some("sleep".to_owned())
    {
        assert!(Instant::now() < deadline, "the child never ran sleep");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_child_on_keys_leasekeeper_gave_is_found_by_pid_and_another_uid_is_not_read() {
    // An hour lives a minute: the keys lapse within the 15-minute lead.
    let w = signed_in_world_at(60.0);
    let keys = env_keys(&w, "dev-admin", &[]);
    let mut mine = sleeper(&keys, None);
    wait_exec(mine.id());
    let mut other = is_root().then(|| sleeper(&keys, Some(65534)));
    if let Some(o) = &other {
        wait_exec(o.id());
    }
    let (code, found, stderr) = world_doctor(&w, &["--offline"], &[("LEASEKEEPER_LOG", "trace")]);
    let at_risk: Vec<_> = found
        .iter()
        .filter(|f| f["code"] == "process_on_exported_keys")
        .collect();
    let _ = mine.kill();
    let _ = mine.wait();
    let other_pid = other.as_ref().map(Child::id);
    if let Some(o) = other.as_mut() {
        let _ = o.kill();
        let _ = o.wait();
    }
    assert_eq!(code, 3, "{found:?}");
    assert_eq!(at_risk.len(), 1, "only this user's child: {at_risk:?}");
    let f = at_risk[0];
    assert_eq!(f["pid"], mine.id());
    assert_eq!(f["program"], "sleep");
    assert_eq!(f["profile"], "dev-admin");
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("leasekeeper exec --profile dev-admin -- ")
    );
    assert!(other_pid.is_none_or(|p| found.iter().all(|f| f["pid"] != p)));
    let text = format!("{found:?}{stderr}");
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        assert!(
            !text.contains(keys[name].as_str().unwrap()),
            "{name} printed"
        );
    }
}

#[test]
fn the_daemon_tells_of_a_process_before_its_keys_lapse() {
    // An hour lives 30 s; the 15-minute lead is 7.5 s and the look comes
    // every half second.
    let w = signed_in_world_at(120.0);
    let bus = Bus::start("session");
    let shown = serve_notifications(&bus);
    let daemon = start_daemon_with(&w, &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())]);
    let keys = env_keys(&w, "dev-admin", &[]);
    let expires = keys["AWS_CREDENTIAL_EXPIRATION"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut child = sleeper(&keys, None);
    let pid = child.id();
    let summary = format!("sleep (pid {pid}) will fail with ExpiredToken");
    let deadline = Instant::now() + Duration::from_secs(40);
    let told = loop {
        let found = shown
            .lock()
            .unwrap()
            .iter()
            .find(|n| n.summary == summary)
            .cloned();
        if let Some(n) = found {
            break n;
        }
        assert!(
            Instant::now() < deadline,
            "no notification for pid {pid}; shown: {:?}",
            shown.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let now = time::OffsetDateTime::now_utc();
    let lapse =
        time::OffsetDateTime::parse(&expires, &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(
        now < lapse,
        "told at {now}, after the keys lapsed at {lapse}"
    );
    assert!(
        told.body.contains("leasekeeper exec --profile dev-admin"),
        "{told:?}"
    );
    for name in [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ACCESS_KEY_ID",
    ] {
        assert!(!told.body.contains(keys[name].as_str().unwrap()));
    }
    // Once per process.
    std::thread::sleep(Duration::from_secs(2));
    let times = shown
        .lock()
        .unwrap()
        .iter()
        .filter(|n| n.summary == summary)
        .count();
    assert_eq!(times, 1);
    let _ = child.kill();
    let _ = child.wait();
    stop_daemon(daemon);
}

#[test]
fn an_error_text_is_explained_by_this_homes_findings() {
    let home = home_with(&[(
        ".aws/credentials",
        temp_keys("okta", "2020-01-01T00:00:00Z").as_bytes(),
    )]);
    let error = "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: \
                 The security token included in the request is expired";
    let doctor = |args: &[&str], stdin: Option<&[u8]>| {
        let mut cmd = leasekeeper(home.path());
        cmd.arg("doctor").args(args).arg("--offline");
        cmd.env("LEASEKEEPER_STATE_DIR", home.path().join("state"));
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(text).unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    };
    let (code, text) = doctor(&["--error", error], None);
    assert_eq!(code, 3, "{text}");
    assert!(
        text.starts_with("This error means the temporary keys the command used have lapsed."),
        "{text}"
    );
    assert!(text.contains("[file_keys_expired] okta"), "{text}");
    // From stdin, as JSON.
    let (_, json) = doctor(&["--error", "--json"], Some(error.as_bytes()));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["error"]["cause"], "expired_keys");
    assert_eq!(json["findings"][0]["code"], "file_keys_expired");
    assert_eq!(json["skipped"][0], "the clock (--offline)");
    // Output that is not UTF-8 (a Latin-1 file name beside the error) is
    // still read.
    let mut latin1 = b"upload: caf\xe9.txt failed: ".to_vec();
    latin1.extend_from_slice(error.as_bytes());
    let (code, text) = doctor(&["--error"], Some(&latin1));
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("[file_keys_expired] okta"), "{text}");
    // A clock error has nothing to do with those keys.
    let (code, text) = doctor(
        &[
            "--error",
            "SignatureDoesNotMatch: Signature expired: 20261207T100000Z is now earlier than",
        ],
        None,
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("clock"), "{text}");
    assert!(!text.contains("okta"), "{text}");
    assert!(Path::new(home.path()).exists());
}
