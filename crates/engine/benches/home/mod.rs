//! A generated, deterministic AWS home for the status benchmark: 1,000
//! profiles over 100 sso-sessions, and 100 cache files.
//!
//! `scripts/gen-home.py` writes the same files, byte for byte, to disk for
//! timing the whole `leasekeeper status` process; change both together.
//!
//! What the home holds:
//! - `[default]` with settings only;
//! - 100 `[sso-session team-NNN]` sections, 5 SSO profiles over each (500);
//! - 20 legacy SSO profiles over 5 start URLs;
//! - 60 long-term key profiles (credentials file; half also have a
//!   `[profile user-NN]` section in the config file);
//! - 150 roles over those keys, some with `role_session_name`,
//!   `duration_seconds` or `external_id`;
//! - 100 chained roles over SSO profiles, roles and other chained roles;
//! - 50 MFA roles over long-term keys;
//! - 90 other tools' temporary keys with `x_security_token_expires`;
//! - 20 `credential_process` profiles and 9 broken ones;
//! - 60 SSO token cache files (55 sessions, 5 legacy start URLs) and 40 AWS
//!   CLI cache entries (20 SSO role credentials, 20 assumed roles).

use std::fmt::Write as _;

use leasekeeper_engine::load::{CacheFileInput, FileInput, LoadInput};
use leasekeeper_engine::profiles::cli_cache::{
    AssumeRoleArgs, SsoKey, assume_role_key, sso_role_key,
};
use leasekeeper_engine::profiles::sso_cache::cache_key;
use time::OffsetDateTime;

/// The moment the home is written for: 2026-11-22T08:00:00Z.
pub const NOW_UNIX: i64 = 1_795_334_400;

pub const SESSIONS: usize = 100;
const SSO_PER_SESSION: usize = 5;
const LEGACY: usize = 20;
const LEGACY_URLS: usize = 5;
const USERS: usize = 60;
const ROLES_OVER_KEYS: usize = 150;
const CHAINED: usize = 100;
const MFA: usize = 50;
const TEMPORARY: usize = 90;
const PROCESS: usize = 20;
const BROKEN: usize = 9;
const TOKENS: usize = 55;
const SSO_ROLE_ENTRIES: usize = 20;

/// Every profile: `[default]` and the kinds above.
pub const PROFILES: usize = 1
    + SESSIONS * SSO_PER_SESSION
    + LEGACY
    + USERS
    + ROLES_OVER_KEYS
    + CHAINED
    + MFA
    + TEMPORARY
    + PROCESS
    + BROKEN;
/// Every cache file, both folders.
pub const CACHE_FILES: usize = TOKENS + LEGACY_URLS + SSO_ROLE_ENTRIES + 8 + 7 + 5;

const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const ROLES: [&str; 5] = ["Developer", "ReadOnly", "Admin", "PowerUser", "Billing"];
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const USER_ACCOUNT: &str = "123456789012";

/// The files of the home, as text.
#[derive(Debug, Clone)]
pub struct Home {
    pub config: String,
    pub credentials: String,
    /// `(file name, contents)`, by name.
    pub sso_cache: Vec<(String, String)>,
    /// `(file name, contents)`, by name.
    pub cli_cache: Vec<(String, String)>,
}

impl Home {
    /// The files as the host hands them to the engine.
    pub fn load_input(&self) -> LoadInput {
        let file = |path: &str, text: &str| FileInput {
            path: path.to_owned(),
            contents: Ok(Some(text.as_bytes().to_vec())),
        };
        let cache = |files: &[(String, String)]| {
            files
                .iter()
                .map(|(name, text)| CacheFileInput {
                    name: name.clone(),
                    contents: Ok(text.as_bytes().to_vec()),
                })
                .collect()
        };
        LoadInput {
            config: file("/home/bench/.aws/config", &self.config),
            credentials: file("/home/bench/.aws/credentials", &self.credentials),
            sso_cache_dir: "/home/bench/.aws/sso/cache".to_owned(),
            sso_cache: cache(&self.sso_cache),
            cli_cache_dir: "/home/bench/.aws/cli/cache".to_owned(),
            cli_cache: cache(&self.cli_cache),
        }
    }
}

pub fn now() -> OffsetDateTime {
    at(0)
}

fn at(minutes_from_now: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW_UNIX + minutes_from_now * 60).expect("in range")
}

fn iso(t: OffsetDateTime, suffix: &str) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{suffix}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `minutes` from now, `...Z`.
fn z(minutes: i64) -> String {
    iso(at(minutes), "Z")
}

/// `minutes` from now, `...+00:00`.
fn utc(minutes: i64) -> String {
    iso(at(minutes), "+00:00")
}

/// `len` characters of base64 alphabet, starting at `seed`.
fn filler(seed: usize, len: usize) -> String {
    (0..len)
        .map(|i| ALPHABET[(seed * 7 + i * 13) % ALPHABET.len()] as char)
        .collect()
}

fn account(n: usize) -> String {
    format!("{:012}", 200_000_000_000 + n * 1013)
}

fn session(s: usize) -> String {
    format!("team-{s:03}")
}

fn start_url(s: usize) -> String {
    format!("https://d-90670{s:05}.awsapps.com/start")
}

fn legacy_url(u: usize) -> String {
    format!("https://legacy-{u}.awsapps.com/start")
}

fn sso_profile(s: usize, r: usize) -> String {
    format!("team-{s:03}-{}", ROLES[r].to_ascii_lowercase())
}

/// A role over long-term keys: `(role_arn, role_session_name,
/// duration_seconds, external_id)`.
fn key_role(j: usize) -> (String, Option<String>, Option<u32>, Option<String>) {
    (
        format!("arn:aws:iam::{}:role/{}", account(700 + j), ROLES[j % 5]),
        (j % 3 == 0).then(|| format!("bench-{j:03}")),
        (j % 4 == 0).then(|| 3600 * (1 + (j % 12) as u32)),
        (j % 10 == 0).then(|| format!("ext-{j:03}")),
    )
}

fn chain_role(c: usize) -> String {
    format!(
        "arn:aws:iam::{}:role/CrossAccount{}",
        account(850 + c),
        c % 3
    )
}

fn chain_source(c: usize) -> String {
    if c % 5 == 0 && c > 0 {
        format!("chain-{:03}", c - 1)
    } else if c % 2 == 0 {
        sso_profile((c * 7) % SESSIONS, c % 5)
    } else {
        format!("role-{:03}", (c * 3) % ROLES_OVER_KEYS)
    }
}

fn mfa_role(m: usize) -> (String, String) {
    (
        format!("arn:aws:iam::{}:role/Privileged", account(950 + m)),
        format!("arn:aws:iam::{USER_ACCOUNT}:mfa/user-{:02}", m % USERS),
    )
}

fn config() -> String {
    let mut out = String::new();
    let w = &mut out;
    w.push_str("# A generated AWS config for benchmarks.\n[default]\nregion = us-east-1\noutput = json\n\n");
    for s in 0..SESSIONS {
        let _ = write!(
            w,
            "[sso-session {}]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n\n",
            session(s),
            start_url(s),
            REGIONS[s % 4]
        );
    }
    for s in 0..SESSIONS {
        let _ = writeln!(w, "# Accounts of {}", session(s));
        for (r, role) in ROLES.iter().enumerate() {
            let _ = write!(
                w,
                "[profile {}]\nsso_session = {}\nsso_account_id = {}\nsso_role_name = {role}\nregion = {}\noutput = json\n\n",
                sso_profile(s, r),
                session(s),
                account(s * SSO_PER_SESSION + r),
                REGIONS[(s + r) % 4]
            );
        }
    }
    for l in 0..LEGACY {
        let _ = write!(
            w,
            "[profile legacy-{l:02}]\nsso_start_url = {}\nsso_region = us-east-1\nsso_account_id = {}\nsso_role_name = {}\n\n",
            legacy_url(l % LEGACY_URLS),
            account(600 + l),
            ROLES[l % 5]
        );
    }
    for k in (0..USERS).step_by(2) {
        let _ = write!(w, "[profile user-{k:02}]\nregion = {}\n\n", REGIONS[k % 4]);
    }
    for j in 0..ROLES_OVER_KEYS {
        let (arn, name, duration, external) = key_role(j);
        let _ = write!(
            w,
            "[profile role-{j:03}]\nrole_arn = {arn}\nsource_profile = user-{:02}\n",
            j % USERS
        );
        if let Some(v) = name {
            let _ = writeln!(w, "role_session_name = {v}");
        }
        if let Some(v) = duration {
            let _ = writeln!(w, "duration_seconds = {v}");
        }
        if let Some(v) = external {
            let _ = writeln!(w, "external_id = {v}");
        }
        let _ = write!(w, "region = {}\n\n", REGIONS[j % 4]);
    }
    for c in 0..CHAINED {
        let _ = write!(
            w,
            "[profile chain-{c:03}]\nrole_arn = {}\nsource_profile = {}\n\n",
            chain_role(c),
            chain_source(c)
        );
    }
    for m in 0..MFA {
        let (arn, serial) = mfa_role(m);
        let _ = write!(
            w,
            "[profile mfa-{m:02}]\nrole_arn = {arn}\nsource_profile = user-{:02}\nmfa_serial = {serial}\nduration_seconds = 3600\n\n",
            m % USERS
        );
    }
    for p in 0..PROCESS {
        let _ = write!(
            w,
            "[profile vault-{p:02}]\ncredential_process = /usr/local/bin/vault-aws-creds --role reader-{p:02}\n\n"
        );
    }
    for b in 0..BROKEN {
        let _ = write!(
            w,
            "[profile broken-{b}]\nrole_arn = arn:aws:iam::{USER_ACCOUNT}:role/Nowhere\nsource_profile = missing-{b}\n\n"
        );
    }
    out
}

fn credentials() -> String {
    let mut out = String::new();
    let w = &mut out;
    w.push_str("# Long-term keys.\n");
    for k in 0..USERS {
        let _ = write!(
            w,
            "[user-{k:02}]\naws_access_key_id = AKIABENCHUSER{k:07}\naws_secret_access_key = benchSecretKeyDoNotUse{k:018}\n\n"
        );
    }
    w.push_str("# Written by other sign-in tools; they renew them themselves.\n");
    for t in 0..TEMPORARY {
        let token = format!("IQoJb3JpZ2luX2Vj{}", filler(t, 600));
        let expires = (t * 37 % 720) as i64 - 240;
        let expires = if t % 2 == 0 { z(expires) } else { utc(expires) };
        let _ = write!(
            w,
            "[okta-{t:02}]\naws_access_key_id = ASIABENCHTEMP{t:07}\naws_secret_access_key = benchSecretKeyDoNotUse{:018}\naws_session_token = {token}\n",
            1000 + t
        );
        if t % 3 == 0 {
            let _ = writeln!(w, "aws_security_token = {token}");
        }
        let _ = write!(w, "x_security_token_expires = {expires}\n\n");
    }
    out
}

fn sso_cache() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for s in 0..TOKENS {
        let registration = if s % 11 == 0 {
            -24 * 60
        } else {
            (30 + s as i64) * 24 * 60
        };
        let text = format!(
            "{{\n  \"startUrl\": \"{}\",\n  \"region\": \"{}\",\n  \"accessToken\": \"aoa{}\",\n  \"expiresAt\": \"{}\",\n  \"clientId\": \"benchClient{s:03}{}\",\n  \"clientSecret\": \"{}\",\n  \"registrationExpiresAt\": \"{}\",\n  \"refreshToken\": \"aor{}\"\n}}\n",
            start_url(s),
            REGIONS[s % 4],
            filler(s, 400),
            z((s * 53 % 600) as i64 - 120),
            filler(s + 1, 8),
            filler(s + 2, 600),
            z(registration),
            filler(s + 3, 300)
        );
        files.push((format!("{}.json", cache_key(&session(s))), text));
    }
    for u in 0..LEGACY_URLS {
        let text = format!(
            "{{\n  \"startUrl\": \"{}\",\n  \"region\": \"us-east-1\",\n  \"accessToken\": \"aoa{}\",\n  \"expiresAt\": \"{}\"\n}}\n",
            legacy_url(u),
            filler(100 + u, 400),
            z(u as i64 * 90 - 120)
        );
        files.push((format!("{}.json", cache_key(&legacy_url(u))), text));
    }
    files.sort();
    files
}

fn credentials_json(i: usize, expiration: &str) -> String {
    format!(
        "\"Credentials\": {{\"AccessKeyId\": \"ASIABENCHCACHE{i:06}\", \"SecretAccessKey\": \"benchSecretKeyDoNotUse{:018}\", \"SessionToken\": \"IQoJb3JpZ2luX2Vj{}\", \"Expiration\": \"{expiration}\"}}",
        2000 + i,
        filler(200 + i, 600)
    )
}

fn assumed_role_entry(i: usize, arn: &str) -> String {
    let session = 1_795_330_000 + i;
    let (acct, role) = arn
        .trim_start_matches("arn:aws:iam::")
        .split_once(":role/")
        .expect("a role ARN");
    format!(
        "{{{}, \"AssumedRoleUser\": {{\"AssumedRoleId\": \"AROABENCH{i:011}:botocore-session-{session}\", \"Arn\": \"arn:aws:sts::{acct}:assumed-role/{role}/botocore-session-{session}\"}}, \"ResponseMetadata\": {{\"RequestId\": \"00000000-0000-4000-8000-{i:012}\", \"HTTPStatusCode\": 200, \"RetryAttempts\": 0}}}}\n",
        credentials_json(i, &utc((i * 29 % 180) as i64 - 60))
    )
}

fn cli_cache() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for s in 0..SSO_ROLE_ENTRIES {
        let r = s % 5;
        let key = sso_role_key(
            &account(s * SSO_PER_SESSION + r),
            ROLES[r],
            SsoKey::Session(&session(s)),
        );
        let text = format!(
            "{{\"ProviderType\": \"sso\", {}}}\n",
            credentials_json(s, &z((s * 29 % 180) as i64 - 60))
        );
        files.push((format!("{key}.json"), text));
    }
    let mut i = SSO_ROLE_ENTRIES;
    for j in (0..40).step_by(5) {
        let (arn, name, duration, external) = key_role(j);
        let key = assume_role_key(&AssumeRoleArgs {
            role_arn: &arn,
            role_session_name: name.as_deref(),
            duration_seconds: duration,
            external_id: external.as_deref(),
            serial_number: None,
        });
        files.push((format!("{key}.json"), assumed_role_entry(i, &arn)));
        i += 1;
    }
    for c in 0..7 {
        let arn = chain_role(c);
        let key = assume_role_key(&AssumeRoleArgs {
            role_arn: &arn,
            ..AssumeRoleArgs::default()
        });
        files.push((format!("{key}.json"), assumed_role_entry(i, &arn)));
        i += 1;
    }
    for m in 0..5 {
        let (arn, serial) = mfa_role(m);
        let key = assume_role_key(&AssumeRoleArgs {
            role_arn: &arn,
            duration_seconds: Some(3600),
            serial_number: Some(&serial),
            ..AssumeRoleArgs::default()
        });
        files.push((format!("{key}.json"), assumed_role_entry(i, &arn)));
        i += 1;
    }
    files.sort();
    files
}

/// Builds the whole home.
pub fn generate() -> Home {
    Home {
        config: config(),
        credentials: credentials(),
        sso_cache: sso_cache(),
        cli_cache: cli_cache(),
    }
}
