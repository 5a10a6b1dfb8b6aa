//! The keeper loop's time, given from outside: [`KeeperClock`] is the wall
//! clock, a monotonic clock and sleeping. The shells run the loop on
//! [`SystemClock`] (the system's wall clock, so libfaketime moves it; the
//! monotonic clock, which stands still while the machine sleeps; tokio's
//! timer); tests run it on tokio's paused clock, where a laptop's sleep is
//! the wall clock jumping while the monotonic one does not.

use std::time::Instant;

use leasekeeper_engine::ports::Clock;

use crate::clock::SystemClock;

/// Wall time ([`Clock::now`]), monotonic time and sleeping
/// ([`Clock::sleep`]) for the keeper loop and the renewals it starts.
pub trait KeeperClock: Clock + Clone + 'static {
    /// Now on a clock that never jumps (it may stand still while the
    /// machine sleeps: the keeper compares it with the wall clock to see a
    /// wake).
    fn monotonic(&self) -> Instant;
}

impl KeeperClock for SystemClock {
    fn monotonic(&self) -> Instant {
        Instant::now()
    }
}
