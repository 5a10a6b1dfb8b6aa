//! The keeper and a clock that is off. With the sandbox's clock ahead (its
//! `Date`, its expiries and its SigV4 window), and throttling, 5xx and
//! latency on top, renewals still land before the keys expire on AWS's
//! clock, and the skew is told. With the daemon's own clock 20 minutes
//! behind (libfaketime), AWS's SigV4 check refuses its signatures and the
//! keeper says how far off the clock is, from AWS's own error.

use leasekeeper_sandbox::Faults;

use super::credential_process_keeper::{STATIC_KEYS, world};
use super::daemon_late::renewed_before_expiry;
use super::daemon_sandbox::{config_dir, signal, start_daemon};
use super::login_harness::Running;

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// Stops the daemon; everything it logged.
fn stopped(daemon: Running) -> String {
    signal(&daemon, "TERM");
    let (code, log, _) = daemon.finish(20);
    assert_eq!(code, 0, "{log}");
    log
}

/// The `clock_skew` events the daemon logged, as JSON.
fn skew_events(log: &str) -> Vec<serde_json::Value> {
    log.lines()
        .filter_map(|l| l.split_once("keeper event event=").map(|(_, e)| e))
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(e).ok())
        .filter(|e| e["event"] == "clock_skew")
        .collect()
}

#[test]
fn renewals_land_in_time_while_the_sandbox_clock_is_ahead_and_faults_abound() {
    // An hour lives 80 s: renewals every ~40 s; the faults' 2 s latency and their retries stay a
    // small share of the lease. The skew is fifteen minutes scaled the same
    // way: 20 s, past the 5-minute warning threshold (6.7 s).
    const SPEED: f64 = 45.0;
    const SKEW_SECS: i64 = 15 * 60 / SPEED as i64;
    let w = world(SPEED, STATIC_KEYS, true);
    let daemon = start_daemon(&w);
    w.sb.set_faults(Faults {
        throttle_rate: 0.3,
        error_rate: 0.1,
        latency_ms: 2000,
        date_skew_secs: SKEW_SECS,
        ..Faults::default()
    })
    .expect("faults");
    // Each lease renewed once through the faults, every read finding keys
    // still valid on AWS's clock (the sandbox's, ahead of ours).
    renewed_before_expiry(
        &w,
        &["dev-admin", "deploy"],
        1,
        time::Duration::seconds(SKEW_SECS),
    );
    w.sb.set_faults(Faults::default()).expect("faults off");
    let log = stopped(daemon);
    let skews = skew_events(&log);
    assert!(!skews.is_empty(), "the skew was told: {log}");
    // Measured from a `Date` with one-second resolution, sent up to the
    // fault's latency before it was read.
    let measured = skews[0]["skew_seconds"].as_i64().unwrap();
    assert!(
        (SKEW_SECS - 4..=SKEW_SECS + 1).contains(&measured),
        "{:?}",
        skews[0]
    );
    assert!(
        skews[0]["message"]
            .as_str()
            .unwrap()
            .contains("(behind AWS's)"),
        "{:?}",
        skews[0]
    );
}

#[test]
fn a_daemon_twenty_minutes_behind_is_told_how_far_off_its_clock_is() {
    assert!(
        std::path::Path::new(LIBFAKETIME).exists(),
        "libfaketime is installed"
    );
    // Real time: SigV4's 15-minute window is AWS's, not scaled.
    let w = world(1.0, STATIC_KEYS, true);
    let cfg = config_dir(&w);
    let mut daemon = w.spawn(
        &["daemon"],
        &[
            ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
            ("LEASEKEEPER_LOG", "info"),
            ("LD_PRELOAD", LIBFAKETIME),
            ("FAKETIME", "-1200"),
            ("DONT_FAKE_MONOTONIC", "1"),
        ],
    );
    // Roles are assumed with SigV4: refused, and the refusal's times tell
    // how far off the clock is.
    let line = daemon.wait_line(60, |l| l.contains("\"event\":\"clock_skew\""));
    let written = |l: &str| l.contains("wrote section") && l.contains("section=dev-admin");
    if !daemon.seen.iter().any(|l| written(l)) {
        daemon.wait_line(30, written);
    }
    let log = stopped(daemon);
    // SSO role credentials need no signature: written as usual.
    assert!(log.contains("section=dev-admin"), "{log}");
    let skews = skew_events(&log);
    assert_eq!(skews.len(), 1, "told once: {skews:?}\n{line}");
    let message = skews[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("your clock is off by 20 minutes (behind AWS's)"),
        "{message}"
    );
    assert!(
        (1195..=1205).contains(&skews[0]["skew_seconds"].as_i64().unwrap()),
        "{:?}",
        skews[0]
    );
    assert!(
        log.contains("Signature expired"),
        "AWS's refusal is what it was measured from: {log}"
    );
}
