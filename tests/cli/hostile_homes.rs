//! A thousand hostile AWS homes, generated from a fixed seed: each holds the
//! sandbox's healthy profiles (an SSO role with a valid token, long-term
//! keys and roles over both) and odd profiles beside them, one or two of
//! whose values are replaced by odd bytes, non-ASCII or control characters,
//! huge numbers, JSON of the wrong type or a file cut short: in the config
//! and credentials files, the SSO token cache, the AWS CLI cache, our own
//! session records and `settings.toml`. On each home:
//!
//! - `leasekeeper status --json` ends without a panic or a signal, prints
//!   JSON, and lists every healthy profile in the state it has in an
//!   undamaged home;
//! - one keeper pass, `leasekeeper refresh --all`, against the sandbox ends
//!   without a panic or a signal and writes the sections an undamaged home
//!   gets written (when the credentials file can be written at all and the
//!   settings still ask for them);
//! - the tray's view of the files (`leasekeeper_service::snapshot_now`, then
//!   the leases and the menu built from it) is computed in this process
//!   without a panic, with every healthy profile in it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use leasekeeper_engine::ini::Document;
use leasekeeper_engine::lease::{self, policy::EXPIRING_LEAD};
use leasekeeper_engine::menu::{self, MenuInput};
use leasekeeper_engine::profiles::cli_cache::{self, AssumeRoleArgs, SsoKey};
use leasekeeper_engine::profiles::sso_cache::cache_key;
use leasekeeper_engine::settings::Settings;
use leasekeeper_service::Environment;
use leasekeeper_service::snapshot_now;
use serde_json::{Value, json};

use super::login_harness::World;

/// How many homes, from which seed, on how many threads.
const HOMES: usize = 1000;
const SEED: u64 = 0x1ea5_e4ee_9e75_0001;
const THREADS: usize = 3;
/// A hang detector, not a speed check: `refresh` gives up on its own after
/// 120 s, so a pass that spins (retrying a write it can never make) shows as
/// one that takes that long; a healthy pass takes seconds even on a loaded
/// machine.
const PASS_BOUND: Duration = Duration::from_secs(100);

const ODD_SESSION: &str = "odd";
const LEGACY_URL: &str = "https://legacy.awsapps.com/start";

/// Profiles that may hold hostile values, appended after the sandbox's own.
const ODD_CONFIG: &str = "
[sso-session odd]
sso_start_url = https://odd.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile odd-sso]
sso_session = odd
sso_account_id = 333333333333
sso_role_name = Odd
region = us-east-1

[profile odd-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444444444444
sso_role_name = Legacy
region = us-east-1

[profile odd-role]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = odd-keys
external_id = ext
role_session_name = odd
duration_seconds = 3600
region = us-east-1

[profile odd-chain]
role_arn = arn:aws:iam::222222222222:role/Auditor
source_profile = odd-role
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = us-east-1

[profile odd-source]
role_arn = arn:aws:iam::555555555555:role/Src
credential_source = Environment
region = us-east-1
";

const ODD_CREDENTIALS: &str = "
[odd-keys]
aws_access_key_id = AKIAODDKEYS000000001
aws_secret_access_key = odd-secret
aws_session_token = odd-token
x_security_token_expires = 2030-01-01T00:00:00Z
aws_expiration = 2030-01-01T00:00:00+00:00
expiration = 2030-01-01T00:00:00UTC
aws_account_id = 777777777777
";

const SETTINGS: &str = "[renew]
static_keys = true
concurrency = 4

[warnings]
leads = [\"15m\", \"5m\"]

[mfa]
session_duration = \"12h\"

[notifications]
enabled = false

[sso_sessions.odd]
session_length = \"8h\"

[profiles.odd-role]
renew = true
section = \"odd-role\"
";

/// The sandbox's sections each home keeps: an SSO role with a valid token,
/// long-term keys, a role over those keys and one over the SSO role.
const HEALTHY_CONFIG: [&str; 6] = [
    "sso-session sandbox",
    "services sandbox",
    "profile dev-admin",
    "profile alice",
    "profile deploy",
    "profile auditor",
];

/// The sections of an INI text whose headers are among `keep`.
fn sections(text: &str, keep: &[&str]) -> String {
    let mut out = String::new();
    let mut kept = false;
    for line in text.lines() {
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            kept = keep.contains(&header);
        }
        if kept {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// splitmix64: the same homes on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Text meant to break a parser.
fn hostile_text(rng: &mut Rng) -> String {
    const FIXED: &[&str] = &[
        "aé1234",
        "名前",
        "é+0000",
        "ab+12345",
        "",
        "\u{0}",
        "\u{7}\u{1b}[31m",
        "\u{feff}",
        "\u{2028}",
        "99999999999999999999999999999999",
        "-99999999999999999999",
        "18446744073709551616",
        "4294967296",
        "-1",
        "1e309",
        "NaN",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-23:59",
        "0000-01-01T00:00:00+23:59",
        "2026-02-30T10:00:00Z",
        "2026-11-22T25:61:61Z",
        "arn:aws:iam::名前:role/é",
        "arn:",
        "ü-west-1",
        "999999999999999999d",
        "\"",
        "\\u0000",
        "{",
        "[profile injected]",
        "%s%n%x",
    ];
    if rng.chance(40) {
        return (*rng.pick(FIXED)).to_owned();
    }
    const ALPHABETS: &[&[char]] = &[
        &[
            'a', 'Z', '0', '9', '-', ':', '/', '+', '=', '.', ' ', '#', ';', '[', ']',
        ],
        &[
            '\u{0}', '\u{1}', '\u{8}', '\t', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\r',
        ],
        &[
            'é', 'ß', '名', '前', '😀', '\u{301}', '\u{feff}', '\u{202e}', '\u{fffd}',
        ],
        &['0', '1', '2', '5', '9'],
    ];
    let len = rng.below(40);
    let mut s = String::new();
    for _ in 0..len {
        let alphabet = rng.pick(ALPHABETS);
        s.push(*rng.pick(alphabet));
    }
    s
}

/// A JSON value of any type, to put where a string is expected.
fn hostile_json(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0..=2 => Value::String(hostile_text(rng)),
        3 => json!(rng.next()),
        4 => json!(-(rng.below(1 << 30) as i64) * 1_000_000_000),
        5 => json!(f64::from_bits(rng.next() & !(0x7ff << 52)) * 1e300),
        6 => json!([hostile_text(rng)]),
        _ => rng
            .pick(&[Value::Null, Value::Bool(true), json!({"a": 1})])
            .clone(),
    }
}

/// Bytes of any kind: UTF-8 or not.
fn hostile_bytes(rng: &mut Rng) -> Vec<u8> {
    let len = rng.below(120);
    (0..len).map(|_| rng.next() as u8).collect()
}

/// `text` with the value of one line (`key = value`) of the odd part
/// replaced.
fn replace_value(text: &str, odd_from: usize, rng: &mut Rng, value: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let candidates: Vec<usize> = (0..lines.len())
        .filter(|i| *i >= odd_from && lines[*i].contains(" = "))
        .collect();
    if candidates.is_empty() {
        // An earlier damage cut the odd part off.
        return text.to_owned();
    }
    let at = *rng.pick(&candidates);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        match line.split_once(" = ") {
            Some((key, _)) if i == at => out.push_str(&format!("{key} = {value}")),
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// The files of one home.
#[derive(Clone)]
struct Files {
    config: Vec<u8>,
    credentials: Vec<u8>,
    sso: BTreeMap<String, Vec<u8>>,
    cli: BTreeMap<String, Vec<u8>>,
    sessions: BTreeMap<String, Vec<u8>>,
    settings: Vec<u8>,
}

fn odd_token() -> Value {
    json!({
        "startUrl": "https://odd.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": "odd-access-token",
        "expiresAt": "2030-01-01T00:00:00Z",
        "clientId": "odd-client",
        "clientSecret": "odd-client-secret",
        "registrationExpiresAt": "2030-02-01T00:00:00Z",
        "refreshToken": "odd-refresh-token",
    })
}

fn odd_role_key() -> String {
    cli_cache::assume_role_key(&AssumeRoleArgs {
        role_arn: "arn:aws:iam::222222222222:role/Deploy",
        role_session_name: Some("odd"),
        duration_seconds: Some(3600),
        external_id: Some("ext"),
        serial_number: None,
    })
}

fn odd_sso_role_key() -> String {
    cli_cache::sso_role_key("333333333333", "Odd", SsoKey::Session(ODD_SESSION))
}

/// A JSON object with `field` replaced.
fn with_field(mut v: Value, field: &str, value: Value) -> Vec<u8> {
    v[field] = value;
    serde_json::to_vec(&v).unwrap()
}

/// A JSON file cut short.
fn truncated(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    bytes[..rng.below(bytes.len())].to_vec()
}

impl Files {
    fn healthy(config: &str, credentials: &str, token: &[u8]) -> Files {
        let mut sso = BTreeMap::new();
        sso.insert(cache_key("sandbox"), token.to_vec());
        sso.insert(
            cache_key(ODD_SESSION),
            serde_json::to_vec(&odd_token()).unwrap(),
        );
        let mut legacy = odd_token();
        legacy["startUrl"] = json!(LEGACY_URL);
        sso.insert(cache_key(LEGACY_URL), serde_json::to_vec(&legacy).unwrap());
        let mut cli = BTreeMap::new();
        let entry = json!({
            "ProviderType": "sso",
            "Credentials": {
                "AccessKeyId": "ASIAODD", "SecretAccessKey": "odd", "SessionToken": "odd",
                "Expiration": "2030-01-01T00:00:00Z",
            },
        });
        cli.insert(odd_sso_role_key(), serde_json::to_vec(&entry).unwrap());
        let mut role_entry = entry;
        role_entry["ProviderType"] = json!("assume-role");
        cli.insert(odd_role_key(), serde_json::to_vec(&role_entry).unwrap());
        let mut sessions = BTreeMap::new();
        sessions.insert(
            cache_key(ODD_SESSION),
            serde_json::to_vec(&json!({
                "tokenFingerprint": "0123456789abcdef",
                "obtainedAt": "2026-01-01T00:00:00Z",
                "lifetimeSecs": 3600,
                "signedInAt": "2026-01-01T00:00:00Z",
            }))
            .unwrap(),
        );
        Files {
            config: format!("{config}{ODD_CONFIG}").into_bytes(),
            credentials: format!("{credentials}{ODD_CREDENTIALS}").into_bytes(),
            sso,
            cli,
            sessions,
            settings: SETTINGS.as_bytes().to_vec(),
        }
    }

    /// One damage, described for a failure message.
    fn damage(&mut self, rng: &mut Rng, odd: &OddStart) -> String {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match rng.below(12) {
            0 | 1 => {
                let v = hostile_text(rng);
                self.config =
                    replace_value(&text(&self.config), odd.config_line, rng, &v).into_bytes();
                format!("config value {v:?}")
            }
            2 => {
                let keep = odd.config_byte + rng.below(self.config.len() - odd.config_byte);
                self.config.truncate(keep);
                self.config.extend(hostile_bytes(rng));
                format!("config cut at byte {keep}, odd bytes after")
            }
            3 | 4 => {
                let v = hostile_text(rng);
                self.credentials =
                    replace_value(&text(&self.credentials), odd.credentials_line, rng, &v)
                        .into_bytes();
                format!("credentials value {v:?}")
            }
            5 => {
                let keep =
                    odd.credentials_byte + rng.below(self.credentials.len() - odd.credentials_byte);
                self.credentials.truncate(keep);
                format!("credentials cut at byte {keep}")
            }
            6 | 7 => {
                let key = if rng.chance(50) {
                    cache_key(ODD_SESSION)
                } else {
                    cache_key(LEGACY_URL)
                };
                let field = *rng.pick(&[
                    "startUrl",
                    "region",
                    "accessToken",
                    "expiresAt",
                    "clientId",
                    "clientSecret",
                    "registrationExpiresAt",
                    "refreshToken",
                ]);
                let (bytes, what) = match rng.below(4) {
                    0 => (hostile_bytes(rng), "odd bytes".to_owned()),
                    1 => {
                        let b = serde_json::to_vec(&odd_token()).unwrap();
                        (truncated(&b, rng), "cut short".to_owned())
                    }
                    _ => {
                        let v = hostile_json(rng);
                        let what = format!("{field} = {v}");
                        (with_field(odd_token(), field, v), what)
                    }
                };
                self.sso.insert(key, bytes);
                format!("SSO token {what}")
            }
            8 => {
                let key = if rng.chance(50) {
                    odd_sso_role_key()
                } else {
                    odd_role_key()
                };
                let v = hostile_json(rng);
                let entry = match rng.below(4) {
                    0 => {
                        json!({"ProviderType": v, "Credentials": {"Expiration": "2030-01-01T00:00:00Z"}})
                    }
                    1 => json!({"Credentials": v}),
                    _ => json!({"ProviderType": "sso", "Credentials": {"Expiration": v}}),
                };
                let bytes = if rng.chance(20) {
                    truncated(&serde_json::to_vec(&entry).unwrap(), rng)
                } else {
                    serde_json::to_vec(&entry).unwrap()
                };
                self.cli.insert(key, bytes);
                format!("CLI cache {entry}")
            }
            9 => {
                let field = *rng.pick(&[
                    "tokenFingerprint",
                    "obtainedAt",
                    "lifetimeSecs",
                    "signedInAt",
                    "lastRefreshAttempt",
                ]);
                let v = hostile_json(rng);
                let record = json!({
                    "tokenFingerprint": "0123456789abcdef",
                    "obtainedAt": "2026-01-01T00:00:00Z",
                    "lifetimeSecs": 3600,
                    "signedInAt": "2026-01-01T00:00:00Z",
                });
                self.sessions
                    .insert(cache_key(ODD_SESSION), with_field(record, field, v.clone()));
                format!("session record {field} = {v}")
            }
            _ => {
                match rng.below(4) {
                    0 => {
                        let keep = rng.below(self.settings.len());
                        self.settings.truncate(keep);
                        format!("settings cut at byte {keep}")
                    }
                    1 => {
                        self.settings.extend(hostile_bytes(rng));
                        "settings with odd bytes after".to_owned()
                    }
                    _ => {
                        let v = hostile_text(rng);
                        let shown = if rng.chance(50) { format!("{v:?}") } else { v };
                        // Never the line that asks for static keys.
                        self.settings =
                            replace_value(&text(&self.settings), 2, rng, &shown).into_bytes();
                        format!("settings value {shown}")
                    }
                }
            }
        }
    }
}

/// Where the odd part of each shared file starts: nothing before it is
/// ever damaged.
struct OddStart {
    config_line: usize,
    config_byte: usize,
    credentials_line: usize,
    credentials_byte: usize,
}

/// One home on disk.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn write(parent: &Path, files: &Files) -> Home {
        let dir = tempfile::tempdir_in(parent).unwrap();
        let home = dir.path().join("home");
        let sso = home.join(".aws/sso/cache");
        let cli = home.join(".aws/cli/cache");
        let sessions = dir.path().join("state/sessions");
        for d in [&sso, &cli, &sessions, &dir.path().join("cfg")] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(dir.path().join("config"), &files.config).unwrap();
        std::fs::write(dir.path().join("credentials"), &files.credentials).unwrap();
        std::fs::write(dir.path().join("cfg/settings.toml"), &files.settings).unwrap();
        for (key, bytes) in &files.sso {
            std::fs::write(sso.join(format!("{key}.json")), bytes).unwrap();
        }
        for (key, bytes) in &files.cli {
            std::fs::write(cli.join(format!("{key}.json")), bytes).unwrap();
        }
        for (key, bytes) in &files.sessions {
            std::fs::write(sessions.join(format!("{key}.json")), bytes).unwrap();
        }
        Home { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn vars(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", self.path("home")),
            ("AWS_CONFIG_FILE", self.path("config")),
            ("AWS_SHARED_CREDENTIALS_FILE", self.path("credentials")),
            ("LEASEKEEPER_STATE_DIR", self.path("state")),
            ("LEASEKEEPER_CONFIG_DIR", self.path("cfg")),
        ]
    }

    fn run(&self, w: &World, args: &[&str]) -> Output {
        let mut cmd: Command = w.command(args);
        cmd.envs(self.vars()).stdin(Stdio::null());
        cmd.output().unwrap()
    }

    /// The tray's view of this home, computed as the tray computes it.
    fn tray_profiles(&self) -> Vec<String> {
        let mut env = Environment::process();
        for (name, value) in self.vars() {
            env.set(name, value);
        }
        for name in [
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
            "LEASEKEEPER_TIME_SCALE",
        ] {
            env.unset(name);
        }
        let paths = leasekeeper_engine::profiles::locations::AwsPaths::from_env(env.lookup())
            .expect("the home's paths");
        let now = time::OffsetDateTime::now_utc();
        let snapshot = snapshot_now(&paths, &env, 1.0);
        let leases = lease::leases(&snapshot, now);
        let _ = menu::build(&MenuInput {
            leases: &leases,
            keeper: &[],
            now,
            expiring_lead: EXPIRING_LEAD,
            attached_pid: None,
            limit: menu::DEFAULT_LIMIT,
        });
        leases.into_iter().map(|l| l.profile).collect()
    }
}

/// A run's exit that is neither a panic (101) nor a signal.
fn ended_cleanly(out: &Output) -> Result<i32, String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        None => Err(format!("killed by a signal: {stderr}")),
        Some(101) => Err(format!("panicked: {stderr}")),
        Some(_) if stderr.contains("panicked at") => Err(format!("panicked: {stderr}")),
        Some(code) => Ok(code),
    }
}

fn states(json: &Value) -> BTreeMap<String, String> {
    json["profiles"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| {
                    Some((
                        p["profile"].as_str()?.to_owned(),
                        p["state"].as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Sections written by us in a credentials file.
fn managed_sections(path: &Path) -> Vec<String> {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[1] == "# managed by leasekeeper")
        .filter_map(|w| w[0].strip_prefix('[')?.strip_suffix(']'))
        .map(str::to_owned)
        .collect()
}

/// Whether the settings (as the keeper reads the file) renew roles over
/// long-term keys.
fn static_keys_renewed(settings: &[u8]) -> bool {
    std::str::from_utf8(settings)
        .map(|t| Settings::parse(t).0)
        .unwrap_or_default()
        .renew
        .static_keys
}

/// What an undamaged home shows and gets written.
struct Baseline {
    states: BTreeMap<String, String>,
    written: Vec<String>,
    written_without_static_keys: Vec<String>,
}

fn baseline(w: &World, parent: &Path, files: &Files) -> Baseline {
    let home = Home::write(parent, files);
    let out = home.run(w, &["status", "--json"]);
    ended_cleanly(&out).unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let states = states(&json);
    let out = home.run(w, &["refresh", "--all"]);
    ended_cleanly(&out).unwrap();
    let written = managed_sections(&home.path("credentials"));
    let mut without = files.clone();
    without.settings = SETTINGS
        .replace("static_keys = true", "static_keys = false")
        .into_bytes();
    let home = Home::write(parent, &without);
    let out = home.run(w, &["refresh", "--all"]);
    ended_cleanly(&out).unwrap();
    let written_without_static_keys = managed_sections(&home.path("credentials"));
    Baseline {
        states,
        written,
        written_without_static_keys,
    }
}

fn check_home(w: &World, parent: &Path, files: &Files, base: &Baseline) -> Result<(), String> {
    let home = Home::write(parent, files);
    let healthy: Vec<&String> = base
        .states
        .keys()
        .filter(|name| !name.starts_with("odd-"))
        .collect();

    // status --json
    let out = home.run(w, &["status", "--json"]);
    ended_cleanly(&out).map_err(|e| format!("status: {e}"))?;
    let json: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "status printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let got = states(&json);
    for name in &healthy {
        if got.get(*name) != base.states.get(*name) {
            return Err(format!(
                "status: {name} is {:?}, {:?} in an undamaged home",
                got.get(*name),
                base.states.get(*name)
            ));
        }
    }

    // The tray's view, in this process.
    let shown = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| home.tray_profiles()))
        .map_err(|_| "the tray's view panicked".to_owned())?;
    for name in &healthy {
        if !shown.contains(name) {
            return Err(format!("the tray's view lacks {name}"));
        }
    }

    // One keeper pass against the sandbox.
    let t = Instant::now();
    let out = home.run(w, &["refresh", "--all"]);
    if t.elapsed() > PASS_BOUND {
        return Err(format!(
            "refresh took {:.0?}: {}",
            t.elapsed(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    ended_cleanly(&out).map_err(|e| format!("refresh: {e}"))?;
    let doc = Document::parse(&files.credentials);
    if !doc.has_bom() && doc.issues().is_empty() {
        let expected = if static_keys_renewed(&files.settings) {
            &base.written
        } else {
            &base.written_without_static_keys
        };
        let written = managed_sections(&home.path("credentials"));
        for section in expected {
            if !written.contains(section) {
                return Err(format!(
                    "refresh did not write [{section}] (wrote {written:?}): {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn a_thousand_hostile_homes_keep_their_healthy_profiles() {
    let started = Instant::now();
    let w = World::start(|c| c.auto_approve = true);
    let (code, stderr, _) = w
        .spawn(&["login", "--use-device-code", "--no-browser"], &[])
        .finish(60);
    assert_eq!(code, 0, "{stderr}");
    let config = sections(
        &std::fs::read_to_string(w.var("AWS_CONFIG_FILE").unwrap()).unwrap(),
        &HEALTHY_CONFIG,
    );
    let credentials = sections(
        &std::fs::read_to_string(w.var("AWS_SHARED_CREDENTIALS_FILE").unwrap()).unwrap(),
        &["alice"],
    );
    let token = std::fs::read(w.token_path("sandbox")).unwrap();
    let healthy = Files::healthy(&config, &credentials, &token);
    let odd = OddStart {
        config_line: config.lines().count(),
        config_byte: config.len(),
        credentials_line: credentials.lines().count(),
        credentials_byte: credentials.len(),
    };

    let parent = tempfile::tempdir().unwrap();
    let base = baseline(&w, parent.path(), &healthy);
    for name in ["dev-admin", "deploy", "alice", "auditor"] {
        assert!(base.states.contains_key(name), "{name}: {:?}", base.states);
    }
    for section in ["dev-admin", "deploy", "auditor"] {
        assert!(
            base.written.contains(&section.to_owned()),
            "{:?}",
            base.written
        );
    }
    assert!(
        base.written_without_static_keys
            .contains(&"dev-admin".to_owned()),
        "{:?}",
        base.written_without_static_keys
    );

    // LEASEKEEPER_HOSTILE_HOMES runs fewer (or more) homes of the same seed.
    let homes = std::env::var("LEASEKEEPER_HOSTILE_HOMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(HOMES);
    // LEASEKEEPER_HOSTILE_HOME=N runs home N alone and keeps its folder.
    let only: Option<usize> = std::env::var("LEASEKEEPER_HOSTILE_HOME")
        .ok()
        .and_then(|n| n.parse().ok());
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= homes {
                        break;
                    }
                    let mut rng = Rng(SEED ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
                    let mut files = healthy.clone();
                    let mut what = Vec::new();
                    for _ in 0..1 + rng.below(2) {
                        let d = files.damage(&mut rng, &odd);
                        what.push(d);
                    }
                    if only.is_some_and(|o| o != i) {
                        continue;
                    }
                    if only.is_some() {
                        let kept = Home::write(&std::env::temp_dir(), &files).dir.keep();
                        eprintln!("home {i} kept at {}", kept.display());
                    }
                    if let Err(e) = check_home(&w, parent.path(), &files, &base) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("home {i} ({what:?}): {e}"));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    eprintln!(
        "{homes} hostile homes in {:.0?}, {} failed",
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {homes} homes failed; the first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
