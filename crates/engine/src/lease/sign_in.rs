//! The end of an IAM Identity Center sign-in, as far as it can be told.
//!
//! With a refresh token a sign-in lasts the session duration its
//! administrator set (8 hours unless changed, up to 90 days); no AWS API
//! reveals it. Leasekeeper records when it signed a session in (the
//! [`SessionRecord`]'s `signed_in_at`) and estimates the end as that time
//! plus the configured session length, never later than the client
//! registration's expiry. For a sign-in another tool made, whoever reads the
//! token cache records when it first saw it (a [`Sighting`], see
//! [`crate::signin::sighting`]), and the estimate counts from then (the
//! cache file's times change on every refresh, so they cannot tell when the
//! person signed in). With neither, the registration's expiry is only an
//! upper bound. [`sign_in_end`] is the one place this is decided: the
//! status and the keeper's warnings both use it.

use time::{Duration, OffsetDateTime};

use crate::profiles::sso_cache::SsoToken;
use crate::signin::records::SessionRecord;
use crate::signin::sighting::{Origin, Sighting};

/// When a sign-in ends and how that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInEnd {
    pub at: OffsetDateTime,
    /// `at` is the sign-in's start plus the session length.
    pub estimated: bool,
    /// `at` is the client registration's expiry and nothing tells when the
    /// sign-in began: it ends then at the latest, possibly much earlier.
    pub upper_bound: bool,
    /// When Leasekeeper signed the session in, when that is the estimate's
    /// start (or, capped by the registration, would be).
    pub signed_in_at: Option<OffsetDateTime>,
    /// When Leasekeeper first saw the sign-in another tool made, when that
    /// is the estimate's start.
    pub first_seen_at: Option<OffsetDateTime>,
}

/// When the sign-in behind `token` ends, at `now`: a legacy token or one
/// that cannot be refreshed at its own expiry; otherwise the earlier of the
/// client registration's expiry and the sign-in's start plus `length`.
///
/// The start is the later of what `record` (our own sign-in) and `sighting`
/// (when the sign-in was first seen) tell. A record that does not describe
/// the token (another tool signed in or refreshed since) is used only while
/// its estimate lies ahead: an estimate already past while the token still
/// refreshes tells that the sign-in the record knew was replaced. A
/// sighting is used only when it is of this very token and began by `now`.
/// Without either, the registration's expiry is an upper bound.
pub fn sign_in_end(
    token: &SsoToken,
    legacy: bool,
    record: Option<&SessionRecord>,
    sighting: Option<&Sighting>,
    length: Duration,
    now: OffsetDateTime,
) -> Option<SignInEnd> {
    if legacy || !token.refreshable_at(now) {
        return Some(SignInEnd {
            at: token.expires_at,
            estimated: false,
            upper_bound: false,
            signed_in_at: None,
            first_seen_at: None,
        });
    }
    let ours = record.and_then(|r| {
        let signed_in_at = r.signed_in_at?;
        (signed_in_at + length > now || r.describes(token)).then_some((signed_in_at, true))
    });
    let seen = sighting
        .filter(|s| s.describes(token) && s.first_seen_at <= now)
        .map(|s| (s.first_seen_at, s.origin == Origin::SignedIn));
    let start = match (ours, seen) {
        (Some(a), Some(b)) if b.0 > a.0 => Some(b),
        (Some(a), _) => Some(a),
        (None, b) => b,
    };
    let (signed_in_at, first_seen_at) = match start {
        Some((t, true)) => (Some(t), None),
        Some((t, false)) => (None, Some(t)),
        None => (None, None),
    };
    let estimate = start.map(|(t, _)| t + length);
    match (token.registration_expires_at, estimate) {
        (Some(reg), Some(est)) if est < reg => Some(SignInEnd {
            at: est,
            estimated: true,
            upper_bound: false,
            signed_in_at,
            first_seen_at,
        }),
        (Some(reg), estimate) => Some(SignInEnd {
            at: reg,
            estimated: false,
            upper_bound: estimate.is_none(),
            signed_in_at,
            first_seen_at,
        }),
        (None, Some(est)) => Some(SignInEnd {
            at: est,
            estimated: true,
            upper_bound: false,
            signed_in_at,
            first_seen_at,
        }),
        (None, None) => None,
    }
}
