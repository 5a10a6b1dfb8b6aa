//! Every parser of a value read from a file, a cache, the environment or the
//! network, fed arbitrary text (non-ASCII, control characters, huge
//! numbers, wrong JSON types, truncated files): none panics, each refuses
//! what it cannot read with an error naming the field, and a hostile value
//! in one profile leaves the healthy profiles beside it usable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

use std::collections::BTreeMap;

use leasekeeper_engine::keeper::graph::Graph;
use leasekeeper_engine::lease::{self, LeaseState};
use leasekeeper_engine::load::{self, CacheFileInput, FileInput, LoadInput};
use leasekeeper_engine::menu::{self, MenuId, MenuInput};
use leasekeeper_engine::profiles::cli_cache;
use leasekeeper_engine::profiles::sso_cache::{SsoToken, TokenFileError, cache_key};
use leasekeeper_engine::proxy;
use leasekeeper_engine::report::StatusReport;
use leasekeeper_engine::resolve::{self, ChainIssue, ResolveError};
use leasekeeper_engine::settings::{Settings, format_duration, parse_duration};
use leasekeeper_engine::signin::TimeScale;
use leasekeeper_engine::signin::records::{CachedRegistration, SessionRecord, SignInMarker};
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_engine::timefmt::{format_z, parse_timestamp};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

/// Values chosen to break parsers, and arbitrary text besides.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "aé1234",
            "名前",
            "é+0000",
            "ab+12345",
            "",
            " ",
            "\u{0}",
            "\u{7}\u{1b}[31m",
            "\u{feff}",
            "\r",
            "\n[profile injected]\nrole_arn = x",
            "99999999999999999999999999999999",
            "-99999999999999999999",
            "18446744073709551616",
            "4294967296",
            "-1",
            "1e309",
            "NaN",
            "inf",
            "0",
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59-23:59",
            "0000-01-01T00:00:00+23:59",
            "-0001-01-01T00:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-11-22T10:00:00+99:99",
            "2026-11-22T25:61:61Z",
            "arn:aws:iam::名前:role/é",
            "arn:",
            "arn:aws:iam:::mfa/",
            "us-east-1\u{0}",
            "ü-west-1",
            "1h30",
            "999999999999999999d",
            "\"quoted\"",
            "\\u0000",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
        "\\PC{0,12}",
        "[0-9T:+ .Zz-]{0,30}",
        (any::<u64>(), any::<bool>()).prop_map(|(n, neg)| if neg {
            format!("-{n}")
        } else {
            n.to_string()
        }),
    ]
}

/// A JSON value of any type, to put where a string is expected.
fn hostile_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        hostile().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        Just(json!([1, "x"])),
        Just(json!({"nested": "2026-11-22T10:00:00Z"})),
    ]
}

// ---------------------------------------------------------------- timestamps

proptest! {
    #[test]
    fn timestamps_never_panic(s in hostile()) {
        if let Some(t) = parse_timestamp(&s) {
            // Whatever is accepted can be written and read back.
            prop_assert_eq!(parse_timestamp(&format_z(t)), Some(t));
        }
    }
}

// ---------------------------------------------------------------- durations

proptest! {
    #[test]
    fn settings_durations_never_panic(s in hostile()) {
        if let Some(d) = parse_duration(&s) {
            prop_assert!(d > Duration::ZERO);
            prop_assert_eq!(parse_duration(&format_duration(d)), Some(d));
        }
    }

    #[test]
    fn settings_durations_round_trip(secs in 1_i64..10_000_000_000) {
        let d = Duration::seconds(secs);
        prop_assert_eq!(parse_duration(&format_duration(d)), Some(d));
    }

    #[test]
    fn time_scales_never_panic(s in hostile(), secs in any::<i64>()) {
        if let Some(scale) = TimeScale::parse(&s) {
            prop_assert!(scale.factor().is_finite() && scale.factor() > 0.0);
            let scaled = scale.apply(Duration::seconds(secs / 1_000_000));
            // A scaled constant can always be added to an instant.
            let _ = NOW + scaled;
        }
    }

    #[test]
    fn any_factor_is_taken_or_refused(f in any::<f64>(), secs in -1_000_000_i64..1_000_000) {
        if let Some(scale) = TimeScale::new(f) {
            let _ = NOW + scale.apply(Duration::seconds(secs));
        }
    }
}

// ---------------------------------------------------------------- SSO token cache

fn token_json(field: &str, value: serde_json::Value) -> Vec<u8> {
    let mut v = serde_json::json!({
        "startUrl": "https://d-abc.awsapps.com/start",
        "region": "eu-west-1",
        "accessToken": "AT",
        "expiresAt": "2026-11-22T11:00:00Z",
        "clientId": "cid",
        "clientSecret": "cs",
        "registrationExpiresAt": "2027-02-20T10:00:00Z",
        "refreshToken": "RT",
    });
    v[field] = value;
    serde_json::to_vec(&v).unwrap_or_default()
}

const TOKEN_FIELDS: [&str; 8] = [
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "refreshToken",
];

proptest! {
    #[test]
    fn token_files_of_any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = SsoToken::parse(&bytes);
    }

    #[test]
    fn a_hostile_token_field_is_named(
        field in prop::sample::select(TOKEN_FIELDS.to_vec()),
        value in hostile_json(),
        cut in any::<prop::sample::Index>(),
    ) {
        let bytes = token_json(field, value.clone());
        match SsoToken::parse(&bytes) {
            Ok(t) => {
                prop_assert!(t.expires_at.year() < 9000);
                let _ = t.refreshable_at(NOW);
            }
            Err(TokenFileError::Json { .. }) => {
                // Only a wrong type of a field makes valid JSON unreadable.
                prop_assert!(!value.is_string() && !value.is_null(), "{value}");
            }
            Err(TokenFileError::Missing(f)) | Err(TokenFileError::BadTimestamp { field: f }) => {
                prop_assert_eq!(f, field);
            }
            Err(TokenFileError::ClientRegistration) => {
                prop_assert!(false, "a token with a start URL read as a registration");
            }
        }
        // The same file cut short anywhere.
        let end = cut.index(bytes.len());
        let _ = SsoToken::parse(bytes.get(..end).unwrap_or_default());
    }
}

// ---------------------------------------------------------------- CLI cache

proptest! {
    #[test]
    fn cli_cache_entries_never_panic(
        expiration in hostile_json(),
        provider in hostile_json(),
        bytes in prop::collection::vec(any::<u8>(), 0..120),
    ) {
        let _ = cli_cache::parse_entry(&bytes);
        let entry = serde_json::json!({
            "ProviderType": provider,
            "Credentials": {"AccessKeyId": "A", "Expiration": expiration},
        });
        let text = serde_json::to_vec(&entry).unwrap_or_default();
        if let Some(e) = cli_cache::parse_entry(&text) {
            prop_assert!(e.expires_at.year() < 10_000);
            let _ = e.expires_at - NOW;
        }
    }

    #[test]
    fn cli_cache_keys_take_any_text(arn in hostile(), account in hostile(), role in hostile()) {
        let args = cli_cache::AssumeRoleArgs {
            role_arn: &arn,
            external_id: Some(&account),
            serial_number: Some(&role),
            ..cli_cache::AssumeRoleArgs::default()
        };
        prop_assert_eq!(cli_cache::assume_role_key(&args).len(), 40);
        let key = cli_cache::sso_role_key(&account, &role, cli_cache::SsoKey::Session(&arn));
        prop_assert_eq!(key.len(), 40);
        prop_assert_eq!(cache_key(&arn).len(), 40);
    }
}

// ---------------------------------------------------------------- our state files

proptest! {
    #[test]
    fn session_records_never_panic(
        field in prop::sample::select(vec![
            "tokenFingerprint", "obtainedAt", "lifetimeSecs", "signedInAt", "lastRefreshAttempt",
        ]),
        value in hostile_json(),
        bytes in prop::collection::vec(any::<u8>(), 0..120),
    ) {
        let _ = SessionRecord::parse(&bytes);
        let mut v = serde_json::json!({
            "tokenFingerprint": "0123456789abcdef",
            "obtainedAt": "2026-11-22T09:00:00Z",
            "lifetimeSecs": 3600,
            "signedInAt": "2026-11-22T09:00:00Z",
        });
        v[field] = value;
        let bytes = serde_json::to_vec(&v).unwrap_or_default();
        if let Some(r) = SessionRecord::parse(&bytes) {
            // What is read can be used in the refresh arithmetic.
            let _ = r.obtained_at + r.lifetime;
            let _ = r.obtained_at + r.lifetime / 2;
            prop_assert_eq!(SessionRecord::parse(&r.to_json()), Some(r));
        }
    }

    #[test]
    fn registrations_and_markers_never_panic(
        field in prop::sample::select(vec![
            "clientId", "clientSecret", "expiresAt", "kind", "scopes", "startUrl", "region",
            "holder", "flow", "startedAt", "userCode", "verificationUri",
        ]),
        value in hostile_json(),
        bytes in prop::collection::vec(any::<u8>(), 0..120),
    ) {
        let _ = CachedRegistration::parse(&bytes);
        let _ = SignInMarker::parse(&bytes);
        let mut v = serde_json::json!({
            "clientId": "cid", "clientSecret": "cs", "expiresAt": "2027-02-20T10:00:00Z",
            "kind": "device_code", "scopes": ["sso:account:access"],
            "startUrl": "https://d-abc.awsapps.com/start", "region": "eu-west-1",
            "holder": "leasekeeper (pid 1)", "flow": "device_code",
            "startedAt": "2026-11-22T10:00:00Z",
        });
        v[field] = value;
        let bytes = serde_json::to_vec(&v).unwrap_or_default();
        if let Some(r) = CachedRegistration::parse(&bytes) {
            let _ = r.registration.expires_at - Duration::minutes(15);
        }
        if let Some(m) = SignInMarker::parse(&bytes) {
            prop_assert_eq!(SignInMarker::parse(&m.to_json()), Some(m));
        }
    }
}

// ---------------------------------------------------------------- settings.toml

const SETTINGS: &str = "[renew]\nstatic_keys = true\nconcurrency = 4\n\n\
[warnings]\nleads = [\"15m\", \"5m\"]\n\n[mfa]\nsession_duration = \"12h\"\n\n\
[sso_sessions.corp]\nsession_length = \"8h\"\n\n[profiles.dev]\nrenew = true\nsection = \"dev\"\n\n\
[aws]\nhttps_proxy = \"http://proxy:3128\"\n";

proptest! {
    #[test]
    fn settings_of_any_text_never_panic(text in any::<String>()) {
        let (_, errors) = Settings::parse(&text);
        for e in errors {
            prop_assert!(e.line() >= 1);
        }
    }

    /// A hostile value replacing one value of a valid file: no panic, and
    /// any error names a line of the file.
    #[test]
    fn a_hostile_settings_value_is_named_by_its_line(
        which in any::<prop::sample::Index>(),
        value in hostile(),
        quoted in any::<bool>(),
    ) {
        let lines: Vec<&str> = SETTINGS.lines().collect();
        let at = which.index(lines.len());
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            match line.split_once(" = ") {
                Some((key, _)) if i == at => {
                    let v = if quoted { format!("{value:?}") } else { value.clone() };
                    out.push(format!("{key} = {v}"));
                }
                _ => out.push((*line).to_owned()),
            }
        }
        let text = out.join("\n");
        let line_count = u32::try_from(text.matches('\n').count() + 1).unwrap_or(u32::MAX);
        let (settings, errors) = Settings::parse(&text);
        for e in &errors {
            prop_assert!(e.line() >= 1 && e.line() <= line_count, "{e} in {text:?}");
        }
        // What was read can drive the keeper's graph.
        let _ = Graph::build(&Snapshot::default(), &settings);
    }
}

// ---------------------------------------------------------------- AWS error text, proxies, menu ids

proptest! {
    #[test]
    fn signature_refusals_of_any_text_never_panic(prefix in hostile(), rest in hostile()) {
        for head in ["Signature expired: ", "Signature not yet current: "] {
            let _ = leasekeeper_engine::keeper::signature::skew_in(&format!("{prefix}{head}{rest}"));
        }
    }

    #[test]
    fn proxy_addresses_never_panic(s in hostile(), host in hostile()) {
        let _ = proxy::check_url(&s);
        let _ = proxy::shown(&s);
        for url in [format!("http://{host}"), format!("https://[{host}"), format!("http://u:{host}@h:1")] {
            let _ = proxy::check_url(&url);
            prop_assert!(!proxy::shown(&url).contains(":x-secret@"));
        }
    }

    #[test]
    fn menu_ids_never_panic(s in hostile()) {
        if let Some(id) = MenuId::parse(&s) {
            prop_assert_eq!(MenuId::parse(&id.to_string()), Some(id));
        }
    }
}

// ---------------------------------------------------------------- whole homes

const CONFIG: &str = "[sso-session corp]\nsso_start_url = https://d-abc.awsapps.com/start\n\
sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n\
[profile dev-admin]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\n\n\
[profile deploy]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\nsource_profile = alice\nduration_seconds = 3600\n\n\
[profile odd]\nsso_session = odd\nsso_account_id = 333333333333\nsso_role_name = Odd\n\n\
[sso-session odd]\nsso_start_url = https://odd.awsapps.com/start\nsso_region = us-east-1\n\n\
[profile odd-role]\nrole_arn = arn:aws:iam::333333333333:role/Odd\nsource_profile = odd-keys\n\
external_id = ext\nmfa_serial = arn:aws:iam::333333333333:mfa/odd\nduration_seconds = 3600\nregion = us-east-1\n\n\
[profile odd-legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n\
sso_account_id = 444444444444\nsso_role_name = Legacy\n\n\
[profile odd-source]\nrole_arn = arn:aws:iam::555555555555:role/Src\ncredential_source = Environment\n\n\
[profile odd-process]\ncredential_process = /bin/echo x\naws_account_id = 666666666666\n";

const CREDENTIALS: &str = "[alice]\naws_access_key_id = AKIASANDBOXALICE0001\n\
aws_secret_access_key = secret\n\n\
[odd-keys]\naws_access_key_id = AKIAODD\naws_secret_access_key = s\naws_session_token = t\n\
x_security_token_expires = 2026-11-22T11:00:00Z\naws_expiration = 2026-11-22T11:00:00Z\n\
expiration = 2026-11-22T11:00:00Z\naws_account_id = 777777777777\n";

/// The values of the odd profiles: the only ones a home's hostile value
/// replaces, so the healthy ones (`alice`, `deploy`, `dev-admin`) must stay
/// usable.
fn odd_value_positions(text: &str) -> Vec<usize> {
    let mut positions = Vec::new();
    let mut odd = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('[') {
            odd = line.contains("odd");
        } else if odd && line.contains(" = ") {
            positions.push(i);
        }
    }
    positions
}

fn replace_value(text: &str, line_at: usize, value: &str) -> String {
    let mut out: Vec<String> = text.lines().map(str::to_owned).collect();
    if let Some(line) = out.get_mut(line_at) {
        if let Some((key, _)) = line.split_once(" = ") {
            *line = format!("{key} = {value}");
        }
    }
    out.join("\n") + "\n"
}

fn token_file(expires_at: &str) -> Vec<u8> {
    format!(
        r#"{{"startUrl":"https://d-abc.awsapps.com/start","region":"eu-west-1","accessToken":"AT","expiresAt":"{expires_at}","clientId":"cid","clientSecret":"cs","registrationExpiresAt":"2027-02-20T10:00:00Z","refreshToken":"RT"}}"#
    )
    .into_bytes()
}

#[derive(Debug, Clone)]
enum Damage {
    Config(usize, String),
    Credentials(usize, String),
    OddToken(&'static str, serde_json::Value),
    OddTokenBytes(Vec<u8>),
    CliCache(serde_json::Value),
    CliCacheBytes(Vec<u8>),
    Record(serde_json::Value),
}

fn damage() -> impl Strategy<Value = Damage> {
    let config_lines = odd_value_positions(CONFIG);
    let credentials_lines = odd_value_positions(CREDENTIALS);
    prop_oneof![
        (prop::sample::select(config_lines), hostile()).prop_map(|(l, v)| Damage::Config(l, v)),
        (prop::sample::select(credentials_lines), hostile())
            .prop_map(|(l, v)| Damage::Credentials(l, v)),
        (prop::sample::select(TOKEN_FIELDS.to_vec()), hostile_json())
            .prop_map(|(f, v)| Damage::OddToken(f, v)),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(Damage::OddTokenBytes),
        hostile_json().prop_map(Damage::CliCache),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(Damage::CliCacheBytes),
        hostile_json().prop_map(Damage::Record),
    ]
}

fn home(damages: &[Damage]) -> (LoadInput, BTreeMap<String, SessionRecord>) {
    let mut config = CONFIG.to_owned();
    let mut credentials = CREDENTIALS.to_owned();
    let mut odd_token = token_json("expiresAt", "2026-11-22T11:00:00Z".into());
    let mut cli_entry = br#"{"Credentials":{"Expiration":"2026-11-22T11:00:00Z"}}"#.to_vec();
    let mut records = BTreeMap::new();
    for d in damages {
        match d {
            Damage::Config(l, v) => config = replace_value(&config, *l, v),
            Damage::Credentials(l, v) => credentials = replace_value(&credentials, *l, v),
            Damage::OddToken(f, v) => odd_token = token_json(f, v.clone()),
            Damage::OddTokenBytes(b) => odd_token.clone_from(b),
            Damage::CliCache(v) => {
                cli_entry = serde_json::to_vec(
                    &serde_json::json!({"ProviderType": "sso", "Credentials": {"Expiration": v}}),
                )
                .unwrap_or_default();
            }
            Damage::CliCacheBytes(b) => cli_entry.clone_from(b),
            Damage::Record(v) => {
                let bytes = serde_json::to_vec(&serde_json::json!({
                    "tokenFingerprint": "0", "obtainedAt": v, "lifetimeSecs": v,
                    "signedInAt": v,
                }))
                .unwrap_or_default();
                if let Some(r) = SessionRecord::parse(&bytes) {
                    records.insert(cache_key("odd"), r);
                }
            }
        }
    }
    let input = LoadInput {
        config: FileInput {
            path: "/h/.aws/config".into(),
            contents: Ok(Some(config.into_bytes())),
        },
        credentials: FileInput {
            path: "/h/.aws/credentials".into(),
            contents: Ok(Some(credentials.into_bytes())),
        },
        sso_cache_dir: "/h/.aws/sso/cache".into(),
        sso_cache: vec![
            CacheFileInput {
                name: format!("{}.json", cache_key("corp")),
                contents: Ok(token_file("2026-11-22T11:00:00Z")),
            },
            CacheFileInput {
                name: format!("{}.json", cache_key("odd")),
                contents: Ok(odd_token),
            },
            CacheFileInput {
                name: format!("{}.json", cache_key("https://legacy.awsapps.com/start")),
                contents: Ok(token_file("2026-11-22T11:00:00Z")),
            },
        ],
        cli_cache_dir: "/h/.aws/cli/cache".into(),
        cli_cache: vec![CacheFileInput {
            name: format!(
                "{}.json",
                cli_cache::sso_role_key("333333333333", "Odd", cli_cache::SsoKey::Session("odd"))
            ),
            contents: Ok(cli_entry),
        }],
    };
    (input, records)
}

proptest! {
    /// One or two hostile values in the odd profiles' settings, keys and
    /// caches: the home loads, every lease is computed, the report encodes
    /// as JSON, the menu builds, and the healthy profiles stay usable.
    #[test]
    fn a_home_with_hostile_values_keeps_its_healthy_profiles(
        damages in prop::collection::vec(damage(), 1..3),
        settings_text in prop_oneof![Just(String::new()), any::<String>()],
    ) {
        let (input, records) = home(&damages);
        let mut snapshot = load::snapshot(&input);
        snapshot.sign_ins.records = records;
        let leases = lease::leases(&snapshot, NOW);
        for healthy in ["alice", "deploy", "dev-admin"] {
            let l = leases.iter().find(|l| l.profile == healthy);
            prop_assert!(l.is_some(), "{healthy} missing");
            let l = l.map(|l| (l.state, l.errors.clone()));
            prop_assert!(
                matches!(&l, Some((LeaseState::Fresh | LeaseState::Static, e)) if e.is_empty()),
                "{healthy}: {l:?}"
            );
        }
        let report = StatusReport::new(leases.clone(), snapshot.problems.clone(), NOW);
        if report.encodable() {
            prop_assert!(serde_json::to_string(&report).is_ok());
        }
        let _ = menu::build(&MenuInput {
            leases: &leases,
            keeper: &[],
            now: NOW,
            expiring_lead: Duration::minutes(15),
            attached_pid: None,
            limit: menu::DEFAULT_LIMIT,
        });
        let (settings, _) = Settings::parse(&settings_text);
        let _ = Graph::build(&snapshot, &settings);
        // Every resolution error and chain issue of a damaged profile names it.
        for name in snapshot.set.profiles.keys() {
            match resolve::resolve(&snapshot.set, name) {
                Ok(chain) => {
                    for issue in &chain.issues {
                        match issue {
                            ChainIssue::UnparseableExpiry { key, .. } => {
                                prop_assert!(leasekeeper_engine::resolve::EXPIRY_KEYS.contains(key));
                            }
                        }
                    }
                }
                Err(e) => {
                    let _: &ResolveError = &e;
                    prop_assert!(!e.code().is_empty());
                }
            }
        }
    }
}

#[test]
fn an_expiry_of_odd_text_is_an_issue_of_its_profile() {
    for value in ["aé1234", "名前", "9999-12-31T23:59:59Z"] {
        let credentials = replace_value(CREDENTIALS, 8, value);
        let (mut input, _) = home(&[]);
        input.credentials.contents = Ok(Some(credentials.into_bytes()));
        let snapshot = load::snapshot(&input);
        let chain = resolve::resolve(&snapshot.set, "odd-keys").expect("the keys still resolve");
        assert!(
            chain.issues.iter().any(|i| matches!(i,
                ChainIssue::UnparseableExpiry { key: "x_security_token_expires", value: v, .. } if v == value)),
            "{value}: {:?}",
            chain.issues
        );
    }
}
