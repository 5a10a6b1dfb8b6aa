//! The daemon in bad conditions against the sandbox: stopped (SIGSTOP)
//! until every lease it wrote has expired and continued, it renews again;
//! with the sandbox throttling, failing and slow, its renewals still land
//! before the keys in the file expire. How soon and how often it renews is
//! the paused-clock tests' business (`crates/host/tests/keeper_clock.rs`):
//! here it depends on how busy the machine is, so only the promise is
//! checked.

use std::time::{Duration, Instant};

use leasekeeper_sandbox::Faults;
use time::OffsetDateTime;

use super::daemon_sandbox::{file_expiry, signal, signed_in_world_at, start_daemon, stop_daemon};
use super::login_harness::World;

const SECTIONS: [&str; 2] = ["dev-admin", "deploy"];

#[test]
fn a_daemon_stopped_past_expiry_renews_once_continued() {
    // An hour lives 15 s; the tick is 0.125 s.
    let w = signed_in_world_at(240.0);
    let daemon = start_daemon(&w);
    let before: Vec<OffsetDateTime> = SECTIONS
        .iter()
        .map(|s| file_expiry(&w, s).expect("written"))
        .collect();
    signal(&daemon, "STOP");
    let last = *before.iter().max().unwrap();
    while OffsetDateTime::now_utc() < last + Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(200));
    }
    signal(&daemon, "CONT");
    let resumed = Instant::now();
    // A token refresh and a renewal per lease over loopback: well under a
    // second when idle. The guard only ends a test that would otherwise
    // wait forever; it is no promise of speed.
    let guard = Duration::from_secs(120);
    for (section, old) in SECTIONS.iter().zip(&before) {
        loop {
            let now = OffsetDateTime::now_utc();
            if file_expiry(&w, section).is_some_and(|e| e > now && e > *old) {
                break;
            }
            assert!(
                resumed.elapsed() < guard,
                "[{section}] not renewed {guard:?} after the daemon continued"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    stop_daemon(daemon);
}

#[test]
fn renewals_land_before_expiry_while_the_sandbox_throttles_fails_and_lags() {
    // An hour lives 60 s: renewals come every ~30 s. The faults' latency and
    // the SDK's own retry backoff are not compressed, so a faster world would
    // give them a share of the lease no real lease ever has (2 s of 30 min).
    let w = signed_in_world_at(60.0);
    let daemon = start_daemon(&w);
    w.sb.set_faults(Faults {
        throttle_rate: 0.3,
        error_rate: 0.1,
        latency_ms: 2000,
        ..Faults::default()
    })
    .expect("faults");
    // Two renewals of each lease through the faults, every read of the file
    // finding keys that are still valid.
    renewed_before_expiry(&w, &SECTIONS, 2, time::Duration::ZERO);
    w.sb.set_faults(Faults::default()).expect("faults off");
    stop_daemon(daemon);
}

/// Reads the file every 250 ms until each of `sections` was renewed
/// `renewals` times, asserting at every read that its keys are still valid
/// on AWS's clock (ours plus `aws_ahead`); returns the expiries seen per
/// section. It needs no time limit: keys last at most a lifetime, so keys
/// that are not renewed soon enough fail the assertion instead.
pub(super) fn renewed_before_expiry(
    w: &World,
    sections: &[&str],
    renewals: usize,
    aws_ahead: time::Duration,
) -> Vec<Vec<OffsetDateTime>> {
    let mut seen: Vec<Vec<OffsetDateTime>> = vec![Vec::new(); sections.len()];
    let start = Instant::now();
    while seen.iter().any(|s| s.len() <= renewals) {
        let aws_now = OffsetDateTime::now_utc() + aws_ahead;
        for (section, seen) in sections.iter().zip(&mut seen) {
            let expires = file_expiry(w, section).expect("the section stays");
            assert!(
                expires > aws_now,
                "[{section}] expired at {expires} (AWS's clock) before its renewal landed \
                 ({:?} in, expiries seen: {seen:?})",
                start.elapsed()
            );
            if seen.last() != Some(&expires) {
                seen.push(expires);
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    seen
}
