//! IAM Identity Center through aws-sdk-ssooidc and aws-sdk-sso: device-code
//! and PKCE sign-ins, refresh-token rotation, the portal's calls, and the
//! end of a sign-in session.

use std::time::{SystemTime, UNIX_EPOCH};

use leasekeeper_sandbox::{RunningSandbox, SignInKind};

use crate::common::*;

const START_URL: &str = "https://sandbox.awsapps.com/start";

/// Registers a client, signs in with a device code approved through the
/// handle, and returns (client id, secret, access token, refresh token).
pub async fn device_sign_in(
    sb: &RunningSandbox,
    scopes: &[&str],
) -> (String, String, String, Option<String>) {
    device_sign_in_at(sb, START_URL, scopes).await
}

/// [`device_sign_in`] to the access portal at `start_url`.
pub async fn device_sign_in_at(
    sb: &RunningSandbox,
    start_url: &str,
    scopes: &[&str],
) -> (String, String, String, Option<String>) {
    let oidc = oidc(sb);
    let reg = oidc
        .register_client()
        .client_name("sandbox-test")
        .client_type("public")
        .set_scopes(Some(scopes.iter().map(|s| s.to_string()).collect()))
        .send()
        .await
        .unwrap();
    let (id, secret) = (
        reg.client_id().unwrap().to_owned(),
        reg.client_secret().unwrap().to_owned(),
    );
    let dev = oidc
        .start_device_authorization()
        .client_id(&id)
        .client_secret(&secret)
        .start_url(start_url)
        .send()
        .await
        .unwrap();
    if sb.approve(dev.user_code().unwrap()).is_none() {
        // Already approved (auto-approve).
    }
    let token = oidc
        .create_token()
        .client_id(&id)
        .client_secret(&secret)
        .grant_type("urn:ietf:params:oauth:grant-type:device_code")
        .device_code(dev.device_code().unwrap())
        .send()
        .await
        .unwrap();
    (
        id,
        secret,
        token.access_token().unwrap().to_owned(),
        token.refresh_token().map(str::to_owned),
    )
}

/// SSO role credentials for a permission set in the dev account: (key, secret, token).
pub async fn sso_role_credentials(sb: &RunningSandbox, role: &str) -> (String, String, String) {
    let (_, _, access, _) = device_sign_in(sb, &["sso:account:access"]).await;
    let out = portal(sb)
        .get_role_credentials()
        .access_token(access)
        .account_id("111111111111")
        .role_name(role)
        .send()
        .await
        .unwrap();
    let c = out.role_credentials().unwrap();
    (
        c.access_key_id().unwrap().to_owned(),
        c.secret_access_key().unwrap().to_owned(),
        c.session_token().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_device_sign_in_waits_for_a_person_then_reaches_the_portal() {
    let sb = start(|c| c.speed = 2.0).await;
    let oidc = oidc(&sb);
    let reg = oidc
        .register_client()
        .client_name("botocore-client-x")
        .client_type("public")
        .scopes("sso:account:access")
        .send()
        .await
        .unwrap();
    let (id, secret) = (reg.client_id().unwrap(), reg.client_secret().unwrap());
    let dev = oidc
        .start_device_authorization()
        .client_id(id)
        .client_secret(secret)
        .start_url(START_URL)
        .send()
        .await
        .unwrap();
    assert_eq!(
        dev.expires_in(),
        600,
        "device codes keep their real 10 minutes at any speed"
    );
    assert_eq!(dev.interval(), 1);
    assert!(
        dev.verification_uri_complete()
            .unwrap()
            .ends_with(&format!("?user_code={}", dev.user_code().unwrap()))
    );
    let poll = || {
        oidc.create_token()
            .client_id(id)
            .client_secret(secret)
            .grant_type("urn:ietf:params:oauth:grant-type:device_code")
            .device_code(dev.device_code().unwrap())
            .send()
    };
    let err = poll().await.unwrap_err();
    assert_eq!(code(&err).0, "AuthorizationPendingException");
    let err = poll().await.unwrap_err();
    assert_eq!(
        code(&err).0,
        "SlowDownException",
        "polling faster than the interval"
    );
    let pending = sb.pending_sign_ins();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, SignInKind::DeviceCode);
    assert_eq!(pending[0].client_name, "botocore-client-x");
    assert!(sb.approve(dev.user_code().unwrap()).is_some());
    let token = poll().await.unwrap();
    // The one-hour access token at speed 2.
    assert_eq!(token.expires_in(), 1800);
    assert_eq!(token.token_type(), Some("Bearer"));
    let access = token.access_token().unwrap();
    assert!(token.refresh_token().is_some());
    // The code is spent.
    assert_eq!(code(&poll().await.unwrap_err()).0, "InvalidGrantException");

    let portal = portal(&sb);
    let first = portal
        .list_accounts()
        .access_token(access)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.account_list().len(), 1);
    assert_eq!(first.account_list()[0].account_id(), Some("111111111111"));
    let next = first.next_token().expect("a second page").to_owned();
    let second = portal
        .list_accounts()
        .access_token(access)
        .max_results(1)
        .next_token(next)
        .send()
        .await
        .unwrap();
    assert_eq!(second.account_list()[0].account_name(), Some("prod"));
    assert!(second.next_token().is_none());
    let roles = portal
        .list_account_roles()
        .access_token(access)
        .account_id("111111111111")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = roles
        .role_list()
        .iter()
        .filter_map(|r| r.role_name())
        .collect();
    assert_eq!(names, ["Admin", "ReadOnly"]);

    let creds = portal
        .get_role_credentials()
        .access_token(access)
        .account_id("111111111111")
        .role_name("ReadOnly")
        .send()
        .await
        .unwrap();
    let c = creds.role_credentials().unwrap();
    // Epoch milliseconds; ReadOnly lasts 4 hours, 2 at speed 2.
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let left = (c.expiration() - now_ms) / 1000;
    assert!((7190..=7200).contains(&left), "{left}");
    let who = sts(
        &sb,
        c.access_key_id().unwrap(),
        c.secret_access_key().unwrap(),
        c.session_token(),
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap();
    let arn = who.arn().unwrap();
    assert!(
        arn.starts_with("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_ReadOnly_"),
        "{arn}"
    );
    assert!(arn.ends_with("/sandbox-user"), "{arn}");

    let err = portal
        .get_role_credentials()
        .access_token(access)
        .account_id("222222222222")
        .role_name("Admin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "ForbiddenException");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_die_with_their_session() {
    let sb = start(|_| {}).await;
    let (id, secret, access, refresh) = device_sign_in(&sb, &["sso:account:access"]).await;
    let refresh = refresh.expect("sso:account:access clients get refresh tokens");
    let oidc = oidc(&sb);
    let renew = |token: String| {
        oidc.create_token()
            .client_id(&id)
            .client_secret(&secret)
            .grant_type("refresh_token")
            .refresh_token(token)
            .send()
    };
    let fresh = renew(refresh.clone()).await.unwrap();
    let rotated = fresh.refresh_token().unwrap().to_owned();
    assert_ne!(rotated, refresh);
    assert_ne!(fresh.access_token().unwrap(), access);
    let err = renew(refresh).await.unwrap_err();
    assert_eq!(
        code(&err).0,
        "InvalidGrantException",
        "a used refresh token is spent"
    );

    // "Sign-in session ended": refresh fails with invalid_grant, the portal answers 401.
    assert_eq!(sb.end_all_sessions(), 1);
    let err = renew(rotated).await.unwrap_err();
    assert_eq!(code(&err).0, "InvalidGrantException");
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 400);
    let err = portal(&sb)
        .list_accounts()
        .access_token(fresh.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        (
            "UnauthorizedException".into(),
            "Session token not found or invalid".into()
        )
    );
    let raw = raw(
        &sb,
        "GET",
        "/assignment/accounts",
        &[("x-amz-sso_bearer_token", &access)],
        b"",
    )
    .await;
    assert_eq!(raw.status, 401);
    let body: serde_json::Value = serde_json::from_str(&raw.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"message": "Session token not found or invalid", "__type": "com.amazonaws.switchboard.portal#UnauthorizedException"})
    );
}

#[tokio::test]
async fn clients_without_the_account_access_scope_get_no_refresh_token() {
    let sb = start(|c| c.auto_approve = true).await;
    let (_, _, access, refresh) = device_sign_in(&sb, &[]).await;
    assert!(refresh.is_none());
    portal(&sb)
        .logout()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let err = portal(&sb)
        .list_accounts()
        .access_token(&access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err).0,
        "UnauthorizedException",
        "logout ends the session"
    );
}

#[tokio::test]
async fn a_denied_device_sign_in_stops_the_poller() {
    let sb = start(|_| {}).await;
    let oidc = oidc(&sb);
    let reg = oidc
        .register_client()
        .client_name("c")
        .client_type("public")
        .send()
        .await
        .unwrap();
    let dev = oidc
        .start_device_authorization()
        .client_id(reg.client_id().unwrap())
        .client_secret(reg.client_secret().unwrap())
        .start_url(START_URL)
        .send()
        .await
        .unwrap();
    assert!(sb.deny(dev.user_code().unwrap()).is_some());
    let err = oidc
        .create_token()
        .client_id(reg.client_id().unwrap())
        .client_secret(reg.client_secret().unwrap())
        .grant_type("urn:ietf:params:oauth:grant-type:device_code")
        .device_code(dev.device_code().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "AccessDeniedException");
    let err = oidc
        .create_token()
        .client_id(reg.client_id().unwrap())
        .client_secret("not-the-secret")
        .grant_type("refresh_token")
        .refresh_token("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "InvalidClientException");
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 401);
}

#[tokio::test]
async fn access_tokens_lapse_and_the_sign_in_session_is_the_ceiling() {
    let clock = manual_clock();
    let sb = start(|c| c.clock = clock.clone()).await;
    let (id, secret, access, refresh) = device_sign_in(&sb, &["sso:account:access"]).await;
    let portal = portal(&sb);
    portal
        .list_accounts()
        .access_token(&access)
        .send()
        .await
        .expect("fresh token");
    // The access token lives an hour.
    clock.advance(std::time::Duration::from_secs(3600));
    let err = portal
        .list_accounts()
        .access_token(&access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "UnauthorizedException");
    let renew = |token: String| {
        oidc(&sb)
            .create_token()
            .client_id(&id)
            .client_secret(&secret)
            .grant_type("refresh_token")
            .refresh_token(token)
            .send()
    };
    let fresh = renew(refresh.unwrap())
        .await
        .expect("the session still runs");
    portal
        .list_accounts()
        .access_token(fresh.access_token().unwrap())
        .send()
        .await
        .unwrap();
    // Eight hours after sign-in the session is over, whatever the tokens say.
    clock.advance(std::time::Duration::from_secs(7 * 3600));
    let err = renew(fresh.refresh_token().unwrap().to_owned())
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "InvalidGrantException");
    assert_eq!(sb.sessions().len(), 1);
}
