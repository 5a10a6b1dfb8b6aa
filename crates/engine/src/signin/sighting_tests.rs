//! The rules of [`observe`]: first sight, routine refreshes keep the
//! sighting, new sign-ins restart it.

use time::{Duration, OffsetDateTime, macros::datetime};

use super::policy::TimeScale;
use super::records::SessionRecord;
use super::sighting::{Origin, Sighting, client_fingerprint, observe};
use crate::Secret;
use crate::profiles::sso_cache::SsoToken;

const T0: OffsetDateTime = datetime!(2026-11-22 09:00 UTC);
const LENGTH: Duration = Duration::hours(8);

/// A refreshable token `access`, of client `client`, expiring at `expires`.
fn token(access: &str, client: &str, expires: OffsetDateTime) -> SsoToken {
    SsoToken {
        start_url: Some("https://corp.awsapps.com/start".into()),
        region: Some("eu-west-1".into()),
        access_token: Secret::new(access.to_owned()),
        expires_at: expires,
        client_id: Some(client.to_owned()),
        client_secret: Some(Secret::new("CS")),
        registration_expires_at: Some(T0 + Duration::days(80)),
        refresh_token: Some(Secret::new("RT")),
    }
}

fn see(
    t: &SsoToken,
    ours: Option<&SessionRecord>,
    seen: Option<&Sighting>,
    now: OffsetDateTime,
) -> Sighting {
    observe(t, ours, seen, LENGTH, now, TimeScale::default())
        .expect("a refreshable token is tracked")
}

/// Our record of `t`, obtained at `at`, signed in at `signed_in`.
fn ours(t: &SsoToken, at: OffsetDateTime, signed_in: Option<OffsetDateTime>) -> SessionRecord {
    let mut r = SessionRecord::obtained(&t.access_token, at, Duration::hours(1));
    r.signed_in_at = signed_in;
    r
}

#[test]
fn a_token_file_new_to_us_is_first_seen_now() {
    let t = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&t, None, None, T0);
    assert_eq!(s.first_seen_at, T0);
    assert_eq!(s.origin, Origin::FirstSeen);
    assert_eq!(s.token_expires_at, t.expires_at);
    assert!(s.describes(&t));
    assert_eq!(s.client_fingerprint, client_fingerprint("cid"));
    // Seen again unchanged: nothing to write.
    assert_eq!(see(&t, None, Some(&s), T0 + Duration::minutes(5)), s);
}

#[test]
fn our_own_sign_in_is_the_start_at_first_sight() {
    let t = token("A1", "cid", T0 + Duration::minutes(50));
    let signed_in = T0 - Duration::minutes(10);
    let r = ours(&t, signed_in, Some(signed_in));
    let s = see(&t, Some(&r), None, T0);
    assert_eq!((s.first_seen_at, s.origin), (signed_in, Origin::SignedIn));
}

#[test]
fn a_routine_refresh_by_another_tool_keeps_the_first_sight() {
    let old = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&old, None, None, T0);
    // botocore refreshed ten minutes before the old token's expiry.
    let new = token("A2", "cid", T0 + Duration::minutes(40) + Duration::hours(1));
    let kept = see(&new, None, Some(&s), T0 + Duration::minutes(45));
    assert_eq!(kept.first_seen_at, T0);
    assert_eq!(kept.origin, Origin::FirstSeen);
    assert!(kept.describes(&new));
    assert_eq!(kept.token_expires_at, new.expires_at);
    // Seen hours later, after several lazy refreshes: still routine.
    let later = token("A3", "cid", T0 + Duration::hours(5));
    let kept = see(
        &later,
        None,
        Some(&kept),
        T0 + Duration::hours(4) + Duration::minutes(30),
    );
    assert_eq!(kept.first_seen_at, T0);
}

#[test]
fn our_own_refresh_keeps_it_even_early() {
    let old = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&old, None, None, T0);
    // The keeper refreshes half-way: 30 minutes before expiry.
    let now = T0 + Duration::minutes(20);
    let new = token("A2", "cid", now + Duration::hours(1));
    let kept = see(&new, Some(&ours(&new, now, None)), Some(&s), now);
    assert_eq!((kept.first_seen_at, kept.origin), (T0, Origin::FirstSeen));
    // A refresh carrying an older sign-in time of ours keeps it too.
    let older = ours(&new, now, Some(T0 - Duration::hours(3)));
    assert_eq!(see(&new, Some(&older), Some(&s), now).first_seen_at, T0);
}

#[test]
fn our_own_later_sign_in_restarts_it_at_the_sign_in() {
    let old = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&old, None, None, T0);
    let now = T0 + Duration::hours(2);
    let new = token("A2", "cid", now + Duration::hours(1));
    let signed_in = now - Duration::minutes(1);
    let r = ours(&new, signed_in, Some(signed_in));
    let s = see(&new, Some(&r), Some(&s), now);
    assert_eq!((s.first_seen_at, s.origin), (signed_in, Origin::SignedIn));
}

#[test]
fn a_token_file_new_to_us_restarts_it_whatever_an_old_record_says() {
    // Our record of a sign-in whose estimate has passed, of another token:
    // the token in the file now is new to us, first seen now.
    let old = token("A1", "cid", T0 + Duration::minutes(50));
    let r = ours(&old, T0, Some(T0));
    let now = T0 + Duration::hours(9);
    let new = token("B1", "cid", now + Duration::hours(1));
    let s = see(&new, Some(&r), None, now);
    assert_eq!((s.first_seen_at, s.origin), (now, Origin::FirstSeen));
    // Even while that sign-in's estimate lies ahead: the record does not
    // describe this token (a new clientId, another tool's sign-in).
    let now = T0 + Duration::hours(2);
    let new = token("B1", "other-cid", now + Duration::hours(1));
    let s = see(&new, Some(&r), None, now);
    assert_eq!((s.first_seen_at, s.origin), (now, Origin::FirstSeen));
}

#[test]
fn our_sign_in_counts_at_first_sight_only_for_the_token_our_record_describes() {
    let signed_in = T0 - Duration::hours(1);
    let ours_token = token("A1", "cid", T0 + Duration::minutes(50));
    let r = ours(&ours_token, signed_in, Some(signed_in));
    let s = see(&ours_token, Some(&r), None, T0);
    assert_eq!((s.first_seen_at, s.origin), (signed_in, Origin::SignedIn));
    // Another token in the file, our sign-in's estimate still ahead: now.
    let theirs = token("A2", "cid", T0 + Duration::minutes(55));
    let s = see(&theirs, Some(&r), None, T0);
    assert_eq!((s.first_seen_at, s.origin), (T0, Origin::FirstSeen));
}

#[test]
fn a_new_client_registration_restarts_it() {
    let old = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&old, None, None, T0);
    // Even replaced within the refresh window: a new registration is a sign-in.
    let now = T0 + Duration::minutes(45);
    let new = token("A2", "other-cid", now + Duration::hours(1));
    let s = see(&new, None, Some(&s), now);
    assert_eq!((s.first_seen_at, s.origin), (now, Origin::FirstSeen));
    assert_eq!(s.client_fingerprint, client_fingerprint("other-cid"));
}

#[test]
fn a_replacement_with_more_than_fifteen_minutes_left_restarts_it() {
    let old = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&old, None, None, T0);
    // Seen 20 minutes later: the old token still had 30 minutes.
    let now = T0 + Duration::minutes(20);
    let new = token("A2", "cid", now + Duration::hours(1));
    assert_eq!(see(&new, None, Some(&s), now).first_seen_at, now);
    // Seen only after the old one's expiry, but issued (by its own expiry,
    // an hour later) while the old one had 30 minutes left.
    let late = T0 + Duration::hours(2);
    assert_eq!(see(&new, None, Some(&s), late).first_seen_at, late);
    // Issued 16 minutes before: a sign-in; 15 minutes before: a refresh.
    let now = T0 + Duration::minutes(36);
    let new = token("A2", "cid", T0 + Duration::minutes(34) + Duration::hours(1));
    assert_eq!(see(&new, None, Some(&s), now).first_seen_at, now);
    let new = token("A2", "cid", T0 + Duration::minutes(35) + Duration::hours(1));
    assert_eq!(see(&new, None, Some(&s), now).first_seen_at, T0);
}

#[test]
fn a_replacement_after_the_estimated_end_restarts_it() {
    let old = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&old, None, None, T0);
    // The session ended (by the estimate) and the person signed in again.
    let now = T0 + Duration::hours(9);
    let new = token("A2", "cid", now + Duration::hours(1));
    assert_eq!(see(&new, None, Some(&s), now).first_seen_at, now);
}

#[test]
fn the_refresh_window_follows_the_time_scale() {
    let old = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&old, None, None, T0);
    // Sixty times faster, 30 seconds before expiry is a sign-in.
    let now = T0 + Duration::minutes(49) + Duration::seconds(30);
    let new = token("A2", "cid", now + Duration::minutes(1));
    let scale = TimeScale::new(60.0).unwrap();
    let s = observe(&new, None, Some(&s), LENGTH, now, scale).unwrap();
    assert_eq!(s.first_seen_at, now);
}

#[test]
fn a_token_that_cannot_be_refreshed_is_not_tracked() {
    let mut t = token("A1", "cid", T0 + Duration::minutes(50));
    t.refresh_token = None;
    assert_eq!(
        observe(&t, None, None, LENGTH, T0, TimeScale::default()),
        None
    );
}

#[test]
fn sightings_round_trip_and_never_hold_a_secret() {
    let t = token("aoaSECRETTOKEN", "cid-VISIBLE", T0 + Duration::minutes(50));
    let s = see(&t, None, None, T0);
    let bytes = s.to_json();
    let text = String::from_utf8(bytes.clone()).unwrap();
    for secret in ["SECRETTOKEN", "cid-VISIBLE", "CS", "RT"] {
        assert!(!text.contains(secret), "{text}");
    }
    assert!(
        text.contains("\"firstSeenAt\": \"2026-11-22T09:00:00Z\""),
        "{text}"
    );
    assert!(text.contains("\"origin\": \"first_seen\""), "{text}");
    assert_eq!(Sighting::parse(&bytes), Some(s));
    assert_eq!(Sighting::parse(b"{\"firstSeenAt\":"), None);
}

#[test]
fn our_sign_in_recorded_after_its_token_was_seen_counts_from_the_sign_in() {
    // A reader saw the token our `login` wrote before its record was read.
    let t = token("A1", "cid", T0 + Duration::minutes(59));
    let s = see(&t, None, None, T0);
    let signed_in = T0 + Duration::seconds(1);
    let r = ours(&t, signed_in, Some(signed_in));
    let s = see(&t, Some(&r), Some(&s), T0 + Duration::minutes(1));
    assert_eq!((s.first_seen_at, s.origin), (signed_in, Origin::SignedIn));
}

#[test]
fn our_later_sign_in_of_a_token_seen_keeps_when_that_token_was_first_seen() {
    let t = token("A1", "cid", T0 + Duration::minutes(59));
    let first = see(&t, None, None, T0);
    let signed_in = T0 + Duration::seconds(1);
    let r = ours(&t, signed_in, Some(signed_in));
    let s = see(&t, Some(&r), Some(&first), T0 + Duration::minutes(1));
    assert_eq!((s.first_seen_at, s.origin), (signed_in, Origin::SignedIn));
    assert_eq!(s.token_seen_at, T0);
    assert_eq!(s.token_expires_at, first.token_expires_at);
    // Seen again: nothing changes, nothing to write.
    assert_eq!(see(&t, Some(&r), Some(&s), T0 + Duration::minutes(2)), s);
}

#[test]
fn times_are_kept_in_whole_seconds_as_the_file_holds_them() {
    let t = token("A1", "cid", T0 + Duration::minutes(50));
    let s = see(&t, None, None, T0 + Duration::milliseconds(375));
    assert_eq!(s.first_seen_at, T0);
    assert_eq!(Sighting::parse(&s.to_json()), Some(s));
}
