//! Fidelity against clients we did not write: botocore/boto3 and AWS CLI v1
//! from the virtualenv `scripts/setup.sh` creates, reading the files
//! `write_config` wrote. Their environment is cleared and rebuilt from the
//! sandbox's export lines, so they can never reach real AWS or read the
//! person's `~/.aws`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use leasekeeper_sandbox::{ALICE_TOTP_SECRET, RunningSandbox};
use serde_json::Value;

use crate::common::*;

/// The Python with botocore: `LEASEKEEPER_PYTHON`, else the workspace's `.venv`.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("LEASEKEEPER_PYTHON") {
        return p.into();
    }
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.venv/bin/python"
    ));
    assert!(
        p.exists(),
        "no Python with botocore at {}: run scripts/setup.sh (or set LEASEKEEPER_PYTHON)",
        p.display()
    );
    p
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py")).join(name)
}

/// The files for `sb` in a temp dir, and the environment its lines describe.
struct Env {
    _dir: tempfile::TempDir,
    vars: Vec<(String, String)>,
}

fn env_for(sb: &RunningSandbox) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let lines = sb.write_config(dir.path()).unwrap();
    let vars = lines
        .iter()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect();
    Env { _dir: dir, vars }
}

/// Runs a program with only the sandbox's environment; (exit ok, stdout, stderr).
async fn run(program: PathBuf, args: Vec<String>, env: &Env) -> (bool, String, String) {
    let vars = env.vars.clone();
    let venv_bin = python()
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&program)
            .args(&args)
            .env_clear()
            .env("PATH", format!("{venv_bin}:/usr/local/bin:/usr/bin:/bin"))
            .env("LANG", "C.UTF-8")
            .envs(vars)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
    })
    .await
    .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn py(name: &str, args: &[&str], env: &Env) -> Value {
    let (ok, out, err) = run(
        python(),
        std::iter::once(script(name).to_string_lossy().into_owned())
            .chain(args.iter().map(|s| s.to_string()))
            .collect(),
        env,
    )
    .await;
    assert!(ok, "{name} failed:\n{err}");
    serde_json::from_str(out.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{name} printed {out:?}: {e}\n{err}"))
}

async fn aws(args: &[&str], env: &Env) -> (bool, String, String) {
    let cli = python().parent().unwrap().join("aws");
    run(cli, args.iter().map(|s| s.to_string()).collect(), env).await
}

#[tokio::test]
async fn botocore_and_the_aws_cli_resolve_every_written_profile() {
    let sb = start(|_| {}).await;
    let env = env_for(&sb);
    assert_eq!(
        py("caller_identity.py", &["alice"], &env).await["Arn"],
        "arn:aws:iam::111111111111:user/alice"
    );
    let deploy = py("caller_identity.py", &["deploy"], &env).await;
    let arn = deploy["Arn"].as_str().unwrap();
    assert!(
        arn.starts_with("arn:aws:sts::222222222222:assumed-role/Deploy/"),
        "{arn}"
    );
    let vendor = py("caller_identity.py", &["vendor"], &env).await;
    assert!(
        vendor["Arn"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/Vendor/"),
        "{vendor}"
    );
    // The MFA-protected role: botocore asks for a code and gets the device's.
    let glass = py(
        "caller_identity.py",
        &["breakglass", ALICE_TOTP_SECRET],
        &env,
    )
    .await;
    assert!(
        glass["Arn"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/BreakGlass/"),
        "{glass}"
    );

    let (ok, out, err) = aws(
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "deploy",
            "--output",
            "json",
        ],
        &env,
    )
    .await;
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["Arn"].as_str().unwrap().contains(":assumed-role/Deploy/"));
    let (ok, _, err) = aws(
        &[
            "sts",
            "assume-role",
            "--profile",
            "alice",
            "--role-arn",
            DEPLOY,
            "--role-session-name",
            "cli",
            "--duration-seconds",
            "43201",
        ],
        &env,
    )
    .await;
    assert!(!ok);
    assert!(
        err.contains("An error occurred (ValidationError) when calling the AssumeRole operation: 1 validation error detected: Value '43201' at 'durationSeconds'"),
        "{err}"
    );
}

#[tokio::test]
async fn a_boto3_device_sign_in_feeds_botocore_sso_profiles_and_their_refresh() {
    let sb = Arc::new(start(|c| c.speed = 60.0).await);
    let env = env_for(&sb);
    // A person approving on the page, a little after the code appears.
    let approver = {
        let sb = Arc::clone(&sb);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(1200)).await;
                for p in sb.pending_sign_ins() {
                    sb.approve(&p.id);
                }
            }
        })
    };
    let v = py(
        "sso_device_login.py",
        &[
            "https://sandbox.awsapps.com/start",
            "sandbox",
            "dev-admin",
            "auditor",
        ],
        &env,
    )
    .await;
    approver.abort();
    assert_eq!(v["pending_seen"], true, "{v}");
    assert_eq!(v["expires_in"], 60, "the one-hour access token at speed 60");
    let sso = v["sso_arn"].as_str().unwrap();
    assert!(
        sso.starts_with("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_")
            && sso.ends_with("/sandbox-user"),
        "{sso}"
    );
    assert!(
        v["chained_arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:sts::222222222222:assumed-role/Auditor/"),
        "{v}"
    );
    // botocore refreshed the token (it lives under 15 minutes) and the
    // refresh token rotated.
    assert_eq!(v["refreshed"], true, "{v}");
    assert_eq!(v["rotated"], true, "{v}");
    // The cache key is the sha1 of the sso-session name, under HOME.
    use sha1::Digest as _;
    let key = hex::encode(sha1::Sha1::digest(b"sandbox"));
    let path = v["cache_path"].as_str().unwrap();
    assert!(
        path.ends_with(&format!("/home/.aws/sso/cache/{key}.json")),
        "{path}"
    );
}

#[tokio::test]
async fn botocore_sees_expired_token_with_the_aws_message() {
    let sb = start(|c| c.speed = 300.0).await;
    let env = env_for(&sb);
    // DurationSeconds 900 at speed 300: three real seconds.
    let v = py("expired_token.py", &[DEPLOY, "3.5"], &env).await;
    assert!(
        v["first"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/Deploy/expiry-test"),
        "{v}"
    );
    assert_eq!(
        v["second"],
        serde_json::json!({"Code": "ExpiredToken", "Message": "The security token included in the request is expired", "Status": 403})
    );
}

#[tokio::test]
async fn botocore_and_the_aws_cli_trust_the_sandbox_ca_through_aws_ca_bundle() {
    let sb = start(|c| c.tls = true).await;
    let env = env_for(&sb);
    assert!(env.vars.iter().any(|(k, _)| k == "AWS_CA_BUNDLE"));
    assert!(
        env.vars
            .iter()
            .any(|(k, v)| k == "AWS_ENDPOINT_URL_STS" && v.starts_with("https://"))
    );
    assert_eq!(
        py("caller_identity.py", &["alice"], &env).await["Arn"],
        "arn:aws:iam::111111111111:user/alice"
    );
    let (ok, out, err) = aws(
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "deploy",
            "--output",
            "json",
        ],
        &env,
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.contains(":assumed-role/Deploy/"));
}

/// The shipped world of a large organisation: 300 accounts with 4 roles
/// each, behind the portal's rate limit of 20 calls a second.
const BIG_WORLD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/worlds/portal-300x4.toml");

#[tokio::test]
async fn botocore_pages_through_300_accounts_and_1200_roles_behind_the_rate_limit() {
    let world = leasekeeper_sandbox::World::from_file(std::path::Path::new(BIG_WORLD)).unwrap();
    assert_eq!(world.identity_center.portal_calls_per_second, 20);
    let start_url = world.identity_center.start_url.clone();
    let region = world.identity_center.region.clone();
    let sb = start(|c| {
        c.world = world;
        c.auto_approve = true;
    })
    .await;
    assert_eq!(
        sb.faults().portal_calls_per_second,
        20,
        "the world's limit holds"
    );
    let (_, _, access, _) =
        crate::sign_in::device_sign_in_at(&sb, &start_url, &["sso:account:access"]).await;
    let env = env_for(&sb);
    let v = py("list_portal.py", &[&access, &region], &env).await;
    assert_eq!(v["accounts"], 300, "{v}");
    assert_eq!(v["roles"], 1200, "{v}");
    assert_eq!(v["distinct_accounts"], 300, "every page once: {v}");
    eprintln!(
        "botocore: {} pages, {} calls retried after TooManyRequestsException",
        v["pages"], v["retries"]
    );
}
