//! The sign-in's end in leases: the estimate from a recorded sign-in, the
//! registration's expiry without one, the configured session length, and
//! profiles over the session inheriting it.

use time::{Duration, OffsetDateTime, macros::datetime};

use super::{Lease, LeaseState, leases};
use crate::Secret;
use crate::load::{CacheFileInput, FileInput, LoadInput, snapshot};
use crate::profiles::sso_cache::cache_key;
use crate::report::StatusReport;
use crate::signin::records::{SessionRecord, fingerprint};
use crate::signin::sighting::{Origin, Sighting, client_fingerprint};
use crate::snapshot::Snapshot;
use crate::timefmt::format_z;

const NOW: OffsetDateTime = datetime!(2026-11-22 09:00 UTC);

const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Dev

[profile deploy]
role_arn = arn:aws:iam::111122223333:role/deploy
source_profile = dev
";

/// A snapshot with a refreshable token for `corp` whose registration
/// expires in 80 days.
fn setup() -> Snapshot {
    let json = format!(
        r#"{{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"AT","expiresAt":"{}","clientId":"cid","clientSecret":"CS","refreshToken":"RT","registrationExpiresAt":"{}"}}"#,
        format_z(NOW + Duration::minutes(50)),
        format_z(registration())
    );
    snapshot(&LoadInput {
        config: FileInput {
            path: "config".to_owned(),
            contents: Ok(Some(CONFIG.as_bytes().to_vec())),
        },
        credentials: FileInput {
            path: "credentials".to_owned(),
            contents: Ok(None),
        },
        sso_cache_dir: "sso".to_owned(),
        sso_cache: vec![CacheFileInput {
            name: format!("{}.json", cache_key("corp")),
            contents: Ok(json.into_bytes()),
        }],
        cli_cache_dir: "cli".to_owned(),
        cli_cache: Vec::new(),
    })
}

fn registration() -> OffsetDateTime {
    NOW + Duration::days(80)
}

/// Records a sign-in at `at`, of the token in the cache (`AT`) or another.
fn record(snapshot: &mut Snapshot, at: OffsetDateTime, token: &str) {
    let mut r = SessionRecord::obtained(&Secret::new(token.to_owned()), at, Duration::hours(1));
    r.signed_in_at = Some(at);
    snapshot.sign_ins.records.insert(cache_key("corp"), r);
}

fn lease<'a>(all: &'a [Lease], name: &str) -> &'a Lease {
    all.iter().find(|l| l.profile == name).unwrap()
}

#[test]
fn a_recorded_sign_in_ends_after_the_default_eight_hours() {
    let mut s = setup();
    let signed_in = NOW - Duration::minutes(48);
    record(&mut s, signed_in, "AT");
    let all = leases(&s, NOW);
    for name in ["dev", "deploy"] {
        let l = lease(&all, name);
        assert_eq!(l.action_needed_at, Some(signed_in + Duration::hours(8)));
        assert!(l.action_needed_estimated, "{name}");
        assert_eq!(l.state, LeaseState::Fresh);
        assert_eq!(l.sso.as_ref().unwrap().signed_in_at, Some(signed_in));
    }
    let json = serde_json::to_value(StatusReport::new(all, Vec::new(), NOW)).unwrap();
    let dev = &json["profiles"][1];
    assert_eq!(dev["profile"], "dev");
    assert_eq!(dev["action_needed_at"], "2026-11-22T16:12:00Z");
    assert_eq!(dev["action_needed_estimated"], true);
    assert_eq!(dev["seconds_left"], 7 * 3600 + 12 * 60);
    assert_eq!(dev["sso"]["signed_in_at"], "2026-11-22T08:12:00Z");
}

#[test]
fn without_a_record_the_registration_expiry_is_the_upper_bound() {
    let all = leases(&setup(), NOW);
    let dev = lease(&all, "dev");
    assert_eq!(dev.action_needed_at, Some(registration()));
    assert!(!dev.action_needed_estimated);
    assert!(dev.action_needed_upper_bound);
    assert_eq!(dev.sso.as_ref().unwrap().signed_in_at, None);
}

#[test]
fn the_configured_session_length_replaces_the_default() {
    let mut s = setup();
    record(&mut s, NOW, "AT");
    s.sign_ins
        .lengths
        .insert("corp".to_owned(), Duration::hours(12));
    let all = leases(&s, NOW);
    assert_eq!(
        lease(&all, "dev").action_needed_at,
        Some(NOW + Duration::hours(12))
    );
    // A session longer than the registration's life ends with it.
    s.sign_ins
        .lengths
        .insert("corp".to_owned(), Duration::days(90));
    let all = leases(&s, NOW);
    let dev = lease(&all, "dev");
    assert_eq!(dev.action_needed_at, Some(registration()));
    assert!(!dev.action_needed_estimated);
}

#[test]
fn near_and_past_the_estimate_the_lease_is_expiring() {
    let mut s = setup();
    record(
        &mut s,
        NOW - Duration::hours(7) - Duration::minutes(50),
        "AT",
    );
    assert_eq!(lease(&leases(&s, NOW), "dev").state, LeaseState::Expiring);
    record(&mut s, NOW - Duration::hours(9), "AT");
    let all = leases(&s, NOW);
    let dev = lease(&all, "dev");
    assert_eq!(dev.state, LeaseState::Expiring);
    assert_eq!(dev.action_needed_at, Some(NOW - Duration::hours(1)));
}

#[test]
fn a_past_estimate_for_another_tools_token_is_not_used() {
    let mut s = setup();
    // The AWS CLI signed in again after our sign-in's estimated end.
    record(&mut s, NOW - Duration::hours(9), "an older token");
    let all = leases(&s, NOW);
    let dev = lease(&all, "dev");
    assert_eq!(dev.action_needed_at, Some(registration()));
    assert!(!dev.action_needed_estimated);
    assert_eq!(dev.state, LeaseState::Fresh);
    // While it lies ahead the estimate is kept: the earlier end is the safe one.
    record(&mut s, NOW - Duration::hours(1), "an older token");
    let all = leases(&s, NOW);
    assert_eq!(
        lease(&all, "dev").action_needed_at,
        Some(NOW + Duration::hours(7))
    );
}

/// Records that the sign-in behind the cached token (`AT`, or another) was
/// first seen at `at`, as a reader of the token cache does.
fn sighted(snapshot: &mut Snapshot, at: OffsetDateTime, token: &str) {
    let seen = Sighting {
        first_seen_at: at,
        origin: Origin::FirstSeen,
        client_fingerprint: client_fingerprint("cid"),
        token_fingerprint: fingerprint(&Secret::new(token.to_owned())),
        token_expires_at: NOW + Duration::minutes(50),
        token_seen_at: at,
    };
    snapshot.sign_ins.sightings.insert(cache_key("corp"), seen);
}

#[test]
fn another_tools_sign_in_ends_eight_hours_after_it_was_first_seen() {
    let mut s = setup();
    let seen = NOW - Duration::hours(2);
    sighted(&mut s, seen, "AT");
    let all = leases(&s, NOW);
    for name in ["dev", "deploy"] {
        let l = lease(&all, name);
        assert_eq!(
            l.action_needed_at,
            Some(seen + Duration::hours(8)),
            "{name}"
        );
        assert!(l.action_needed_estimated, "{name}");
        assert!(!l.action_needed_upper_bound, "{name}");
        let sso = l.sso.as_ref().unwrap();
        assert_eq!((sso.first_seen_at, sso.signed_in_at), (Some(seen), None));
    }
    let json = serde_json::to_value(StatusReport::new(all, Vec::new(), NOW)).unwrap();
    let dev = &json["profiles"][1];
    assert_eq!(dev["profile"], "dev");
    assert_eq!(dev["action_needed_at"], "2026-11-22T15:00:00Z");
    assert_eq!(dev["action_needed_estimated"], true);
    assert_eq!(dev["action_needed_upper_bound"], false);
    assert_eq!(dev["seconds_left"], 6 * 3600);
    assert_eq!(dev["sso"]["first_seen_at"], "2026-11-22T07:00:00Z");
    assert_eq!(dev["sso"]["signed_in_at"], serde_json::Value::Null);
}

#[test]
fn without_anything_known_the_registration_is_an_upper_bound() {
    let all = leases(&setup(), NOW);
    let dev = lease(&all, "dev");
    assert_eq!(dev.action_needed_at, Some(registration()));
    assert!(dev.action_needed_upper_bound && !dev.action_needed_estimated);
    let json = serde_json::to_value(StatusReport::new(all, Vec::new(), NOW)).unwrap();
    let dev = &json["profiles"][1];
    assert_eq!(dev["action_needed_upper_bound"], true);
    assert_eq!(dev["action_needed_estimated"], false);
    assert_eq!(dev["sso"]["first_seen_at"], serde_json::Value::Null);
    // A sighting of another token (not recorded since) tells nothing.
    let mut s = setup();
    sighted(&mut s, NOW - Duration::hours(1), "an older token");
    assert!(lease(&leases(&s, NOW), "dev").action_needed_upper_bound);
    // Nor does one from after `now` (`status --at` an earlier time).
    let mut s = setup();
    sighted(&mut s, NOW + Duration::hours(1), "AT");
    assert!(lease(&leases(&s, NOW), "dev").action_needed_upper_bound);
}

#[test]
fn a_sighting_is_capped_by_the_registration() {
    let mut s = setup();
    sighted(&mut s, NOW, "AT");
    s.sign_ins
        .lengths
        .insert("corp".to_owned(), Duration::days(90));
    let all = leases(&s, NOW);
    let dev = lease(&all, "dev");
    assert_eq!(dev.action_needed_at, Some(registration()));
    assert!(!dev.action_needed_estimated && !dev.action_needed_upper_bound);
    assert_eq!(dev.sso.as_ref().unwrap().first_seen_at, Some(NOW));
}

#[test]
fn the_later_of_our_sign_in_and_the_first_sight_counts() {
    // We signed in; another tool signed in again later (first seen then).
    let mut s = setup();
    record(&mut s, NOW - Duration::hours(3), "AT");
    sighted(&mut s, NOW - Duration::hours(1), "AT");
    let all = leases(&s, NOW);
    let dev = lease(&all, "dev");
    assert_eq!(dev.action_needed_at, Some(NOW + Duration::hours(7)));
    assert_eq!(
        dev.sso.as_ref().unwrap().first_seen_at,
        Some(NOW - Duration::hours(1))
    );
    assert_eq!(dev.sso.as_ref().unwrap().signed_in_at, None);
    // Our sign-in after the first sight: ours counts, exactly.
    record(&mut s, NOW - Duration::minutes(30), "AT");
    let all = leases(&s, NOW);
    let dev = lease(&all, "dev");
    assert_eq!(
        dev.action_needed_at,
        Some(NOW - Duration::minutes(30) + Duration::hours(8))
    );
    assert_eq!(
        dev.sso.as_ref().unwrap().signed_in_at,
        Some(NOW - Duration::minutes(30))
    );
    assert_eq!(dev.sso.as_ref().unwrap().first_seen_at, None);
}
