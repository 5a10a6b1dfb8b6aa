//! logind's sleep signals waking `leasekeeper daemon`: a private system bus
//! with a stand-in for logind in this process (it owns
//! `org.freedesktop.login1` and emits `PrepareForSleep`), and a suspend
//! played by libfaketime: sleep announced, the wall clock moved 50 minutes
//! ahead (no timer fires), resume announced. At speed 1 the daemon's tick is
//! 30 s, so a renewal landing a few seconds after the resume was started by
//! the signal, not by the tick.

use std::time::{Duration, Instant};

use super::daemon_clock::{FakeWorld, start_daemon};
use super::daemon_notify::Bus;

/// Connects to `bus` owning logind's name.
fn fake_logind(bus: &Bus) -> zbus::Connection {
    bus.rt
        .block_on(
            zbus::connection::Builder::address(bus.address.as_str())
                .name("org.freedesktop.login1")
                .build(),
        )
        .expect("the stand-in owns org.freedesktop.login1")
}

fn prepare_for_sleep(bus: &Bus, logind: &zbus::Connection, start: bool) {
    bus.rt
        .block_on(logind.emit_signal(
            None::<&str>,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            &(start,),
        ))
        .expect("signal sent");
}

#[test]
fn a_resume_signal_renews_what_fell_due_at_once_not_at_the_next_tick() {
    let bus = Bus::start("system");
    let logind = fake_logind(&bus);
    let w = FakeWorld::start(1);
    let mut daemon = start_daemon(&w, &[("DBUS_SYSTEM_BUS_ADDRESS", bus.address.as_str())]);
    if !daemon
        .seen
        .iter()
        .any(|l| l.contains("listening for logind"))
    {
        daemon.wait_line(10, |l| l.contains("listening for logind"));
    }
    // Every first renewal lands before the sleep (an answer dated before
    // the jump and read after it would look like a skewed clock).
    daemon.lines_for(Duration::from_secs(2));
    let before = w.expiry("dev-admin").expect("written");

    prepare_for_sleep(&bus, &logind, true);
    daemon.wait_line(10, |l| l.contains("the system is going to sleep"));
    w.jump(3000);
    std::thread::sleep(Duration::from_millis(200));
    prepare_for_sleep(&bus, &logind, false);
    let resumed = Instant::now();
    daemon.wait_line(10, |l| l.contains("the system resumed"));
    daemon.wait_line(25, |l| {
        l.contains("wrote section") && l.contains("section=dev-admin")
    });
    let took = resumed.elapsed();
    // The tick is 30 s; a renewal over loopback takes well under a second.
    assert!(
        took < Duration::from_secs(10),
        "renewed {took:?} after the resume"
    );
    let after = w.expiry("dev-admin").expect("still written");
    assert!(
        after > before + Duration::from_secs(2400),
        "{before} then {after}"
    );
    assert!(daemon.stop(), "{}", daemon.seen.join("\n"));
}
