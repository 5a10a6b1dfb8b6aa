//! A client of the keeper asking it to tell the person: once per need,
//! and not at all when the keeper's own announcement covers it.

use time::Duration;

use super::kit::{Harness, corp_token, events_of};
use crate::keeper::testkit::sso_config;
use crate::keeper::{Command, EngineEvent, Input, PersonNeed, REASK_AFTER, StepOutput};

fn ask(h: &mut Harness, profile: &str, need: PersonNeed) -> StepOutput {
    h.step(vec![Input::Command(Command::PersonNeeded {
        profile: profile.to_owned(),
        need,
    })])
}

fn login(session: &str) -> PersonNeed {
    PersonNeed::Login {
        session: session.to_owned(),
    }
}

fn told(out: &StepOutput) -> Vec<EngineEvent> {
    let mut all = events_of(out, "login_needed");
    all.extend(events_of(out, "mfa_code_needed"));
    all
}

#[test]
fn a_need_the_keeper_already_announced_is_not_told_again() {
    // No token at all: the keeper announces the sign-in itself.
    let mut h = Harness::new(&sso_config(1), Vec::new(), "");
    let out = h.start();
    assert_eq!(told(&out).len(), 1, "the keeper's own announcement");
    for _ in 0..3 {
        let out = ask(&mut h, "r00", login("corp"));
        assert!(told(&out).is_empty(), "{:?}", told(&out));
    }
}

#[test]
fn a_need_the_keeper_does_not_see_is_told_once_per_spacing() {
    // The keeper renews nothing of session `other` (no profile uses it).
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let out = ask(&mut h, "elsewhere", login("other"));
    let events = told(&out);
    assert_eq!(events.len(), 1, "{events:?}");
    match &events[0] {
        EngineEvent::LoginNeeded {
            session, profiles, ..
        } => {
            assert_eq!(session, "other");
            assert_eq!(profiles, &["elsewhere"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        events[0].message().starts_with("sign in to other again"),
        "{}",
        events[0].message()
    );
    // The SDK runs credential-process again and again: silence.
    for _ in 0..5 {
        h.advance(Duration::minutes(5));
        assert!(told(&ask(&mut h, "elsewhere", login("other"))).is_empty());
    }
    // A different need is its own.
    let mfa = PersonNeed::MfaCode {
        mfa_serial: "arn:aws:iam::3:mfa/me".into(),
    };
    let out = ask(&mut h, "guarded", mfa.clone());
    assert!(
        matches!(&told(&out)[..], [EngineEvent::MfaCodeNeeded { mfa_serial, profiles, .. }]
            if mfa_serial == "arn:aws:iam::3:mfa/me" && profiles == &["guarded"]),
        "{:?}",
        told(&out)
    );
    assert!(told(&ask(&mut h, "guarded", mfa)).is_empty());
    // An hour after it was first told, it is told again.
    h.advance(REASK_AFTER - Duration::minutes(25));
    assert_eq!(told(&ask(&mut h, "elsewhere", login("other"))).len(), 1);
}

#[test]
fn a_need_the_keeper_has_not_seen_yet_is_told_with_its_profiles() {
    // The keeper holds a token it believes in; the client was refused.
    let mut h = Harness::new(&sso_config(1), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let out = ask(&mut h, "r00", login("corp"));
    match &told(&out)[..] {
        [EngineEvent::LoginNeeded { profiles, .. }] => {
            assert!(profiles.contains(&"r00".to_owned()), "{profiles:?}");
            assert!(profiles.contains(&"sso".to_owned()), "{profiles:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(told(&ask(&mut h, "sso", login("corp"))).is_empty());
}
