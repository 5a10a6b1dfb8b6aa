//! logind's sleep signals waking `leasekeeper daemon`: a private system bus
//! with a stand-in for logind in this process (it owns
//! `org.freedesktop.login1` and emits `PrepareForSleep`), and a suspend
//! played by libfaketime: sleep announced, the wall clock moved 50 minutes
//! ahead (no timer fires), resume announced: the daemon hears it and
//! renews what fell due. That the signal renews at once rather than at the
//! next tick is checked on the paused clock
//! (`crates/host/tests/keeper_clock.rs`), where time does not depend on how
//! busy the machine is.

use std::time::Duration;

use super::daemon_clock::{FakeWorld, start_daemon};
use super::daemon_notify::Bus;

/// Connects to `bus` owning logind's name.
pub(super) fn fake_logind(bus: &Bus) -> zbus::Connection {
    bus.rt
        .block_on(
            zbus::connection::Builder::address(bus.address.as_str())
                .name("org.freedesktop.login1")
                .build(),
        )
        .expect("the stand-in owns org.freedesktop.login1")
}

pub(super) fn prepare_for_sleep(bus: &Bus, logind: &zbus::Connection, start: bool) {
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
fn a_resume_signal_from_logind_renews_what_fell_due() {
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
    daemon.wait_line(10, |l| l.contains("the system resumed"));
    // That a resume renews at once, not at the next tick, is checked on the
    // paused clock (`crates/host/tests/keeper_clock.rs`); here, on a machine
    // however busy, that the signal arrives and the lease is renewed.
    daemon.wait_line(120, |l| {
        l.contains("wrote section") && l.contains("section=dev-admin")
    });
    let after = w.expiry("dev-admin").expect("still written");
    assert!(
        after > before + Duration::from_secs(2400),
        "{before} then {after}"
    );
    assert!(daemon.stop(), "{}", daemon.seen.join("\n"));
}
