//! `leasekeeper exec`, `serve` and `env` against the sandbox at speed 400
//! (an hour's role lives 9 s), with clients we did not write: a job under
//! `exec` runs one long-lived botocore client and one AWS SDK for Rust
//! client side by side across five lifetimes, neither ever seeing an
//! expired key; the same beside `serve` with a keeper running; what the
//! command's environment holds and lacks; exit codes and signals; a home
//! whose `[default]` has keys refused, naming its line; a request without
//! the token refused; no key in any log, at trace level.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::daemon_sandbox::{config_dir, signal, signed_in_world_at, stop_daemon};
use super::harness::built_binary;
use super::login_harness::World;

/// World seconds a real second counts for.
const SPEED: f64 = 400.0;
/// Five lifetimes of an hour's role at `SPEED`, and a little more.
const FIVE_LIVES: u64 = 48;

/// A long-lived botocore client: one session, one STS client, a call every
/// INTERVAL_MS for SECS seconds; the keys it ended with on the last line.
const BOTO_LOOP: &str = r#"
import sys, time
import botocore.session
secs, interval = int(sys.argv[1]), int(sys.argv[2]) / 1000
session = botocore.session.get_session()
sts = session.create_client("sts", region_name="us-east-1")
start, calls = time.time(), 0
while time.time() - start < secs:
    try:
        sts.get_caller_identity()
    except Exception as e:
        print(f"botocore: call {calls + 1} failed after {time.time() - start:.1f} s: {e}", file=sys.stderr)
        sys.exit(1)
    calls += 1
    time.sleep(interval)
creds = session.get_credentials().get_frozen_credentials()
print(f"calls={calls}")
print(f"secret={creds.secret_key}")
"#;

fn script(w: &World, name: &str, text: &str) -> PathBuf {
    let path = w.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The JavaScript SDK's client (`scripts/setup.sh` installs it).
fn js_loop() -> PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("js/sts_loop.mjs");
    assert!(
        path.with_file_name("node_modules").exists(),
        "the JavaScript SDK is not installed: run scripts/setup.sh"
    );
    path
}

/// `sh -c` running the three clients for `secs` side by side, failing if
/// any fails.
fn three_clients(w: &World, secs: u64) -> String {
    let boto = script(w, "boto_loop.py", BOTO_LOOP);
    format!(
        "{py} {boto} {secs} 300 & b=$!; {rust} {secs} 300 & r=$!; node {js} {secs} 300 & j=$!; \
         wait $b; rb=$?; wait $r; rr=$?; wait $j; rj=$?; exit $((rb | rr | rj))",
        py = World::python().display(),
        boto = boto.display(),
        rust = built_binary("sdk-sts-loop").display(),
        js = js_loop().display(),
    )
}

#[test]
fn a_long_job_under_exec_never_sees_an_expired_key_in_botocore_the_rust_or_the_js_sdk() {
    let w = signed_in_world_at(SPEED);
    let cfg = config_dir(&w);
    let job = three_clients(&w, FIVE_LIVES);
    let started = Instant::now();
    let run = w.spawn(
        &["exec", "--profile", "dev-admin", "--", "sh", "-c", &job],
        &[
            ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
            ("LEASEKEEPER_LOG", "trace"),
            ("AWS_REGION", "us-east-1"),
            // What a shell might hold: none of it may reach the job.
            ("AWS_ACCESS_KEY_ID", "AKIASTALESTALESTALE1"),
            ("AWS_SECRET_ACCESS_KEY", "stale"),
            ("AWS_PROFILE", "prod-readonly"),
        ],
    );
    let mut child = run;
    let out = {
        let mut s = String::new();
        use std::io::Read as _;
        child
            .child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let (code, stderr, _) = child.finish(120);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{stderr}");
    assert!(started.elapsed() >= Duration::from_secs(FIVE_LIVES));
    let calls: Vec<u64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("calls="))
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(calls.len(), 3, "every client reported: {out}");
    assert!(calls.iter().all(|n| *n >= 50), "{calls:?}");
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("secret="))
        .expect("the keys botocore ended with");
    assert!(secret.len() >= 20);
    assert!(!stderr.contains(secret), "a key in the trace log");
    assert!(
        stderr.contains("keys served"),
        "the trace log is there: {stderr}"
    );
}

#[test]
fn the_command_gets_the_endpoint_and_nothing_that_would_win_over_it() {
    let w = signed_in_world_at(SPEED);
    let cfg = config_dir(&w);
    let env_of = |extra: &[&str]| {
        let mut args = vec!["exec", "--profile", "dev-admin"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "env"]);
        let out = w
            .command(&args)
            .env("LEASEKEEPER_CONFIG_DIR", &cfg)
            .env("AWS_SESSION_TOKEN", "stale")
            .env(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/x",
            )
            .env("AWS_ROLE_ARN", "arn:aws:iam::111111111111:role/Other")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let vars = env_of(&[]);
    let get = |vars: &str, name: &str| {
        vars.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
    };
    let uri = get(&vars, "AWS_CONTAINER_CREDENTIALS_FULL_URI").expect("the endpoint");
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    let token = get(&vars, "AWS_CONTAINER_AUTHORIZATION_TOKEN").expect("the token");
    assert_eq!(token.len(), 64);
    for gone in [
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_ROLE_ARN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
    ] {
        assert_eq!(get(&vars, gone), None, "{gone} reached the command");
    }
    // With --token-file: a 0600 file instead, gone when the run ended.
    let vars = env_of(&["--token-file"]);
    assert_eq!(get(&vars, "AWS_CONTAINER_AUTHORIZATION_TOKEN"), None);
    let file = get(&vars, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").expect("a token file");
    assert!(!std::path::Path::new(&file).exists(), "removed at the end");

    // The command's exit code is exec's; a signal N is 128+N.
    let code = |args: &[&str]| {
        let mut all = vec!["exec", "--profile", "dev-admin", "--"];
        all.extend_from_slice(args);
        w.command(&all)
            .env("LEASEKEEPER_CONFIG_DIR", &cfg)
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(code(&["sh", "-c", "exit 7"]), Some(7));
    let python = World::python().display().to_string();
    let killed = "import os, signal\n\
        signal.signal(signal.SIGTERM, signal.SIG_DFL)\n\
        os.kill(os.getpid(), signal.SIGTERM)\n";
    assert_eq!(code(&[python.as_str(), "-c", killed]), Some(143));
    assert_eq!(code(&["/nonexistent/command"]), Some(127));

    // SIGTERM and SIGHUP sent to exec reach the command. The command
    // takes both as a command would by default, even where the test runs
    // with them ignored (`nohup`), which a shell could not undo.
    let waits = "import signal, sys, time\n\
        signal.signal(signal.SIGHUP, signal.SIG_DFL)\n\
        signal.signal(signal.SIGTERM, signal.SIG_DFL)\n\
        print('started', file=sys.stderr, flush=True)\n\
        time.sleep(30)\n";
    for (name, want) in [("TERM", 143), ("HUP", 129)] {
        let mut run = w.spawn(
            &[
                "exec",
                "--profile",
                "dev-admin",
                "--",
                python.as_str(),
                "-c",
                waits,
            ],
            &[("LEASEKEEPER_CONFIG_DIR", cfg.as_str())],
        );
        run.wait_line(20, |l| l == "started");
        signal(&run, name);
        let (code, stderr, _) = run.finish(20);
        assert_eq!(code, want, "SIG{name}: {stderr}");
    }
}

#[test]
fn a_default_profile_with_keys_is_refused_and_env_prints_a_copy_that_says_when_it_lapses() {
    let w = signed_in_world_at(SPEED);
    let cfg = config_dir(&w);
    let credentials = w.var("AWS_SHARED_CREDENTIALS_FILE").unwrap().to_owned();
    let before = std::fs::read_to_string(&credentials).unwrap();
    std::fs::write(
        &credentials,
        format!("{before}\n[default]\naws_access_key_id = AKIAOWNOWNOWNOWNOWN1\naws_secret_access_key = mine\n"),
    )
    .unwrap();
    let out = w
        .command(&["exec", "--profile", "dev-admin", "--", "true"])
        .env("LEASEKEEPER_CONFIG_DIR", &cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the [default] profile in ")
            && err.contains(&credentials)
            && err.contains("(line ")
            && err.contains("`aws_access_key_id`"),
        "{err}"
    );
    std::fs::write(&credentials, &before).unwrap();

    let out = w
        .command(&["env", "--profile", "dev-admin", "--format", "json"])
        .env("LEASEKEEPER_CONFIG_DIR", &cfg)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vars: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        vars["AWS_ACCESS_KEY_ID"]
            .as_str()
            .is_some_and(|k| k.starts_with("ASIA"))
    );
    assert!(vars["AWS_CREDENTIAL_EXPIRATION"].is_string());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("these keys lapse at ")
            && err.contains("leasekeeper exec --profile dev-admin"),
        "{err}"
    );
}

/// Reads a request's answer through botocore's own container provider.
const BOTO_FETCH: &str = r#"
import os, sys
from botocore.credentials import ContainerProvider
try:
    creds = ContainerProvider(os.environ).load()
    print("keys" if creds and creds.access_key else "none")
except Exception as e:
    print(f"refused: {e}")
"#;

#[test]
fn serve_gives_processes_started_elsewhere_the_keepers_keys_and_refuses_a_wrong_token() {
    let w = signed_in_world_at(SPEED);
    let cfg = config_dir(&w);
    let env = [("LEASEKEEPER_CONFIG_DIR", cfg.as_str())];
    // With a keeper running, the keys are the ones it keeps.
    let mut daemon = w.spawn(
        &["daemon"],
        &[
            ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
            ("LEASEKEEPER_LOG", "info"),
        ],
    );
    daemon.wait_line(60, |l| l.contains("serving the keeper's socket"));
    let mut serve = w.spawn(&["serve", "--profile", "dev-admin"], &env);
    let mut stdout = std::io::BufReader::new(serve.child.stdout.take().unwrap());
    let mut exports = Vec::new();
    for _ in 0..2 {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        let (name, value) = line
            .trim()
            .strip_prefix("export ")
            .and_then(|kv| kv.split_once('='))
            .expect("an export line");
        exports.push((name.to_owned(), value.to_owned()));
    }
    let token_file = exports[1].1.clone();
    assert_eq!(exports[1].0, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    assert_eq!(
        super::login_harness::mode(std::path::Path::new(&token_file)),
        0o600
    );

    // Clients started on their own, with only what serve printed.
    let job = three_clients(&w, FIVE_LIVES);
    let run = std::process::Command::new("sh")
        .args(["-c", &job])
        .env_clear()
        .envs(w.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env_remove("AWS_PROFILE")
        .envs(exports.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let out = String::from_utf8_lossy(&run.stdout);
    assert_eq!(out.matches("calls=").count(), 3, "{out}");

    // Without the token, or with another, botocore is refused.
    let fetch = script(&w, "boto_fetch.py", BOTO_FETCH);
    for token in [None, Some("0".repeat(64))] {
        let mut cmd = std::process::Command::new(World::python());
        cmd.arg(&fetch)
            .env_clear()
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &exports[0].1);
        if let Some(t) = &token {
            cmd.env("AWS_CONTAINER_AUTHORIZATION_TOKEN", t);
        }
        let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
        assert!(out.starts_with("refused"), "{token:?}: {out}");
    }
    signal(&serve, "TERM");
    let (code, stderr, _) = serve.finish(20);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !std::path::Path::new(&token_file).exists(),
        "the token is void"
    );
    stop_daemon(daemon);
}
