//! The daemon in bad conditions against the sandbox: stopped (SIGSTOP)
//! until every lease it wrote has expired and continued, it renews within a
//! few ticks; with the sandbox throttling, failing and slow, its renewals
//! still land before the keys in the file expire.

use std::time::{Duration, Instant};

use leasekeeper_sandbox::Faults;
use time::OffsetDateTime;

use super::daemon_sandbox::{file_expiry, signal, signed_in_world_at, start_daemon, stop_daemon};

const SECTIONS: [&str; 2] = ["dev-admin", "deploy"];

#[test]
fn a_daemon_stopped_past_expiry_renews_within_a_few_ticks_of_continuing() {
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
    // second when idle; the guard leaves room for a loaded machine.
    let guard = Duration::from_secs(10);
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
    let mut seen: Vec<Vec<OffsetDateTime>> = vec![Vec::new(); SECTIONS.len()];
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(90) {
        let now = OffsetDateTime::now_utc();
        for (section, seen) in SECTIONS.iter().zip(&mut seen) {
            let expires = file_expiry(&w, section).expect("the section stays");
            assert!(
                expires > now,
                "[{section}] expired at {expires} before its renewal landed ({:?} into the faults)",
                start.elapsed()
            );
            if seen.last() != Some(&expires) {
                seen.push(expires);
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    for (section, seen) in SECTIONS.iter().zip(&seen) {
        assert!(
            seen.len() >= 3,
            "[{section}] renewed at least twice through the faults: {seen:?}"
        );
    }
    w.sb.set_faults(Faults::default()).expect("faults off");
    stop_daemon(daemon);
}
