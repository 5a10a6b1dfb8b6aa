//! The engine's flows on the real SDK clients and the real file store:
//! silent refresh (ahead of other tools, adopting their newer token, and
//! `invalid_grant` once the sign-in session ends), SSO role credentials
//! used with STS, a portal 401 while the cache claims validity, and
//! `slow_down` while polling.

use std::sync::Arc;

use leasekeeper_engine::ports::{
    AwsError, ClientRegistration, Credentials, SsoOidc, Sts, TokenGrant,
};
use leasekeeper_engine::profiles::sso_cache::SsoToken;
use leasekeeper_engine::signin::{self, Refresh, SignInError};
use leasekeeper_engine::{Secret, signin::token_file};
use leasekeeper_host::clock::SystemClock;
use time::{Duration, OffsetDateTime};

use super::common::*;

fn read(env: &Env) -> SsoToken {
    SsoToken::parse(&std::fs::read(env.token_file()).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_comes_at_half_life_and_ends_with_the_session() {
    // Speed 60: the one-hour token lives 60 s; scale 60 keeps the policy in step.
    let env = start(|c| {
        c.auto_approve = true;
        c.speed = 60.0;
    })
    .await;
    let signed = env.sign_in(60.0).await;
    assert!(signed.refreshable);
    let clock = AheadClock::default();
    let ports = env.ports(&clock, 60.0);
    let first = read(&env);
    let r = signin::refresh_if_due(&ports, &env.target).await.unwrap();
    let Refresh::Current {
        next: Some(next), ..
    } = r
    else {
        panic!("{r:?}")
    };
    let half = first.expires_at - Duration::seconds(30);
    assert!(
        (next - half).abs() <= Duration::seconds(1),
        "due at half life: {next} vs {half}"
    );

    clock.set(Duration::seconds(31));
    let r = signin::refresh_if_due(&ports, &env.target).await.unwrap();
    let Refresh::Refreshed { token } = r else {
        panic!("{r:?}")
    };
    let second = read(&env);
    assert_eq!(second, token);
    assert_ne!(second.access_token, first.access_token);
    assert_ne!(
        second.refresh_token, first.refresh_token,
        "the sandbox rotates refresh tokens"
    );

    // The sign-in session ends: the refresh is refused, the file re-read,
    // and the session declared over.
    env.sb.end_all_sessions();
    clock.set(Duration::seconds(70));
    let e = signin::refresh_if_due(&ports, &env.target)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "needs_login", "{e}");
    assert!(e.to_string().contains("the sign-in session ended"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newer_token_another_tool_wrote_is_adopted_not_refreshed_again() {
    let env = start(|c| {
        c.auto_approve = true;
        c.speed = 60.0;
    })
    .await;
    env.sign_in(60.0).await;
    let ours = read(&env);
    // Another tool refreshes with our refresh token and writes the file.
    let client = ClientRegistration {
        client_id: ours.client_id.clone().unwrap(),
        client_secret: ours.client_secret.clone().unwrap(),
        expires_at: ours.registration_expires_at.unwrap(),
    };
    let rt = ours.refresh_token.clone().unwrap();
    let resp = env
        .aws
        .create_token(&client, TokenGrant::RefreshToken { refresh_token: &rt })
        .await
        .unwrap();
    assert!(resp.server_date.is_some(), "the Date header is captured");
    let theirs = token_file::refreshed(
        &ours,
        &resp.value,
        "https://sandbox.awsapps.com/start",
        "us-east-1",
        OffsetDateTime::now_utc(),
    );
    std::fs::write(env.token_file(), token_file::to_cli_json(&theirs)).unwrap();
    // By our record ours would be due; the file holds theirs, which is not.
    let clock = AheadClock::default();
    clock.set(Duration::seconds(29));
    let r = signin::refresh_if_due(&env.ports(&clock, 60.0), &env.target)
        .await
        .unwrap();
    let Refresh::Current { token, .. } = r else {
        panic!("{r:?}")
    };
    assert_eq!(token.access_token, theirs.access_token);
    assert_eq!(read(&env), theirs, "nothing rewritten");
}

#[tokio::test(flavor = "multi_thread")]
async fn role_credentials_work_with_sts_until_the_portal_says_401() {
    let env = start(|c| c.auto_approve = true).await;
    env.sign_in(1.0).await;
    let ports = env.ports(&SystemClock, 1.0);
    let creds: Credentials =
        signin::role_credentials(&ports, &env.aws, &env.target, "111111111111", "Admin")
            .await
            .unwrap();
    assert!(creds.expiration.unwrap() > OffsetDateTime::now_utc() + Duration::minutes(50));
    let who = env.aws.get_caller_identity(&creds).await.unwrap();
    assert!(
        who.value
            .arn
            .contains(":assumed-role/AWSReservedSSO_Admin_"),
        "{who:?}"
    );
    let skew = (who.server_date.unwrap() - OffsetDateTime::now_utc()).abs();
    assert!(skew < Duration::seconds(5), "server Date read: skew {skew}");

    let e = signin::role_credentials(&ports, &env.aws, &env.target, "222222222222", "Admin")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");

    // The session ends; the cache still claims a valid token for an hour.
    env.sb.end_all_sessions();
    assert!(read(&env).expires_at > OffsetDateTime::now_utc() + Duration::minutes(50));
    let e = signin::role_credentials(&ports, &env.aws, &env.target, "111111111111", "Admin")
        .await
        .unwrap_err();
    assert!(matches!(e, SignInError::NeedsLogin { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("SSO portal refused the access token"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn polling_too_fast_is_answered_with_slow_down_and_the_interval_grows() {
    let env = Arc::new(start(|_| {}).await);
    let client = env
        .aws
        .register_client(&leasekeeper_engine::ports::RegisterClientRequest {
            client_name: "test".into(),
            kind: leasekeeper_engine::ports::RegistrationKind::DeviceCode,
            scopes: vec!["sso:account:access".into()],
            issuer_url: None,
            redirect_uri: None,
        })
        .await
        .unwrap()
        .value;
    let auth = env
        .aws
        .start_device_authorization(&client, "https://sandbox.awsapps.com/start")
        .await
        .unwrap()
        .value;
    let device_code = auth.device_code.clone();
    let poll = |code: Secret| {
        let env = Arc::clone(&env);
        let client = client.clone();
        async move {
            env.aws
                .create_token(&client, TokenGrant::DeviceCode { device_code: &code })
                .await
        }
    };
    assert_eq!(
        poll(device_code.clone()).await.unwrap_err(),
        AwsError::AuthorizationPending
    );
    assert_eq!(
        poll(device_code.clone()).await.unwrap_err(),
        AwsError::SlowDown
    );

    // The engine's loop behind a too-eager twin: the twin polls just
    // before the loop's first poll, so that poll meets slow_down; then the
    // person approves, and the loop's next poll comes 5 s later than asked.
    let twin = EagerTwin {
        inner: &env.aws,
        fired: std::sync::atomic::AtomicBool::new(false),
        approve: Box::new({
            let env = Arc::clone(&env);
            let code = auth.user_code.clone();
            move || {
                env.sb.approve(&code);
            }
        }),
    };
    let clock = Recording::default();
    let token = signin::device::poll(
        &twin,
        &clock,
        &Quiet::default(),
        &env.target,
        &client,
        &device_code,
        Duration::seconds(1),
        OffsetDateTime::now_utc() + Duration::minutes(5),
    )
    .await
    .unwrap();
    assert!(!token.access_token.is_empty());
    assert_eq!(
        *clock.0.lock().unwrap(),
        [Duration::seconds(1), Duration::seconds(6)]
    );
}

/// Records the sleeps asked for, and sleeps them.
#[derive(Debug, Default)]
struct Recording(std::sync::Mutex<Vec<Duration>>);

impl leasekeeper_engine::ports::Clock for Recording {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
    fn sleep(&self, d: Duration) -> impl std::future::Future<Output = ()> + Send {
        self.0.lock().unwrap().push(d);
        SystemClock.sleep(d)
    }
}

/// Delegates to the real client; before the first CreateToken it polls
/// once itself, then lets the person approve.
struct EagerTwin<'a> {
    inner: &'a leasekeeper_aws::Aws,
    fired: std::sync::atomic::AtomicBool,
    approve: Box<dyn Fn() + Send + Sync>,
}

impl SsoOidc for EagerTwin<'_> {
    fn register_client(
        &self,
        r: &leasekeeper_engine::ports::RegisterClientRequest,
    ) -> impl std::future::Future<
        Output = Result<leasekeeper_engine::ports::Dated<ClientRegistration>, AwsError>,
    > + Send {
        self.inner.register_client(r)
    }
    fn start_device_authorization(
        &self,
        c: &ClientRegistration,
        u: &str,
    ) -> impl std::future::Future<
        Output = Result<
            leasekeeper_engine::ports::Dated<leasekeeper_engine::ports::DeviceAuthorization>,
            AwsError,
        >,
    > + Send {
        self.inner.start_device_authorization(c, u)
    }
    async fn create_token(
        &self,
        c: &ClientRegistration,
        g: TokenGrant<'_>,
    ) -> Result<leasekeeper_engine::ports::Dated<leasekeeper_engine::ports::TokenResponse>, AwsError>
    {
        let first = !self.fired.swap(true, std::sync::atomic::Ordering::SeqCst);
        if first {
            assert_eq!(
                self.inner.create_token(c, g).await.unwrap_err(),
                AwsError::AuthorizationPending
            );
        }
        let r = self.inner.create_token(c, g).await;
        if first {
            assert_eq!(r.as_ref().unwrap_err(), &AwsError::SlowDown);
            (self.approve)();
        }
        r
    }
    fn authorize_url(
        &self,
        r: &leasekeeper_engine::ports::AuthorizeRequest<'_>,
    ) -> Result<String, AwsError> {
        self.inner.authorize_url(r)
    }
}
