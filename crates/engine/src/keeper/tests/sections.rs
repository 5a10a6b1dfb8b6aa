//! Our credentials-file sections: written on renewal, removed when lapsed,
//! on sign-out, on exit, when moved; a refused write told once.

use time::Duration;

use super::kit::{Harness, corp_token, events_of, removes, started, writes};
use crate::keeper::testkit::{T0, sso_config};
use crate::keeper::{Action, Command, Input, RemoveReason, WriteFailure};
use crate::settings::Settings;
use crate::write::credentials::ManagedKeys;

const HOUR: Duration = Duration::HOUR;

fn ours(section: &str, expires_at: time::OffsetDateTime) -> ManagedKeys {
    ManagedKeys {
        section: section.into(),
        line: 1,
        expires_at: Some(expires_at),
    }
}

#[test]
fn renewed_keys_are_written_once_to_the_profile_s_section() {
    let mut h = Harness::new(
        &sso_config(1),
        vec![corp_token(Duration::hours(8))],
        "[profiles.r00]\nsection = \"r00-keys\"\ntake_over = true\n",
    );
    h.start();
    let sso = h.node("sso");
    let out = h.step(vec![h.ok(&sso, HOUR)]);
    assert_eq!(
        writes(&out),
        [("sso".to_owned(), T0 + HOUR)],
        "default: the profile's own name"
    );
    let r00 = h.node("r00");
    let out = h.step(vec![h.ok(&r00, HOUR)]);
    assert_eq!(writes(&out), [("r00-keys".to_owned(), T0 + HOUR)]);
    assert!(
        out.actions.iter().any(
            |a| matches!(a, Action::Write { take_over: true, profile, .. } if profile == "r00")
        )
    );
    assert!(
        writes(&h.after(Duration::minutes(1))).is_empty(),
        "not again for the same keys"
    );
    let log = h.run(T0 + Duration::minutes(31), HOUR);
    let mut written: Vec<_> = log
        .iter()
        .filter_map(|(_, a)| match a {
            Action::Write { section, .. } => Some(section.as_str()),
            _ => None,
        })
        .collect();
    written.sort_unstable();
    assert_eq!(written, ["r00-keys", "sso"], "each renewal writes once");
}

#[test]
fn sections_left_from_before_are_removed_when_they_lapse_unrenewed() {
    let mut h = Harness::new(&sso_config(0), Vec::new(), "");
    h.sections = vec![
        ours("gone", T0 - Duration::minutes(1)),
        ours("later", T0 + Duration::minutes(10)),
        ours("sso", T0 + Duration::minutes(20)),
    ];
    let out = h.start();
    assert_eq!(removes(&out), [("gone".to_owned(), RemoveReason::Lapsed)]);
    assert!(
        removes(&h.after(Duration::minutes(5))).is_empty(),
        "asked once"
    );
    let log = h.run(T0 + Duration::minutes(30), HOUR);
    let gone: Vec<_> = log
        .iter()
        .filter_map(|(at, a)| match a {
            Action::Remove { section, .. } => Some((*at - T0, section.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        gone,
        [
            (Duration::minutes(10), "later"),
            (Duration::minutes(20), "sso")
        ],
        "at their expiry; sso needs a sign-in, so its keys lapse unrenewed"
    );
}

#[test]
fn a_section_someone_removed_is_written_again() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let sso = h.node("sso");
    h.step(vec![h.ok(&sso, HOUR)]);
    h.sections = vec![ours("sso", T0 + HOUR)];
    let files = h.files();
    assert!(writes(&h.step(vec![files])).is_empty());
    h.sections.clear();
    let files = h.files();
    assert_eq!(
        writes(&h.step(vec![files])),
        [("sso".to_owned(), T0 + HOUR)]
    );
}

#[test]
fn signing_out_removes_the_session_s_sections_at_once() {
    let mut h = Harness::new(&sso_config(2), vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    h.settle(out, HOUR);
    let out = h.step(vec![Input::Command(Command::SignedOut {
        session: "corp".into(),
    })]);
    let mut gone = removes(&out);
    gone.sort_by(|a, b| a.0.cmp(&b.0));
    let want: Vec<_> = ["r00", "r01", "sso"]
        .iter()
        .map(|s| ((*s).to_owned(), RemoveReason::SignedOut))
        .collect();
    assert_eq!(gone, want);
    let forgotten = out
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Forget { .. }))
        .count();
    assert_eq!(forgotten, 3, "the host drops the keys");
    assert!(
        events_of(&out, "login_needed").is_empty(),
        "a deliberate sign-out is not nagged about"
    );
    for _ in 0..10 {
        let out = h.after(Duration::minutes(10));
        assert!(started(&out).is_empty() && writes(&out).is_empty());
    }
}

#[test]
fn exiting_removes_our_sections_only_when_the_settings_ask() {
    for (settings, expect) in [("", 0), ("[renew]\nremove_on_exit = true\n", 2)] {
        let mut h = Harness::new(
            &sso_config(1),
            vec![corp_token(Duration::hours(8))],
            settings,
        );
        let out = h.start();
        h.settle(out, HOUR);
        let out = h.step(vec![Input::Command(Command::Shutdown)]);
        assert_eq!(removes(&out).len(), expect, "{settings}");
        assert!(
            removes(&out)
                .iter()
                .all(|(_, r)| *r == RemoveReason::Exiting)
        );
        let later = h.after(HOUR);
        assert!(
            later.actions.is_empty(),
            "nothing after shutdown: {later:?}"
        );
    }
}

#[test]
fn a_refused_write_is_told_once_and_not_retried_for_the_same_keys() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let sso = h.node("sso");
    h.step(vec![h.ok(&sso, HOUR)]);
    let refused = Input::WriteFailed(WriteFailure {
        section: "sso".into(),
        code: "section_not_ours".into(),
        message: "section [sso] at line 3 holds keys leasekeeper did not write".into(),
    });
    let out = h.step(vec![refused.clone()]);
    assert_eq!(events_of(&out, "write_failed").len(), 1);
    assert!(writes(&out).is_empty());
    assert!(writes(&h.after(Duration::minutes(1))).is_empty());
    // The file changed: tried again; refused again, not told again.
    let files = h.files();
    assert_eq!(writes(&h.step(vec![files])).len(), 1);
    assert!(events_of(&h.step(vec![refused]), "write_failed").is_empty());
    assert!(
        removes(&h.after(Duration::minutes(1))).is_empty(),
        "a section not ours is never removed"
    );
}

#[test]
fn a_section_moved_in_the_settings_is_removed_from_its_old_place() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let sso = h.node("sso");
    h.step(vec![h.ok(&sso, HOUR)]);
    let (moved, _) = Settings::parse("[profiles.sso]\nsection = \"sso-keys\"\n");
    let out = h.step(vec![Input::Settings(Box::new(moved))]);
    assert_eq!(writes(&out), [("sso-keys".to_owned(), T0 + HOUR)]);
    assert_eq!(removes(&out), [("sso".to_owned(), RemoveReason::Moved)]);
}
