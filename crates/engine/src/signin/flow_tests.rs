//! The sign-in flows end to end on fake ports and a manual clock: polling,
//! the browser flow, registrations, joining a running sign-in. The
//! helpers here serve `session_tests` too.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::records::{SessionRecord, SignInMarker};
use super::testkit::*;
use super::*;
use crate::Secret;
use crate::ports::*;
use crate::profiles::sso_cache::SsoToken;

pub(super) const NOW: OffsetDateTime = datetime!(2026-11-22 09:00 UTC);

pub(super) fn corp() -> SsoTarget {
    SsoTarget {
        session: Some("corp".into()),
        start_url: "https://corp.awsapps.com/start".into(),
        region: "eu-west-1".into(),
        configured_scopes: Vec::new(),
    }
}

fn options(device: bool) -> LoginOptions {
    LoginOptions {
        use_device_code: device,
        open_browser: true,
        holder: "leasekeeper (pid 1)".into(),
    }
}

pub(super) struct World {
    pub(super) oidc: FakeOidc,
    pub(super) clock: ManualClock,
    pub(super) store: MemStore,
    pub(super) ui: FakeUi,
    pub(super) loopback: FakeLoopback,
}

impl World {
    pub(super) fn new() -> World {
        World {
            oidc: FakeOidc::default(),
            clock: ManualClock::at(NOW),
            store: MemStore::default(),
            ui: FakeUi::default(),
            loopback: FakeLoopback::default(),
        }
    }
    pub(super) fn ports(&self) -> SignInPorts<'_, FakeOidc, ManualClock, MemStore> {
        SignInPorts {
            oidc: &self.oidc,
            clock: &self.clock,
            store: &self.store,
            scale: TimeScale::default(),
        }
    }
    fn login(&self, target: &SsoTarget, device: bool) -> Result<SignedIn, SignInError> {
        block_on(login(
            &self.ports(),
            &self.ui,
            &FakeRandom,
            &self.loopback,
            target,
            &options(device),
        ))
    }
    fn token(&self, target: &SsoTarget) -> SsoToken {
        let bytes = self
            .store
            .get(&StoreFile::SsoToken(target.cache_key()))
            .unwrap();
        SsoToken::parse(&bytes).unwrap()
    }
    fn polls(&self, answers: Vec<Result<TokenResponse, AwsError>>) {
        self.oidc.device_polls.lock().unwrap().extend(answers);
    }
}

#[test]
fn device_polling_honours_interval_and_slow_down_and_survives_the_network() {
    let w = World::new();
    w.polls(vec![
        Err(AwsError::AuthorizationPending),
        Err(AwsError::SlowDown),
        Err(AwsError::Network {
            service: Service::SsoOidc,
            detail: "connection closed".into(),
        }),
        Err(AwsError::AuthorizationPending),
        Ok(token("AT1", Some("RT1"), 3600)),
    ]);
    let signed = w.login(&corp(), true).unwrap();
    assert_eq!(signed.flow, Some(Flow::DeviceCode));
    // 1 s, 1 s, then 6 s after slow_down, for every later poll too.
    let s: Vec<i64> = w.clock.sleeps().iter().map(|d| d.whole_seconds()).collect();
    assert_eq!(s, [1, 1, 6, 6, 6]);
    let events = w.ui.events();
    assert_eq!(events[0], "code ABCD-EFGH https://device.example/");
    assert_eq!(
        events[1],
        "open https://device.example/?user_code=ABCD-EFGH"
    );
    assert!(
        events[2].contains("StillWaiting") && events[2].contains("network"),
        "{events:?}"
    );
    assert_eq!(w.oidc.calls()[0], "register device_code sso:account:access");
    let t = w.token(&corp());
    assert_eq!(t.access_token.expose(), "AT1");
    assert_eq!(
        t.expires_at,
        NOW + Duration::seconds(20) + Duration::hours(1)
    );
    assert!(t.refreshable_at(t.expires_at));
}

#[test]
fn denied_and_expired_codes_stop_with_their_own_errors_and_write_nothing() {
    let w = World::new();
    w.polls(vec![
        Err(AwsError::AuthorizationPending),
        Err(AwsError::AccessDenied),
    ]);
    let e = w.login(&corp(), true).unwrap_err();
    assert_eq!(e.code(), "access_denied");
    assert_eq!(e.to_string(), "the sign-in to corp was denied");

    let w = World::new();
    *w.oidc.device_expires_in.lock().unwrap() = Some(Duration::seconds(3));
    let e = w.login(&corp(), true).unwrap_err();
    assert_eq!(e.code(), "expired_token");
    assert_eq!(
        w.oidc.count("poll"),
        2,
        "polls at 1 s and 2 s, then the code lapsed"
    );
    assert!(
        w.store
            .get(&StoreFile::SsoToken(corp().cache_key()))
            .is_none()
    );
    // The marker is gone and its lock free: the next login may start.
    assert!(
        w.store
            .get(&StoreFile::SignIn(corp().cache_key()))
            .is_none()
    );

    let w = World::new();
    w.polls(vec![Err(AwsError::ExpiredToken)]);
    assert_eq!(w.login(&corp(), true).unwrap_err().code(), "expired_token");
}

#[test]
fn the_browser_flow_sends_the_state_and_the_verifier_of_its_challenge() {
    let w = World::new();
    let signed = w.login(&corp(), false).unwrap();
    assert_eq!(signed.flow, Some(Flow::Browser));
    let events = w.ui.events();
    let url = events[0].strip_prefix("open ").unwrap();
    assert_eq!(events[1], format!("continue {url}"));
    let state = w.loopback.expected.lock().unwrap().clone().unwrap();
    assert!(url.contains(&format!("&state={state}&")), "{url}");
    let calls = w.oidc.calls();
    assert_eq!(calls[0], "register authorization_code sso:account:access");
    let exchange: Vec<&str> = calls[1].split(' ').collect();
    // code, challenge of the verifier sent, and the port-carrying redirect URI.
    assert_eq!(exchange[2], "THECODE");
    assert!(
        url.contains(&format!("code_challenge={}", exchange[3])),
        "{url}"
    );
    assert_eq!(exchange[4], "http://127.0.0.1:4242/oauth/callback");
    assert_eq!(w.token(&corp()).access_token.expose(), "AT-browser");
}

#[test]
fn without_a_browser_the_device_code_is_used_and_legacy_targets_never_use_pkce() {
    let mut w = World::new();
    w.ui.no_browser = true;
    w.polls(vec![Ok(token("AT", Some("RT"), 3600))]);
    let signed = w.login(&corp(), false).unwrap();
    assert_eq!(signed.flow, Some(Flow::DeviceCode));
    let ev = w.ui.events();
    assert!(ev[1].contains("UsingDeviceCode"), "{ev:?}");
    assert!(
        ev.iter().all(|e| !e.starts_with("open https://device")),
        "no second try: {ev:?}"
    );

    let w = World::new();
    w.polls(vec![Ok(token("AT", None, 28800))]);
    let legacy = SsoTarget {
        session: None,
        ..corp()
    };
    let signed = w.login(&legacy, false).unwrap();
    assert_eq!(signed.flow, Some(Flow::DeviceCode));
    assert!(!signed.refreshable);
    assert_eq!(w.oidc.calls()[0], "register device_code ");
}

#[test]
fn a_tampered_state_or_a_denial_in_the_browser_fails_the_sign_in() {
    let mut w = World::new();
    w.loopback.answer = Err(LoopbackError::StateMismatch);
    let e = w.login(&corp(), false).unwrap_err();
    assert_eq!(e.code(), "state_mismatch");
    assert_eq!(w.oidc.count("code"), 0, "no code is exchanged");
    w.loopback.answer = Err(LoopbackError::Denied {
        error: "access_denied".into(),
    });
    assert_eq!(w.login(&corp(), false).unwrap_err().code(), "access_denied");
}

#[test]
fn registrations_are_reused_per_flow_until_15_minutes_before_expiry() {
    let w = World::new();
    *w.oidc.registration_expires_at.lock().unwrap() = Some(NOW + Duration::minutes(30));
    w.polls(vec![
        Ok(token("A", Some("R"), 3600)),
        Ok(token("B", Some("R"), 3600)),
    ]);
    w.login(&corp(), true).unwrap();
    w.login(&corp(), true).unwrap();
    assert_eq!(w.oidc.count("register"), 1, "{:?}", w.oidc.calls());
    w.login(&corp(), false).unwrap();
    assert_eq!(w.oidc.count("register authorization_code"), 1);
    // Within 15 minutes of expiry a new registration is made.
    w.clock.advance(Duration::minutes(16));
    w.polls(vec![Ok(token("C", Some("R"), 3600))]);
    w.login(&corp(), true).unwrap();
    assert_eq!(w.oidc.count("register device_code"), 2);
}

fn other_token(key: &str) -> Vec<(StoreFile, Vec<u8>)> {
    let t = token("OTHER", Some("R"), 3600);
    let at = NOW + Duration::seconds(3);
    let sso = super::token_file::signed_in("u", "r", &t, "c", &Secret::new("s"), NOW, at);
    vec![
        (
            StoreFile::SsoToken(key.to_owned()),
            super::token_file::to_cli_json(&sso),
        ),
        (
            StoreFile::Session(key.to_owned()),
            SessionRecord::obtained(&sso.access_token, at, Duration::hours(1)).to_json(),
        ),
    ]
}

#[test]
fn a_second_login_joins_the_running_one_instead_of_starting_another() {
    let w = World::new();
    let key = corp().cache_key();
    w.store.put(
        StoreFile::SignIn(key.clone()),
        &SignInMarker {
            holder: "leasekeeper (pid 7)".into(),
            flow: "device_code".into(),
            started_at: "2026-11-22T09:00:00Z".into(),
            user_code: Some("WXYZ-1234".into()),
            verification_uri: Some("https://device.example/".into()),
        }
        .to_json(),
    );
    // The other process signs in within three checks.
    w.store
        .held_by_other(StoreFile::SignIn(key.clone()), 4, other_token(&key));
    let signed = w.login(&corp(), true).unwrap();
    assert_eq!(signed.joined.as_deref(), Some("leasekeeper (pid 7)"));
    assert_eq!(signed.flow, None);
    assert!(
        w.oidc.calls().is_empty(),
        "no registration, no device code: {:?}",
        w.oidc.calls()
    );
    let ev = w.ui.events();
    assert!(
        ev[0].contains("JoiningOther") && ev[0].contains("WXYZ-1234"),
        "{ev:?}"
    );
    assert!(
        ev.iter().all(|e| !e.starts_with("open")),
        "no browser: {ev:?}"
    );
}

#[test]
fn a_join_reports_a_sign_in_that_ended_without_a_token_and_gives_up_in_time() {
    let w = World::new();
    let key = corp().cache_key();
    w.store
        .held_by_other(StoreFile::SignIn(key.clone()), 2, Vec::new());
    let e = w.login(&corp(), true).unwrap_err();
    assert_eq!(e.code(), "other_sign_in_failed");
    assert_eq!(
        e.to_string(),
        "the sign-in to corp running in another process ended without a new token"
    );

    w.store
        .held_by_other(StoreFile::SignIn(key), u32::MAX, Vec::new());
    let e = w.login(&corp(), true).unwrap_err();
    assert_eq!(e.code(), "other_sign_in_timed_out");
    assert!(w.oidc.calls().is_empty());
}
