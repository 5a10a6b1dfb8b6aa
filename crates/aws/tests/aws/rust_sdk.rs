//! aws-sdk-rust resolves an SSO profile from the token file our sign-in
//! wrote, and calls GetCallerIdentity with the role credentials it fetched.
//! It runs as a separate process (`examples/sdk_sso_profile.rs`) because
//! the SDK finds the token cache through `HOME`.

use std::path::PathBuf;
use std::process::Command;

use super::common::*;

/// The example binary beside this test binary's folder.
fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|p| p.parent()).unwrap();
    let path = debug.join("examples/sdk_sso_profile");
    assert!(path.exists(), "{} is built with the tests", path.display());
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rust_sdk_uses_our_token_file() {
    let env = start(|c| c.auto_approve = true).await;
    env.sign_in(1.0).await;
    let out = tokio::task::spawn_blocking({
        let home = env.dir.path().join("home");
        let config = env.dir.path().join("config");
        let base = env.sb.base_url().to_owned();
        move || {
            Command::new(example())
                .arg("dev-admin")
                .env_clear()
                .env("HOME", home)
                .env("AWS_CONFIG_FILE", config)
                .env("AWS_ENDPOINT_URL", base)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_"),
        "{stdout}"
    );
}
