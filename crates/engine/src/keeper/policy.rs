//! The keeper's timing policy: every constant named with its unit, and
//! [`Policy`], the same constants divided by the time scale.
//!
//! A lease is renewed once half its lifetime has passed, minus a little
//! jitter (at most [`JITTER_FRACTION`] of the lifetime or [`JITTER_CAP`],
//! whichever is smaller) so leases obtained together do not all renew in the
//! same second. Jitter only ever makes a renewal earlier: for the usual
//! one-hour lease the keys written are replaced at least 30 minutes before
//! they expire, so anything reading them gets at least 30 minutes, well
//! outside the SDKs' own refresh windows (botocore 15 minutes, aws-sdk-rust 5).
//! **Shorter leases give readers less**: a reader gets half the lifetime, so
//! a 40-minute lease leaves 20 minutes, and a lease shorter than 30 minutes
//! (a 15-minute role session, the shortest STS grants, leaves 7.5) gives
//! less than the SDKs' 15-minute window: they will see keys they consider
//! about to expire, and tools that cannot refresh them (they read only the
//! credentials file) have less time than they expect.
//!
//! Every lease duration here is divided by `LEASEKEEPER_TIME_SCALE` (a
//! [`TimeScale`], at least 1), which tests and the demo set to the sandbox's
//! speed so that an hour's lease renews in a minute; the MFA code step and
//! the bounds on one process waiting on another (the socket's timeouts, a
//! pass's limit: [`SOCKET_IDLE_TIMEOUT`] and those after it) are real time
//! and never divided. The caller reads the variable; the engine reads no environment. Randomness comes from a seed the
//! caller passes ([`unit_random`]), so every decision is repeatable in tests.

use std::time::Duration as StdDuration;

use time::{Duration, OffsetDateTime};

use crate::signin::policy::TimeScale;

/// Renew once this fraction of a lease's lifetime has passed.
pub const RENEW_AT_FRACTION: f64 = 0.5;
/// Renewals come early by up to this fraction of the lifetime …
pub const JITTER_FRACTION: f64 = 0.05;
/// … and never more than this.
pub const JITTER_CAP: Duration = Duration::minutes(1);
/// The longest the loop ever sleeps: wall time is compared with monotonic
/// time at least this often, so a suspend or clock jump is seen within it.
pub const TICK: Duration = Duration::seconds(30);
/// The shortest sleep asked for, so a deadline that just passed cannot spin.
pub const MIN_WAKE: Duration = Duration::seconds(1);
/// The first retry after a failed renewal …
pub const RETRY_FIRST: Duration = Duration::seconds(10);
/// … doubling up to this.
pub const RETRY_CAP: Duration = Duration::minutes(5);
/// Retries come early by up to this fraction of their delay.
pub const RETRY_JITTER_FRACTION: f64 = 0.2;
/// After a wake the network may not be up yet: network failures are retried
/// from this delay …
pub const NETWORK_RETRY_FIRST: Duration = Duration::seconds(2);
/// … doubling up to this …
pub const NETWORK_RETRY_CAP: Duration = Duration::seconds(30);
/// … and are not counted as failures for this long after the wake.
pub const NETWORK_GRACE: Duration = Duration::minutes(2);
/// Warn when the clock is off from AWS's by more than this.
pub const SKEW_WARNING: Duration = Duration::minutes(5);
/// Wall time running ahead of (or behind) monotonic time by more than this
/// between two steps is a sleep or a clock change.
pub const CLOCK_JUMP: Duration = Duration::minutes(1);
/// After "sleep is coming", nothing new starts for at most this long (a
/// sleep that was inhibited or cancelled sends no resume). The machine's
/// own time to suspend, not a lease's: never scaled.
pub const SLEEP_HOLD: Duration = Duration::minutes(2);
/// A need told for a client is told again no sooner than this.
pub const REASK_AFTER: Duration = Duration::hours(1);
/// `credential_process` reuses cached keys while more than this remains:
/// the SDKs refresh `credential_process` keys 15 minutes before they
/// expire, so what they get from the cache outlasts that window.
pub const REUSE_MARGIN: Duration = Duration::minutes(15);
/// A TOTP code's time step (RFC 6238: 30 seconds). Real time, never divided
/// by the time scale: the device and AWS count real seconds.
pub const MFA_CODE_STEP: Duration = Duration::seconds(30);
/// AWS accepts a code up to one step either side of its own clock, so a
/// code stays usable for up to three steps after the one it was typed in
/// could have begun: a code equal to the last one accepted is refused while
/// the step it was given in or either of the next two runs.
pub const MFA_CODE_REUSE_STEPS: i64 = 2;
/// A parent's credentials must outlive "now" by this much to be used.
pub const PARENT_MARGIN: Duration = Duration::minutes(1);
/// Warnings come this long before something needs the person (settings
/// may change them).
pub const DEFAULT_WARNING_LEADS: [Duration; 2] = [Duration::minutes(15), Duration::minutes(5)];
/// STS's limit for a role assumed with role-session keys (role chaining), in seconds.
pub const CHAINED_ROLE_MAX_SECONDS: u32 = 3600;

// How long one process waits on another: the keeper's socket, those who ask
// it, and the passes run without it. Real time (`std::time::Duration`, what
// the sockets and tasks take), never divided by the time scale: they bound
// waits on a process, not a lease's life.

/// A socket client that sends nothing for this long is hung up on.
pub const SOCKET_IDLE_TIMEOUT: StdDuration = StdDuration::from_secs(60);
/// A socket client that does not take an answer within this long is hung
/// up on.
pub const SOCKET_WRITE_TIMEOUT: StdDuration = StdDuration::from_secs(5);
/// The longest the keeper waits for a `refresh`'s renewals before it
/// answers anyway (`refresh_timed_out`).
pub const REFRESH_WAIT: StdDuration = StdDuration::from_secs(120);
/// The longest a client waits for the keeper to answer a refresh or an MFA
/// code: the keeper's own bound ([`REFRESH_WAIT`]) and a little more.
pub const KEEPER_WAIT: StdDuration = REFRESH_WAIT.saturating_add(StdDuration::from_secs(10));
/// The bound on connecting to the keeper and on every other exchange with
/// it (`hello`, `status`, a sign-in or sign-out told).
pub const SOCKET_TIMEOUT: StdDuration = StdDuration::from_secs(3);
/// `credential-process`'s bound on each exchange with the keeper: it
/// answers from memory, so a keeper that takes longer is wedged, and the
/// keys are resolved alone.
pub const CREDENTIALS_TIMEOUT: StdDuration = StdDuration::from_secs(1);
/// The longest one pass of the keeper without a running one (`refresh`,
/// `mfa`) may take.
pub const PASS_LIMIT: StdDuration = StdDuration::from_secs(120);
/// How long the tray app waits before trying again to reach the keeper
/// that holds the lock, or to take the lock.
pub const ATTACH_RETRY: StdDuration = StdDuration::from_secs(1);

/// The constants divided by the time scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub scale: TimeScale,
    pub jitter_cap: Duration,
    pub tick: Duration,
    pub min_wake: Duration,
    pub retry_first: Duration,
    pub retry_cap: Duration,
    pub network_retry_first: Duration,
    pub network_retry_cap: Duration,
    pub network_grace: Duration,
    pub skew_warning: Duration,
    pub clock_jump: Duration,
    pub sleep_hold: Duration,
    pub parent_margin: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new(1.0)
    }
}

impl Policy {
    /// The policy at `time_scale` (`LEASEKEEPER_TIME_SCALE`). Anything below
    /// 1, or not a number, counts as 1: the scale only ever compresses time.
    pub fn new(time_scale: f64) -> Policy {
        let factor = if time_scale.is_finite() && time_scale >= 1.0 {
            time_scale
        } else {
            1.0
        };
        Policy::with_scale(TimeScale::new(factor).unwrap_or_default())
    }

    /// The policy at an already parsed scale.
    pub fn with_scale(scale: TimeScale) -> Policy {
        let s = |d| scale.apply(d);
        Policy {
            scale,
            jitter_cap: s(JITTER_CAP),
            tick: s(TICK),
            min_wake: s(MIN_WAKE),
            retry_first: s(RETRY_FIRST),
            retry_cap: s(RETRY_CAP),
            network_retry_first: s(NETWORK_RETRY_FIRST),
            network_retry_cap: s(NETWORK_RETRY_CAP),
            network_grace: s(NETWORK_GRACE),
            skew_warning: s(SKEW_WARNING),
            clock_jump: s(CLOCK_JUMP),
            sleep_hold: SLEEP_HOLD,
            parent_margin: s(PARENT_MARGIN),
        }
    }

    /// A duration from the settings (a warning lead, a session length)
    /// divided by the scale.
    pub fn scaled(&self, d: Duration) -> Duration {
        self.scale.apply(d)
    }

    /// How early a lease of `lifetime` renews, for a random `unit` in [0, 1).
    pub fn jitter(&self, lifetime: Duration, unit: f64) -> Duration {
        let most = (lifetime * JITTER_FRACTION).min(self.jitter_cap);
        most.max(Duration::ZERO) * unit.clamp(0.0, 1.0)
    }

    /// When credentials obtained at `obtained_at` and expiring at
    /// `expires_at` (both on AWS's clock) are due for renewal.
    pub fn due_at(
        &self,
        obtained_at: OffsetDateTime,
        expires_at: OffsetDateTime,
        unit: f64,
    ) -> OffsetDateTime {
        let lifetime = (expires_at - obtained_at).max(Duration::ZERO);
        obtained_at + lifetime * RENEW_AT_FRACTION - self.jitter(lifetime, unit)
    }

    /// The wait before retry number `failures` (1 for the first), jittered.
    pub fn retry_delay(&self, failures: u32, unit: f64) -> Duration {
        backoff(self.retry_first, self.retry_cap, failures, unit)
    }

    /// The wait before another try while the network comes back after a wake.
    pub fn network_delay(&self, attempts: u32, unit: f64) -> Duration {
        backoff(
            self.network_retry_first,
            self.network_retry_cap,
            attempts,
            unit,
        )
    }
}

/// `first` doubling per attempt up to `cap`, then up to
/// [`RETRY_JITTER_FRACTION`] of it taken off.
fn backoff(first: Duration, cap: Duration, attempt: u32, unit: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(30);
    let full = (first * f64::from(1u32 << doublings.min(20))).min(cap);
    full - full * (RETRY_JITTER_FRACTION * unit.clamp(0.0, 1.0))
}

/// A repeatable number in [0, 1) from the caller's seed, a key (a node id)
/// and a salt (an attempt counter): splitmix64 over their FNV-1a hash.
pub fn unit_random(seed: u64, key: &str, salt: u64) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    // The top 53 bits as a fraction: exactly representable, always < 1.
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const T0: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    #[test]
    fn an_hour_lease_is_due_at_exactly_half_life_without_jitter() {
        let p = Policy::default();
        assert_eq!(
            p.due_at(T0, T0 + Duration::hours(1), 0.0),
            T0 + Duration::minutes(30)
        );
    }

    #[test]
    fn jitter_is_at_most_five_percent_or_one_minute_and_only_earlier() {
        let p = Policy::default();
        // One hour: 5% is 3 min, so the one-minute cap wins.
        let hour = p.due_at(T0, T0 + Duration::hours(1), 0.999_999);
        assert!(hour < T0 + Duration::minutes(30));
        assert!(hour > T0 + Duration::minutes(29), "{hour}");
        // Fifteen minutes: 5% is 45 s, below the cap.
        assert_eq!(p.jitter(Duration::minutes(15), 1.0), Duration::seconds(45));
        assert_eq!(p.jitter(Duration::hours(12), 1.0), Duration::minutes(1));
        for i in 0..1000 {
            let u = unit_random(7, "node", i);
            assert!((0.0..1.0).contains(&u));
            let j = p.jitter(Duration::hours(1), u);
            assert!(j >= Duration::ZERO && j < Duration::minutes(1), "{j}");
        }
    }

    #[test]
    fn backoff_doubles_from_ten_seconds_to_five_minutes() {
        let p = Policy::default();
        let got: Vec<i64> = (1..=8)
            .map(|n| p.retry_delay(n, 0.0).whole_seconds())
            .collect();
        assert_eq!(got, [10, 20, 40, 80, 160, 300, 300, 300]);
        // Jitter takes off at most a fifth, never adds.
        assert_eq!(p.retry_delay(1, 1.0), Duration::seconds(8));
        assert_eq!(p.retry_delay(50, 0.5), Duration::seconds(270));
        let net: Vec<i64> = (1..=6)
            .map(|n| p.network_delay(n, 0.0).whole_seconds())
            .collect();
        assert_eq!(net, [2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn time_scale_sixty_divides_every_constant() {
        let one = Policy::new(1.0);
        let fast = Policy::new(60.0);
        let pairs = [
            (one.jitter_cap, fast.jitter_cap),
            (one.tick, fast.tick),
            (one.min_wake, fast.min_wake),
            (one.retry_first, fast.retry_first),
            (one.retry_cap, fast.retry_cap),
            (one.network_retry_first, fast.network_retry_first),
            (one.network_retry_cap, fast.network_retry_cap),
            (one.network_grace, fast.network_grace),
            (one.skew_warning, fast.skew_warning),
            (one.clock_jump, fast.clock_jump),
            (one.parent_margin, fast.parent_margin),
        ];
        assert_eq!(
            one.sleep_hold, fast.sleep_hold,
            "the machine's time, not scaled"
        );
        for (a, b) in pairs {
            let diff: Duration = a / 60_i32 - b;
            assert!(
                diff.abs() < Duration::microseconds(1),
                "{a} at scale 60: {b}"
            );
        }
        assert_eq!(fast.tick, Duration::milliseconds(500));
        assert_eq!(fast.retry_cap, Duration::seconds(5));
        assert_eq!(fast.scaled(Duration::minutes(15)), Duration::seconds(15));
        // Half-life is a fraction of what AWS granted: the scale does not touch it.
        assert_eq!(
            fast.due_at(T0, T0 + Duration::minutes(1), 0.0),
            T0 + Duration::seconds(30)
        );
        assert_eq!(fast.retry_delay(10, 0.0), Duration::seconds(5));
    }

    #[test]
    fn scales_below_one_or_not_numbers_count_as_one() {
        for bad in [0.0, 0.5, -3.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Policy::new(bad), Policy::default(), "{bad}");
        }
    }

    #[test]
    fn unit_random_is_repeatable_and_depends_on_every_input() {
        assert_eq!(unit_random(1, "a", 2), unit_random(1, "a", 2));
        assert_ne!(unit_random(1, "a", 2), unit_random(2, "a", 2));
        assert_ne!(unit_random(1, "a", 2), unit_random(1, "b", 2));
        assert_ne!(unit_random(1, "a", 2), unit_random(1, "a", 3));
    }
}
