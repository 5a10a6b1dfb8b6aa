//! Each finding from files parsed by the engine: present when its cause
//! is, absent otherwise.

use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::explain::{Cause, explain};
use super::home::{HomeInput, findings};
use super::issued::IssuedKeys;
use super::process::{self, ProcessInfo, shown_command};
use super::*;
use crate::lease::leases;
use crate::load::{FileInput, LoadInput, snapshot};
use crate::snapshot::Snapshot;
use crate::timefmt::format_z;

const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);
const LEAD: Duration = Duration::minutes(15);

const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile auditor]
role_arn = arn:aws:iam::2:role/Auditor
source_profile = dev
duration_seconds = 7200

[profile deploy]
role_arn = arn:aws:iam::2:role/Deploy
source_profile = alice
duration_seconds = 7200

[profile old]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
sso_account_id = 3
sso_role_name = R
";

fn home(credentials: &str) -> Snapshot {
    home_of(CONFIG, Some(credentials))
}

/// A home of `config` and, when given, `credentials`; no caches.
fn home_of(config: &str, credentials: Option<&str>) -> Snapshot {
    snapshot(&LoadInput {
        config: FileInput {
            path: "config".into(),
            contents: Ok(Some(config.as_bytes().to_vec())),
        },
        credentials: FileInput {
            path: "credentials".into(),
            contents: Ok(credentials.map(|c| c.as_bytes().to_vec())),
        },
        sso_cache_dir: "sso/cache".into(),
        sso_cache: Vec::new(),
        cli_cache_dir: "cli/cache".into(),
        cli_cache: Vec::new(),
    })
}

fn creds(okta_expires: OffsetDateTime) -> String {
    format!(
        "[alice]\naws_access_key_id = AKIAALICE0000000001\naws_secret_access_key = c2VjcmV0\n\n\
         [okta]\naws_access_key_id = ASIAOKTA00000000001\naws_secret_access_key = c2VjcmV0\n\
         aws_session_token = dG9rZW4\nx_security_token_expires = {}\n",
        format_z(okta_expires)
    )
}

fn run(
    env: &[(&str, &str)],
    credentials: &str,
    issued: &IssuedKeys,
    skew: Option<Duration>,
    profile: Option<&str>,
) -> Vec<Finding> {
    let snap = home(credentials);
    let leases = leases(&snap, NOW);
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    findings(&HomeInput {
        env: &env,
        snapshot: &snap,
        leases: &leases,
        issued,
        now: NOW,
        lead: LEAD,
        skew,
        profile,
        config_file: "~/.aws/config",
    })
}

/// The findings of a home of `config` alone, nothing exported, the fix
/// naming `config_file`.
fn home_findings(config: &str, config_file: &str) -> Vec<Finding> {
    let snap = home_of(config, None);
    let leases = leases(&snap, NOW);
    findings(&HomeInput {
        env: &[],
        snapshot: &snap,
        leases: &leases,
        issued: &IssuedKeys::default(),
        now: NOW,
        lead: LEAD,
        skew: None,
        profile: None,
        config_file,
    })
}

fn codes(f: &[Finding]) -> Vec<&'static str> {
    let mut c: Vec<_> = f.iter().map(|f| f.code.as_str()).collect();
    c.sort_unstable();
    c.dedup();
    c
}

#[test]
fn each_home_finding_appears_with_its_cause() {
    let lapsed = creds(NOW - Duration::hours(1));
    let found = run(&[], &lapsed, &IssuedKeys::default(), None, None);
    assert_eq!(
        codes(&found),
        [
            "chained_duration",
            "file_keys_expired",
            "legacy_sso",
            "sign_in_needed"
        ]
    );
    // Only the chained role is refused its two hours; deploy (over
    // long-term keys) may ask for them.
    let chained: Vec<_> = found
        .iter()
        .filter(|f| f.code == Code::ChainedDuration)
        .collect();
    assert_eq!(chained.len(), 1);
    assert_eq!(chained[0].profile.as_deref(), Some("auditor"));
    assert!(chained[0].fix.contains("duration_seconds = 3600"));
    let legacy = found.iter().find(|f| f.code == Code::LegacySso).unwrap();
    assert!(
        legacy
            .fix
            .contains("[sso-session old]\nsso_start_url = https://old.awsapps.com/start")
    );
    assert!(
        legacy
            .fix
            .contains("sso_session = old\nsso_account_id = 3\nsso_role_name = R")
    );
    let sign_in: Vec<_> = found
        .iter()
        .filter(|f| f.code == Code::SignInNeeded)
        .collect();
    assert!(
        sign_in
            .iter()
            .any(|f| f.fix == "leasekeeper login --sso-session corp")
    );
    // On the SSO profile itself, not on the role over it that sorts first;
    // and no sign-in was ever made here.
    let corp = sign_in
        .iter()
        .find(|f| f.session.as_deref() == Some("corp"))
        .unwrap();
    assert_eq!(corp.profile.as_deref(), Some("dev"));
    assert!(
        corp.message
            .contains("no usable IAM Identity Center sign-in"),
        "{}",
        corp.message
    );
    let okta = found
        .iter()
        .find(|f| f.code == Code::FileKeysExpired)
        .unwrap();
    assert_eq!(okta.profile.as_deref(), Some("okta"));
    assert_eq!(Report::new(found).exit_code(), 3);

    // Keys that have not lapsed: no file_keys_expired.
    let fresh = run(
        &[],
        &creds(NOW + Duration::hours(1)),
        &IssuedKeys::default(),
        None,
        None,
    );
    assert!(!codes(&fresh).contains(&"file_keys_expired"));
}

#[test]
fn profile_filter_keeps_what_its_chain_touches() {
    let lapsed = creds(NOW - Duration::hours(1));
    let found = run(&[], &lapsed, &IssuedKeys::default(), None, Some("deploy"));
    assert!(found.is_empty(), "{found:?}");
    let found = run(&[], &lapsed, &IssuedKeys::default(), None, Some("auditor"));
    assert_eq!(codes(&found), ["chained_duration", "sign_in_needed"]);
    // The session's finding is kept for any profile on it, whichever
    // profile comes first by name.
    let found = run(&[], &lapsed, &IssuedKeys::default(), None, Some("dev"));
    assert_eq!(codes(&found), ["sign_in_needed"]);
    assert_eq!(found[0].profile.as_deref(), Some("dev"));
}

#[test]
fn exported_keys_say_when_they_lapse_and_which_profile_they_are() {
    let mut issued = IssuedKeys::default();
    issued.record(
        "ASIAISSUED0000000001",
        "dev",
        NOW + Duration::minutes(10),
        NOW,
    );
    let env = [
        ("AWS_ACCESS_KEY_ID", "ASIAISSUED0000000001"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_SESSION_TOKEN", "t"),
    ];
    let found = run(&env, "", &issued, None, Some("nothing"));
    let f = found.iter().find(|f| f.code == Code::ExportedKeys).unwrap();
    assert_eq!(f.severity, Severity::NeedsYou);
    assert_eq!(f.profile.as_deref(), Some("dev"));
    assert!(f.message.contains("in 10 min"), "{}", f.message);
    assert!(f.fix.contains("leasekeeper exec --profile dev"));
    assert!(!f.message.contains("ASIAISSUED"));
    // With an expiry far ahead it is a misconfiguration, not urgent.
    let env = [
        ("AWS_ACCESS_KEY_ID", "ASIAOTHER"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_CREDENTIAL_EXPIRATION", "2026-12-07T15:00:00Z"),
    ];
    let f = run(&env, "", &IssuedKeys::default(), None, None)
        .into_iter()
        .find(|f| f.code == Code::ExportedKeys)
        .unwrap();
    assert_eq!(f.severity, Severity::Misconfigured);
    assert!(f.message.contains("in 5 h"), "{}", f.message);
    assert!(
        run(&[], "", &IssuedKeys::default(), None, None)
            .iter()
            .all(|f| f.code != Code::ExportedKeys)
    );
    // The SDKs take keys from the environment only as a pair: a token or
    // a secret alone shadows no profile.
    for alone in ["AWS_SESSION_TOKEN", "AWS_SECRET_ACCESS_KEY"] {
        let found = run(&[(alone, "x")], "", &IssuedKeys::default(), None, None);
        assert!(
            found.iter().all(|f| f.code != Code::ExportedKeys),
            "{alone}"
        );
    }
    // An ASIA key id (or the old AWS_SECURITY_TOKEN) is temporary, and the
    // fix unsets the old name too.
    let env = [
        ("AWS_ACCESS_KEY_ID", "ASIAOTHER"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_SECURITY_TOKEN", "t"),
    ];
    let f = run(&env, "", &IssuedKeys::default(), None, None)
        .into_iter()
        .find(|f| f.code == Code::ExportedKeys)
        .unwrap();
    assert!(f.message.contains("temporary"), "{}", f.message);
    assert!(f.fix.contains("AWS_SECURITY_TOKEN"), "{}", f.fix);
}

#[test]
fn a_file_the_aws_tools_refuse_is_a_finding_with_its_line() {
    let found = run(
        &[],
        "[alice\naws_access_key_id = A\n",
        &IssuedKeys::default(),
        None,
        Some("dev"),
    );
    let f = found.iter().find(|f| f.code == Code::UnusableFile).unwrap();
    assert!(
        f.message.starts_with("credentials, line 1: "),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("refuse this whole file"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, Severity::Misconfigured);
    assert!(
        run(
            &[],
            &creds(NOW + Duration::hours(1)),
            &IssuedKeys::default(),
            None,
            None
        )
        .iter()
        .all(|f| f.code != Code::UnusableFile)
    );
}

#[test]
fn the_legacy_fix_reuses_a_session_on_the_same_start_url_and_keeps_other_keys() {
    let config = format!(
        "{CONFIG}region = us-west-2\n\n[sso-session oldco]\n\
         sso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n\n\
         [default]\nrole_arn = arn:aws:iam::2:role/R\nsource_profile = dev\nduration_seconds = 7200\n"
    );
    let found = home_findings(&config, "/etc/aws/config");
    let legacy = found.iter().find(|f| f.code == Code::LegacySso).unwrap();
    assert!(!legacy.fix.contains("\n[sso-session"), "{}", legacy.fix);
    assert!(
        legacy.fix.starts_with("in /etc/aws/config,"),
        "{}",
        legacy.fix
    );
    assert!(
        legacy.fix.contains(
            "[profile old]\nsso_session = oldco\nregion = us-west-2\nsso_account_id = 3\nsso_role_name = R\n"
        ),
        "{}",
        legacy.fix
    );
    assert!(
        legacy.fix.contains("login --sso-session oldco"),
        "{}",
        legacy.fix
    );
    let chained = found
        .iter()
        .find(|f| f.code == Code::ChainedDuration && f.profile.as_deref() == Some("default"))
        .unwrap();
    assert!(chained.fix.ends_with("in [default]"), "{}", chained.fix);
}

#[test]
fn legacy_profiles_on_one_new_start_url_share_one_new_section() {
    let config = "\
[profile a]
sso_start_url = https://new.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 1
sso_role_name = R
credential_process = /bin/false

[profile b]
sso_start_url = https://new.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 2
sso_role_name = R
";
    let found = home_findings(config, "~/.aws/config");
    let fixes: Vec<&str> = found
        .iter()
        .filter(|f| f.code == Code::LegacySso)
        .map(|f| f.fix.as_str())
        .collect();
    assert_eq!(fixes.len(), 2);
    let sections = fixes
        .iter()
        .map(|f| f.matches("\n[sso-session new]").count())
        .sum::<usize>();
    assert_eq!(sections, 1, "one new section in all: {fixes:#?}");
    let b = fixes.iter().find(|f| f.contains("[profile b]")).unwrap();
    assert!(b.contains("the [sso-session new] printed for a"), "{b}");
    let a = fixes.iter().find(|f| f.contains("[profile a]")).unwrap();
    assert!(a.contains("keep its credential_process line"), "{a}");
    assert!(!a.contains("/bin/false"), "{a}");
}

#[test]
fn a_key_id_without_its_secret_breaks_the_aws_cli() {
    let found = run(
        &[("AWS_ACCESS_KEY_ID", "AKIAALONE")],
        "",
        &IssuedKeys::default(),
        None,
        None,
    );
    let f = found.iter().find(|f| f.code == Code::ExportedKeys).unwrap();
    assert!(
        f.message.contains("PartialCredentialsError"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, Severity::Misconfigured);
}

#[test]
fn unknown_profiles_and_a_skewed_clock_are_found() {
    let env = [("AWS_PROFILE", "nope"), ("AWS_DEFAULT_PROFILE", "dev")];
    let found = run(
        &env,
        "",
        &IssuedKeys::default(),
        Some(Duration::minutes(20)),
        Some("x"),
    );
    assert_eq!(codes(&found), ["clock_skew", "profile_not_found"]);
    let skew = found.iter().find(|f| f.code == Code::ClockSkew).unwrap();
    assert!(skew.message.contains("20 min behind"), "{}", skew.message);
    let found = run(
        &[],
        "",
        &IssuedKeys::default(),
        Some(Duration::minutes(-2)),
        Some("x"),
    );
    assert!(found.is_empty());
    assert_eq!(Report::new(found).exit_code(), 0);
}

fn process(pid: u32, vars: &[(&str, &str)], args: &[&str]) -> ProcessInfo {
    ProcessInfo {
        pid,
        program: "python".into(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        aws: vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
    }
}

#[test]
fn processes_on_lapsing_keys_are_found_by_key_or_expiry() {
    let mut issued = IssuedKeys::default();
    issued.record(
        "ASIAWROTE0000000001",
        "dev",
        NOW + Duration::minutes(14),
        NOW,
    );
    let procs = [
        process(
            4242,
            &[
                ("AWS_ACCESS_KEY_ID", "ASIAWROTE0000000001"),
                ("AWS_SESSION_TOKEN", "t"),
            ],
            &["python", "train.py"],
        ),
        process(
            7,
            &[
                ("AWS_ACCESS_KEY_ID", "ASIAX"),
                ("AWS_CREDENTIAL_EXPIRATION", "2026-12-07T09:00:00Z"),
            ],
            &["job"],
        ),
        // Far from lapsing, or nothing tells: not found.
        process(
            8,
            &[
                ("AWS_ACCESS_KEY_ID", "ASIAY"),
                ("AWS_CREDENTIAL_EXPIRATION", "2026-12-07T12:00:00Z"),
            ],
            &["ok"],
        ),
        process(9, &[("AWS_ACCESS_KEY_ID", "ASIAZ")], &["unknown"]),
        process(10, &[], &["no-keys"]),
    ];
    let found = process::findings(&procs, &issued, NOW, LEAD);
    assert_eq!(found.len(), 2, "{found:?}");
    let train = found.iter().find(|f| f.pid == Some(4242)).unwrap();
    assert_eq!(
        train.message,
        "python train.py (pid 4242) runs on keys that lapse in 14 min; it will fail with ExpiredToken"
    );
    assert!(train.fix.contains("leasekeeper exec --profile dev -- …"));
    let job = found.iter().find(|f| f.pid == Some(7)).unwrap();
    assert!(job.message.contains("lapsed 60 min ago"), "{}", job.message);
    assert_eq!(Report::new(found).exit_code(), 3);
}

#[test]
fn command_lines_are_shortened_and_their_secrets_masked() {
    let args: Vec<String> = [
        "tool",
        "--password",
        "hunter2",
        "--token=abc",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "DB_PASSWORD=x",
        "plain",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let shown = shown_command("tool", &args);
    assert_eq!(
        shown,
        "tool --password *** --token=*** *** *** DB_PASSWORD=*** plain"
    );
    let args: Vec<String> = [
        "psql postgres://app:pw123@db/main",
        "mysql",
        "-pMySqlPass",
        "-p",
        "hunter3",
        "curl -H",
        "Authorization: Bearer eyJhbGciOi",
        "--password\nhunter2 AKIAABCDEFGHIJKLMNOP",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let shown = shown_command("psql", &args);
    for secret in [
        "pw123",
        "MySqlPass",
        "hunter3",
        "eyJhbGciOi",
        "hunter2",
        "AKIAABCD",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(
        shown.starts_with("psql postgres://app:***@db/main mysql -p*** -p ***"),
        "{shown}"
    );
    // Values with spaces, other header schemes, tokens as URL users, `@` in
    // a password, single-dash long flags, JWTs.
    let cases: &[(&[&str], &[&str], &str)] = &[
        (
            &["--password", "correct horse battery"],
            &["horse", "battery"],
            "--password ***",
        ),
        (&["PASSWORD=a b"], &["a b", " b"], "PASSWORD=***"),
        (
            &["curl", "-H", "Authorization: Token abc.def"],
            &["abc.def"],
            "curl -H Authorization:***",
        ),
        (&["X-Api-Key:abc123"], &["abc123"], "X-Api-Key:***"),
        (
            &[
                "git",
                "clone",
                "https://ghp_0123456789abcdefABCDEF@github.com/o/r",
            ],
            &["ghp_"],
            "git clone https://***@github.com/o/r",
        ),
        (&["ssh://git@host/r"], &[], "ssh://git@host/r"),
        (
            &["postgres://app:p@ss@db/x"],
            &["p@ss", "ss@"],
            "postgres://app:***@db/x",
        ),
        (&["TOKEN=abc123://u@h"], &["abc123"], "TOKEN=***"),
        (
            &["openssl", "enc", "-pass", "pass:hunter2"],
            &["hunter2"],
            "openssl enc -pass ***",
        ),
        (
            &["find", "-path", "x", "-print"],
            &[],
            "find -path x -print",
        ),
        (
            &[
                "t",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig0123",
            ],
            &["eyJ"],
            "t ***",
        ),
    ];
    for (args, hidden, expected) in cases {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        let shown = shown_command("p", &args);
        assert_eq!(shown, *expected, "{args:?}");
        for h in *hidden {
            assert!(!shown.contains(h), "{h} in {shown}");
        }
    }
    let long: Vec<String> = vec!["x".repeat(200)];
    assert_eq!(shown_command("p", &long).chars().count(), 80);
    assert_eq!(shown_command("prog", &[]), "prog");
}

#[test]
fn errors_are_read_for_their_cause() {
    let cases = [
        (
            "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired",
            Cause::ExpiredKeys,
        ),
        (
            "ExpiredTokenException: The security token included in the request is expired",
            Cause::ExpiredKeys,
        ),
        (
            "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.",
            Cause::UnknownKeys,
        ),
        (
            "Error when retrieving token from sso: Token has expired and refresh failed",
            Cause::SsoRefreshFailed,
        ),
        (
            "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login",
            Cause::SsoSessionEnded,
        ),
        (
            "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: Signature expired: 20261207T100000Z is now earlier than 20261207T101500Z (20261207T103000Z - 15 min.)",
            Cause::ClockSkew,
        ),
        (
            "An error occurred (SignatureDoesNotMatch) when calling the AssumeRole operation: The request signature we calculated does not match the signature you provided.",
            Cause::WrongSecret,
        ),
        (
            "An error occurred (ValidationError) when calling the AssumeRole operation: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            Cause::ChainedDuration,
        ),
    ];
    for (text, cause) in cases {
        assert_eq!(explain(text).map(|e| e.cause), Some(cause), "{text}");
    }
    assert!(explain("all good").is_none());
}

#[test]
fn the_issued_record_is_bounded_and_keeps_no_key_id() {
    let mut issued = IssuedKeys::default();
    assert!(issued.record("ASIAONE", "dev", NOW, NOW));
    assert!(
        !issued.record("ASIAONE", "dev", NOW, NOW),
        "the same entry changes nothing"
    );
    let json = String::from_utf8(issued.to_json()).unwrap();
    assert!(!json.contains("ASIAONE"));
    assert_eq!(IssuedKeys::parse(json.as_bytes()), issued);
    // A day after lapsing an entry goes.
    issued.record(
        "ASIATWO",
        "dev",
        NOW + Duration::days(3),
        NOW + Duration::days(2),
    );
    assert!(issued.lookup("ASIAONE").is_none());
    assert!(issued.lookup("ASIATWO").is_some());
    for i in 0..(issued::MAX_ENTRIES + 5) {
        issued.record(
            &format!("ASIA{i}"),
            "p",
            NOW + Duration::days(3) + Duration::seconds(i as i64),
            NOW + Duration::days(2),
        );
    }
    assert_eq!(issued.keys.len(), issued::MAX_ENTRIES);
    assert_eq!(IssuedKeys::parse(b"garbage"), IssuedKeys::default());
}

proptest! {
    #[test]
    fn any_text_is_read_without_panicking(text in ".{0,200}", word in ".{0,60}") {
        let _ = explain(&text);
        let shown = shown_command(&word, &[word.clone(), text]);
        prop_assert!(shown.chars().count() <= 80);
    }
}
