//! The cache's key and file, and the Version 1 JSON.

use std::path::Path;

use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::Credentials;
use leasekeeper_engine::profiles::locations::AwsPaths;
use leasekeeper_engine::resolve::{Base, Chain, KeysSource, RoleStep};
use time::macros::datetime;

use super::{cache, version1_json};

fn paths() -> AwsPaths {
    AwsPaths::from_env(|n| (n == "HOME").then(|| "/h".into())).unwrap()
}

fn chain(role_arn: &str) -> Chain {
    Chain {
        profile: "deploy".into(),
        base: Base::Keys(KeysSource {
            profile: "alice".into(),
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new("s3cr3t"),
            session_token: None,
            account_id: None,
            expires_at: None,
            expiry_key: None,
        }),
        roles: vec![RoleStep {
            profile: "deploy".into(),
            role_arn: role_arn.into(),
            external_id: None,
            role_session_name: None,
            duration_seconds: None,
            mfa_serial: None,
        }],
        issues: Vec::new(),
    }
}

fn keys() -> Credentials {
    Credentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: Secret::new("the-secret"),
        session_token: Some(Secret::new("the-token")),
        expiration: Some(datetime!(2026-11-22 10:00:00 UTC)),
    }
}

#[test]
fn the_key_changes_with_the_chain_and_never_holds_a_secret() {
    let state = Path::new("/state");
    let a = cache::cache_path(state, &paths(), &chain("arn:aws:iam::1:role/A"));
    let again = cache::cache_path(state, &paths(), &chain("arn:aws:iam::1:role/A"));
    let b = cache::cache_path(state, &paths(), &chain("arn:aws:iam::1:role/B"));
    assert_eq!(a, again);
    assert_ne!(a, b);
    assert!(a.starts_with("/state/process"));
    assert_eq!(a.file_name().unwrap().len(), 16 + ".json".len());
}

#[test]
fn cached_keys_read_back_owner_only_and_a_bad_file_is_absent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("process/k.json");
    assert!(cache::read(&path).is_none());
    let lock = crate::locked_edit::Locked::acquire(&path, crate::locked_edit::LOCK_WAIT).unwrap();
    cache::write(&lock, "deploy", &keys()).unwrap();
    drop(lock);
    assert_eq!(cache::read(&path).unwrap(), keys());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    std::fs::write(&path, "{not json").unwrap();
    assert!(cache::read(&path).is_none());
}

#[test]
fn version_1_json_has_the_sdk_fields() {
    let v: serde_json::Value = serde_json::from_str(&version1_json(&keys())).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "Version": 1,
            "AccessKeyId": "ASIAEXAMPLE",
            "SecretAccessKey": "the-secret",
            "SessionToken": "the-token",
            "Expiration": "2026-11-22T10:00:00Z",
        })
    );
    let mut long_term = keys();
    long_term.session_token = None;
    long_term.expiration = None;
    let v: serde_json::Value = serde_json::from_str(&version1_json(&long_term)).unwrap();
    assert!(v.get("SessionToken").is_none() && v.get("Expiration").is_none());
}
