//! [`SystemClock`]: the engine's [`Clock`] port on the system clock and
//! tokio's timer.

use std::future::Future;

use leasekeeper_engine::ports::Clock;
use time::{Duration, OffsetDateTime};

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        let d = std::time::Duration::try_from(duration).unwrap_or_default();
        tokio::time::sleep(d)
    }
}

/// Random bytes from the operating system.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl leasekeeper_engine::ports::Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), String> {
        getrandom::fill(buf).map_err(|e| e.to_string())
    }
}
