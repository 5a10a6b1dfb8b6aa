//! Warnings at each lead, once per threshold.

use time::{Duration, OffsetDateTime};

use super::kit::{Harness, corp_token, events_of};
use crate::keeper::testkit::{T0, TokenFile, sso_config};
use crate::keeper::{EngineEvent, Input, Warning, WarningKind};
use crate::signin::records::SessionRecord;

const HOUR: Duration = Duration::HOUR;

fn warnings(log: &[(OffsetDateTime, EngineEvent)]) -> Vec<(OffsetDateTime, Warning)> {
    log.iter()
        .filter_map(|(at, e)| match e {
            EngineEvent::WarningDue(w) => Some((*at, w.clone())),
            _ => None,
        })
        .collect()
}

/// A token of `corp` that cannot be refreshed, expiring `life` from T0.
fn unrefreshable(life: Duration) -> TokenFile {
    let mut t = corp_token(life);
    t.refreshable = false;
    t
}

#[test]
fn each_lead_fires_once_when_crossed() {
    let mut h = Harness::new(
        &sso_config(1),
        vec![unrefreshable(Duration::minutes(40))],
        "",
    );
    h.start();
    let log = h.run_events(T0 + Duration::minutes(50), HOUR);
    let told = warnings(&log);
    let got: Vec<(OffsetDateTime, i64, WarningKind)> = told
        .iter()
        .map(|(at, w)| (*at, w.lead_seconds, w.kind))
        .collect();
    assert_eq!(
        got,
        [
            (T0 + Duration::minutes(25), 900, WarningKind::SignInEnding),
            (T0 + Duration::minutes(35), 300, WarningKind::SignInEnding),
        ]
    );
    let w = &told[0].1;
    assert_eq!(
        (w.subject.as_str(), w.estimated, w.seconds_left),
        ("corp", false, 900)
    );
    assert_eq!(w.profiles, ["r00", "sso"]);
    assert!(
        w.message()
            .starts_with("the sign-in to corp ends in 15 minutes"),
        "{}",
        w.message()
    );
    let login: Vec<_> = log
        .iter()
        .filter(|(_, e)| e.code() == "login_needed")
        .collect();
    assert_eq!(login.len(), 1, "and once it lapsed, one login_needed");
    assert_eq!(login[0].0, T0 + Duration::minutes(40));
}

#[test]
fn a_threshold_already_passed_when_first_seen_fires_once() {
    let mut h = Harness::new(
        &sso_config(0),
        vec![unrefreshable(Duration::minutes(3))],
        "",
    );
    let out = h.start();
    let first = events_of(&out, "warning_due");
    assert_eq!(first.len(), 1, "not one per lead passed");
    assert!(
        matches!(&first[0], EngineEvent::WarningDue(w) if w.lead_seconds == 300 && w.seconds_left == 180)
    );
    let later = h.run_events(T0 + Duration::minutes(2), HOUR);
    assert!(warnings(&later).is_empty());
}

#[test]
fn the_sign_in_estimate_comes_from_the_session_length_setting() {
    let record = SessionRecord {
        signed_in_at: Some(T0 - Duration::hours(7) - Duration::minutes(50)),
        ..SessionRecord::default()
    };
    let key = crate::profiles::sso_cache::cache_key("corp");
    let mut h = Harness::new(&sso_config(0), vec![corp_token(HOUR)], "");
    h.sessions.insert(key.clone(), record.clone());
    let out = h.start();
    let told = events_of(&out, "warning_due");
    assert_eq!(told.len(), 1);
    let EngineEvent::WarningDue(w) = &told[0] else {
        unreachable!()
    };
    assert_eq!(
        (w.estimated, w.lead_seconds, w.deadline),
        (true, 900, T0 + Duration::minutes(10))
    );
    assert!(
        w.message().contains("ends in about 10 minutes"),
        "{}",
        w.message()
    );

    let mut h = Harness::new(
        &sso_config(0),
        vec![corp_token(HOUR)],
        "[sso_sessions.corp]\nsession_length = \"12h\"\n",
    );
    h.sessions.insert(key, record);
    assert!(
        events_of(&h.start(), "warning_due").is_empty(),
        "a 12 h session has hours left"
    );
}

#[test]
fn an_ending_mfa_session_is_warned_about_at_each_lead() {
    let config = "[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\
                  [profile admin]\nrole_arn = arn:aws:iam::3:role/A\nsource_profile = keys\nmfa_serial = arn:aws:iam::3:mfa/me\n";
    let mut h = Harness::new(config, Vec::new(), "[renew]\nstatic_keys = true\n");
    h.start();
    let out = h.step(vec![Input::MfaCode(crate::keeper::MfaCode {
        serial: "arn:aws:iam::3:mfa/me".into(),
        code: crate::Secret::new("123456"),
        request: 0,
    })]);
    h.settle(out, Duration::hours(12));
    let told = warnings(&h.run_events(T0 + Duration::hours(12), HOUR));
    let got: Vec<_> = told
        .iter()
        .map(|(at, w)| (*at - T0, w.lead_seconds, w.kind))
        .collect();
    assert_eq!(
        got,
        [
            (Duration::minutes(705), 900, WarningKind::MfaSessionEnding),
            (Duration::minutes(715), 300, WarningKind::MfaSessionEnding),
        ]
    );
}

#[test]
fn keys_another_tool_wrote_are_warned_about_before_they_lapse() {
    let mut h = Harness::new("", Vec::new(), "");
    h.credentials = "[temp]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = s\n\
                     aws_session_token = t\nx_security_token_expires = 2026-11-22T10:10:00Z\n"
        .into();
    let out = h.start();
    let told = events_of(&out, "warning_due");
    assert_eq!(told.len(), 1);
    let EngineEvent::WarningDue(w) = &told[0] else {
        unreachable!()
    };
    assert_eq!(
        (w.kind, w.subject.as_str()),
        (WarningKind::OtherToolKeys, "temp")
    );
    assert!(w.message().contains("rerun that tool"));
    let told = warnings(&h.run_events(T0 + Duration::minutes(20), HOUR));
    assert_eq!(told.len(), 1, "the five-minute lead");
    assert_eq!(told[0].0, T0 + Duration::minutes(5));
}

#[test]
fn renewals_failing_while_keys_lapse_are_warned_about() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let sso = h.node("sso");
    h.step(vec![h.ok(&sso, HOUR)]);
    let mut told = Vec::new();
    while h.wall < T0 + Duration::minutes(58) {
        let out = h.after(Duration::seconds(10));
        let failures: Vec<_> = super::kit::started(&out)
            .iter()
            .map(|n| {
                h.fail(
                    n,
                    "access_denied_by_policy",
                    "STS refused the request",
                    false,
                )
            })
            .collect();
        told.extend(events_of(&out, "warning_due"));
        told.extend(events_of(&h.step(failures), "warning_due"));
    }
    let leads: Vec<_> = told
        .iter()
        .map(|e| match e {
            EngineEvent::WarningDue(w) => (w.kind, w.lead_seconds),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        leads,
        [
            (WarningKind::RenewalFailing, 900),
            (WarningKind::RenewalFailing, 300)
        ]
    );
}

#[test]
fn leads_are_divided_by_the_time_scale() {
    let mut h = Harness::scaled(
        &sso_config(0),
        vec![unrefreshable(Duration::seconds(40))],
        "",
        60.0,
    );
    h.start();
    let told = warnings(&h.run_events(T0 + Duration::seconds(50), Duration::minutes(1)));
    let got: Vec<_> = told
        .iter()
        .map(|(at, w)| (*at - T0, w.lead_seconds))
        .collect();
    assert_eq!(
        got,
        [(Duration::seconds(25), 15), (Duration::seconds(35), 5)]
    );
}
