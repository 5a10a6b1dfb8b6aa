//! [`Shared`]: what every request handler reaches: the world, the clock (with
//! the skew fault applied), the speed factor, the faults, the sign-in state
//! and the sealing key of temporary credentials.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::clock::Clock;
use crate::creds::TokenKey;
use crate::faults::Faults;
use crate::oidc::state::OidcState;
use crate::world::World;

/// State shared by all connections. Locks are std mutexes: no `.await` is
/// ever held across one, and each is held for a few map operations only.
#[derive(Debug)]
pub(crate) struct Shared {
    pub world: World,
    pub clock: Clock,
    pub speed: f64,
    pub auto_approve: bool,
    pub base_url: String,
    pub faults: Mutex<Faults>,
    pub oidc: Mutex<OidcState>,
    /// MFA codes already accepted: (device serial, code) -> time step. AWS
    /// refuses a TOTP code that was already used.
    pub used_codes: Mutex<HashMap<(String, String), u64>>,
    /// STS requests that passed authentication, by action.
    pub sts_calls: Mutex<HashMap<String, u64>>,
    pub tokens: TokenKey,
    /// The access portal's rate limit ([`Faults::portal_calls_per_second`]).
    pub portal_bucket: Mutex<Bucket>,
}

/// A token bucket: `rate` calls a second, at most one second's worth saved.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    tokens: f64,
    last: Option<std::time::Instant>,
}

impl Bucket {
    /// Takes one call at `now` under `rate` calls a second: `false` when
    /// none is left (the call is refused and uses nothing).
    pub fn take(&mut self, rate: u32, now: std::time::Instant) -> bool {
        let rate = f64::from(rate);
        let refill = self.last.map_or(rate, |last| {
            now.saturating_duration_since(last).as_secs_f64() * rate
        });
        self.tokens = (self.tokens + refill).min(rate);
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Takes a lock even if a panic elsewhere poisoned it: the maps stay usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// The faults in force.
    pub fn faults(&self) -> Faults {
        lock(&self.faults).clone()
    }

    /// The sandbox's time: the clock plus the skew fault.
    pub fn now(&self) -> SystemTime {
        let skew = lock(&self.faults).date_skew_secs;
        let now = self.clock.now();
        if skew >= 0 {
            now + Duration::from_secs(skew.unsigned_abs())
        } else {
            now.checked_sub(Duration::from_secs(skew.unsigned_abs()))
                .unwrap_or(UNIX_EPOCH)
        }
    }

    /// The sandbox's time in whole seconds since the Unix epoch.
    pub fn now_unix(&self) -> u64 {
        unix(self.now())
    }

    /// How long a lifetime of `secs` lasts in real time at the sandbox's
    /// speed: `secs / speed`, whole seconds, at least one.
    pub fn scaled_secs(&self, secs: u64) -> u64 {
        ((secs as f64 / self.speed).floor() as u64).max(1)
    }
}

/// Whole seconds since the Unix epoch.
pub(crate) fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch.
pub(crate) fn iso8601(secs: u64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp(secs as i64)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_default()
}

/// The HTTP `Date` form (RFC 9110 IMF-fixdate) of a time.
pub(crate) fn http_date(t: SystemTime) -> String {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::from_unix_timestamp(unix(t) as i64)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_format_as_aws_writes_them() {
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(
            http_date(UNIX_EPOCH + Duration::from_secs(784_111_777)),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }

    #[test]
    fn a_bucket_lets_a_seconds_calls_through_then_refills_at_its_rate() {
        let mut b = Bucket::default();
        let t0 = std::time::Instant::now();
        let passed = (0..10).filter(|_| b.take(4, t0)).count();
        assert_eq!(passed, 4, "a full bucket holds one second of calls");
        assert!(!b.take(4, t0 + Duration::from_millis(100)), "0.4 of a call");
        assert!(
            b.take(4, t0 + Duration::from_millis(260)),
            "a whole one by now"
        );
        // Idle for long: never more than a second's worth saved.
        let later = t0 + Duration::from_secs(60);
        let passed = (0..10).filter(|_| b.take(4, later)).count();
        assert_eq!(passed, 4);
    }
}
