//! MFA asked once: an MFA session over long-term keys waits for a code,
//! then feeds its roles without another until it ends; a role over anything
//! else needs a code each time; a code is used once.

use time::Duration;

use super::kit::{Harness, corp_token, events_of, started};
use crate::Secret;
use crate::keeper::testkit::{T0, sso_config};
use crate::keeper::{Action, Call, Command, EngineEvent, Input, MfaCode, RenewalState, StepOutput};

const HOUR: Duration = Duration::HOUR;
const SERIAL: &str = "arn:aws:iam::3:mfa/me";

/// Long-term keys `keys` and the role `direct` over them, with `mfa_serial`.
fn mfa_config() -> String {
    format!(
        "[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\
         [profile direct]\nrole_arn = arn:aws:iam::3:role/Direct\nsource_profile = keys\nmfa_serial = {SERIAL}\n"
    )
}

fn code(c: &str) -> Input {
    Input::MfaCode(MfaCode {
        serial: SERIAL.to_owned(),
        code: Secret::new(c),
        request: 0,
    })
}

/// The calls `out` starts: (node, call, code sent).
fn calls(out: &StepOutput) -> Vec<(String, Call, Option<String>)> {
    out.actions
        .iter()
        .filter_map(|a| match a {
            Action::Renew {
                node,
                call,
                token_code,
                ..
            } => Some((
                node.to_string(),
                call.clone(),
                token_code.as_ref().map(|c| c.expose().to_owned()),
            )),
            _ => None,
        })
        .collect()
}

fn refusals(out: &StepOutput) -> Vec<String> {
    events_of(out, "mfa_code_refused")
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::MfaCodeRefused { code, .. } => Some(code),
            _ => None,
        })
        .collect()
}

fn state_of(h: &Harness, profile: &str) -> RenewalState {
    let all = h.state.renewals(h.wall);
    all.iter()
        .find(|r| r.profile == profile)
        .map(|r| r.state)
        .expect("managed")
}

/// A harness whose MFA session was obtained at T0 for `life`, with the
/// role's first keys (one hour) obtained too.
fn with_session(life: Duration) -> Harness {
    let mut h = Harness::new(&mfa_config(), Vec::new(), "");
    h.start();
    let out = h.step(vec![code("123456")]);
    let session = h.parent("direct");
    assert_eq!(started(&out), std::slice::from_ref(&session));
    let out = h.step(vec![h.ok(&session, life)]);
    let direct = h.node("direct");
    assert_eq!(started(&out), std::slice::from_ref(&direct));
    h.step(vec![h.ok(&direct, HOUR)]);
    h
}

#[test]
fn an_mfa_role_over_long_term_keys_is_managed_without_static_keys() {
    let h = {
        let mut h = Harness::new(&mfa_config(), Vec::new(), "");
        h.start();
        h
    };
    assert!(h.state.graph().managed().contains_key("direct"));
    let off = Harness::new(
        &mfa_config(),
        Vec::new(),
        "[profiles.direct]\nrenew = false\n",
    );
    let mut off = off;
    off.start();
    assert!(!off.state.graph().managed().contains_key("direct"));
}

#[test]
fn an_mfa_session_waits_for_a_code_and_then_feeds_its_roles() {
    let mut h = Harness::new(&mfa_config(), Vec::new(), "");
    let out = h.start();
    assert!(started(&out).is_empty(), "nothing starts without a code");
    let asked = events_of(&out, "mfa_code_needed");
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0]
            .message()
            .contains("run `leasekeeper mfa --profile direct`"),
        "{}",
        asked[0].message()
    );
    assert_eq!(state_of(&h, "direct"), RenewalState::NeedsMfaCode);
    // Asking for a refresh starts nothing either: only a code does.
    let out = h.step(vec![Input::Command(Command::Refresh {
        profile: "direct".into(),
    })]);
    assert!(started(&out).is_empty());
    assert!(started(&h.after(HOUR)).is_empty());

    let out = h.step(vec![code("123456")]);
    let session = h.parent("direct");
    let got = calls(&out);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, session.to_string());
    assert_eq!(got[0].2.as_deref(), Some("123456"), "the code goes with it");
    let request = got[0]
        .1
        .session_token_request(Some(Secret::new("123456")))
        .expect("GetSessionToken");
    assert_eq!(
        request.duration_seconds,
        Some(43_200),
        "12 hours by default"
    );
    assert_eq!(request.serial_number.as_deref(), Some(SERIAL));

    let out = h.step(vec![h.ok(&session, Duration::hours(12))]);
    let accepted = events_of(&out, "mfa_code_accepted");
    assert_eq!(accepted.len(), 1);
    let told = crate::keeper::Announcer::new(1.0, true).event(&accepted[0], h.wall);
    assert!(
        !told
            .iter()
            .any(|a| matches!(a, crate::keeper::Announce::Show(_))),
        "the person just typed it: {told:?}"
    );
    let got = calls(&out);
    assert_eq!(got.len(), 1, "then the role: {got:?}");
    assert_eq!(got[0].2, None, "no code for the role");
    let role = got[0].1.assume_role_request("s", None).expect("AssumeRole");
    assert_eq!(role.serial_number, None, "the session carries the MFA");
}

#[test]
fn roles_renew_silently_until_the_session_ends_then_need_a_code() {
    let mut h = with_session(Duration::hours(12));
    let notes = &h.state.renewals(h.wall)[0].notes;
    assert_eq!(
        notes,
        &["renews without an MFA code until the MFA session ends at 2026-11-22T22:00:00Z"]
    );
    let session = h.parent("direct");
    let direct = h.node("direct");
    let log = h.run(T0 + Duration::hours(14), HOUR);
    let renewals: Vec<_> = log
        .iter()
        .filter_map(|(at, a)| match a {
            Action::Renew { node, .. } => Some((*at, node.clone())),
            _ => None,
        })
        .collect();
    assert!(
        renewals.iter().all(|(_, n)| n == &direct),
        "the session is never renewed by itself"
    );
    let notes = &h.state.renewals(T0 + Duration::hours(14))[0].notes;
    assert!(notes.is_empty(), "the session ended: {notes:?}");
    // Half-hourly for twelve hours, the last just before the session ends.
    assert!((22..=25).contains(&renewals.len()), "{}", renewals.len());
    let last = renewals.last().expect("renewed").0;
    assert!(
        last > T0 + Duration::hours(12) - Duration::minutes(3)
            && last <= T0 + Duration::hours(12) - Duration::minutes(2),
        "last renewal at {}",
        last - T0
    );
    assert_eq!(
        state_of(&h, "direct"),
        RenewalState::NeedsMfaCode,
        "its keys lapsed an hour after the session"
    );
    let asked: Vec<_> = log
        .iter()
        .filter(|(_, a)| matches!(a, Action::Emit(EngineEvent::MfaCodeNeeded { .. })))
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(asked, [T0 + Duration::hours(12)], "asked once, as it ends");
    assert!(h.state.graph().node(&session).is_some());
}

#[test]
fn a_code_equal_to_the_last_accepted_is_refused_within_its_window() {
    let mut h = with_session(Duration::hours(12));
    // T0 starts a 30-second step: that step and the next two refuse the code.
    for wait in [0, 29, 1, 30, 29] {
        h.advance(Duration::seconds(wait));
        let out = h.step(vec![code("123456")]);
        assert_eq!(refusals(&out), ["mfa_code_reused"], "{}", h.wall - T0);
        assert!(started(&out).is_empty(), "nothing is sent to AWS");
    }
    // Three steps on, the same six digits are the device's new code.
    h.advance(Duration::seconds(1));
    let out = h.step(vec![code("123456")]);
    assert!(refusals(&out).is_empty());
    assert_eq!(started(&out), [h.parent("direct")], "a new session");
    // Another code is refused while that one is checked.
    let out = h.step(vec![code("654321")]);
    assert_eq!(refusals(&out), ["mfa_code_busy"]);
}

#[test]
fn malformed_codes_and_unknown_devices_are_refused_at_once() {
    let mut h = Harness::new(&mfa_config(), Vec::new(), "");
    h.start();
    for bad in ["12345", "1234567", "12a456", ""] {
        let out = h.step(vec![code(bad)]);
        assert_eq!(refusals(&out), ["mfa_code_malformed"], "{bad:?}");
    }
    let out = h.step(vec![Input::MfaCode(MfaCode {
        serial: "arn:aws:iam::3:mfa/other".into(),
        code: Secret::new("123456"),
        request: 0,
    })]);
    assert_eq!(refusals(&out), ["mfa_serial_unknown"]);
    let told = events_of(&out, "mfa_code_refused");
    assert!(
        !format!("{told:?}").contains("123456"),
        "codes are not told"
    );
    assert!(started(&out).is_empty());
}

#[test]
fn a_code_aws_refuses_is_told_and_the_profile_keeps_waiting() {
    let mut h = Harness::new(&mfa_config(), Vec::new(), "");
    h.start();
    h.step(vec![code("111111")]);
    let session = h.parent("direct");
    let out = h.step(vec![h.fail(
        &session,
        "access_denied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        false,
    )]);
    assert_eq!(refusals(&out), ["access_denied"]);
    assert!(started(&out).is_empty());
    assert!(
        started(&h.after(Duration::minutes(10))).is_empty(),
        "no retry"
    );
    assert_eq!(state_of(&h, "direct"), RenewalState::NeedsMfaCode);
    // A refused code is not "used": typing it again reaches AWS again.
    let out = h.step(vec![code("111111")]);
    assert_eq!(started(&out), [session]);
}

#[test]
fn a_role_over_sso_with_mfa_needs_a_code_for_every_renewal() {
    let config = format!(
        "{}\n[profile guarded]\nrole_arn = arn:aws:iam::3:role/G\nsource_profile = sso\nmfa_serial = {SERIAL}\n",
        sso_config(0)
    );
    let mut h = Harness::new(&config, vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    assert_eq!(events_of(&out, "mfa_code_needed").len(), 1);
    let sso = h.node("sso");
    let guarded = h.node("guarded");
    let out = h.step(vec![
        h.ok(&sso, HOUR),
        Input::Command(Command::Refresh {
            profile: "guarded".into(),
        }),
    ]);
    assert!(!started(&out).contains(&guarded), "not without a code");
    let out = h.step(vec![code("222222")]);
    let got = calls(&out);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, guarded.to_string());
    let request = got[0]
        .1
        .assume_role_request("s", got[0].2.clone().map(Secret::new))
        .expect("AssumeRole");
    assert_eq!(request.serial_number.as_deref(), Some(SERIAL));
    assert_eq!(
        request.token_code.map(|c| c.expose().to_owned()).as_deref(),
        Some("222222")
    );
    h.step(vec![h.ok(&guarded, HOUR)]);
    assert_eq!(state_of(&h, "guarded"), RenewalState::Fresh);
    // Never renewed by itself: at its end it needs the person again.
    for _ in 0..13 {
        let out = h.after(Duration::minutes(5));
        assert!(!started(&out).contains(&guarded));
        let sso_renewals: Vec<_> = started(&out).iter().map(|n| h.ok(n, HOUR)).collect();
        h.step(sso_renewals);
    }
    assert_eq!(state_of(&h, "guarded"), RenewalState::NeedsMfaCode);
}

#[test]
fn the_session_lasts_as_the_settings_say() {
    let mut h = Harness::new(
        &mfa_config(),
        Vec::new(),
        "[mfa]\nsession_duration = \"1h\"\n",
    );
    h.start();
    let out = h.step(vec![code("123456")]);
    let got = calls(&out);
    let request = got[0]
        .1
        .session_token_request(None)
        .expect("GetSessionToken");
    assert_eq!(request.duration_seconds, Some(3600));
}

#[test]
fn a_code_never_shows_in_what_the_keeper_prints() {
    let mut h = Harness::new(&mfa_config(), Vec::new(), "");
    h.start();
    let given = code("987654");
    assert!(!format!("{given:?}").contains("987654"));
    let out = h.step(vec![given]);
    assert_eq!(started(&out).len(), 1);
    assert!(!format!("{out:?}").contains("987654"), "{out:?}");
    assert!(!format!("{:?}", h.state).contains("987654"));
    let session = h.parent("direct");
    let out = h.step(vec![h.ok(&session, HOUR)]);
    let told: Vec<String> = events_of(&out, "mfa_code_accepted")
        .iter()
        .map(|e| format!("{} {}", e.message(), serde_json::to_string(e).unwrap()))
        .collect();
    assert_eq!(told.len(), 1);
    assert!(!told[0].contains("987654"), "{}", told[0]);
}

#[test]
fn a_code_for_a_chain_waiting_for_a_sign_in_or_whose_profiles_changed_is_refused() {
    let config = format!(
        "{}\n[profile guarded]\nrole_arn = arn:aws:iam::3:role/G\nsource_profile = sso\nmfa_serial = {SERIAL}\n",
        sso_config(0)
    );
    // No token: the SSO role above `guarded` waits for a sign-in.
    let mut h = Harness::new(&config, Vec::new(), "");
    h.start();
    let out = h.step(vec![code("333333")]);
    assert_eq!(refusals(&out), ["mfa_needs_sign_in"]);
    assert!(started(&out).is_empty());

    let mut h = Harness::new(&mfa_config(), Vec::new(), "");
    h.start();
    h.step(vec![code("444444")]);
    let session = h.parent("direct");
    // The role is removed from the config while the code is checked.
    h.config =
        "[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n".into();
    let files = h.files();
    h.step(vec![files]);
    let out = h.step(vec![h.ok(&session, Duration::hours(12))]);
    assert_eq!(refusals(&out), ["mfa_profile_changed"]);
    assert!(events_of(&out, "mfa_code_accepted").is_empty());
}

#[test]
fn each_code_ends_in_one_event_carrying_its_request() {
    let mut h = Harness::new(&mfa_config(), Vec::new(), "");
    h.start();
    let given = |request: u64, c: &str| {
        Input::MfaCode(MfaCode {
            serial: SERIAL.to_owned(),
            code: Secret::new(c),
            request,
        })
    };
    h.step(vec![given(7, "123456")]);
    let out = h.step(vec![given(8, "654321")]);
    let busy = events_of(&out, "mfa_code_refused");
    assert!(
        matches!(&busy[..], [EngineEvent::MfaCodeRefused { request: 8, code, .. }] if code == "mfa_code_busy"),
        "{busy:?}"
    );
    let session = h.parent("direct");
    let out = h.step(vec![h.ok(&session, HOUR)]);
    let accepted = events_of(&out, "mfa_code_accepted");
    assert!(
        matches!(
            &accepted[..],
            [EngineEvent::MfaCodeAccepted { request: 7, .. }]
        ),
        "{accepted:?}"
    );
}

#[test]
fn a_code_waiting_for_a_free_slot_lapses_with_its_refusal() {
    // One call at a time, and `other` (no MFA) renewing when the code comes.
    let config = format!(
        "{}[profile other]\nrole_arn = arn:aws:iam::3:role/Other\nsource_profile = keys\n",
        mfa_config()
    );
    let mut h = Harness::new(
        &config,
        Vec::new(),
        "[renew]\nstatic_keys = true\nconcurrency = 1\n",
    );
    let out = h.start();
    let other = h.node("other");
    assert_eq!(started(&out), std::slice::from_ref(&other));
    let out = h.step(vec![code("123456")]);
    assert!(started(&out).is_empty(), "every slot is busy");
    assert!(refusals(&out).is_empty());
    assert!(
        out.next_wake <= std::time::Duration::from_secs(90),
        "the keeper wakes when the code would lapse: {:?}",
        out.next_wake
    );

    // Still waiting after AWS's window: the code is dropped and refused.
    let out = h.after(Duration::seconds(95));
    assert_eq!(refusals(&out), ["mfa_code_expired"]);
    assert_eq!(state_of(&h, "direct"), RenewalState::NeedsMfaCode);

    // The slot frees: the session does not start without a new code.
    let out = h.step(vec![h.ok(&other, HOUR)]);
    let session = h.parent("direct");
    assert!(!started(&out).contains(&session), "{:?}", started(&out));
    let out = h.step(vec![code("654321")]);
    assert_eq!(started(&out), std::slice::from_ref(&session));
}
