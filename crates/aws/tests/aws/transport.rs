//! How calls reach the sandbox: the profile's `endpoint_url` through the
//! SDK's own resolution (also for the authorize URL), HTTPS trusted through
//! a CA bundle only, and AWS errors mapped to the engine's codes.

use leasekeeper_aws::{Aws, AwsSettings, Proxy};
use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::{
    AuthorizeRequest, AwsError, RegisterClientRequest, RegistrationKind, SsoOidc, SsoPortal,
};
use time::OffsetDateTime;

use super::common::*;

fn request(kind: RegistrationKind) -> RegisterClientRequest {
    RegisterClientRequest {
        client_name: "leasekeeper-test".into(),
        kind,
        scopes: vec!["sso:account:access".into()],
        issuer_url: Some("https://sandbox.awsapps.com/start".into()),
        redirect_uri: Some("http://127.0.0.1/oauth/callback".into()),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profiles_endpoint_url_serves_every_call_and_the_authorize_url() {
    let env = start(|_| {}).await;
    assert_eq!(env.aws.oidc_endpoint(), env.sb.base_url());
    let reg = env
        .aws
        .register_client(&request(RegistrationKind::AuthorizationCode))
        .await
        .unwrap();
    let skew = (reg.server_date.unwrap() - OffsetDateTime::now_utc()).abs();
    assert!(skew < time::Duration::seconds(5));
    let url = env
        .aws
        .authorize_url(&AuthorizeRequest {
            client_id: &reg.value.client_id,
            redirect_uri: "http://127.0.0.1:5000/oauth/callback",
            state: "s",
            code_challenge: &"c".repeat(43),
            scopes: &["sso:account:access".to_owned()],
        })
        .unwrap();
    assert!(
        url.starts_with(&format!("{}/authorize?", env.sb.base_url())),
        "{url}"
    );
    // The portal answers an unknown token with 401: `unauthorized`.
    let e = env
        .aws
        .logout(&Secret::new("not-a-token"))
        .await
        .unwrap_err();
    assert_eq!(e, AwsError::Unauthorized);
    let e = env
        .aws
        .get_role_credentials(&Secret::new("not-a-token"), "111111111111", "Admin")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unauthorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn https_is_trusted_through_the_ca_bundle_only() {
    let env = start(|c| c.tls = true).await;
    assert!(env.aws.oidc_endpoint().starts_with("https://127.0.0.1:"));
    env.aws
        .register_client(&request(RegistrationKind::DeviceCode))
        .await
        .expect("trusted through the bundle");

    let untrusted = Aws::load(&AwsSettings {
        region: "us-east-1".into(),
        profile: Some("sb".into()),
        ca_bundle: None,
        proxy: Proxy::Environment,
        files: Some((
            env.dir.path().join("config"),
            env.dir.path().join("credentials"),
        )),
    })
    .await
    .unwrap();
    let e = untrusted
        .register_client(&request(RegistrationKind::DeviceCode))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "network", "{e}");

    let bad = env.dir.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let e = Aws::load(&AwsSettings {
        region: "us-east-1".into(),
        profile: None,
        ca_bundle: Some(bad),
        proxy: Proxy::Environment,
        files: None,
    })
    .await
    .unwrap_err();
    assert_eq!(e.code(), "bad_ca_bundle");
    assert!(e.to_string().contains("holds no PEM certificate"), "{e}");
}

/// The clients of `env`'s sandbox through `proxy`.
async fn through(env: &Env, proxy: Proxy) -> Result<Aws, leasekeeper_aws::SetupError> {
    Aws::load(&AwsSettings {
        region: "us-east-1".into(),
        profile: Some("sb".into()),
        ca_bundle: Some(env.dir.path().join("ca.pem")),
        proxy,
        files: Some((
            env.dir.path().join("config"),
            env.dir.path().join("credentials"),
        )),
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_the_settings_name_carries_every_call_unless_no_proxy_says_otherwise() {
    let env = start(|c| c.tls = true).await;
    let proxy = leasekeeper_sandbox::ConnectProxy::start().unwrap();
    let named = |no_proxy: Option<&str>| Proxy::Https {
        url: proxy.url().to_owned(),
        no_proxy: no_proxy.map(str::to_owned),
    };
    let aws = through(&env, named(None)).await.unwrap();
    aws.register_client(&request(RegistrationKind::DeviceCode))
        .await
        .expect("through the proxy");
    let addr = env.sb.addr().to_string();
    let seen = proxy.seen();
    assert!(
        !seen.is_empty() && seen.iter().all(|t| *t == addr),
        "tunnels to the sandbox only: {seen:?}"
    );

    assert!(
        proxy.authorizations().iter().all(Option::is_none),
        "no credentials asked for, none sent"
    );

    // A user and password in the address go as basic authentication, and
    // the client's Debug (which the SDK logs at trace level) hides them.
    proxy.clear();
    let with_password = format!(
        "http://me:s3cret@{}",
        proxy.url().trim_start_matches("http://")
    );
    let settings = AwsSettings {
        region: "us-east-1".into(),
        profile: Some("sb".into()),
        ca_bundle: Some(env.dir.path().join("ca.pem")),
        proxy: Proxy::Https {
            url: with_password.clone(),
            no_proxy: None,
        },
        files: None,
    };
    let client =
        leasekeeper_aws::http::http_client(settings.ca_bundle.as_deref(), &settings.proxy).unwrap();
    assert!(!format!("{client:?} {settings:?}").contains("s3cret"));
    let aws = through(
        &env,
        Proxy::Https {
            url: with_password,
            no_proxy: None,
        },
    )
    .await
    .unwrap();
    aws.register_client(&request(RegistrationKind::DeviceCode))
        .await
        .expect("through the proxy, signed in to it");
    let auth = proxy.authorizations();
    assert!(
        !auth.is_empty()
            && auth
                .iter()
                .all(|a| a.as_deref() == Some("Basic bWU6czNjcmV0")),
        "me:s3cret as basic authentication: {auth:?}"
    );

    proxy.clear();
    let aws = through(&env, named(Some("127.0.0.1"))).await.unwrap();
    aws.register_client(&request(RegistrationKind::DeviceCode))
        .await
        .expect("straight to the sandbox");
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());

    let e = through(
        &env,
        Proxy::Https {
            url: "proxy.corp:3128".into(),
            no_proxy: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "bad_proxy");
    let e = through(
        &env,
        Proxy::Https {
            url: "http://me:hunter2@proxy.corp:99999".into(),
            no_proxy: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "bad_proxy");
    assert!(
        e.to_string().contains("http://proxy.corp:99999") && !e.to_string().contains("hunter2"),
        "{e}"
    );
}
