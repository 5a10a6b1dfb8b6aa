//! The Linux cases of the cross-SDK `file-location-tests.json`: where the
//! config and credentials files are, and which profile is active, for a
//! given environment.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

use std::ffi::OsString;
use std::path::Path;

use leasekeeper_engine::profiles::AwsPaths;
use leasekeeper_engine::profiles::locations::active_profile;
use serde_json::Value;

const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/smithy-rs/aws/rust-runtime/aws-runtime/test-data/file-location-tests.json"
);

fn check(case: &Value) -> Result<(), String> {
    let env = case["environment"].as_object().cloned().unwrap_or_default();
    let lookup = |name: &str| env.get(name).and_then(Value::as_str).map(OsString::from);
    let paths = AwsPaths::from_env(lookup).map_err(|e| e.to_string())?;
    let want_config = case["configLocation"].as_str().unwrap_or_default();
    let want_credentials = case["credentialsLocation"].as_str().unwrap_or_default();
    if paths.config != Path::new(want_config) || paths.credentials != Path::new(want_credentials) {
        return Err(format!(
            "got {:?} and {:?}, want {want_config} and {want_credentials}",
            paths.config, paths.credentials
        ));
    }
    if let Some(want) = case["profile"].as_str() {
        let got = active_profile(lookup);
        if got != want {
            return Err(format!("active profile {got}, want {want}"));
        }
    }
    Ok(())
}

#[test]
fn every_linux_case_of_the_file_location_suite_passes() {
    let text = std::fs::read_to_string(SUITE).unwrap_or_else(|e| panic!("read {SUITE}: {e}"));
    let suite: Value = serde_json::from_str(&text).expect("suite is JSON");
    let linux: Vec<&Value> = suite["tests"]
        .as_array()
        .expect("tests array")
        .iter()
        .filter(|c| c["platform"] == "linux")
        .collect();
    let failures: Vec<String> = linux
        .iter()
        .filter_map(|c| check(c).err().map(|why| format!("{}: {why}", c["name"])))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(linux.len(), 4);
}

#[test]
fn the_caches_live_under_home() {
    let paths = AwsPaths::from_env(|name| (name == "HOME").then(|| OsString::from("/home/user")))
        .expect("home is set");
    assert_eq!(paths.sso_cache, Path::new("/home/user/.aws/sso/cache"));
    assert_eq!(paths.cli_cache, Path::new("/home/user/.aws/cli/cache"));
    assert_eq!(paths.config, Path::new("/home/user/.aws/config"));
}
