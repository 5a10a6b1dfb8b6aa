//! The end of an IAM Identity Center sign-in, as far as it can be told.
//!
//! With a refresh token a sign-in lasts the session duration its
//! administrator set (8 hours unless changed, up to 90 days); no AWS API
//! reveals it. Leasekeeper records when it signed a session in (the
//! [`SessionRecord`]'s `signed_in_at`) and estimates the end as that time
//! plus the configured session length, never later than the client
//! registration's expiry. A token another tool wrote has no recorded
//! sign-in: its end is then the registration's expiry, not estimated (the
//! cache file's times change on every refresh, so they cannot tell when the
//! person signed in). [`sign_in_end`] is the one place this is decided: the
//! status and the keeper's warnings both use it.

use time::{Duration, OffsetDateTime};

use crate::profiles::sso_cache::SsoToken;
use crate::signin::records::SessionRecord;

/// When a sign-in ends and whether that is an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInEnd {
    pub at: OffsetDateTime,
    /// `at` is the recorded sign-in time plus the session length.
    pub estimated: bool,
    /// The recorded sign-in time the estimate is based on.
    pub signed_in_at: Option<OffsetDateTime>,
}

/// When the sign-in behind `token` ends, at `now`: a legacy token or one
/// that cannot be refreshed at its own expiry; otherwise the earlier of the
/// client registration's expiry and `record`'s sign-in time plus `length`.
///
/// A record that does not describe the token (another tool signed in or
/// refreshed since) is used only while its estimate lies ahead: an estimate
/// already past while the token still refreshes tells that the sign-in the
/// record knew was replaced, so nothing is estimated.
pub fn sign_in_end(
    token: &SsoToken,
    legacy: bool,
    record: Option<&SessionRecord>,
    length: Duration,
    now: OffsetDateTime,
) -> Option<SignInEnd> {
    if legacy || !token.refreshable_at(now) {
        return Some(SignInEnd {
            at: token.expires_at,
            estimated: false,
            signed_in_at: None,
        });
    }
    let estimate = record.and_then(|r| {
        let signed_in_at = r.signed_in_at?;
        let end = signed_in_at + length;
        (end > now || r.describes(token)).then_some((signed_in_at, end))
    });
    let registration = token.registration_expires_at;
    match (registration, estimate) {
        (Some(reg), Some((signed_in_at, est))) if est < reg => Some(SignInEnd {
            at: est,
            estimated: true,
            signed_in_at: Some(signed_in_at),
        }),
        (Some(reg), estimate) => Some(SignInEnd {
            at: reg,
            estimated: false,
            signed_in_at: estimate.map(|(s, _)| s),
        }),
        (None, Some((signed_in_at, est))) => Some(SignInEnd {
            at: est,
            estimated: true,
            signed_in_at: Some(signed_in_at),
        }),
        (None, None) => None,
    }
}
