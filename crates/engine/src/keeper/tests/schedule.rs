//! When renewals start: half life, jitter, the tick, parents first, one in
//! flight per node, the concurrency cap, shared nodes, the chaining cap.

use std::time::Duration as StdDuration;

use time::Duration;

use super::kit::{Harness, SEED, corp_token, started};
use crate::keeper::policy::unit_random;
use crate::keeper::testkit::{T0, sso_config};
use crate::keeper::{Action, Call, Command, Finished, Input, Outcome, Policy};

const HOUR: Duration = Duration::HOUR;

#[test]
fn a_lease_renews_at_half_life_less_its_jitter_and_not_a_second_before() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    let sso = h.node("sso");
    assert_eq!(
        started(&out),
        std::slice::from_ref(&sso),
        "no keys yet: due at once; the token is not due"
    );
    assert!(started(&h.step(vec![h.ok(&sso, HOUR)])).is_empty());

    let jitter = Policy::default().jitter(HOUR, unit_random(SEED, sso.as_str(), 1));
    assert!(
        jitter > Duration::ZERO && jitter < Duration::MINUTE,
        "{jitter}"
    );
    let due = T0 + Duration::minutes(30) - jitter;
    let out = h.after(due - h.wall - Duration::SECOND);
    assert!(started(&out).is_empty(), "one second early");
    assert_eq!(
        out.next_wake,
        StdDuration::from_secs(1),
        "wakes exactly at the due time"
    );
    assert_eq!(started(&h.after(Duration::SECOND)), [sso]);
}

#[test]
fn readers_always_get_at_least_half_of_an_hour_lease() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::days(1))], "");
    h.start();
    let sso = h.node("sso");
    h.step(vec![h.ok(&sso, HOUR)]);
    let log = h.run_until(T0 + Duration::hours(6), HOUR);
    assert!(log.len() >= 11, "renewed about every half hour: {log:?}");
    let mut last = T0;
    for (at, node) in &log {
        assert_eq!(node, &sso);
        let gap = *at - last;
        assert!(gap <= Duration::minutes(30), "renewed {gap} after the last");
        assert!(
            gap >= Duration::minutes(29),
            "jitter is at most a minute: {gap}"
        );
        last = *at;
    }
}

#[test]
fn the_loop_never_sleeps_longer_than_a_tick() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::hours(8))], "");
    assert_eq!(
        h.step(Vec::new()).next_wake,
        StdDuration::from_secs(30),
        "no files yet"
    );
    h.start();
    let sso = h.node("sso");
    let out = h.step(vec![h.ok(&sso, HOUR)]);
    assert_eq!(
        out.next_wake,
        StdDuration::from_secs(30),
        "next renewal in 29 minutes"
    );
    let mut fast = Harness::scaled(
        &sso_config(0),
        vec![corp_token(Duration::hours(8))],
        "",
        60.0,
    );
    fast.start();
    let sso = fast.node("sso");
    let out = fast.step(vec![fast.ok(&sso, HOUR)]);
    assert_eq!(
        out.next_wake,
        StdDuration::from_millis(500),
        "the tick divided by 60"
    );
}

#[test]
fn parents_renew_before_their_children() {
    let mut h = Harness::new(&sso_config(3), vec![corp_token(Duration::minutes(20))], "");
    let out = h.start();
    let token = h.parent("sso");
    let sso = h.node("sso");
    assert_eq!(
        started(&out),
        std::slice::from_ref(&token),
        "the token is due (20 min left): it goes first"
    );
    assert!(
        started(&h.after(Duration::minutes(5))).is_empty(),
        "children wait while it runs"
    );
    let out = h.step(vec![h.ok(&token, HOUR)]);
    assert_eq!(started(&out), std::slice::from_ref(&sso));
    let out = h.step(vec![h.ok(&sso, HOUR)]);
    let mut roles = started(&out);
    roles.sort();
    let mut want = vec![h.node("r00"), h.node("r01"), h.node("r02")];
    want.sort();
    assert_eq!(roles, want);
}

#[test]
fn twenty_roles_over_one_sso_role_fetch_it_once() {
    let mut h = Harness::new(
        &sso_config(20),
        vec![corp_token(Duration::hours(8))],
        "[renew]\nconcurrency = 64\n",
    );
    let out = h.start();
    let outs = h.settle(out, HOUR);
    let all: Vec<_> = outs.iter().flat_map(started).collect();
    let sso = h.node("sso");
    assert_eq!(all.iter().filter(|n| **n == sso).count(), 1);
    assert_eq!(
        all.len(),
        21,
        "the SSO role once, each of the twenty roles once"
    );
    assert!(outs.iter().flat_map(|o| &o.actions).all(|a| match a {
        Action::Renew { node, parent, .. } if node != &sso => parent == &sso,
        _ => true,
    }));
}

#[test]
fn at_most_concurrency_calls_run_at_once() {
    let mut h = Harness::new(
        &sso_config(20),
        vec![corp_token(Duration::hours(8))],
        "[renew]\nconcurrency = 4\n",
    );
    h.start();
    let sso = h.node("sso");
    let out = h.step(vec![h.ok(&sso, HOUR)]);
    let first = started(&out);
    assert_eq!(first.len(), 4);
    assert_eq!(h.state.in_flight(), 4);
    let out = h.step(vec![h.ok(&first[0], HOUR)]);
    assert_eq!(started(&out).len(), 1, "one finished, one more starts");
    assert_eq!(h.state.in_flight(), 4);
    let outs = h.settle(out, HOUR);
    assert!(outs.iter().all(|o| started(o).len() <= 4));
    assert_eq!(h.state.in_flight(), 0);
}

#[test]
fn one_call_in_flight_per_node_whatever_happens_meanwhile() {
    let mut h = Harness::new(&sso_config(2), vec![corp_token(Duration::hours(8))], "");
    let out = h.start();
    let sso = h.node("sso");
    assert_eq!(started(&out), std::slice::from_ref(&sso));
    for _ in 0..20 {
        assert!(started(&h.after(Duration::minutes(1))).is_empty());
    }
    let out = h.step(vec![Input::Command(Command::RefreshAll)]);
    assert!(
        started(&out).is_empty(),
        "a command waits for the running call"
    );
    let out = h.step(vec![h.ok(&sso, HOUR)]);
    assert_eq!(started(&out).len(), 2, "then the children");
}

#[test]
fn a_role_over_role_session_keys_asks_for_one_hour_and_says_why() {
    let config = format!(
        "{}\n[profile long]\nrole_arn = arn:aws:iam::3:role/Long\nsource_profile = sso\nduration_seconds = 7200\n",
        sso_config(0)
    );
    let mut h = Harness::new(&config, vec![corp_token(Duration::hours(8))], "");
    h.start();
    let sso = h.node("sso");
    let out = h.step(vec![h.ok(&sso, HOUR)]);
    let asked = out.actions.iter().find_map(|a| match a {
        Action::Renew {
            call: Call::AssumeRole {
                duration_seconds, ..
            },
            ..
        } => Some(*duration_seconds),
        _ => None,
    });
    assert_eq!(asked, Some(Some(3600)));
    let long = h
        .state
        .renewals(h.wall)
        .into_iter()
        .find(|r| r.profile == "long")
        .expect("managed");
    assert!(
        long.notes
            .iter()
            .any(|n| n.contains("role chaining limits this role to one hour")),
        "{long:?}"
    );
}

#[test]
fn a_deferred_token_refresh_waits_and_does_not_hold_up_its_children() {
    let mut h = Harness::new(&sso_config(0), vec![corp_token(Duration::minutes(20))], "");
    let out = h.start();
    let token = h.parent("sso");
    assert_eq!(started(&out), std::slice::from_ref(&token));
    let deferred = Input::Finished(Finished {
        node: token.clone(),
        server_date: None,
        outcome: Outcome::Deferred {
            until: h.wall + Duration::minutes(5),
        },
    });
    let out = h.step(vec![deferred]);
    assert_eq!(
        started(&out),
        [h.node("sso")],
        "the token is still valid for the role fetch"
    );
    let sso = h.node("sso");
    h.step(vec![h.ok(&sso, HOUR)]);
    assert!(started(&h.after(Duration::minutes(4))).is_empty());
    assert_eq!(started(&h.after(Duration::minutes(1))), [token]);
}
