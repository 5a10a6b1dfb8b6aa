//! The sign-in and refresh policy: named constants with their units, the
//! time scale that divides them, and [`refresh_decision`].
//!
//! The access token is renewed once half its life has passed — its life as
//! we obtained it, recorded in our state; for a token another tool wrote,
//! the usual hour is assumed, so 30 minutes before expiry. That is ahead of
//! botocore (15 minutes) and aws-sdk-rust (5 minutes), so they never start a
//! refresh of their own and rotate the refresh token under us. At most one
//! attempt a minute, never once the client registration has expired.

use time::{Duration, OffsetDateTime};

use crate::lease::policy::ASSUMED_TOKEN_LIFETIME;
use crate::profiles::sso_cache::SsoToken;

use super::records::SessionRecord;

/// At most one refresh attempt per this much time.
pub const MIN_REFRESH_SPACING: Duration = Duration::minutes(1);
/// A cached client registration is reused until this long before it expires.
pub const REGISTRATION_REUSE_MARGIN: Duration = Duration::minutes(15);
/// How long a browser sign-in waits for the browser to come back (the AWS
/// CLI waits 10 minutes).
pub const BROWSER_WAIT: Duration = Duration::minutes(10);
/// Device-code polling when the service names no interval (RFC 8628).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::seconds(5);
/// What `slow_down` adds to the polling interval (RFC 8628 section 3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::seconds(5);
/// How often a second `login` checks whether the running one finished.
pub const JOIN_CHECK_INTERVAL: Duration = Duration::seconds(1);
/// The longest a second `login` waits for the running one: a device code's
/// ten minutes and a margin.
pub const JOIN_WAIT: Duration = Duration::minutes(12);

/// `LEASEKEEPER_TIME_SCALE`: every policy constant is divided by it (tests
/// and the demo set it to the sandbox's speed). The shells read it from the
/// environment and pass it in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeScale(f64);

impl Default for TimeScale {
    fn default() -> Self {
        TimeScale(1.0)
    }
}

/// The smallest scale taken: slower time than this would stretch an hour
/// past what an instant can hold.
pub const MIN_TIME_SCALE: f64 = 0.001;

/// The longest a scaled constant becomes, whatever the scale.
const MAX_SCALED: Duration = Duration::days(36_500);

impl TimeScale {
    /// A scale of at least [`MIN_TIME_SCALE`]; `None` for anything else.
    pub fn new(factor: f64) -> Option<TimeScale> {
        (factor.is_finite() && factor >= MIN_TIME_SCALE).then_some(TimeScale(factor))
    }

    /// Parses the variable's text; `None` when it is not a positive number.
    pub fn parse(text: &str) -> Option<TimeScale> {
        text.trim().parse().ok().and_then(TimeScale::new)
    }

    pub fn factor(self) -> f64 {
        self.0
    }

    /// `d` divided by the scale.
    pub fn apply(self, d: Duration) -> Duration {
        Duration::checked_seconds_f64(d.as_seconds_f64() / self.0)
            .unwrap_or(MAX_SCALED)
            .clamp(-MAX_SCALED, MAX_SCALED)
    }
}

/// Whether and when a token should be refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Not yet: check again at this time.
    NotYet(OffsetDateTime),
    /// The last attempt was too recent: not before this time.
    Spacing(OffsetDateTime),
    /// Refresh now.
    Due,
    /// It cannot be refreshed (no refresh token, no registration, or the
    /// registration expired): usable until it expires, then a sign-in is needed.
    Never,
}

/// When a token should be refreshed: half its life after we obtained it when
/// our record is of this very token, else half the assumed hour before it
/// expires.
pub fn refresh_due_at(
    token: &SsoToken,
    record: Option<&SessionRecord>,
    scale: TimeScale,
) -> OffsetDateTime {
    match record.filter(|r| r.describes(token)) {
        Some(r) => r.obtained_at + r.lifetime / 2,
        None => token.expires_at - scale.apply(ASSUMED_TOKEN_LIFETIME / 2),
    }
}

/// The refresh decision for `token` at `now`.
pub fn refresh_decision(
    token: &SsoToken,
    record: Option<&SessionRecord>,
    now: OffsetDateTime,
    scale: TimeScale,
) -> RefreshDecision {
    if !token.refreshable_at(now) {
        return RefreshDecision::Never;
    }
    let due = refresh_due_at(token, record, scale);
    if now < due {
        return RefreshDecision::NotYet(due);
    }
    if let Some(last) = record.and_then(|r| r.last_refresh_attempt) {
        let next = last + scale.apply(MIN_REFRESH_SPACING);
        if now < next && now >= last {
            return RefreshDecision::Spacing(next);
        }
    }
    RefreshDecision::Due
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::signin::records::fingerprint;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

    fn token(expires_in: Duration) -> SsoToken {
        SsoToken {
            start_url: Some("https://x.awsapps.com/start".into()),
            region: Some("us-east-1".into()),
            access_token: Secret::new("AT"),
            expires_at: NOW + expires_in,
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("cs")),
            registration_expires_at: Some(NOW + Duration::days(30)),
            refresh_token: Some(Secret::new("RT")),
        }
    }

    fn ours(obtained: OffsetDateTime, life: Duration) -> SessionRecord {
        SessionRecord {
            token_fingerprint: fingerprint(&Secret::new("AT")),
            obtained_at: obtained,
            lifetime: life,
            ..SessionRecord::default()
        }
    }

    #[test]
    fn our_token_is_refreshed_after_half_its_life() {
        let t = token(Duration::minutes(40));
        let r = ours(NOW - Duration::minutes(20), Duration::hours(1));
        // Obtained 20 min ago with a 1 h life: due 10 min from now.
        assert_eq!(
            refresh_decision(&t, Some(&r), NOW, TimeScale::default()),
            RefreshDecision::NotYet(NOW + Duration::minutes(10))
        );
        let later = NOW + Duration::minutes(10);
        assert_eq!(
            refresh_decision(&t, Some(&r), later, TimeScale::default()),
            RefreshDecision::Due
        );
        assert_eq!(
            refresh_decision(
                &t,
                Some(&r),
                later - Duration::seconds(1),
                TimeScale::default()
            ),
            RefreshDecision::NotYet(later)
        );
    }

    #[test]
    fn another_tools_token_is_refreshed_30_minutes_before_expiry() {
        let t = token(Duration::minutes(31));
        let due = NOW + Duration::minutes(1);
        assert_eq!(
            refresh_decision(&t, None, NOW, TimeScale::default()),
            RefreshDecision::NotYet(due)
        );
        assert_eq!(
            refresh_decision(&t, None, due, TimeScale::default()),
            RefreshDecision::Due
        );
        // A record of another token does not count.
        let mut other = ours(NOW - Duration::minutes(59), Duration::hours(1));
        other.token_fingerprint = fingerprint(&Secret::new("OTHER"));
        assert_eq!(
            refresh_decision(&t, Some(&other), NOW, TimeScale::default()),
            RefreshDecision::NotYet(due)
        );
    }

    #[test]
    fn at_most_one_attempt_a_minute_and_scaled() {
        let t = token(Duration::minutes(10));
        let mut r = ours(NOW - Duration::minutes(50), Duration::hours(1));
        r.last_refresh_attempt = Some(NOW - Duration::seconds(59));
        assert_eq!(
            refresh_decision(&t, Some(&r), NOW, TimeScale::default()),
            RefreshDecision::Spacing(NOW + Duration::seconds(1))
        );
        r.last_refresh_attempt = Some(NOW - Duration::seconds(60));
        assert_eq!(
            refresh_decision(&t, Some(&r), NOW, TimeScale::default()),
            RefreshDecision::Due
        );
        // At scale 60 a minute is a second, and 30 minutes are 30 seconds.
        let fast = TimeScale::new(60.0).unwrap();
        r.last_refresh_attempt = Some(NOW - Duration::seconds(2));
        assert_eq!(
            refresh_decision(&t, Some(&r), NOW, fast),
            RefreshDecision::Due
        );
        let short = token(Duration::seconds(31));
        assert_eq!(
            refresh_decision(&short, None, NOW, fast),
            RefreshDecision::NotYet(NOW + Duration::seconds(1))
        );
    }

    #[test]
    fn never_after_the_registration_expired_or_without_a_refresh_token() {
        let mut t = token(Duration::minutes(1));
        t.registration_expires_at = Some(NOW);
        assert_eq!(
            refresh_decision(&t, None, NOW, TimeScale::default()),
            RefreshDecision::Never
        );
        let mut t = token(Duration::minutes(1));
        t.refresh_token = None;
        assert_eq!(
            refresh_decision(&t, None, NOW, TimeScale::default()),
            RefreshDecision::Never
        );
    }

    #[test]
    fn the_scale_must_be_positive() {
        assert!(TimeScale::parse("0").is_none());
        assert!(TimeScale::parse("-2").is_none());
        assert!(TimeScale::parse("fast").is_none());
        assert_eq!(
            TimeScale::parse(" 60 ")
                .unwrap()
                .apply(Duration::minutes(1)),
            Duration::seconds(1)
        );
    }
}
