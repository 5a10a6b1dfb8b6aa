//! Keeping a session on fake ports and a manual clock: refresh (re-read
//! under the lock, a failed attempt, the minute between attempts), role
//! credentials with the portal's 401, and sign-out.

use time::Duration;

use super::flow_tests::{NOW, World, corp};
use super::records::SessionRecord;
use super::testkit::*;
use super::*;
use crate::Secret;
use crate::ports::*;

fn stored(w: &World, access: &str, expires_in: Duration, record: Option<SessionRecord>) {
    let t = token(access, Some("RT-old"), expires_in.whole_seconds());
    let sso = super::token_file::signed_in(
        "https://corp.awsapps.com/start",
        "eu-west-1",
        &t,
        "cid",
        &Secret::new("cs"),
        NOW + Duration::days(80),
        NOW,
    );
    let key = corp().cache_key();
    w.store.put(
        StoreFile::SsoToken(key.clone()),
        &super::token_file::to_cli_json(&sso),
    );
    if let Some(r) = record {
        w.store.put(StoreFile::Session(key), &r.to_json());
    }
}

#[test]
fn refresh_rereads_under_the_lock_and_adopts_a_token_rotated_under_us() {
    let w = World::new();
    stored(&w, "AT-old", Duration::minutes(20), None);
    // Another tool refreshes while ours is in flight: the service refuses our
    // (now rotated) refresh token; the file then holds its new token.
    w.oidc
        .refreshes
        .lock()
        .unwrap()
        .push_back(Err(AwsError::InvalidGrant {
            description: "rotated".into(),
        }));
    let key = corp().cache_key();
    let ports = w.ports();
    let before = w.store.get(&StoreFile::SsoToken(key.clone())).unwrap();
    let r = block_on(refresh_if_due(&ports, &corp()));
    // The file still held our token, so the session is over.
    assert_eq!(r.unwrap_err().code(), "needs_login");
    assert_eq!(w.store.get(&StoreFile::SsoToken(key)).unwrap(), before);

    let adopted = super::refresh::adopt_or_over(
        &w.store,
        &corp(),
        &Secret::new("AT-elsewhere"),
        SessionOver::RefreshRefused,
    )
    .unwrap();
    assert!(matches!(adopted, Refresh::Adopted { .. }));
}

#[test]
fn a_failed_refresh_keeps_the_token_and_waits_a_minute() {
    let w = World::new();
    stored(&w, "AT-old", Duration::minutes(20), None);
    w.oidc
        .refreshes
        .lock()
        .unwrap()
        .push_back(Err(AwsError::Network {
            service: Service::SsoOidc,
            detail: "down".into(),
        }));
    let r = block_on(refresh_if_due(&w.ports(), &corp())).unwrap();
    let Refresh::Failed {
        retry_at,
        token: kept,
        ..
    } = r
    else {
        panic!("{r:?}")
    };
    assert_eq!(retry_at, NOW + Duration::minutes(1));
    assert_eq!(kept.access_token.expose(), "AT-old");
    // Within the minute nothing is tried, even from a fresh start.
    let r = block_on(refresh_if_due(&w.ports(), &corp())).unwrap();
    assert!(matches!(r, Refresh::Current { next: Some(t), .. } if t == NOW + Duration::minutes(1)));
    assert_eq!(w.oidc.count("refresh"), 1);
    // After it, a success rotates the token and records its life.
    w.clock.advance(Duration::minutes(1));
    w.oidc
        .refreshes
        .lock()
        .unwrap()
        .push_back(Ok(token("AT-new", None, 3600)));
    let r = block_on(refresh_if_due(&w.ports(), &corp())).unwrap();
    assert_eq!(r.token().access_token.expose(), "AT-new");
    assert_eq!(r.token().refresh_token.as_ref().unwrap().expose(), "RT-old");
    // Our own token now: next refresh at half its life.
    let r = block_on(refresh_if_due(&w.ports(), &corp())).unwrap();
    assert!(
        matches!(r, Refresh::Current { next: Some(t), .. } if t == NOW + Duration::minutes(31))
    );
}

#[test]
fn a_portal_401_rereads_once_then_declares_the_session_over() {
    let w = World::new();
    stored(&w, "AT", Duration::hours(1), None);
    let portal = FakePortal::default();
    let e = block_on(role_credentials(
        &w.ports(),
        &portal,
        &corp(),
        "111111111111",
        "Admin",
    ))
    .unwrap_err();
    assert_eq!(e.code(), "needs_login");
    assert!(e.to_string().contains("SSO portal refused"), "{e}");
    assert_eq!(portal.tokens_seen.lock().unwrap().as_slice(), ["AT"]);

    let creds = Credentials {
        access_key_id: "ASIA0001".into(),
        secret_access_key: Secret::new("s"),
        session_token: Some(Secret::new("t")),
        expiration: Some(NOW + Duration::hours(1)),
    };
    portal.answers.lock().unwrap().push_back(Ok(creds.clone()));
    let got = block_on(role_credentials(&w.ports(), &portal, &corp(), "1", "Admin")).unwrap();
    assert_eq!(got, creds);
}

#[test]
fn logout_removes_the_sighting_with_the_token_and_the_record() {
    let w = World::new();
    stored(
        &w,
        "AT",
        Duration::hours(1),
        Some(SessionRecord::obtained(
            &Secret::new("AT"),
            NOW,
            Duration::hours(1),
        )),
    );
    let sighting = StoreFile::Sighting(corp().cache_key());
    w.store.put(sighting.clone(), b"{}");
    let portal = FakePortal::default();
    let out = block_on(logout(&portal, &w.store, &corp())).unwrap();
    assert_eq!(out, SignedOut::Done { portal_error: None });
    assert!(w.store.get(&sighting).is_none());

    // Signed out elsewhere: the sighting left behind goes too.
    w.store.put(sighting.clone(), b"{}");
    assert_eq!(
        block_on(logout(&portal, &w.store, &corp())).unwrap(),
        SignedOut::NotSignedIn
    );
    assert!(w.store.get(&sighting).is_none());
}

#[test]
fn logout_calls_the_portal_and_a_file_deleted_elsewhere_is_a_sign_out() {
    let w = World::new();
    stored(
        &w,
        "AT",
        Duration::hours(1),
        Some(SessionRecord::obtained(
            &Secret::new("AT"),
            NOW,
            Duration::hours(1),
        )),
    );
    let portal = FakePortal::default();
    let out = block_on(logout(&portal, &w.store, &corp())).unwrap();
    assert_eq!(out, SignedOut::Done { portal_error: None });
    assert_eq!(portal.logouts.lock().unwrap().as_slice(), ["AT"]);
    assert!(
        w.store
            .get(&StoreFile::SsoToken(corp().cache_key()))
            .is_none()
    );
    assert_eq!(
        block_on(logout(&portal, &w.store, &corp())).unwrap(),
        SignedOut::NotSignedIn
    );

    // `aws sso logout` removed the file; our record remains.
    w.store.put(
        StoreFile::Session(corp().cache_key()),
        &SessionRecord::obtained(&Secret::new("AT"), NOW, Duration::hours(1)).to_json(),
    );
    assert_eq!(
        block_on(logout(&portal, &w.store, &corp())).unwrap(),
        SignedOut::AlreadySignedOut
    );
    assert_eq!(portal.logouts.lock().unwrap().len(), 1);
}
