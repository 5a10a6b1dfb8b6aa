//! `status` on the bundled example home at a fixed time: every kind of
//! profile a real setup holds, each with the lease a person would expect.

use super::harness::{example_home, leasekeeper, profile, run, status_json};

const AT: &str = "2026-11-22T09:00:00Z";

#[test]
fn every_profile_gets_the_lease_a_person_expects() {
    let (code, report) = status_json(&example_home(), AT, &[]);
    let expect = |name: &str, kind: &str, state: &str, renewal: &str| {
        let p = profile(&report, name);
        assert_eq!(
            (
                p["kind"].as_str(),
                p["state"].as_str(),
                p["renewal"].as_str()
            ),
            (Some(kind), Some(state), Some(renewal)),
            "{name}: {p:#}"
        );
        p.clone()
    };
    // A refreshable sso-session token: renewed without the person.
    let dev = expect("dev", "sso", "fresh", "silent");
    assert_eq!(dev["sso"]["session"], "corp");
    assert_eq!(dev["sso"]["refreshable"], true);
    assert_eq!(dev["sso"]["token_expires_at"], "2026-11-22T09:50:00Z");
    // The AWS CLI's cache tells when its current role keys expire.
    assert_eq!(dev["expires_at"], "2026-11-22T09:30:00Z");
    assert_eq!(dev["action_needed_at"], "2027-02-20T08:00:00Z");
    // Nothing tells when the AWS CLI signed in: only an upper bound.
    assert_eq!(dev["action_needed_upper_bound"], true);
    assert_eq!(dev["action_needed_estimated"], false);
    assert_eq!(dev["description"], "sso corp → 111122223333/Developer");
    // A legacy token cannot be refreshed: the person signs in when it ends.
    let legacy = expect("legacy-sso", "sso", "expiring", "needs_user");
    assert_eq!(legacy["seconds_left"], 600);
    // Role chaining over SSO renews as its source does.
    let chained = expect("prod-admin", "role", "fresh", "silent");
    assert_eq!(chained["source"][0]["type"], "sso");
    assert_eq!(chained["source"][1]["type"], "role");
    // A role over long-term keys the CLI last used hours ago is not expired.
    let ci = expect("ci-deploy", "role", "fresh", "silent");
    assert_eq!(ci["expires_at"], "2026-11-22T06:00:00Z");
    assert_eq!(ci["seconds_left"], serde_json::Value::Null);
    // An MFA role needs a code for new keys.
    expect("billing", "role", "expired", "needs_user");
    // Another tool's keys: only that tool renews them.
    let okta = expect("okta", "temporary", "fresh", "never");
    assert_eq!(okta["seconds_left"], 40 * 60);
    expect("iam-user", "static", "static", "never");
    expect("vault", "process", "unknown", "never");
    expect("default", "none", "unknown", "never");
    let broken = expect("broken", "unknown", "error", "never");
    assert_eq!(broken["errors"][0]["code"], "missing_source_profile");
    assert!(
        broken["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("config line 49"),
        "names the line to fix: {broken:#}"
    );
    // Most urgent first.
    let order: Vec<&str> = report["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    assert_eq!(
        &order[..3],
        ["billing", "legacy-sso", "broken"],
        "{order:?}"
    );
    assert_eq!(order.last(), Some(&"iam-user"));
    assert_eq!(code, 3, "billing needs a code: action needed");
}

#[test]
fn exit_codes_tell_scripts_what_to_do() {
    let home = example_home();
    assert_eq!(status_json(&home, AT, &["-p", "dev"]).0, 0);
    assert_eq!(status_json(&home, AT, &["-p", "legacy-sso"]).0, 0);
    // Ten minutes later the legacy sign-in has ended.
    let (code, report) = status_json(&home, "2026-11-22T09:11:00Z", &["-p", "legacy-sso"]);
    assert_eq!(code, 3);
    assert_eq!(profile(&report, "legacy-sso")["state"], "needs_login");
    assert_eq!(status_json(&home, AT, &["--profile", "broken"]).0, 4);
    // Action needed wins over a broken profile.
    assert_eq!(
        status_json(&home, AT, &["-p", "broken", "-p", "billing"]).0,
        3
    );
    let mut cmd = leasekeeper(&home);
    cmd.args(["status", "-p", "nope"]);
    let r = run(cmd);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no profile named `nope`"), "{}", r.stderr);
}

#[test]
fn the_table_reads_well_and_is_plain_when_piped() {
    let mut cmd = leasekeeper(&example_home());
    cmd.args(["status", "--at", AT]);
    let r = run(cmd);
    assert!(!r.stdout.contains('\x1b'), "no colour when piped");
    let line = |name: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {}", r.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("okta"),
        "okta temporary 40m fresh temporary keys …0001"
    );
    assert_eq!(line("legacy-sso").split(' ').nth(2), Some("10m"));
    assert_eq!(line("billing").split(' ').nth(2), Some("expired"));
    assert!(line("iam-user").contains("no expiry"));
    let mut cmd = leasekeeper(&example_home());
    cmd.args(["status", "--at", AT, "--color", "always"]);
    assert!(run(cmd).stdout.contains("\x1b["), "colour when asked");
}

#[test]
fn no_secret_ever_appears_in_any_output() {
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["status", "--json", "-p", "okta"],
    ] {
        let mut cmd = leasekeeper(&example_home());
        cmd.args(args);
        let r = run(cmd);
        let all = format!("{}{}", r.stdout, r.stderr);
        for secret in ["DoNotUse", "AKIAEXAMPLEALICE0001", "ASIAEXAMPLEOKTA00001"] {
            assert!(!all.contains(secret), "{args:?} printed {secret}: {all}");
        }
    }
}
