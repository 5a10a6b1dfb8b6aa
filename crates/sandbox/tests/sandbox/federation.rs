//! The console's sign-in: GetFederationToken through aws-sdk-rust, and the
//! federation endpoint (`getSigninToken`, `login`) and the console stand-in
//! over raw HTTP, with every refusal AWS makes.

use std::time::Duration;

use leasekeeper_sandbox::RunningSandbox;

use crate::common::*;

const POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const DESTINATION: &str = "https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1";

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn session(c: &aws_sdk_sts::types::Credentials) -> String {
    serde_json::json!({
        "sessionId": c.access_key_id(),
        "sessionKey": c.secret_access_key(),
        "sessionToken": c.session_token(),
    })
    .to_string()
}

async fn signin_token(sb: &RunningSandbox, session: &str, duration: Option<u32>) -> Raw {
    let d = duration
        .map(|d| format!("&SessionDuration={d}"))
        .unwrap_or_default();
    raw(
        sb,
        "GET",
        &format!(
            "/federation?Action=getSigninToken{d}&Session={}",
            enc(session)
        ),
        &[],
        b"",
    )
    .await
}

async fn login(sb: &RunningSandbox, token: &str, destination: &str) -> Raw {
    raw(
        sb,
        "GET",
        &format!(
            "/federation?Action=login&Issuer=test&Destination={}&SigninToken={}",
            enc(destination),
            enc(token)
        ),
        &[],
        b"",
    )
    .await
}

/// getSigninToken, login and the console page: the page's text.
async fn console_page(
    sb: &RunningSandbox,
    c: &aws_sdk_sts::types::Credentials,
    d: Option<u32>,
) -> String {
    let answer = signin_token(sb, &session(c), d).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let token = json["SigninToken"].as_str().unwrap().to_owned();
    let redirect = login(sb, &token, DESTINATION).await;
    assert_eq!(redirect.status, 302, "{}", redirect.body);
    let location = redirect.header("location").unwrap().to_owned();
    let path = location.strip_prefix(sb.base_url()).unwrap().to_owned();
    let page = raw(sb, "GET", &path, &[], b"").await;
    assert_eq!(page.status, 200);
    page.body
}

#[tokio::test]
async fn role_keys_and_federation_tokens_open_the_console_stand_in() {
    let sb = start(|_| {}).await;
    let role = assume(&alice(&sb), DEPLOY, None).await;
    let page = console_page(&sb, &role, Some(43200)).await;
    assert!(
        page.contains("arn:aws:sts::222222222222:assumed-role/Deploy/test-session"),
        "{page}"
    );
    assert!(page.contains(&DESTINATION.replace('&', "&amp;")), "{page}");

    let fed = alice(&sb)
        .get_federation_token()
        .name("lk-alice")
        .policy(POLICY)
        .send()
        .await
        .unwrap();
    assert_eq!(
        fed.federated_user().unwrap().arn(),
        "arn:aws:sts::111111111111:federated-user/lk-alice"
    );
    let keys = fed.credentials().unwrap();
    let who = with(&sb, keys).get_caller_identity().send().await.unwrap();
    assert_eq!(
        who.arn(),
        Some("arn:aws:sts::111111111111:federated-user/lk-alice")
    );
    let page = console_page(&sb, keys, None).await;
    assert!(page.contains("federated-user/lk-alice"), "{page}");
    assert!(!page.contains("no permissions"), "{page}");

    // Without a session policy the console session has no permissions.
    let bare = alice(&sb)
        .get_federation_token()
        .name("bare")
        .send()
        .await
        .unwrap();
    let page = console_page(&sb, bare.credentials().unwrap(), None).await;
    assert!(page.contains("no permissions"), "{page}");
}

#[tokio::test]
async fn get_federation_token_takes_long_term_keys_and_a_short_name_only() {
    let sb = start(|_| {}).await;
    let role = assume(&alice(&sb), DEPLOY, None).await;
    let e = with(&sb, &role)
        .get_federation_token()
        .name("x1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        (
            "AccessDenied".into(),
            "Cannot call GetFederationToken with session credentials".into()
        )
    );
    let e = alice(&sb)
        .get_federation_token()
        .name("x".repeat(33))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).0, "ValidationError");
    // A federated user's keys call nothing but GetCallerIdentity.
    let fed = alice(&sb)
        .get_federation_token()
        .name("fed")
        .send()
        .await
        .unwrap();
    let e = with(&sb, fed.credentials().unwrap())
        .assume_role()
        .role_arn(DEPLOY)
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).0, "AccessDenied");
}

#[tokio::test]
async fn the_federation_endpoint_refuses_what_aws_refuses() {
    let clock = manual_clock();
    let sb = start(|c| {
        c.clock = clock.clone();
        c.speed = 60.0;
    })
    .await;
    let role = assume(&alice(&sb), DEPLOY, None).await;
    // A secret key that does not belong to the key id.
    let mut forged: serde_json::Value = serde_json::from_str(&session(&role)).unwrap();
    forged["sessionKey"] = "x".repeat(40).into();
    assert_eq!(
        signin_token(&sb, &forged.to_string(), None).await.status,
        400
    );
    assert_eq!(signin_token(&sb, "not json", None).await.status, 400);
    // GetSessionToken's keys cannot sign in to the console.
    let mfa_session = alice(&sb).get_session_token().send().await.unwrap();
    let answer = signin_token(&sb, &session(mfa_session.credentials().unwrap()), None).await;
    assert_eq!(answer.status, 400);
    // SessionDuration out of range; a chained role takes none.
    assert_eq!(
        signin_token(&sb, &session(&role), Some(60)).await.status,
        400
    );
    let admin = crate::sign_in::sso_role_credentials(&sb, "Admin").await;
    let chained = assume(&sts(&sb, &admin.0, &admin.1, Some(&admin.2)), AUDITOR, None).await;
    assert_eq!(
        signin_token(&sb, &session(&chained), Some(3600))
            .await
            .status,
        400
    );
    assert_eq!(
        signin_token(&sb, &session(&chained), None).await.status,
        200
    );
    // A sign-in token leads only to a console host, and only while valid.
    let ok = signin_token(&sb, &session(&role), None).await;
    let token: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    let token = token["SigninToken"].as_str().unwrap().to_owned();
    assert_eq!(
        login(&sb, &token, "https://evil.example/").await.status,
        400
    );
    assert_eq!(login(&sb, "forged", DESTINATION).await.status, 400);
    assert_eq!(login(&sb, &token, DESTINATION).await.status, 302);
    clock.advance(Duration::from_secs(16)); // 16 min at speed 60
    assert_eq!(login(&sb, &token, DESTINATION).await.status, 400);
    // Keys past their expiry get no token (an hour is 60 s here).
    clock.advance(Duration::from_secs(45));
    assert_eq!(signin_token(&sb, &session(&role), None).await.status, 400);
}
