//! When Leasekeeper first saw a sign-in: the start of the estimate of a
//! sign-in session's end when another tool (`aws sso login`) signed in.
//!
//! No AWS API tells when a sign-in began, and the token cache file's times
//! change on every refresh. So whoever reads the token cache (`status`, the
//! keeper, the tray) keeps a [`Sighting`] of each refreshable token: when
//! the sign-in behind it was first seen (or, for a sign-in Leasekeeper made,
//! when it was made), and which token and client registration were seen
//! last. [`observe`] decides, for the token in the cache now, whether it
//! continues that sign-in (a routine refresh: the sighting is kept) or
//! starts a new one (the sighting restarts at `now`):
//!
//! - a token file new to us (no sighting) is a new sign-in: it starts at our
//!   sign-in's time when our session record describes this token (the
//!   record's `tokenFingerprint` is the token's), else at `now`;
//! - a new client registration (the `clientId` changed) is a new sign-in;
//! - a token Leasekeeper obtained by refreshing keeps the sighting, one it
//!   obtained by signing in later than the sighting starts it anew (at the
//!   sign-in's time; for the token already seen, when that token was first
//!   seen stays as it was);
//! - another tool's replacement is routine when the old access token had at
//!   most [`REFRESH_WINDOW`] left (every SDK refreshes within it), and a new
//!   sign-in when it had more, or when it came after the sighting's
//!   estimated end (a session over is followed only by a new sign-in).
//!
//! The record holds no secret: fingerprints only (docs/STATE.md).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::policy::TimeScale;
use super::records::{SessionRecord, fingerprint};
use crate::lease::policy::ASSUMED_TOKEN_LIFETIME;
use crate::profiles::sso_cache::SsoToken;
use crate::timefmt::{format_z, parse_timestamp};

/// Another tool refreshes a token only this close to its expiry (botocore's
/// window; aws-sdk-rust's is shorter): a token replaced earlier was replaced
/// by a sign-in. Divided by the time scale.
pub const REFRESH_WINDOW: Duration = Duration::minutes(15);

/// How a sighting's start is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Leasekeeper signed in: the start is the sign-in's own time.
    SignedIn,
    /// Another tool signed in: the start is when Leasekeeper first saw it.
    FirstSeen,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::SignedIn => "signed_in",
            Origin::FirstSeen => "first_seen",
        }
    }
}

/// What Leasekeeper knows of the sign-in behind one token cache file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// When the sign-in was first seen (or made, by Leasekeeper): the
    /// estimate of its end counts from here.
    pub first_seen_at: OffsetDateTime,
    pub origin: Origin,
    /// [`client_fingerprint`] of the token's `clientId`.
    pub client_fingerprint: String,
    /// [`fingerprint`] of the access token seen last.
    pub token_fingerprint: String,
    /// That access token's expiry.
    pub token_expires_at: OffsetDateTime,
    /// When that access token was first seen.
    pub token_seen_at: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSighting {
    first_seen_at: String,
    origin: String,
    client_fingerprint: String,
    token_fingerprint: String,
    token_expires_at: String,
    token_seen_at: String,
}

/// Sixteen hex digits of the SHA-256 of a client id: enough to tell a new
/// client registration.
pub fn client_fingerprint(client_id: &str) -> String {
    let digest = Sha256::digest(client_id.as_bytes());
    hex::encode(digest.get(..8).unwrap_or_default())
}

impl Sighting {
    /// Whether this sighting is of the token now in the cache file.
    pub fn describes(&self, token: &SsoToken) -> bool {
        self.token_fingerprint == fingerprint(&token.access_token)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let raw = RawSighting {
            first_seen_at: format_z(self.first_seen_at),
            origin: self.origin.as_str().to_owned(),
            client_fingerprint: self.client_fingerprint.clone(),
            token_fingerprint: self.token_fingerprint.clone(),
            token_expires_at: format_z(self.token_expires_at),
            token_seen_at: format_z(self.token_seen_at),
        };
        serde_json::to_vec_pretty(&raw).unwrap_or_default()
    }

    /// `None` when the bytes are not a sighting.
    pub fn parse(bytes: &[u8]) -> Option<Sighting> {
        let raw: RawSighting = serde_json::from_slice(bytes).ok()?;
        let origin = match raw.origin.as_str() {
            "signed_in" => Origin::SignedIn,
            "first_seen" => Origin::FirstSeen,
            _ => return None,
        };
        Some(Sighting {
            first_seen_at: parse_timestamp(&raw.first_seen_at)?,
            origin,
            client_fingerprint: raw.client_fingerprint,
            token_fingerprint: raw.token_fingerprint,
            token_expires_at: parse_timestamp(&raw.token_expires_at)?,
            token_seen_at: parse_timestamp(&raw.token_seen_at)?,
        })
    }
}

/// What the sighting of `token` is at `now`, given the sighting kept so far
/// (`seen`), our own session record (`ours`), the estimated session length
/// (already divided by the time scale: every reader passes the same) and
/// the time scale; `None` for a token that is not tracked (it cannot be
/// refreshed: its own expiry is its end). The caller writes the result
/// when it differs from `seen`.
pub fn observe(
    token: &SsoToken,
    ours: Option<&SessionRecord>,
    seen: Option<&Sighting>,
    length: Duration,
    now: OffsetDateTime,
    scale: TimeScale,
) -> Option<Sighting> {
    if !token.refreshable_at(now) {
        return None;
    }
    // Whole seconds, as the file keeps them: a sighting just made reads the
    // same as when read back.
    let now = now - Duration::nanoseconds(i64::from(now.nanosecond()));
    let client = client_fingerprint(token.client_id.as_deref().unwrap_or(""));
    // Our record counts only when it describes this very token.
    let ours = ours.filter(|r| r.describes(token));
    let our_sign_in = ours.and_then(|r| r.signed_in_at).filter(|t| *t <= now);
    let current = |first_seen_at, origin| Sighting {
        first_seen_at,
        origin,
        client_fingerprint: client.clone(),
        token_fingerprint: fingerprint(&token.access_token),
        token_expires_at: token.expires_at,
        token_seen_at: now,
    };
    let restart = || match our_sign_in {
        Some(t) => current(t, Origin::SignedIn),
        None => current(now, Origin::FirstSeen),
    };
    let Some(seen) = seen else {
        // First sight: our sign-in when our record describes the token,
        // else now.
        return Some(restart());
    };
    if seen.client_fingerprint != client {
        return Some(restart());
    }
    if seen.describes(token) {
        // Seen already; our record of signing it in may have come after.
        // The token is the one seen then: when it was first seen stands.
        return Some(match our_sign_in {
            Some(t) if t > seen.first_seen_at => Sighting {
                first_seen_at: t,
                origin: Origin::SignedIn,
                ..seen.clone()
            },
            _ => seen.clone(),
        });
    }
    let keep = || current(seen.first_seen_at, seen.origin);
    if ours.is_some() {
        // Our own token: signed in after the sighting began, or refreshed.
        return Some(match our_sign_in {
            Some(t) if t > seen.first_seen_at => current(t, Origin::SignedIn),
            _ => keep(),
        });
    }
    // Another tool replaced the token. At the latest when we see it, and,
    // if its token lasts the usual hour, when the new one was issued.
    let issued = token.expires_at - scale.apply(ASSUMED_TOKEN_LIFETIME);
    let replaced_at = if issued >= seen.token_seen_at && issued < now {
        issued
    } else {
        now
    };
    let early = seen.token_expires_at - replaced_at > scale.apply(REFRESH_WINDOW);
    let after_end = replaced_at > seen.first_seen_at + length;
    Some(if early || after_end {
        restart()
    } else {
        keep()
    })
}
