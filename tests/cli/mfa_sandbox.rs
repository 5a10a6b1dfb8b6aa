//! MFA asked once, against the sandbox at speed 400 (an hour's role lives
//! 9 s, a 12-hour MFA session 108 s): `leasekeeper daemon` waits for a code
//! for `breakglass` (a role requiring MFA over alice's long-term keys); one
//! code from alice's TOTP device, given with `leasekeeper mfa`, opens an MFA
//! session the keeper holds in memory; a botocore reader then uses
//! `[breakglass]` for six role lifetimes without another code, and the
//! sandbox saw exactly one GetSessionToken. The same code given again is
//! refused without reaching AWS. A role with `mfa_serial` over SSO needs a
//! code each time: `status` says `needs_user`, never `silent`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use leasekeeper_sandbox::{ALICE_TOTP_SECRET, totp};

use super::daemon_sandbox::{config_dir, signal};
use super::harness::{home_with, profile, status_json};
use super::login_harness::*;

const SPEED: f64 = 400.0;
/// An hour (BreakGlass's session) at [`SPEED`].
const LIFETIME: Duration = Duration::from_secs(9);

/// Every second until `argv[1]` seconds have passed: a new botocore session
/// on `[breakglass]` (the config file is empty: only the credentials file
/// speaks) and one GetCallerIdentity; one JSON line per call.
const READER: &str = r#"
import json, sys, time
import botocore.session
from botocore.exceptions import ClientError
start = time.monotonic()
end = start + float(sys.argv[1])
while time.monotonic() < end:
    s = botocore.session.Session(profile="breakglass")
    out = {"t": time.monotonic() - start, "expires": s.get_scoped_config().get("x_security_token_expires")}
    try:
        out.update(ok=True, arn=s.create_client("sts", region_name="us-east-1").get_caller_identity()["Arn"])
    except ClientError as e:
        out.update(ok=False, code=e.response["Error"]["Code"])
    print(json.dumps(out), flush=True)
    time.sleep(1)
"#;

/// The code alice's device shows now.
/// `leasekeeper daemon` on `w`'s home (stdin no terminal), once it says
/// `breakglass` needs an MFA code.
pub(super) fn daemon_waiting_for_a_code(w: &World) -> Running {
    let cfg = config_dir(w);
    std::fs::create_dir_all(&cfg).unwrap();
    let env = [
        ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
        ("LEASEKEEPER_LOG", "info"),
    ];
    let mut daemon = w.spawn(&["daemon"], &env);
    daemon.wait_line(60, |l| {
        l.contains("mfa_code_needed") && l.contains("breakglass")
    });
    daemon
}

fn alice_code() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    totp::totp_code(ALICE_TOTP_SECRET, now).expect("a base32 secret")
}

/// `leasekeeper mfa --profile breakglass` with `code` typed on stdin;
/// (exit code, stderr).
fn give_code(w: &World, code: &str) -> (i32, String) {
    let cfg = config_dir(w);
    let mut child = w
        .command(&["mfa", "--profile", "breakglass"])
        .env("LEASEKEEPER_CONFIG_DIR", &cfg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("leasekeeper runs");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{code}").expect("code written");
    drop(stdin);
    let out = child.wait_with_output().expect("mfa ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn one_code_keeps_an_mfa_role_renewed_for_six_lifetimes() {
    let w = World::start(|c| c.speed = SPEED);
    let mut daemon = daemon_waiting_for_a_code(&w);

    let code = alice_code();
    let (status, stderr) = give_code(&w, &code);
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("Code accepted by the keeper"), "{stderr}");
    assert!(
        !stderr.contains(&code),
        "the code is never echoed: {stderr}"
    );
    daemon.wait_line(30, |l| {
        l.contains("wrote section") && l.contains("section=breakglass")
    });

    // The same code again: refused by the keeper, never sent to AWS.
    let (status, stderr) = give_code(&w, &code);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("[mfa_code_reused]"), "{stderr}");

    let empty_config = w.dir.path().join("empty-config");
    std::fs::write(&empty_config, "").unwrap();
    let total = LIFETIME * 6 + Duration::from_secs(1);
    let mut reader = Command::new(World::python())
        .arg("-c")
        .arg(READER)
        .arg(total.as_secs().to_string())
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
    let mut calls = Vec::new();
    for line in BufReader::new(reader.stdout.take().expect("stdout")).lines() {
        let call: serde_json::Value =
            serde_json::from_str(&line.expect("reader output")).expect("a JSON line");
        assert_eq!(
            call["ok"],
            true,
            "the reader met a failure after {:?}: {call}",
            started.elapsed()
        );
        assert!(
            call["arn"]
                .as_str()
                .unwrap()
                .contains(":assumed-role/BreakGlass/"),
            "{call}"
        );
        calls.push(call);
    }
    let mut err = String::new();
    std::io::Read::read_to_string(&mut reader.stderr.take().unwrap(), &mut err).unwrap();
    assert!(reader.wait().expect("reader ends").success(), "{err}");
    assert!(started.elapsed() >= LIFETIME * 6, "six lifetimes");
    // The reader looked in every lifetime, however busy the machine: no
    // lifetime's keys went unread.
    for lifetime in 0..6 {
        let window = LIFETIME.as_secs_f64();
        let (from, to) = (lifetime as f64 * window, (lifetime + 1) as f64 * window);
        assert!(
            calls
                .iter()
                .filter_map(|c| c["t"].as_f64())
                .any(|t| t >= from && t < to),
            "no read in lifetime {lifetime} ({from}s to {to}s) of {} reads",
            calls.len()
        );
    }
    // Keys read in the last lifetime are not those of the first: renewed
    // without another code (how often is the paused-clock tests' business).
    let expiries_in = |from: f64, to: f64| -> Vec<String> {
        calls
            .iter()
            .filter(|c| c["t"].as_f64().is_some_and(|t| t >= from && t < to))
            .map(|c| c["expires"].to_string())
            .collect()
    };
    let window = LIFETIME.as_secs_f64();
    let (first, last) = (
        expiries_in(0.0, window),
        expiries_in(5.0 * window, f64::MAX),
    );
    assert!(
        last.iter().all(|e| !first.contains(e)),
        "renewed through the run: {first:?} then {last:?}"
    );

    assert_eq!(
        w.sb.sts_calls("GetSessionToken"),
        1,
        "one MFA session for the whole run"
    );
    assert!(
        !w.dir.path().join("state/mfa").exists(),
        "the session lives in memory only unless mfa.persist"
    );
    signal(&daemon, "TERM");
    let (status, stderr, _) = daemon.finish(20);
    assert_eq!(status, 0, "{stderr}");
    assert!(!stderr.contains(&code), "the code is never logged");
    let asked = stderr
        .lines()
        .filter(|l| l.contains("mfa_code_needed"))
        .count();
    assert_eq!(asked, 1, "asked once, before the code: {stderr}");
}

#[test]
fn without_a_keeper_one_pass_uses_the_code_and_a_kept_session_spares_the_next() {
    let w = World::start(|c| c.speed = 60.0);
    let cfg = config_dir(&w);
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(format!("{cfg}/settings.toml"), "[mfa]\npersist = true\n").unwrap();
    let (status, stderr) = give_code(&w, &alice_code());
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stderr.contains("Renewed [breakglass]: keys valid until"),
        "{stderr}"
    );
    assert!(
        stderr.contains("kept in the state folder (mfa.persist)"),
        "{stderr}"
    );
    assert_eq!(w.sb.sts_calls("GetSessionToken"), 1);
    let kept: Vec<_> = std::fs::read_dir(w.dir.path().join("state/mfa"))
        .expect("the session's folder")
        .map(|e| e.unwrap().path())
        // Its sidecar lock lies beside it.
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(mode(&kept[0]), 0o600);

    // A keeper started later takes the session back: no code asked for.
    let env = [
        ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
        ("LEASEKEEPER_LOG", "info"),
    ];
    let mut daemon = w.spawn(&["daemon"], &env);
    daemon.wait_line(60, |l| l.contains("MFA session taken back from its file"));
    daemon.wait_line(60, |l| {
        l.contains("wrote section") && l.contains("section=breakglass")
    });
    assert_eq!(w.sb.sts_calls("GetSessionToken"), 1, "no new session");
    let (_, stderr, _) = {
        signal(&daemon, "TERM");
        daemon.finish(20)
    };
    assert!(!stderr.contains("mfa_code_needed"), "{stderr}");
}

#[test]
fn a_role_with_mfa_serial_over_sso_needs_the_person_in_status() {
    let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n\
                  [profile sso]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n\n\
                  [profile guarded]\nrole_arn = arn:aws:iam::222222222222:role/G\nsource_profile = sso\n\
                  mfa_serial = arn:aws:iam::111111111111:mfa/me\n\n\
                  [profile plain]\nrole_arn = arn:aws:iam::222222222222:role/P\nsource_profile = sso\n";
    // A signed-in, refreshable session: only the MFA makes the difference.
    let token = r#"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "AT", "expiresAt": "2026-11-22T11:00:00Z", "clientId": "cid", "clientSecret": "CS", "registrationExpiresAt": "2027-01-01T00:00:00Z", "refreshToken": "RT"}"#;
    let token_path = format!(
        ".aws/sso/cache/{}.json",
        leasekeeper_engine::profiles::sso_cache::cache_key("corp")
    );
    let home = home_with(&[
        (".aws/config", config.as_bytes()),
        (token_path.as_str(), token.as_bytes()),
    ]);
    let (_, report) = status_json(home.path(), "2026-11-22T10:00:00Z", &[]);
    assert_eq!(
        profile(&report, "guarded")["renewal"],
        "needs_user",
        "{report:#}"
    );
    assert_eq!(profile(&report, "plain")["renewal"], "silent", "{report:#}");
}
