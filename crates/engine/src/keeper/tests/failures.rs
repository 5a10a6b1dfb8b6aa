//! Failed renewals: backoff, sessions that need a sign-in, refused
//! durations, expired parents (MFA codes: `mfa.rs`).

use time::Duration;

use super::kit::{Harness, SEED, corp_token, events_of, started};
use crate::keeper::Failure;
use crate::keeper::policy::unit_random;
use crate::keeper::testkit::sso_config;
use crate::keeper::{Action, Call, EngineEvent, Policy, RenewalState};
use crate::ports::{AwsError, Service};
use crate::signin::{SessionOver, SignInError};

const HOUR: Duration = Duration::HOUR;

#[test]
fn failed_renewals_retry_after_doubling_jittered_delays_capped_at_five_minutes() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let sso = h.node("sso");
    let policy = Policy::default();
    for (n, base) in [10, 20, 40, 80, 160, 300, 300].into_iter().enumerate() {
        let failures = u32::try_from(n + 1).expect("small");
        let throttled = Failure::from_aws(&AwsError::Throttled {
            service: Service::Sts,
        });
        let out = h.step(vec![h.failed(&sso, throttled)]);
        assert!(started(&out).is_empty(), "no immediate retry");
        let told = events_of(&out, "renewal_failed");
        assert_eq!(told.len(), usize::from(n == 0), "a streak is told once");
        let delay = policy.retry_delay(
            failures,
            unit_random(SEED, sso.as_str(), u64::from(failures) << 32),
        );
        let base = Duration::seconds(base);
        assert!(
            delay <= base && delay >= base * 0.8,
            "retry {failures}: {delay} for {base}"
        );
        assert!(
            started(&h.after(delay - Duration::SECOND)).is_empty(),
            "retry {failures} early"
        );
        assert_eq!(
            started(&h.after(Duration::SECOND)),
            std::slice::from_ref(&sso),
            "retry {failures}"
        );
    }
    let status = &h.state.renewals(h.wall)[0];
    assert_eq!(status.state, RenewalState::Renewing);
    h.step(vec![h.ok(&sso, HOUR)]);
    let status = &h.state.renewals(h.wall)[0];
    assert_eq!(
        (status.state, status.last_error.is_none()),
        (RenewalState::Fresh, true)
    );
}

#[test]
fn a_node_whose_parent_needs_a_sign_in_is_not_attempted() {
    let mut h = Harness::new(&sso_config(2), Vec::new(), "");
    let out = h.start();
    assert!(started(&out).is_empty());
    let login = events_of(&out, "login_needed");
    assert_eq!(login.len(), 1);
    assert!(
        matches!(&login[0], EngineEvent::LoginNeeded { session, profiles, .. }
        if session == "corp" && profiles.len() == 3)
    );
    for _ in 0..120 {
        let out = h.after(Duration::minutes(1));
        assert!(started(&out).is_empty(), "no retry storm");
        assert!(events_of(&out, "login_needed").is_empty(), "told once");
    }
    let r00 = h
        .state
        .renewals(h.wall)
        .into_iter()
        .find(|r| r.profile == "r00")
        .expect("managed");
    assert_eq!(r00.state, RenewalState::NeedsLogin);
    assert_eq!(
        r00.waiting_on.as_ref(),
        Some(&h.parent("sso")),
        "its lease shows why"
    );
    // Signing in writes a token: the chain renews at once.
    h.tokens = vec![corp_token(Duration::hours(8))];
    let files = h.files();
    assert_eq!(started(&h.step(vec![files])), [h.node("sso")]);
}

#[test]
fn a_portal_401_ends_the_session_until_a_new_token_appears() {
    let mut h = Harness::new(&sso_config(1), vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    let sso = h.node("sso");
    assert_eq!(started(&out), std::slice::from_ref(&sso));
    let refused = h.failed(
        &sso,
        Failure::from_signin(&SignInError::NeedsLogin {
            target: "corp".into(),
            reason: SessionOver::PortalRefused,
        }),
    );
    let out = h.step(vec![refused]);
    assert!(started(&out).is_empty());
    let login = events_of(&out, "login_needed");
    assert_eq!(login.len(), 1, "even though the file claims a valid token");
    assert!(
        matches!(&login[0], EngineEvent::LoginNeeded { reason, .. }
            if !reason.contains("sign in to corp")),
        "the reason does not repeat what the event says: {login:?}"
    );
    assert!(
        events_of(&out, "renewal_failed").is_empty(),
        "the session's end is one event, not a failed renewal too"
    );
    for _ in 0..30 {
        assert!(started(&h.after(Duration::minutes(1))).is_empty());
    }
    // The same token read again is still refused; a new one is used.
    let files = h.files();
    assert!(started(&h.step(vec![files])).is_empty());
    let mut fresh = corp_token(Duration::hours(9));
    fresh.access_token = "AT-new".into();
    h.tokens = vec![fresh];
    let files = h.files();
    assert_eq!(started(&h.step(vec![files])), [sso]);
}

fn keys_and_role(extra: &str) -> String {
    format!(
        "[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\
         [profile direct]\nrole_arn = arn:aws:iam::3:role/Direct\nsource_profile = keys\n{extra}"
    )
}

fn asked_duration(actions: &[Action]) -> Vec<Option<u32>> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Renew {
                call: Call::AssumeRole {
                    duration_seconds, ..
                },
                ..
            } => Some(*duration_seconds),
            _ => None,
        })
        .collect()
}

#[test]
fn a_refused_duration_is_retried_at_once_without_it_and_reported() {
    let mut h = Harness::new(
        &keys_and_role("duration_seconds = 7200\n"),
        Vec::new(),
        "[renew]\nstatic_keys = true\n",
    );
    let out = h.start();
    assert_eq!(asked_duration(&out.actions), [Some(7200)]);
    let direct = h.node("direct");
    let refused = h.failed(
        &direct,
        Failure::from_aws(&AwsError::Validation {
            service: Service::Sts,
            message:
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                    .into(),
        }),
    );
    let out = h.step(vec![refused]);
    assert_eq!(
        asked_duration(&out.actions),
        [None],
        "retried in the same step, without DurationSeconds"
    );
    let told = events_of(&out, "duration_refused");
    assert_eq!(told.len(), 1);
    assert!(matches!(
        &told[0],
        EngineEvent::DurationRefused {
            asked_seconds: 7200,
            ..
        }
    ));
    assert!(
        events_of(&out, "renewal_failed").is_empty(),
        "not a failure of the renewal"
    );
    h.step(vec![h.ok(&direct, HOUR)]);
    let status = &h.state.renewals(h.wall)[0];
    assert!(
        status
            .notes
            .iter()
            .any(|n| n.contains("STS refused duration_seconds = 7200")),
        "{status:?}"
    );
    let later = h.after(Duration::minutes(30));
    assert_eq!(
        asked_duration(&later.actions),
        [None],
        "later renewals keep asking for none"
    );
}

#[test]
fn a_validation_error_without_a_duration_asked_is_a_plain_failure() {
    let mut h = Harness::new(
        &keys_and_role(""),
        Vec::new(),
        "[renew]\nstatic_keys = true\n",
    );
    let out = h.start();
    assert_eq!(asked_duration(&out.actions), [None]);
    let direct = h.node("direct");
    let out = h.step(vec![h.fail(
        &direct,
        "validation",
        "1 validation error detected: DurationSeconds",
        false,
    )]);
    assert!(started(&out).is_empty());
    assert_eq!(events_of(&out, "renewal_failed").len(), 1);
}

#[test]
fn keys_refused_as_expired_are_not_used_again_until_the_file_changes() {
    let mut h = Harness::new(&keys_and_role(""), Vec::new(), "");
    h.config = h.config.replace(
        "aws_secret_access_key = s\n",
        "aws_secret_access_key = s\naws_session_token = t\nx_security_token_expires = 2026-11-22T12:00:00Z\n",
    );
    let out = h.start();
    let direct = h.node("direct");
    assert_eq!(
        started(&out),
        std::slice::from_ref(&direct),
        "roles over another tool's keys renew silently"
    );
    let out = h.step(vec![h.fail(
        &direct,
        "expired_credentials",
        "the credentials have expired",
        false,
    )]);
    assert!(started(&out).is_empty());
    assert!(started(&h.after(Duration::minutes(10))).is_empty());
    let files = h.files();
    assert_eq!(started(&h.step(vec![files])), [direct]);
}
