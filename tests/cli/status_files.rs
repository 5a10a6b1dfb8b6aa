//! `status` on homes with broken, odd or foreign content: nothing is lost,
//! every problem names its file and line.

use super::harness::{home_with, leasekeeper, profile, run, status_json};

const AT: &str = "2026-11-22T09:00:00Z";

/// sha1("corp"), the AWS CLI's token cache file name for session `corp`.
const CORP_KEY: &str = "ece41c911237c36c142fe5d09e4f3c93a8f8f7b8";

#[test]
fn a_malformed_line_is_named_and_every_profile_still_listed() {
    let home = home_with(&[(
        ".aws/config",
        b"[profile a]\nregion = eu-west-1\nthis line is junk\n[profile b]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = a\n[profile a]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = s\n",
    )]);
    let (_, report) = status_json(home.path(), AT, &[]);
    let problems = report["problems"].as_array().unwrap();
    let config = home.path().join(".aws/config").display().to_string();
    let junk = problems
        .iter()
        .find(|p| p["line"] == 3)
        .unwrap_or_else(|| panic!("line 3 named: {problems:#?}"));
    assert_eq!(junk["file"], config.as_str());
    assert_eq!(junk["severity"], "error");
    assert!(
        problems
            .iter()
            .any(|p| p["code"] == "duplicate_section" && p["line"] == 7),
        "duplicate section named: {problems:#?}"
    );
    for name in ["a", "b"] {
        let p = profile(&report, name);
        assert_eq!(p["unusable_by_botocore"], true, "{p:#}");
        let msg = p["errors"].as_array().unwrap().last().unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(msg.contains(&format!("{config}:3")), "{msg}");
    }
    // The profiles themselves still resolve as the SDKs that merge would.
    assert_eq!(profile(&report, "b")["kind"], "role");
    let mut cmd = leasekeeper(home.path());
    cmd.args(["status", "--at", AT]);
    let r = run(cmd);
    assert!(r.stdout.contains(&format!("{config}:3:")), "{}", r.stdout);
}

#[test]
fn byte_order_mark_crlf_and_unknown_keys_are_read() {
    let home = home_with(&[
        (
            ".aws/config",
            b"\xef\xbb\xbf[profile bom]\r\nregion = us-east-1\r\nmy_own_setting = kept\r\naws_access_key_id = AKIAEXAMPLE000000002\r\naws_secret_access_key = s\r\n",
        ),
        (".aws/credentials", b"[plain]\naws_access_key_id = AKIAEXAMPLE000000003\naws_secret_access_key = s\n"),
    ]);
    let (_, report) = status_json(home.path(), AT, &[]);
    assert_eq!(profile(&report, "bom")["kind"], "static");
    assert_eq!(profile(&report, "bom")["unusable_by_botocore"], true);
    assert_eq!(profile(&report, "plain")["unusable_by_botocore"], true);
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "byte_order_mark" && p["line"] == 1)
    );
}

#[test]
fn a_corrupt_token_cache_file_is_named_and_skipped() {
    let key = CORP_KEY;
    let cache = format!(".aws/sso/cache/{key}.json");
    let home = home_with(&[
        (
            ".aws/config",
            b"[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n",
        ),
        (&cache, b"{\"accessToken\": \"secretAT\", \"expiresAt\": \"2026-11"),
        (".aws/sso/cache/botocore-client-id-us-east-1.json", b"{}"),
        // The client registration AWS CLI v2 keeps under a sha1 name
        // beside its tokens: not a token, and nothing wrong.
        (
            ".aws/sso/cache/0123456789abcdef0123456789abcdef01234567.json",
            b"{\"clientId\": \"cid\", \"clientSecret\": \"regSecret\", \"expiresAt\": \"2027-02-20T10:00:00Z\", \"scopes\": [\"sso:account:access\"]}",
        ),
    ]);
    let (code, report) = status_json(home.path(), AT, &[]);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["code"], "token_cache_corrupt");
    assert!(
        problems[0]["file"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{key}.json"))
    );
    let dev = profile(&report, "dev");
    assert_eq!(dev["state"], "needs_login");
    assert_eq!(code, 3);
    assert!(!report.to_string().contains("secretAT"));
    assert!(!report.to_string().contains("regSecret"));
}

#[test]
fn our_own_sections_are_never_read_back_as_a_source() {
    let home = home_with(&[
        (
            ".aws/config",
            b"[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n",
        ),
        (
            ".aws/credentials",
            b"[dev]\n# managed by leasekeeper\naws_access_key_id = ASIAEXAMPLE000000004\naws_secret_access_key = s\naws_session_token = t\n",
        ),
    ]);
    let (_, report) = status_json(home.path(), AT, &[]);
    assert_eq!(profile(&report, "dev")["kind"], "sso");
}

#[test]
fn aws_file_variables_are_honoured() {
    let home = home_with(&[
        ("elsewhere/cfg", b"[profile moved]\naws_access_key_id = AKIAEXAMPLE000000005\naws_secret_access_key = s\n"),
        ("elsewhere/creds", b"[moved-creds]\naws_access_key_id = AKIAEXAMPLE000000006\naws_secret_access_key = s\n"),
        (".aws/config", b"[profile not-this-one]\nregion = us-east-1\n"),
    ]);
    let mut cmd = leasekeeper(home.path());
    cmd.env("AWS_CONFIG_FILE", home.path().join("elsewhere/cfg"))
        .env("AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere/creds")
        .args(["status", "--json"]);
    let r = run(cmd);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let names: Vec<&str> = report["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["moved", "moved-creds"]);
}

#[test]
fn an_empty_home_says_so() {
    let home = home_with(&[]);
    let mut cmd = leasekeeper(home.path());
    cmd.arg("status");
    let r = run(cmd);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("no profiles found"), "{}", r.stdout);
}
