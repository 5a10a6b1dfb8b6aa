//! The cross-SDK profile parser suite (smithy-rs `profile-parser-tests.json`),
//! every case, in spec mode. The recovering mode must agree on every case
//! without an error, and report the spec's error as an issue on the others.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

use std::collections::BTreeMap;

use leasekeeper_engine::ini::{Document, IssueKind};
use leasekeeper_engine::profiles::{MergeOptions, Mode, ProfileSet, merge};
use serde_json::Value;

const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/smithy-rs/aws/rust-runtime/aws-runtime/test-data/profile-parser-tests.json"
);

type Flat = BTreeMap<String, BTreeMap<String, String>>;

fn flatten(map: &BTreeMap<String, leasekeeper_engine::profiles::Profile>) -> Flat {
    map.iter()
        .map(|(name, p)| {
            let props = p
                .props
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            (name.clone(), props)
        })
        .collect()
}

fn expected(v: Option<&Value>) -> Flat {
    let Some(Value::Object(profiles)) = v else {
        return Flat::new();
    };
    profiles
        .iter()
        .map(|(name, props)| {
            let props = props
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            (name.clone(), props)
        })
        .collect()
}

fn run(case: &Value) -> Result<(), String> {
    let input = &case["input"];
    let config = input["configFile"]
        .as_str()
        .map(|s| Document::parse(s.as_bytes()));
    let credentials = input["credentialsFile"]
        .as_str()
        .map(|s| Document::parse(s.as_bytes()));
    let spec = merge(config.as_ref(), credentials.as_ref(), MergeOptions::spec());
    let recovered = merge(
        config.as_ref(),
        credentials.as_ref(),
        MergeOptions {
            mode: Mode::Recover,
            skip_managed: false,
        },
    )
    .map_err(|e| format!("recovering mode failed: {e}"))?;
    let output = &case["output"];
    if let Some(wanted) = output["errorContaining"].as_str() {
        let err = match spec {
            Ok(set) => return Err(format!("expected error containing {wanted:?}, got {set:?}")),
            Err(e) => e,
        };
        if !err.to_string().contains(wanted) {
            return Err(format!("error {err:?} does not contain {wanted:?}"));
        }
        let reported = [&config, &credentials].into_iter().flatten().any(|d| {
            d.issues()
                .iter()
                .any(|i| matches!(i.kind, IssueKind::Syntax(_)) && i.to_string().contains(wanted))
        });
        if !reported {
            return Err(format!("no issue reports {wanted:?}"));
        }
        return Ok(());
    }
    let set: ProfileSet = spec.map_err(|e| format!("unexpected error: {e}"))?;
    let want_profiles = expected(output["config"].get("profiles"));
    let want_sessions = expected(output["config"].get("sso_sessions"));
    let got = (flatten(&set.profiles), flatten(&set.sso_sessions));
    if got != (want_profiles.clone(), want_sessions.clone()) {
        return Err(format!(
            "got {got:?}, want profiles {want_profiles:?} and sessions {want_sessions:?}"
        ));
    }
    if recovered != set {
        return Err(format!("recovering mode differs: {recovered:?}"));
    }
    Ok(())
}

#[test]
fn every_case_of_the_cross_sdk_profile_parser_suite_passes() {
    let text = std::fs::read_to_string(SUITE).unwrap_or_else(|e| panic!("read {SUITE}: {e}"));
    let suite: Value = serde_json::from_str(&text).expect("suite is JSON");
    let cases = suite["tests"].as_array().expect("tests array");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run(case)
                .err()
                .map(|why| format!("{}: {why}", case["name"].as_str().unwrap_or("?")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(cases.len(), 65);
}

#[test]
fn spec_errors_name_the_file_and_line() {
    let config = Document::parse(b"[profile a]\nregion = x\nkey : value\n");
    let err = merge(Some(&config), None, MergeOptions::spec()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot parse the config file, line 3: Expected an '=' sign defining a property"
    );
    assert_eq!(err.code(), "profile_syntax");
    let bom = Document::parse(b"\xef\xbb\xbf[default]\nregion = x\n");
    let err = merge(None, Some(&bom), MergeOptions::spec()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot parse the credentials file, line 1: Expected a profile definition"
    );
}
