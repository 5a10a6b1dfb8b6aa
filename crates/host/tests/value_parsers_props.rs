//! The host's readers of what other processes wrote, fed arbitrary bytes:
//! socket frames (requests to the keeper and its answers), the MFA session
//! store and `credential-process`'s cache. None panics; each refuses what
//! it cannot read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::time::Duration;

use leasekeeper_engine::timefmt::format_z;
use leasekeeper_host::credential_process::cache;
use leasekeeper_host::keeper::mfa_store::MfaStore;
use leasekeeper_host::socket::protocol::{self, MAX_LINE};
use leasekeeper_host::socket::{Client, Request, Response};
use proptest::prelude::*;
use time::macros::datetime;

/// Text chosen to break parsers, and arbitrary text besides.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "aé1234",
            "名前",
            "\u{0}",
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59-23:59",
            "99999999999999999999",
            "-1",
            "",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn hostile_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        hostile().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        Just(json!(["x"])),
        Just(json!({"a": 1})),
    ]
}

const REQUEST_FIELDS: [&str; 7] = [
    "request",
    "profile",
    "all",
    "session",
    "serial",
    "code",
    "mfa_serial",
];

proptest! {
    #[test]
    fn request_frames_of_any_bytes_get_an_answer(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        match protocol::parse(&bytes) {
            Ok(request) => {
                // What was read is written back the same.
                let line = protocol::encode(&request);
                let back = line.strip_suffix(b"\n").map(protocol::parse);
                prop_assert_eq!(back, Some(Ok(request)));
            }
            Err(Response::Error { code, .. }) => {
                prop_assert!(code == "bad_request" || code == "request_too_large");
            }
            Err(other) => prop_assert!(false, "not an error answer: {other:?}"),
        }
    }

    #[test]
    fn a_hostile_request_field_is_refused_or_read(
        kind in prop::sample::select(vec![
            "hello", "status", "refresh", "signed_out", "signed_in", "subscribe",
            "mfa_code", "credentials", "notify_needs_user",
        ]),
        field in prop::sample::select(REQUEST_FIELDS.to_vec()),
        value in hostile_json(),
    ) {
        let mut v = serde_json::json!({"request": kind});
        v[field] = value;
        let line = serde_json::to_vec(&v).unwrap_or_default();
        match protocol::parse(&line) {
            Ok(_) => {}
            Err(Response::Error { code, message }) => {
                prop_assert_eq!(code, "bad_request");
                prop_assert!(message.starts_with("not a request: "), "{message}");
            }
            Err(other) => prop_assert!(false, "not an error answer: {other:?}"),
        }
    }

    #[test]
    fn answers_of_any_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        kind in prop::sample::select(vec![
            "hello", "status", "refreshed", "accepted", "credentials", "needs_user", "error",
        ]),
        field in prop::sample::select(vec![
            "pid", "version", "keeper", "renewed", "profile", "keys", "code", "message",
        ]),
        value in hostile_json(),
        time in hostile(),
    ) {
        let _ = serde_json::from_slice::<Response>(&bytes);
        let mut v = serde_json::json!({
            "response": kind,
            "keeper": {"pid": 1, "version": "0", "profiles": [{
                "profile": "p", "section": "p", "state": "fresh",
                "expires_at": time, "renewed_at": null, "next_renewal_at": null,
            }]},
            "keys": {"access_key_id": "A", "secret_access_key": "S",
                     "session_token": "T", "expiration": time},
        });
        v[field] = value;
        let _ = serde_json::from_slice::<Response>(&serde_json::to_vec(&v).unwrap_or_default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// A socket that answers anything: the client returns an error or an
    /// answer, never panics.
    #[test]
    fn the_client_survives_any_answer(answer in prop::collection::vec(any::<u8>(), 0..200)) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = dir.path().join("k.sock");
        let listener = UnixListener::bind(&path).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let server = std::thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let mut stream = reader.into_inner();
                let _ = stream.write_all(&answer);
                let _ = stream.write_all(b"\n");
            }
        });
        if let Ok(Some(mut client)) = Client::connect(&path) {
            let _ = client.ask(&Request::Status, Duration::from_secs(2));
        }
        let _ = server.join();
    }
}

#[test]
fn an_oversized_request_is_refused() {
    let big = vec![b'{'; MAX_LINE + 1];
    assert!(matches!(
        protocol::parse(&big),
        Err(Response::Error { code, .. }) if code == "request_too_large"
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The MFA session store and `credential-process`'s cache, each file
    /// holding a hostile value in one field, or arbitrary bytes.
    #[test]
    fn stored_keys_of_any_content_never_panic(
        field in prop::sample::select(vec![
            "profile", "mfaSerial", "sourceAccessKeyId", "accessKeyId", "secretAccessKey",
            "sessionToken", "expiration",
        ]),
        value in hostile_json(),
        bytes in prop::collection::vec(any::<u8>(), 0..100),
        raw in any::<bool>(),
    ) {
        let now = datetime!(2026-11-22 10:00 UTC);
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let credentials = dir.path().join("credentials");
        let store = MfaStore::new(dir.path(), &credentials);
        let file = store.path("p", "arn:aws:iam::1:mfa/me");
        let mut v = serde_json::json!({
            "profile": "p", "mfaSerial": "arn:aws:iam::1:mfa/me", "sourceAccessKeyId": "AKIA",
            "accessKeyId": "ASIA", "secretAccessKey": "s", "sessionToken": "t",
            "expiration": format_z(datetime!(2026-11-22 12:00 UTC)),
        });
        v[field] = value;
        let contents = if raw { bytes } else { serde_json::to_vec(&v).unwrap_or_default() };
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        std::fs::write(&file, &contents).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Some(keys) = store.load("p", "arn:aws:iam::1:mfa/me", "AKIA", now) {
            prop_assert!(keys.expiration.is_some_and(|t| t > now));
        }
        let cached = dir.path().join("process.json");
        std::fs::write(&cached, &contents).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Some(keys) = cache::read(&cached) {
            prop_assert!(keys.expiration.is_some_and(|t| t.year() < 9000));
        }
    }
}
