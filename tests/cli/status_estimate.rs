//! `leasekeeper status --json` after `leasekeeper login` against the
//! sandbox: the sign-in is recorded and its end is estimated as the sign-in
//! time plus the session length (8 hours unless the settings say
//! otherwise), unscaled like the status's other leads; a sign-out forgets
//! the record. A token we have no record of is estimated from when `status`
//! first saw it.

use super::login_harness::*;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn status(w: &World) -> serde_json::Value {
    let out = w.command(&["status", "--json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    })
}

/// The profiles over the `sandbox` sso-session that have a token.
fn sso_profiles(json: &serde_json::Value) -> Vec<&serde_json::Value> {
    json["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["sso"]["session"] == "sandbox" && !p["sso"]["token_expires_at"].is_null())
        .collect()
}

fn time_of(v: &serde_json::Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().expect("a timestamp"), &Rfc3339).unwrap()
}

fn log_in(w: &World) -> (OffsetDateTime, OffsetDateTime) {
    let before = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let run = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    let (exit, stderr, _) = run.finish(30);
    assert_eq!(exit, 0, "{stderr}");
    (before, OffsetDateTime::now_utc())
}

#[test]
fn status_shows_the_sign_in_ending_eight_hours_after_login() {
    let w = World::start(|c| c.auto_approve = true);
    let (before, after) = log_in(&w);
    let json = status(&w);
    let profiles = sso_profiles(&json);
    assert!(!profiles.is_empty(), "{json:#}");
    for p in profiles {
        let signed_in = time_of(&p["sso"]["signed_in_at"]);
        assert!(signed_in >= before && signed_in <= after, "{p:#}");
        assert_eq!(p["action_needed_estimated"], true, "{p:#}");
        let end = time_of(&p["action_needed_at"]);
        assert_eq!(end - signed_in, time::Duration::hours(8), "{p:#}");
        assert!(end < time_of(&p["sso"]["registration_expires_at"]));
    }

    // The table marks the estimate.
    let out = w.command(&["status", "--color", "never"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.contains(" 7h59m (est.) ") || l.contains(" 8h00m (est.) ")),
        "{table}"
    );

    // The settings' session length for this sso-session replaces the default.
    let settings = w.dir.path().join("lk-settings");
    std::fs::create_dir_all(&settings).unwrap();
    std::fs::write(
        settings.join("settings.toml"),
        "[sso_sessions.sandbox]\nsession_length = \"12h\"\n",
    )
    .unwrap();
    let out = w
        .command(&["status", "--json"])
        .env("LEASEKEEPER_CONFIG_DIR", &settings)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for p in sso_profiles(&json) {
        let end = time_of(&p["action_needed_at"]);
        assert_eq!(
            end - time_of(&p["sso"]["signed_in_at"]),
            time::Duration::hours(12)
        );
    }

    // Signed out, the record is gone; signed in again, the new time counts.
    let out = w.command(&["logout"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (before, _) = log_in(&w);
    let json = status(&w);
    for p in sso_profiles(&json) {
        assert!(time_of(&p["sso"]["signed_in_at"]) >= before, "{p:#}");
        assert_eq!(p["action_needed_estimated"], true);
    }
}

#[test]
fn a_token_another_tool_wrote_is_estimated_from_when_it_was_first_seen() {
    let w = World::start(|c| c.auto_approve = true);
    log_in(&w);
    // What the AWS CLI's own sign-in leaves: a token we have no record of.
    std::fs::remove_dir_all(w.dir.path().join("state/sessions")).unwrap();
    let before = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let json = status(&w);
    let profiles = sso_profiles(&json);
    assert!(!profiles.is_empty());
    for p in profiles {
        assert!(p["sso"]["signed_in_at"].is_null(), "{p:#}");
        let seen = time_of(&p["sso"]["first_seen_at"]);
        assert!(seen >= before, "{p:#}");
        assert_eq!(p["action_needed_estimated"], true);
        assert_eq!(p["action_needed_upper_bound"], false);
        assert_eq!(
            time_of(&p["action_needed_at"]) - seen,
            time::Duration::hours(8)
        );
    }
}
