//! [`Clock`]: the sandbox's wall clock, real or manual.
//!
//! The sandbox is the world, not the engine, so it may read the real clock;
//! it reads it through this one type so tests can stop and move time. The
//! real clock is `SystemTime::now()`, which is what libfaketime fakes, so a
//! sandbox run under `faketime` lives in the faked time too.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A cloneable wall clock: the system's, or a manual one tests move.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<SystemTime>>>,
}

impl Clock {
    /// The system wall clock.
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands at `start` until [`Clock::advance`] or [`Clock::set`] moves it.
    pub fn manual(start: SystemTime) -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(start))),
        }
    }

    /// The current wall time.
    pub fn now(&self) -> SystemTime {
        match &self.manual {
            // A poisoned lock still holds a valid time: take it.
            Some(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
            None => SystemTime::now(),
        }
    }

    /// Moves a manual clock forward; returns false (and does nothing) for the system clock.
    pub fn advance(&self, by: Duration) -> bool {
        match &self.manual {
            Some(t) => {
                let mut guard = t.lock().unwrap_or_else(|e| e.into_inner());
                *guard += by;
                true
            }
            None => false,
        }
    }

    /// Sets a manual clock; returns false (and does nothing) for the system clock.
    pub fn set(&self, to: SystemTime) -> bool {
        match &self.manual {
            Some(t) => {
                *t.lock().unwrap_or_else(|e| e.into_inner()) = to;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        assert!(clock.advance(Duration::from_secs(90)));
        assert_eq!(clock.now(), start + Duration::from_secs(90));
        let copy = clock.clone();
        copy.advance(Duration::from_secs(10));
        assert_eq!(clock.now(), start + Duration::from_secs(100));
    }

    #[test]
    fn the_system_clock_cannot_be_moved() {
        assert!(!Clock::system().advance(Duration::from_secs(1)));
    }
}
