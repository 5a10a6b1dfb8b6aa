//! A refusal of our signature's time with no `Date` header (the SDK's
//! error answer) still measures the skew from AWS's own words.

use time::Duration;

use super::kit::{Harness, corp_token, events_of, started};
use crate::keeper::testkit::sso_config;
use crate::keeper::{EngineEvent, Finished, Input, Outcome};

fn refused(h: &Harness, message: &str) -> Input {
    let node = h.node("r00");
    Input::Finished(Finished {
        node,
        server_date: None,
        outcome: Outcome::Failed(crate::keeper::Failure::new(
            "invalid_credentials",
            message,
            false,
        )),
    })
}

/// The role over the SSO role is in flight.
fn role_in_flight() -> Harness {
    let mut h = Harness::new(&sso_config(1), vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    let sso = h.node("sso");
    assert_eq!(started(&out), std::slice::from_ref(&sso));
    let out = h.step(vec![h.ok(&sso, Duration::HOUR)]);
    assert_eq!(started(&out), [h.node("r00")]);
    h
}

#[test]
fn signature_expired_without_a_date_says_how_far_behind_the_clock_is() {
    let mut h = role_in_flight();
    let out = h.step(vec![refused(
        &h,
        "the credentials were refused: Signature expired: 20261122T094000Z is now earlier \
         than 20261122T094500Z (20261122T100000Z - 15 min.)",
    )]);
    let skew = events_of(&out, "clock_skew");
    assert_eq!(skew.len(), 1, "told once: {skew:?}");
    assert!(
        skew[0]
            .message()
            .starts_with("your clock is off by 20 minutes (behind AWS's)"),
        "{}",
        skew[0].message()
    );
    assert!(matches!(
        skew[0],
        EngineEvent::ClockSkew {
            skew_seconds: 1200,
            ..
        }
    ));
    assert_eq!(h.state.clock_skew(), Some(Duration::minutes(20)));
    assert!(
        events_of(&out, "renewal_failed").is_empty(),
        "the skew says it"
    );
}

#[test]
fn signature_not_yet_current_says_how_far_ahead_the_clock_is() {
    let mut h = role_in_flight();
    let out = h.step(vec![refused(
        &h,
        "Signature not yet current: 20261122T103000Z is still later than \
         20261122T102500Z (20261122T101000Z + 15 min.)",
    )]);
    let skew = events_of(&out, "clock_skew");
    assert!(
        matches!(&skew[..], [EngineEvent::ClockSkew { skew_seconds: -1200, message }]
            if message.starts_with("your clock is off by 20 minutes (ahead of AWS's)")),
        "{skew:?}"
    );
}

#[test]
fn every_refusal_after_the_first_is_silent_while_the_skew_lasts() {
    let mut h = role_in_flight();
    let message = "Signature expired: 20261122T094000Z is now earlier than \
                   20261122T094500Z (20261122T100000Z - 15 min.)";
    let first = h.step(vec![refused(&h, message)]);
    assert_eq!(events_of(&first, "clock_skew").len(), 1);
    // The retries keep being refused: nothing more is told.
    let (mut told, mut retries) = (0, 0);
    for _ in 0..20 {
        let out = h.after(Duration::minutes(1));
        let retry: Vec<_> = started(&out)
            .into_iter()
            .map(|_| refused(&h, message))
            .collect();
        retries += retry.len();
        let out = h.step(retry);
        told += events_of(&out, "clock_skew").len() + events_of(&out, "renewal_failed").len();
    }
    assert!(retries >= 3, "retried {retries} times");
    assert_eq!(told, 0);
}
