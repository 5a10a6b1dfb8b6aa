use super::*;
use crate::keeper::graph::NodeId;
use crate::keeper::status::ProfileRenewal;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn login(session: &str, profiles: &[&str]) -> EngineEvent {
    EngineEvent::LoginNeeded {
        session: session.into(),
        profiles: names(profiles),
        reason: "IAM Identity Center refused the refresh token: the sign-in session ended".into(),
    }
}

fn woke(slept: i64, renewed: &[&str], failing: &[&str]) -> EngineEvent {
    EngineEvent::WokeSummary(WakeSummary {
        slept_seconds: slept,
        lapsed: Vec::new(),
        renewed: names(renewed),
        failing: names(failing),
    })
}

fn lease(profile: &str, state: RenewalState) -> EngineEvent {
    EngineEvent::LeaseChanged {
        renewal: ProfileRenewal {
            profile: profile.into(),
            section: profile.into(),
            node: NodeId::new(format!("sso:{profile}")),
            state,
            expires_at: None,
            renewed_at: None,
            next_renewal_at: None,
            mfa_session_ends_at: None,
            waiting_on: None,
            last_error: None,
            notes: Vec::new(),
        },
    }
}

fn mfa(serial: &str, profiles: &[&str]) -> EngineEvent {
    EngineEvent::MfaCodeNeeded {
        node: NodeId::new(format!("mfa:{serial}")),
        profiles: names(profiles),
        mfa_serial: serial.into(),
    }
}

/// Feeds `events`, returning every instruction in order.
fn feed(a: &mut Announcer, events: &[EngineEvent]) -> Vec<Announce> {
    feed_at(a, events, time::OffsetDateTime::UNIX_EPOCH)
}

fn feed_at(a: &mut Announcer, events: &[EngineEvent], now: time::OffsetDateTime) -> Vec<Announce> {
    events.iter().flat_map(|e| a.event(e, now)).collect()
}

fn shown(out: &[Announce]) -> Vec<&Notice> {
    out.iter()
        .filter_map(|a| match a {
            Announce::Show(n) => Some(n),
            Announce::Close(_) => None,
        })
        .collect()
}

fn topics(out: &[Announce]) -> BTreeSet<Topic> {
    shown(out).iter().map(|n| n.topic.clone()).collect()
}

#[test]
fn a_sleep_past_the_end_of_a_sign_in_is_one_notice_asking_to_sign_in_with_the_summary_in_it() {
    // At a time scale of 60, 80 real seconds asleep are 80 world minutes.
    let mut a = Announcer::new(60.0, true);
    let sandbox = ["auditor", "dev-admin", "dev-readonly", "prod-readonly"];
    let out = feed(
        &mut a,
        &[
            login("sandbox", &sandbox),
            woke(80, &[], &["auditor", "breakglass", "dev-admin"]),
        ],
    );
    assert_eq!(
        topics(&out),
        BTreeSet::from([Topic::SignIn("sandbox".into())]),
        "{out:#?}"
    );
    let last = shown(&out).pop().expect("shown");
    assert_eq!(last.summary, "Sign in to sandbox: 4 leases wait");
    assert_eq!(last.action, Some(NoticeAction::SignIn("sandbox".into())));
    assert!(last.urgent);
    assert_eq!(
        last.body,
        "IAM Identity Center refused the refresh token: the sign-in session ended. \
         Waiting: auditor, dev-admin, dev-readonly and prod-readonly.\n\
         Back after 1 h 20 min asleep; still without keys: breakglass."
    );
    assert_eq!(
        last.body.matches("sign").count(),
        1,
        "no clause said twice: {}",
        last.body
    );
}

#[test]
fn a_summary_told_before_the_sign_in_is_needed_is_taken_into_it() {
    let mut a = Announcer::new(1.0, true);
    let first = feed(&mut a, &[woke(3000, &["dev"], &["prod"])]);
    assert_eq!(topics(&first), BTreeSet::from([Topic::Wake]));
    assert_eq!(
        shown(&first)[0].summary,
        "Back from sleep: 1 lease without keys"
    );
    let then = feed(&mut a, &[login("corp", &["prod"])]);
    assert_eq!(then[0], Announce::Close(Topic::Wake), "{then:#?}");
    let ask = shown(&then)[0];
    assert!(
        ask.body.ends_with(
            "Back after 50 min asleep; renewed by itself: dev; still without keys: prod."
        ),
        "{}",
        ask.body
    );
    assert_eq!(a.shown().count(), 1);
}

#[test]
fn an_mfa_device_and_a_session_needing_the_person_are_two_notices_one_each() {
    let mut a = Announcer::new(1.0, true);
    let out = feed(
        &mut a,
        &[
            login("corp", &["dev", "prod"]),
            mfa("arn:aws:iam::1:mfa/me", &["breakglass"]),
            mfa("arn:aws:iam::1:mfa/me", &["audit"]),
            woke(7200, &["static"], &["dev", "prod", "breakglass", "audit"]),
        ],
    );
    assert_eq!(
        topics(&out),
        BTreeSet::from([
            Topic::SignIn("corp".into()),
            Topic::MfaCode("arn:aws:iam::1:mfa/me".into()),
        ])
    );
    let mfa_notice = a
        .shown()
        .find(|n| matches!(n.topic, Topic::MfaCode(_)))
        .expect("open");
    assert_eq!(mfa_notice.summary, "MFA code needed: 2 leases wait");
    assert_eq!(
        mfa_notice.action,
        Some(NoticeAction::EnterCode("audit".into()))
    );
    let merged: Vec<_> = a.shown().filter(|n| n.body.contains("asleep")).collect();
    assert_eq!(merged.len(), 1, "the summary goes into one notice");
    assert!(
        merged[0]
            .body
            .contains("Back after 2 h asleep; renewed by itself: static."),
        "{}",
        merged[0].body
    );
}

#[test]
fn a_quiet_sleep_is_one_quiet_summary_or_none_by_the_setting() {
    let mut a = Announcer::new(1.0, true);
    let out = feed(&mut a, &[woke(600, &["dev", "prod"], &[])]);
    let n = shown(&out);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].summary, "Back from sleep: all renewed");
    assert_eq!(
        n[0].body,
        "Back after 10 min asleep; renewed by itself: dev and prod."
    );
    assert!(!n[0].urgent && n[0].action.is_none());

    let mut off = Announcer::new(1.0, false);
    assert!(feed(&mut off, &[woke(600, &["dev"], &[])]).is_empty());
    let nothing = feed(&mut Announcer::new(1.0, true), &[woke(600, &[], &[])]);
    assert!(nothing.is_empty(), "nothing renewed, nothing lost");
    let lost = feed(&mut off, &[woke(600, &[], &["dev"])]);
    assert_eq!(
        shown(&lost).len(),
        1,
        "keys still missing are told even with the summary off"
    );
}

#[test]
fn a_warning_and_the_sign_in_it_foretold_share_one_notification_closed_once_renewed() {
    let mut a = Announcer::new(60.0, true);
    let warn = EngineEvent::WarningDue(Warning {
        kind: WarningKind::SignInEnding,
        subject: "corp".into(),
        deadline: time::OffsetDateTime::UNIX_EPOCH,
        lead_seconds: 15,
        seconds_left: 15,
        estimated: true,
        profiles: names(&["dev"]),
        mfa_serial: None,
    });
    let out = feed(&mut a, &[warn, login("corp", &["dev", "prod"])]);
    let n = shown(&out);
    assert_eq!(n[0].summary, "Sign-in to corp ends in about 15 min");
    assert_eq!(n[0].topic, n[1].topic, "the same notification, replaced");
    assert_eq!(a.shown().count(), 1);
    assert!(feed(&mut a, &[lease("dev", RenewalState::Fresh)]).is_empty());
    assert!(feed(&mut a, &[lease("prod", RenewalState::Renewing)]).is_empty());
    assert_eq!(
        feed(&mut a, &[lease("prod", RenewalState::Fresh)]),
        [Announce::Close(Topic::SignIn("corp".into()))],
        "nothing waits on it any more"
    );
}

#[test]
fn a_failure_streak_is_told_once_and_a_code_accepted_closes_its_notice() {
    let mut a = Announcer::new(1.0, true);
    let failed = |code: &str, will_retry: bool| EngineEvent::RenewalFailed {
        node: NodeId::new("role:dev".into()),
        profiles: names(&["dev"]),
        code: code.into(),
        message: "STS is throttling".into(),
        will_retry,
    };
    assert_eq!(shown(&feed(&mut a, &[failed("throttled", true)])).len(), 1);
    assert!(feed(&mut a, &[failed("throttled", true)]).is_empty());
    let given_up = feed(&mut a, &[failed("throttled", false)]);
    assert_eq!(shown(&given_up).len(), 1, "no longer retried: told again");
    assert!(!shown(&given_up)[0].body.contains("keeps trying"));
    assert_eq!(
        feed(&mut a, &[lease("dev", RenewalState::Fresh)]),
        [Announce::Close(Topic::Renewal("dev".into()))]
    );
    assert_eq!(
        shown(&feed(&mut a, &[failed("throttled", true)])).len(),
        1,
        "a new streak"
    );

    feed(&mut a, &[mfa("arn:mfa", &["breakglass"])]);
    let accepted = EngineEvent::MfaCodeAccepted {
        serial: "arn:mfa".into(),
        request: 1,
        node: NodeId::new("mfa:arn:mfa".into()),
        profiles: names(&["breakglass"]),
        expires_at: time::OffsetDateTime::UNIX_EPOCH,
    };
    assert_eq!(
        feed(&mut a, &[accepted]),
        [Announce::Close(Topic::MfaCode("arn:mfa".into()))]
    );
}

#[test]
fn words_a_person_reads_once() {
    assert_eq!(span(0), "under a minute");
    assert_eq!(span(29), "under a minute");
    assert_eq!(span(90), "2 min");
    assert_eq!(span(3600), "1 h");
    assert_eq!(span(4800), "1 h 20 min");
    assert_eq!(span(86_400 * 2 + 3 * 3600), "2 d 3 h");
    assert_eq!(span(-5), "under a minute");
    assert!(
        span(i64::MAX).ends_with(" h"),
        "no overflow: {}",
        span(i64::MAX)
    );
    assert_eq!(list(&names(&["a"])), "a");
    assert_eq!(list(&names(&["a", "b"])), "a and b");
    assert_eq!(
        list(&names(&["a", "b", "c", "d", "e", "f"])),
        "a, b, c, d and 2 more"
    );
    assert_eq!(sentence("  the code was used "), "The code was used.");
    assert_eq!(sentence("élan?"), "Élan?");
    for action in [
        NoticeAction::SignIn("corp".into()),
        NoticeAction::EnterCode("dev admin".into()),
    ] {
        assert_eq!(NoticeAction::parse(&action.key()), Some(action.clone()));
    }
    assert_eq!(NoticeAction::parse("sign-in:"), None);
    assert_eq!(
        NoticeAction::EnterCode("it's".into()).command(),
        r"leasekeeper mfa --profile 'it'\''s'"
    );
    assert_eq!(
        NoticeAction::SignIn("corp".into()).command(),
        "leasekeeper login --sso-session corp"
    );
}

#[test]
fn a_summary_shown_alone_is_not_taken_into_a_notice_long_after() {
    let mut a = Announcer::new(60.0, true);
    let t0 = time::OffsetDateTime::UNIX_EPOCH;
    feed_at(&mut a, &[woke(600, &["dev"], &[])], t0);
    // 15 world minutes at a scale of 60: 15 real seconds.
    let later = feed_at(
        &mut a,
        &[login("corp", &["prod"])],
        t0 + time::Duration::seconds(20),
    );
    assert_eq!(later.len(), 1, "no wake closed: {later:#?}");
    assert!(!shown(&later)[0].body.contains("asleep"));
    // A second wake replaces the first's line in the notice asking.
    feed(&mut a, &[woke(60, &[], &[])]);
    let out = feed(&mut a, &[woke(120, &[], &["prod"])]);
    let body = &shown(&out)[0].body;
    assert_eq!(body.matches("asleep").count(), 1, "{body}");
    assert!(body.contains("Back after 2 h asleep"), "{body}");
}

#[test]
fn a_sign_in_that_ends_well_withdraws_the_notice_and_a_legacy_profile_signs_in_by_profile() {
    let mut a = Announcer::new(1.0, true);
    feed(&mut a, &[login("corp", &["dev"])]);
    assert_eq!(
        a.signed_in("corp"),
        [Announce::Close(Topic::SignIn("corp".into()))]
    );
    assert!(a.signed_in("corp").is_empty());
    let out = feed(
        &mut a,
        &[login("https://old.awsapps.com/start", &["legacy"])],
    );
    let n = shown(&out)[0];
    assert_eq!(n.action, Some(NoticeAction::SignInProfile("legacy".into())));
    assert_eq!(
        NoticeAction::SignInProfile("legacy".into()).command(),
        "leasekeeper login --profile legacy"
    );
}

#[test]
fn an_mfa_warning_and_the_need_it_foretold_share_the_device_s_notification() {
    let mut a = Announcer::new(1.0, true);
    let warn = EngineEvent::WarningDue(Warning {
        kind: WarningKind::MfaSessionEnding,
        subject: "alice".into(),
        deadline: time::OffsetDateTime::UNIX_EPOCH,
        lead_seconds: 900,
        seconds_left: 600,
        estimated: false,
        profiles: names(&["breakglass"]),
        mfa_serial: Some("arn:mfa".into()),
    });
    let out = feed(&mut a, &[warn, mfa("arn:mfa", &["breakglass"])]);
    assert_eq!(
        topics(&out),
        BTreeSet::from([Topic::MfaCode("arn:mfa".into())])
    );
    assert_eq!(a.shown().count(), 1);
}
