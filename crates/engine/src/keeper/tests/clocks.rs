//! Sleep, resume, clock jumps and clock skew.

use std::time::Duration as StdDuration;

use time::Duration;

use super::kit::{Harness, corp_token, events_of, removes, started};
use crate::keeper::testkit::{T0, sso_config};
use crate::keeper::{EngineEvent, Finished, Input, Outcome, RemoveReason, WakeSummary};

const HOUR: Duration = Duration::HOUR;

/// Everything renewed at T0 for an hour.
fn settled(roles: usize) -> Harness {
    let mut h = Harness::new(&sso_config(roles), vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    h.settle(out, HOUR);
    h
}

fn summaries(outs: &[crate::keeper::StepOutput]) -> Vec<WakeSummary> {
    outs.iter()
        .flat_map(|o| events_of(o, "woke_summary"))
        .filter_map(|e| match e {
            EngineEvent::WokeSummary(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// The wall clock jumps `by` while monotonic time moves one tick.
fn sleep(h: &mut Harness, by: Duration) {
    h.wall += by;
    h.mono += StdDuration::from_secs(30);
}

#[test]
fn a_fifty_minute_jump_renews_at_once_and_tells_one_summary() {
    let mut h = settled(2);
    assert!(started(&h.after(Duration::minutes(5))).is_empty());
    sleep(&mut h, Duration::minutes(50));
    let out = h.step(Vec::new());
    assert_eq!(
        started(&out),
        [h.node("sso")],
        "within the tick, parents first"
    );
    assert!(
        summaries(std::slice::from_ref(&out)).is_empty(),
        "not before the renewals land"
    );
    let outs = h.settle(out, HOUR);
    let told = summaries(&outs);
    assert_eq!(told.len(), 1);
    let s = &told[0];
    assert_eq!(s.renewed, ["r00", "r01", "sso"]);
    assert!(s.lapsed.is_empty() && s.failing.is_empty(), "{s:?}");
    assert_eq!(s.slept_seconds, 50 * 60 - 30);
    for _ in 0..10 {
        let out = h.after(Duration::seconds(30));
        assert!(summaries(&[out]).is_empty(), "one summary per wake");
    }
}

#[test]
fn keys_that_lapsed_during_the_sleep_are_listed_and_their_sections_removed() {
    let mut h = settled(1);
    h.after(Duration::minutes(5));
    sleep(&mut h, Duration::hours(2));
    let out = h.step(Vec::new());
    let mut gone = removes(&out);
    gone.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        gone,
        [
            ("r00".to_owned(), RemoveReason::Lapsed),
            ("sso".to_owned(), RemoveReason::Lapsed)
        ],
        "stale keys never shadow a working chain"
    );
    let told = summaries(&h.settle(out, HOUR));
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].lapsed, ["r00", "sso"]);
    assert_eq!(told[0].renewed, ["r00", "sso"]);
}

#[test]
fn a_clock_set_back_keeps_deadlines_on_aws_time() {
    let mut h = settled(0);
    h.after(Duration::minutes(10));
    // A tick passes, and the wall clock is set an hour back.
    h.wall += Duration::seconds(30) - HOUR;
    h.mono += StdDuration::from_secs(30);
    assert!(started(&h.step(Vec::new())).is_empty(), "nothing is due");
    assert_eq!(h.state.clock.skew, HOUR, "AWS's clock did not go back");
    let log = h.run_until(h.wall + Duration::minutes(25), HOUR);
    let (at, _) = log.first().expect("renewed on time");
    let on_aws_clock = *at + HOUR;
    assert!(
        on_aws_clock > T0 + Duration::minutes(29) && on_aws_clock <= T0 + Duration::minutes(30),
        "renewed at {on_aws_clock} on AWS's clock"
    );
}

#[test]
fn a_clock_set_back_retries_at_once() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let sso = h.node("sso");
    h.step(vec![h.fail(
        &sso,
        "throttled",
        "STS is throttling requests",
        true,
    )]);
    h.wall -= HOUR;
    h.mono += StdDuration::from_secs(1);
    assert_eq!(
        started(&h.step(Vec::new())),
        [sso],
        "everything is looked at again"
    );
}

#[test]
fn nothing_starts_once_sleep_is_announced_and_resume_looks_again_at_once() {
    let mut h = settled(1);
    h.after(Duration::minutes(29));
    let out = h.step(vec![Input::SleepComing { at: h.wall }]);
    assert!(started(&out).is_empty());
    let out = h.after(Duration::seconds(70));
    assert!(
        started(&out).is_empty(),
        "due, but the machine is about to sleep"
    );
    let out = h.step(vec![Input::Resumed]);
    assert_eq!(
        started(&out),
        [h.node("sso")],
        "resume: looked at again at once"
    );
    let outs = h.settle(out, HOUR);
    assert_eq!(summaries(&outs).len(), 1);
    let out = h.after(Duration::seconds(5));
    let again = h.step(vec![Input::Resumed]);
    assert!(
        summaries(&[out, again]).is_empty(),
        "a second resume signal is the same wake"
    );
}

#[test]
fn a_sleep_seen_by_both_the_clocks_and_the_signal_is_one_wake() {
    let mut h = settled(1);
    h.after(Duration::minutes(20));
    h.step(vec![Input::SleepComing { at: h.wall }]);
    h.wall += Duration::minutes(50);
    h.mono += StdDuration::from_secs(1);
    let out = h.step(vec![Input::Resumed]);
    let outs = h.settle(out, HOUR);
    let told = summaries(&outs);
    assert_eq!(told.len(), 1);
    assert_eq!(
        told[0].slept_seconds,
        50 * 60,
        "from the moment sleep was announced"
    );
    let late = h.after(Duration::seconds(10));
    let echo = h.step(vec![Input::Resumed]);
    assert!(summaries(&[late, echo]).is_empty());
}

#[test]
fn a_keeper_frozen_across_a_sleep_counts_it_from_the_announcement() {
    // Frozen, the loop takes no step while both clocks run on: its first
    // step comes long after the hold ended. That is a wake, not a sleep
    // that never came; the resume signal after it is the same wake.
    let mut h = settled(1);
    h.after(Duration::minutes(20));
    h.step(vec![Input::SleepComing { at: h.wall }]);
    h.wall += Duration::minutes(50);
    h.mono += StdDuration::from_secs(50 * 60);
    let out = h.step(Vec::new());
    assert_eq!(started(&out), [h.node("sso")], "looked at again at once");
    let mut outs = h.settle(out, HOUR);
    outs.push(h.step(vec![Input::Resumed]));
    let told = summaries(&outs);
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].slept_seconds, 50 * 60);
}

#[test]
fn a_sleep_signal_taken_only_after_the_freeze_counts_from_when_it_came() {
    // The signal came, the loop was frozen before it took it; thawed, it
    // takes the signal and the resume in one step.
    let mut h = settled(1);
    h.after(Duration::minutes(20));
    let came = h.wall;
    h.wall += Duration::minutes(50);
    h.mono += StdDuration::from_secs(50 * 60);
    let out = h.step(vec![Input::SleepComing { at: came }, Input::Resumed]);
    let outs = h.settle(out, HOUR);
    let told = summaries(&outs);
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].slept_seconds, 50 * 60);
}

#[test]
fn a_sleep_announced_but_never_taken_stops_holding_back() {
    let mut h = settled(0);
    h.after(Duration::minutes(29));
    h.step(vec![Input::SleepComing { at: h.wall }]);
    let out = h.after(Duration::seconds(70));
    assert!(started(&out).is_empty());
    let out = h.after(Duration::seconds(60));
    assert_eq!(
        started(&out),
        [h.node("sso")],
        "the hold lasts two minutes at most"
    );
}

#[test]
fn after_a_wake_the_network_gets_a_grace_before_failures_count() {
    let mut h = settled(0);
    h.after(Duration::minutes(5));
    sleep(&mut h, Duration::minutes(50));
    let sso = h.node("sso");
    assert_eq!(started(&h.step(Vec::new())), std::slice::from_ref(&sso));
    let out = h.step(vec![h.fail(
        &sso,
        "network",
        "cannot reach STS: dns error",
        true,
    )]);
    assert!(
        events_of(&out, "renewal_failed").is_empty(),
        "not a failure yet"
    );
    assert!(started(&out).is_empty());
    let out = h.after(Duration::seconds(2));
    assert_eq!(
        started(&out),
        std::slice::from_ref(&sso),
        "retried after about two seconds"
    );
    h.step(vec![h.fail(
        &sso,
        "network",
        "cannot reach STS: dns error",
        true,
    )]);
    let out = h.step(vec![Input::NetworkBack]);
    assert_eq!(
        started(&out),
        std::slice::from_ref(&sso),
        "the network is back: at once"
    );
    // Past the grace a network failure is a failure.
    h.advance(Duration::minutes(2));
    let out = h.step(vec![h.fail(
        &sso,
        "network",
        "cannot reach STS: dns error",
        true,
    )]);
    assert_eq!(events_of(&out, "renewal_failed").len(), 1);
    assert!(
        summaries(&[out]).is_empty(),
        "nothing lapsed or renewed: the failure says it all"
    );
}

#[test]
fn a_short_sleep_that_changed_nothing_is_not_summarised() {
    let mut h = settled(1);
    h.after(Duration::minutes(5));
    h.step(vec![Input::SleepComing { at: h.wall }]);
    h.wall += Duration::minutes(3);
    let outs = [h.step(vec![Input::Resumed]), h.after(Duration::seconds(30))];
    assert!(outs.iter().all(|o| started(o).is_empty()));
    assert!(summaries(&outs).is_empty());
}

#[test]
fn deadlines_are_corrected_by_the_skew_aws_s_date_shows() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    h.start();
    let sso = h.node("sso");
    // AWS's clock is 10 minutes ahead: the keys expire 70 minutes from now
    // on our clock, 60 on AWS's.
    let out = h.step(vec![Input::Finished(Finished {
        node: sso,
        server_date: Some(h.wall + Duration::minutes(10)),
        outcome: Outcome::Renewed {
            expires_at: h.wall + Duration::minutes(70),
        },
    })]);
    let skew = events_of(&out, "clock_skew");
    assert_eq!(skew.len(), 1, "over five minutes: told once");
    assert!(
        skew[0]
            .message()
            .contains("your clock is off by 10 minutes"),
        "{}",
        skew[0].message()
    );
    let log = h.run_until(T0 + Duration::minutes(40), HOUR);
    let (at, _) = log.first().expect("renewed");
    assert!(
        *at > T0 + Duration::minutes(29) && *at <= T0 + Duration::minutes(30),
        "half of the hour AWS granted, on its clock: {at}"
    );
    assert_eq!(h.state.clock_skew(), Some(Duration::minutes(10)));
}

#[test]
fn a_signature_expired_refusal_says_how_far_off_the_clock_is() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    let sso = h.node("sso");
    assert_eq!(started(&out), std::slice::from_ref(&sso));
    let out = h.step(vec![Input::Finished(Finished {
        node: sso,
        server_date: Some(h.wall - Duration::minutes(20)),
        outcome: Outcome::Failed(crate::keeper::Failure::new(
            "invalid_credentials",
            "the credentials were refused: Signature expired: 20261122T100000Z is now earlier than 20261122T094500Z",
            false,
        )),
    })]);
    let skew = events_of(&out, "clock_skew");
    assert_eq!(skew.len(), 1, "{skew:?}");
    assert!(
        skew[0]
            .message()
            .starts_with("your clock is off by 20 minutes (ahead of AWS's)"),
        "{}",
        skew[0].message()
    );
    assert!(matches!(
        skew[0],
        EngineEvent::ClockSkew {
            skew_seconds: -1200,
            ..
        }
    ));
}

#[test]
fn an_answer_to_a_call_that_spans_a_suspend_does_not_measure_skew() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    let sso = h.node("sso");
    assert_eq!(started(&out), std::slice::from_ref(&sso));
    // AWS answered just before the laptop slept; the answer is handled after.
    let answered = h.wall;
    sleep(&mut h, Duration::minutes(50));
    let out = h.step(vec![Input::Finished(Finished {
        node: sso,
        server_date: Some(answered),
        outcome: Outcome::Renewed {
            expires_at: answered + HOUR,
        },
    })]);
    assert!(
        events_of(&out, "clock_skew").is_empty(),
        "no 50-minute skew"
    );
    assert_eq!(h.state.clock_skew(), None, "nothing measured");
    // The keys have nine minutes left: renewed within half of that, not
    // fifty minutes late because of a false skew.
    let outs: Vec<_> = (0..10).map(|_| h.after(Duration::seconds(30))).collect();
    assert!(
        outs.iter().any(|o| started(o) == [h.node("sso")]),
        "renewed before the keys lapse"
    );
}
