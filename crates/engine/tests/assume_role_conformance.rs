//! aws-sdk-rust's cross-SDK assume-role case table, run against
//! `leasekeeper_engine::resolve`.
//!
//! Each case builds a profile set, resolves the selected profile, and
//! compares our chain, converted to the table's `ProfileChain` shape, with the
//! expected one; or checks that our error message contains the table's text.
//! The one expected text that is not a lowercase message ("No profiles were
//! defined") is matched through our error code instead.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

use std::collections::{BTreeMap, HashMap};

use leasekeeper_engine::profiles::{Profile, ProfileSet};
use leasekeeper_engine::resolve::{Base, Chain, ResolveError, resolve};
use serde::Deserialize;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/smithy-rs/aws/rust-runtime/aws-config/test-data/assume-role-tests.json"
);

/// SDK wordings that our lowercase messages cannot contain, by our code.
const SDK_WORDING_BY_CODE: &[(&str, &str)] = &[("missing_profile", "No profiles were defined")];

#[derive(Deserialize)]
struct Case {
    docs: String,
    input: Input,
    output: Output,
}

#[derive(Deserialize)]
struct Input {
    profiles: HashMap<String, HashMap<String, String>>,
    selected_profile: String,
    #[serde(default)]
    sso_sessions: HashMap<String, HashMap<String, String>>,
}

#[derive(Deserialize, Debug)]
enum Output {
    ProfileChain(Vec<Provider>),
    Error(String),
}

/// The table's provider shapes (absent fields are `None`).
#[derive(Deserialize, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
enum Provider {
    AssumeRole {
        role_arn: String,
        external_id: Option<String>,
        role_session_name: Option<String>,
    },
    AccessKey {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        account_id: Option<String>,
    },
    NamedSource(String),
    CredentialProcess {
        command: String,
        account_id: Option<String>,
    },
    WebIdentityToken {
        role_arn: String,
        web_identity_token_file: String,
        role_session_name: Option<String>,
    },
    Sso {
        sso_region: String,
        sso_start_url: String,
        sso_session: Option<String>,
        sso_account_id: Option<String>,
        sso_role_name: Option<String>,
    },
}

fn profile_set(input: &Input) -> ProfileSet {
    let section = |name: &String, props: &HashMap<String, String>| {
        // Sorted so a failure message lists keys in a stable order.
        let props: BTreeMap<&str, &str> = props
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        (name.clone(), Profile::from_pairs(name, props))
    };
    ProfileSet {
        profiles: input.profiles.iter().map(|(n, p)| section(n, p)).collect(),
        sso_sessions: input
            .sso_sessions
            .iter()
            .map(|(n, p)| section(n, p))
            .collect(),
    }
}

fn to_table_shape(chain: &Chain) -> Vec<Provider> {
    let base = match &chain.base {
        Base::Keys(k) => Provider::AccessKey {
            access_key_id: k.access_key_id.clone(),
            secret_access_key: k.secret_access_key.expose().to_owned(),
            session_token: k.session_token.as_ref().map(|t| t.expose().to_owned()),
            account_id: k.account_id.clone(),
        },
        Base::CredentialSource(n) => Provider::NamedSource(n.source.as_str().to_owned()),
        Base::Process(p) => Provider::CredentialProcess {
            command: p.command.clone(),
            account_id: p.account_id.clone(),
        },
        Base::WebIdentity(w) => Provider::WebIdentityToken {
            role_arn: w.role_arn.clone(),
            web_identity_token_file: w.token_file.clone(),
            role_session_name: w.role_session_name.clone(),
        },
        Base::Sso(s) => Provider::Sso {
            sso_region: s.region.clone(),
            sso_start_url: s.start_url.clone(),
            sso_session: s.session.clone(),
            sso_account_id: s.account_id.clone(),
            sso_role_name: s.role_name.clone(),
        },
    };
    let mut out = vec![base];
    out.extend(chain.roles.iter().map(|r| Provider::AssumeRole {
        role_arn: r.role_arn.clone(),
        external_id: r.external_id.clone(),
        role_session_name: r.role_session_name.clone(),
    }));
    out
}

fn error_matches(error: &ResolveError, expected: &str) -> bool {
    error.to_string().contains(expected)
        || SDK_WORDING_BY_CODE
            .iter()
            .any(|(code, wording)| *code == error.code() && *wording == expected)
}

/// Why one case fails, or `None` when it passes.
fn check(case: &Case) -> Option<String> {
    let set = profile_set(&case.input);
    match (&case.output, resolve(&set, &case.input.selected_profile)) {
        (Output::ProfileChain(expected), Ok(chain)) => {
            let actual = to_table_shape(&chain);
            (actual != *expected).then(|| format!("expected {expected:?}\n  got {actual:?}"))
        }
        (Output::Error(expected), Err(e)) => (!error_matches(&e, expected)).then(|| {
            format!(
                "expected an error containing `{expected}`\n  got `{e}` ({})",
                e.code()
            )
        }),
        (Output::ProfileChain(expected), Err(e)) => Some(format!(
            "expected {expected:?}\n  got error `{e}` ({})",
            e.code()
        )),
        (Output::Error(expected), Ok(chain)) => Some(format!(
            "expected an error containing `{expected}`\n  got {:?}",
            to_table_shape(&chain)
        )),
    }
}

#[test]
fn every_assume_role_case_matches_aws_sdk_rust() {
    let text = std::fs::read_to_string(CASES).unwrap_or_else(|e| panic!("read {CASES}: {e}"));
    let cases: Vec<Case> = serde_json::from_str(&text).expect("case table parses");
    assert_eq!(cases.len(), 28, "the table has 28 cases");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check(case).map(|why| format!("- {}: {why}", case.docs)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
