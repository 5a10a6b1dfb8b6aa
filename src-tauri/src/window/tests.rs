//! The window's data on a real home: the example AWS home (every kind of
//! profile) becomes a view whose JSON holds no secret of its files, and the
//! DTOs cross in the shapes the front end reads.

use std::collections::BTreeMap;
use std::path::Path;

use leasekeeper_engine::settings::Settings;
use leasekeeper_host::aws_files::AwsPaths;
use time::OffsetDateTime;

use super::dto::{RowAction, SettingChange, SignInArgs, SignInEvent, SignInMethod, Tone};
use super::view::{ViewInput, view};

fn example_home() -> AwsPaths {
    let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/home");
    let aws = home.join(".aws");
    AwsPaths {
        config: aws.join("config"),
        credentials: aws.join("credentials"),
        sso_cache: aws.join("sso/cache"),
        cli_cache: aws.join("cli/cache"),
        home,
    }
}

#[test]
fn the_example_home_becomes_grouped_rows_without_a_secret() {
    let paths = example_home();
    let snapshot = leasekeeper_engine::load::snapshot(&leasekeeper_host::aws_files::read(&paths));
    let v = view(&ViewInput {
        paths: &paths,
        snapshot: &snapshot,
        lines: &BTreeMap::new(),
        renewals: &BTreeMap::new(),
        attached_pid: None,
        keeper_lost: false,
        scale: 1.0,
        settings: &Settings::default(),
        now: OffsetDateTime::now_utc(),
    });
    assert!(v.config_found);
    let rows: usize = v.groups.iter().map(|g| g.rows.len()).sum();
    assert_eq!(rows, v.total, "every profile has a row");
    assert!(v.total >= 5, "{}", v.total);
    for g in &v.groups {
        assert!(!g.header.is_empty());
        for r in &g.rows {
            assert!(
                ["ok", "expiring", "needs_you", "error"].contains(&r.tone.as_str()),
                "{}: {:?}",
                r.profile,
                r.tone
            );
        }
    }
    let json = serde_json::to_string(&v).expect("json");
    let files = [&paths.credentials, &paths.config];
    for file in files {
        let text = std::fs::read_to_string(file).expect("example file");
        for line in text.lines() {
            let Some((k, val)) = line.split_once('=') else {
                continue;
            };
            let (k, val) = (k.trim(), val.trim());
            if [
                "aws_secret_access_key",
                "aws_session_token",
                "aws_access_key_id",
            ]
            .contains(&k)
            {
                assert!(
                    !json.contains(val),
                    "{k} of the example home is in the view"
                );
            }
        }
    }
}

#[test]
fn the_dtos_cross_in_the_shapes_the_front_end_reads() {
    let e = SignInEvent::DeviceCode {
        session: "corp".into(),
        user_code: "ABCD-EFGH".into(),
        uri: "https://device.sso.eu-west-1.amazonaws.com/".into(),
    };
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["step"], "deviceCode");
    assert_eq!(json["userCode"], "ABCD-EFGH");
    let c: SettingChange =
        serde_json::from_str(r#"{"change":"sessionLength","session":"corp","length":"8h"}"#)
            .unwrap();
    assert_eq!(
        c,
        SettingChange::SessionLength {
            session: "corp".into(),
            length: "8h".into()
        }
    );
    let a: SignInArgs =
        serde_json::from_str(r#"{"session":"corp","method":"device_code"}"#).unwrap();
    assert_eq!(a.method, SignInMethod::DeviceCode);
    assert!(
        serde_json::from_str::<SignInArgs>(r#"{"session":"corp","method":"telepathy"}"#).is_err()
    );
}

#[test]
fn under_a_time_scale_the_words_follow_the_colour() {
    let paths = example_home();
    let snapshot = leasekeeper_engine::load::snapshot(&leasekeeper_host::aws_files::read(&paths));
    let at = |now: OffsetDateTime, scale: f64| {
        view(&ViewInput {
            paths: &paths,
            snapshot: &snapshot,
            lines: &BTreeMap::new(),
            renewals: &BTreeMap::new(),
            attached_pid: None,
            keeper_lost: false,
            scale,
            settings: &Settings::default(),
            now,
        })
    };
    // A lease with a deadline, looked at ten minutes before it.
    let far_past = OffsetDateTime::UNIX_EPOCH + time::Duration::days(365 * 30);
    let row = at(far_past, 1.0)
        .groups
        .into_iter()
        .flat_map(|g| g.rows)
        .find(|r| r.deadline_ms.is_some() && r.tone != Tone::NeedsYou && r.tone != Tone::Error)
        .expect("the example home has a lease with a deadline");
    let deadline =
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.deadline_ms.unwrap()) * 1_000_000)
            .unwrap();
    let now = deadline - time::Duration::minutes(10);
    let find = |scale| {
        at(now, scale)
            .groups
            .into_iter()
            .flat_map(|g| g.rows)
            .find(|r| r.profile == row.profile)
            .unwrap()
    };
    let real = find(1.0);
    assert_eq!(
        (real.state.as_str(), real.tone.as_str()),
        ("expiring", "expiring")
    );
    // At 60x, 15 minutes of warning are 15 seconds: ten minutes left is fine.
    let scaled = find(60.0);
    assert_eq!(
        (scaled.state.as_str(), scaled.tone.as_str()),
        ("fresh", "ok")
    );
}

#[test]
fn an_aws_setting_crosses_as_the_front_end_sends_it() {
    let c: SettingChange = serde_json::from_str(
        r#"{"change":"aws","key":"httpsProxy","value":"http://proxy.corp:3128"}"#,
    )
    .unwrap();
    assert_eq!(
        c,
        SettingChange::Aws {
            key: super::dto::AwsKey::HttpsProxy,
            value: "http://proxy.corp:3128".into()
        }
    );
}

#[test]
fn a_sign_in_first_seen_is_an_estimate_and_one_unknown_only_an_upper_bound() {
    use leasekeeper_engine::Secret;
    use leasekeeper_engine::profiles::sso_cache::cache_key;
    use leasekeeper_engine::signin::records::fingerprint;
    use leasekeeper_engine::signin::sighting::{Origin, Sighting, client_fingerprint};

    let paths = example_home();
    let mut snapshot =
        leasekeeper_engine::load::snapshot(&leasekeeper_host::aws_files::read(&paths));
    let now = time::macros::datetime!(2026-11-22 09:00 UTC);
    let dev = |snapshot: &leasekeeper_engine::snapshot::Snapshot| {
        view(&ViewInput {
            paths: &paths,
            snapshot,
            lines: &BTreeMap::new(),
            renewals: &BTreeMap::new(),
            attached_pid: None,
            keeper_lost: false,
            scale: 1.0,
            settings: &Settings::default(),
            now,
        })
        .groups
        .into_iter()
        .flat_map(|g| g.rows)
        .find(|r| r.profile == "dev")
        .expect("the example home has dev")
    };
    // Another tool signed in and nothing tells when: at most the
    // registration's end, never a countdown.
    let row = dev(&snapshot);
    assert!(row.upper_bound && !row.estimated, "{row:?}");
    assert_eq!(row.left, "\u{2264} 89d");
    let json = serde_json::to_value(&row).unwrap();
    assert_eq!(json["upperBound"], true);
    // First seen two hours before: eight hours from then, an estimate that
    // counts down like any time.
    snapshot.sign_ins.sightings.insert(
        cache_key("corp"),
        Sighting {
            first_seen_at: now - time::Duration::hours(2),
            origin: Origin::FirstSeen,
            client_fingerprint: client_fingerprint("exampleClientId"),
            token_fingerprint: fingerprint(&Secret::new("exampleAccessTokenDoNotUse")),
            token_expires_at: time::macros::datetime!(2026-11-22 09:50 UTC),
            token_seen_at: now - time::Duration::hours(2),
        },
    );
    let row = dev(&snapshot);
    assert!(row.estimated && !row.upper_bound, "{row:?}");
    assert_eq!(row.left, "6h 00m");
    assert_eq!(
        row.deadline_ms,
        Some(super::view::ms(now + time::Duration::hours(6)))
    );
}

/// The example home's view with the keeper's `lines`.
fn view_with(
    lines: &BTreeMap<String, leasekeeper_engine::menu::KeeperLine>,
) -> super::dto::ViewDto {
    let paths = example_home();
    let snapshot = leasekeeper_engine::load::snapshot(&leasekeeper_host::aws_files::read(&paths));
    view(&ViewInput {
        paths: &paths,
        snapshot: &snapshot,
        lines,
        renewals: &BTreeMap::new(),
        attached_pid: None,
        keeper_lost: false,
        scale: 1.0,
        settings: &Settings::default(),
        now: OffsetDateTime::now_utc(),
    })
}

#[test]
fn the_mfa_form_is_asked_for_by_the_typed_action_never_by_the_words() {
    use leasekeeper_engine::keeper::RenewalState;
    use leasekeeper_engine::menu::KeeperLine;
    let find = |v: super::dto::ViewDto, profile: &str| {
        v.groups
            .into_iter()
            .flat_map(|g| g.rows)
            .find(|r| r.profile == profile)
            .expect("a row")
    };
    let before = find(view_with(&BTreeMap::new()), "billing");
    assert_ne!(before.action, RowAction::MfaCode);
    // The keeper says billing's chain waits for a code of alice's device.
    let waiting = KeeperLine {
        profile: "billing".into(),
        state: RenewalState::NeedsMfaCode,
        failing: false,
        expires_at: None,
        act_by: None,
    };
    let lines = BTreeMap::from([("billing".to_owned(), waiting)]);
    let row = find(view_with(&lines), "billing");
    assert_eq!((row.action, row.tone), (RowAction::MfaCode, Tone::NeedsYou));
    assert!(!row.timed);
    let json = serde_json::to_value(&row).unwrap();
    assert_eq!(json["action"], "mfa_code");
    assert_eq!(json["tone"], "needs_you");
    // The page shows the form from `action`, and compares no words.
    let page = include_str!("../../../ui/app.js");
    assert!(page.contains(r#"r.action === "mfa_code") actions.push(mfaForm("#));
    for words in ["r.left ===", "r.left !==", "left === \"", ".test(r.left)"] {
        assert!(
            !page.contains(words),
            "the page compares display words: {words}"
        );
    }
}

#[test]
fn every_row_says_what_the_person_must_do() {
    let v = view_with(&BTreeMap::new());
    let rows: Vec<_> = v.groups.into_iter().flat_map(|g| g.rows).collect();
    let of = |profile: &str| {
        rows.iter()
            .find(|r| r.profile == profile)
            .map(|r| (r.action, r.tone))
            .expect("a row")
    };
    assert_eq!(of("broken"), (RowAction::FixConfig, Tone::Error));
    for r in &rows {
        let json = serde_json::to_value(r).unwrap();
        assert!(
            ["none", "wait", "sign_in", "mfa_code", "rerun", "fix_config"]
                .contains(&json["action"].as_str().unwrap_or_default()),
            "{}: {}",
            r.profile,
            json["action"]
        );
        // A row that counts down waits, or asks for a sign-in ahead of time.
        if r.timed {
            assert!(
                matches!(r.action, RowAction::Wait | RowAction::SignIn),
                "{}: {:?}",
                r.profile,
                r.action
            );
        }
        if r.action == RowAction::None {
            assert_eq!(r.tone, Tone::Ok, "{}", r.profile);
        }
    }
    assert_eq!(
        super::view::action(
            leasekeeper_engine::menu::Left::Expired,
            Tone::NeedsYou,
            true
        ),
        RowAction::SignIn
    );
    assert_eq!(
        super::view::action(
            leasekeeper_engine::menu::Left::Expired,
            Tone::NeedsYou,
            false
        ),
        RowAction::Rerun
    );
    assert_eq!(
        super::view::action(
            leasekeeper_engine::menu::Left::Time(60),
            Tone::Expiring,
            true
        ),
        RowAction::SignIn
    );
    assert_eq!(
        super::view::action(leasekeeper_engine::menu::Left::Time(6000), Tone::Ok, true),
        RowAction::Wait
    );
}

/// An operation's error reaches the window with the operation's own code,
/// not a `window_*` one; only the window's own input errors keep theirs.
#[test]
fn a_service_code_crosses_the_window_boundary_unchanged() {
    use leasekeeper_host::lock::LockError;
    use leasekeeper_host::locked_edit::EditError;
    use leasekeeper_service::Environment;
    use leasekeeper_service::ops::settings::{self, Change, ChangeError};

    use super::error::WindowError;

    let wire = |e: &ChangeError| serde_json::to_value(WindowError::op(e.code(), e)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut env = Environment::process();
    env.set("LEASEKEEPER_CONFIG_DIR", dir.path());
    let e = settings::change(&env, &Change::Leads(vec!["soon".into()])).unwrap_err();
    let json = wire(&e);
    assert_eq!(json["code"], "settings_bad_value");
    assert!(json["message"].as_str().unwrap().contains("soon"), "{json}");

    let busy = ChangeError::Edit(EditError::Lock(LockError::Busy {
        path: dir.path().join("settings.toml.lock"),
        waited: std::time::Duration::from_secs(10),
    }));
    assert_eq!(wire(&busy)["code"], "locked");
    let changing = ChangeError::Edit(EditError::KeptChanging {
        path: dir.path().join("settings.toml"),
    });
    assert_eq!(wire(&changing)["code"], "file_busy");

    let own = WindowError::BadValue {
        field: "MFA code".into(),
        message: "an MFA code is six digits".into(),
    };
    assert_eq!(
        serde_json::to_value(own).unwrap()["code"],
        "window_bad_value"
    );
}
