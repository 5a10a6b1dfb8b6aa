//! botocore's SSO token provider refresh cases (`sso_provider_refresh_cases`
//! from botocore's `tests/unit/test_tokens.py`) run as behaviour tests of
//! [`super::refresh_if_due`]: the cached file, the time, the service's
//! answer, and the token and file botocore expects.
//!
//! One deliberate deviation (docs/ARCHITECTURE.md, AWS-FACTS): when a
//! refresh returns no new refresh token, botocore writes the file without
//! one; we keep the old one, as aws-sdk-rust does.

use serde::Deserialize;
use serde_json::Value;

use super::testkit::*;
use super::{SessionOver, SignInError, SignInPorts, SsoTarget, TimeScale, refresh_if_due};
use crate::Secret;
use crate::ports::{StoreFile, TokenResponse};
use crate::timefmt::{format_z, parse_timestamp};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/botocore/sso-token-provider-cases.json"
);

/// The case whose expected write-back drops the refresh token.
const DEVIATION: &str = "Expired token refresh without new refresh token";

#[derive(Deserialize)]
struct File {
    sso_provider_refresh_cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Case {
    documentation: String,
    current_time: String,
    cached_token: Value,
    refresh_response: Option<Value>,
    expected_token_writeback: Option<Value>,
    expected_token: Option<Expected>,
    expected_exception: Option<String>,
}

#[derive(Deserialize)]
struct Expected {
    token: String,
    expiration: String,
}

fn response(v: &Value) -> TokenResponse {
    TokenResponse {
        access_token: Secret::new(v["accessToken"].as_str().unwrap()),
        refresh_token: v["refreshToken"].as_str().map(Secret::new),
        expires_in: time::Duration::seconds(v["expiresIn"].as_i64().unwrap()),
    }
}

#[test]
fn botocore_sso_token_refresh_cases() {
    let text = std::fs::read_to_string(CASES).unwrap_or_else(|e| panic!("{CASES}: {e}"));
    let file: File = serde_json::from_str(&text).unwrap();
    assert_eq!(file.sso_provider_refresh_cases.len(), 8);
    for case in &file.sso_provider_refresh_cases {
        let name = &case.documentation;
        let target = SsoTarget {
            session: Some("admin".into()),
            start_url: "https://d-123.awsapps.com/start".into(),
            region: "us-west-2".into(),
            configured_scopes: Vec::new(),
        };
        let store = MemStore::default();
        let token_file = StoreFile::SsoToken(target.cache_key());
        store.put(token_file.clone(), case.cached_token.to_string().as_bytes());
        let clock = ManualClock::at(parse_timestamp(&case.current_time).unwrap());
        let oidc = FakeOidc::default();
        if let Some(r) = &case.refresh_response {
            oidc.refreshes.lock().unwrap().push_back(Ok(response(r)));
        }
        let ports = SignInPorts {
            oidc: &oidc,
            clock: &clock,
            store: &store,
            scale: TimeScale::default(),
        };
        let result = block_on(refresh_if_due(&ports, &target));

        match (&case.expected_exception, &result) {
            (None, Ok(r)) => {
                let expected = case.expected_token.as_ref().unwrap();
                assert_eq!(r.token().access_token.expose(), expected.token, "{name}");
                assert_eq!(
                    format_z(r.token().expires_at),
                    expected.expiration,
                    "{name}"
                );
            }
            (Some(exception), Err(SignInError::NeedsLogin { reason, .. })) => {
                // botocore's two exceptions: the file cannot be loaded, or
                // no usable token can be had.
                let load_error = matches!(reason, SessionOver::CorruptToken | SessionOver::NoToken);
                assert_eq!(
                    load_error,
                    exception == "SSOTokenLoadError",
                    "{name}: {reason:?}"
                );
                assert_eq!(oidc.count("refresh"), 0, "{name}: no refresh may be tried");
            }
            (expected, got) => panic!("{name}: expected {expected:?}, got {got:?}"),
        }

        let written: Value = serde_json::from_slice(&store.get(&token_file).unwrap()).unwrap();
        match &case.expected_token_writeback {
            None => assert_eq!(written, case.cached_token, "{name}: file untouched"),
            Some(expected) => {
                let mut expected = expected.clone();
                if name == DEVIATION {
                    assert!(expected.get("refreshToken").is_none());
                    expected["refreshToken"] = case.cached_token["refreshToken"].clone();
                }
                assert_eq!(written, expected, "{name}");
                assert_eq!(
                    oidc.refresh_tokens_seen.lock().unwrap().as_slice(),
                    [case.cached_token["refreshToken"].as_str().unwrap()],
                    "{name}"
                );
            }
        }
    }
}
