//! `leasekeeper credential-process` with `leasekeeper daemon` running: one
//! long-lived boto3 client per profile, on the profiles `setup-process`
//! added, across more than six key lifetimes, never sees ExpiredToken, and
//! every run of the process was answered by the keeper (it never fetched
//! keys itself: its own cache stays empty); a role over long-term keys that
//! the settings leave out of the credentials file is still served (a
//! served-only lease) and never written; at trace level neither the
//! process nor the keeper logs a key; when the person must sign in, the
//! keeper's answer is the same one line, at once.

use super::credential_process_sandbox::{LONG_JOB, setup};
use super::daemon_sandbox::{config_dir, start_daemon, stop_daemon};
use super::login_harness::*;

/// A sandbox at `speed` with a sign-in session far longer than any test,
/// static keys renewed too, and (when `sign_in`) signed in.
pub(super) fn world(speed: f64, settings: &str, sign_in: bool) -> World {
    let w = World::start(|c| {
        c.auto_approve = true;
        c.speed = speed;
        c.world.identity_center.session_duration_secs = 90 * 86_400;
    });
    let cfg = w.dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("settings.toml"), settings).unwrap();
    if sign_in {
        let (code, stderr, _) = w
            .spawn(&["login", "--use-device-code", "--no-browser"], &[])
            .finish(60);
        assert_eq!(code, 0, "{stderr}");
    }
    w
}

pub(super) const STATIC_KEYS: &str = "[renew]\nstatic_keys = true\n";

/// The files of credential-process's own cache (it writes one whenever it
/// fetches keys itself).
fn own_cache(w: &World) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(w.dir.path().join("state/process")) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// `credential-process --profile P` with `extra` environment; (code, stderr, stdout).
fn process(w: &World, profile: &str, extra: &[(&str, &str)]) -> (i32, String, String) {
    w.spawn(&["credential-process", "--profile", profile], extra)
        .finish(30)
}

#[test]
fn a_long_job_served_by_the_keeper_never_sees_expired_token() {
    // An hour lives 12 s: 6.2 lifetimes in 74 s. The keeper renews at half
    // life and hands out keys only while more than 15 minutes (3 s) remain;
    // a renewal late by more than that on a loaded machine would rightly
    // send the process to AWS itself, which this test counts as a failure.
    const SPEED: f64 = 300.0;
    let w = world(SPEED, STATIC_KEYS, true);
    setup(&w, "dev-admin");
    setup(&w, "deploy");
    let daemon = start_daemon(&w);
    let secs = 6.2 * 3600.0 / SPEED;
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
        // No keys last 6.2 lifetimes: calls succeeding to the end mean
        // the SDK was handed renewed keys (how many depends on how often a
        // loaded machine lets the job call).
        let keys = r["keys"].as_array().unwrap().len();
        assert!(
            keys >= 2,
            "{profile} used {keys} keys over 6.2 lifetimes: {r}"
        );
    }
    assert_eq!(
        own_cache(&w),
        Vec::<std::path::PathBuf>::new(),
        "every run was served by the keeper: none fetched keys itself"
    );
    stop_daemon(daemon);
}

/// The keeper's answer to `{"request":"credentials","profile":P}`, asked
/// on its socket directly.
fn keeper_answer(w: &World, profile: &str) -> serde_json::Value {
    use std::io::{BufRead as _, BufReader, Write as _};
    let state = w.dir.path().join("state");
    let sock = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "sock"))
        .expect("the keeper's socket");
    let mut s = std::os::unix::net::UnixStream::connect(sock).expect("the keeper listens");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let request = serde_json::json!({"request": "credentials", "profile": profile});
    s.write_all(format!("{request}\n").as_bytes()).unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// Waits until the keeper holds keys for `profile`.
fn keeper_holds(w: &World, profile: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let answer = keeper_answer(w, profile);
        if answer["response"] == "credentials" {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{profile}: {answer}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn keys_from_the_keeper_are_its_own_and_no_log_holds_them() {
    // Default settings: roles over long-term keys are not written to the
    // credentials file, but `deploy` is asked for by credential_process.
    let w = world(60.0, "", true);
    setup(&w, "deploy");
    let cfg = config_dir(&w);
    let mut daemon = w.spawn(
        &["daemon"],
        &[
            ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
            ("LEASEKEEPER_LOG", "trace"),
        ],
    );
    daemon.wait_line(60, |l| {
        l.contains("wrote section") && l.contains("section=dev-admin")
    });
    keeper_holds(&w, "dev-admin");
    keeper_holds(&w, "deploy");
    let credentials = w.var("AWS_SHARED_CREDENTIALS_FILE").unwrap().to_owned();
    let before = std::fs::read_to_string(&credentials).unwrap();
    let (code, stderr, stdout) = process(&w, "dev-admin", &[("LEASEKEEPER_LOG", "trace")]);
    let after = std::fs::read_to_string(&credentials).unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("served by the keeper"), "{stderr}");
    let keys: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    let mut secrets = vec![
        keys["SecretAccessKey"].as_str().unwrap().to_owned(),
        keys["SessionToken"].as_str().unwrap().to_owned(),
    ];
    // The keys the keeper holds are the ones it writes to [dev-admin].
    let id = keys["AccessKeyId"].as_str().unwrap();
    assert!(
        before.contains(id) || after.contains(id),
        "the keeper's keys: {id}"
    );

    // A served-only lease: the keeper renews it and hands it out, and
    // writes nothing for it.
    let (code, deploy_stderr, stdout) = process(&w, "deploy", &[("LEASEKEEPER_LOG", "trace")]);
    assert_eq!(code, 0, "{deploy_stderr}");
    assert!(
        deploy_stderr.contains("served by the keeper"),
        "{deploy_stderr}"
    );
    let deploy: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert!(deploy["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    secrets.push(deploy["SecretAccessKey"].as_str().unwrap().to_owned());
    secrets.push(deploy["SessionToken"].as_str().unwrap().to_owned());
    let file = std::fs::read_to_string(&credentials).unwrap();
    assert!(
        !file.contains("[deploy]"),
        "served only, never written: {file}"
    );
    assert!(own_cache(&w).is_empty(), "nothing fetched alone");

    // `status` shows the served-only lease among the keeper's.
    let cfg_env = [("LEASEKEEPER_CONFIG_DIR", cfg.as_str())];
    let (_, status_err, json) = w.spawn(&["status", "--json"], &cfg_env).finish(30);
    let status: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}{status_err}"));
    let kept = status["keeper"]["profiles"]
        .as_array()
        .expect("the keeper's view");
    let of = |p: &str| kept.iter().find(|v| v["profile"] == p).cloned();
    let deploy_view = of("deploy").expect("deploy in the keeper's view");
    assert_eq!(deploy_view["served"], true, "{deploy_view}");
    assert_eq!(deploy_view["section"], "", "{deploy_view}");
    assert_eq!(of("dev-admin").expect("dev-admin")["served"], false);
    let (_, _, table) = w.spawn(&["status"], &cfg_env).finish(30);
    assert!(
        table.contains("and keeping 1 more for credential_process"),
        "{table}"
    );

    // Let the keeper log a while at trace level, then look at everything.
    std::thread::sleep(std::time::Duration::from_secs(2));
    super::daemon_sandbox::signal(&daemon, "TERM");
    let (_, daemon_log, _) = daemon.finish(20);
    for (what, text) in [
        ("keeper", &daemon_log),
        ("credential-process", &stderr),
        ("credential-process", &deploy_stderr),
    ] {
        for secret in &secrets {
            let leaks: Vec<&str> = text
                .lines()
                .filter(|l| l.contains(secret.as_str()))
                .collect();
            assert!(leaks.is_empty(), "a secret in the {what}'s log: {leaks:#?}");
        }
    }
    // The capture is real: the SDK's own trace lines are in it.
    assert!(daemon_log.contains("aws_smithy_runtime"), "{daemon_log}");
    assert!(
        daemon_log.contains("credentials asked for"),
        "the keeper logged the request (without keys)"
    );
}

#[test]
fn a_keeper_waiting_for_a_sign_in_answers_with_the_same_one_line_at_once() {
    let w = world(60.0, "", false);
    let cfg = config_dir(&w);
    let mut daemon = w.spawn(
        &["daemon"],
        &[
            ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
            ("LEASEKEEPER_LOG", "debug"),
        ],
    );
    daemon.wait_line(60, |l| l.contains("login_needed"));
    let started = std::time::Instant::now();
    let (code, stderr, stdout) = process(&w, "dev-admin", &[("LEASEKEEPER_LOG", "debug")]);
    let took = started.elapsed();
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout, "", "nothing on stdout");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("leasekeeper: "))
        .collect();
    assert_eq!(
        lines,
        [
            "leasekeeper: profile dev-admin needs a sign-in: run `leasekeeper login --sso-session sandbox`"
        ],
        "{stderr}"
    );
    assert!(
        !stderr.contains("resolving alone"),
        "the keeper's answer, not a resolution of its own: {stderr}"
    );
    // No network wait: the keeper answers from memory (a guard against
    // hangs only; the time is in BENCHMARKS.md).
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    assert!(own_cache(&w).is_empty());
    stop_daemon(daemon);
}
