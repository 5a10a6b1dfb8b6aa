//! Browser sign-ins: `/authorize` with PKCE (S256), the sign-in page a
//! person approves on, the redirect to any loopback port with `code` and
//! `state`, and CreateToken's checks of the code, the verifier and the
//! redirect URI.

use base64::Engine as _;
use leasekeeper_sandbox::SignInKind;
use sha2::{Digest, Sha256};

use crate::common::*;

const START_URL: &str = "https://sandbox.awsapps.com/start";

fn pkce() -> (String, String) {
    let verifier = "v".repeat(20) + &"0123456789abcdefghijklmnopqrstuvwxyz".repeat(2)[..44];
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn query_value(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

#[tokio::test]
async fn a_browser_sign_in_redirects_to_any_loopback_port_with_code_and_state() {
    let sb = start(|_| {}).await;
    let oidc = oidc(&sb);
    let reg = oidc
        .register_client()
        .client_name("aws-cli")
        .client_type("public")
        .scopes("sso:account:access")
        .grant_types("authorization_code")
        .grant_types("refresh_token")
        .redirect_uris("http://127.0.0.1/oauth/callback")
        .issuer_url(START_URL)
        .send()
        .await
        .unwrap();
    let (id, secret) = (reg.client_id().unwrap(), reg.client_secret().unwrap());
    let (verifier, challenge) = pkce();
    let redirect_uri = "http://127.0.0.1:49152/oauth/callback";
    let authorize = format!(
        "/authorize?response_type=code&client_id={id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A49152%2Foauth%2Fcallback&state=st4te&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge={challenge}"
    );
    let first = raw(&sb, "GET", &authorize, &[], b"").await;
    assert_eq!(first.status, 302);
    let page_path = first.header("location").unwrap().to_owned();
    assert!(page_path.starts_with("/_sandbox/sign-in/"), "{page_path}");
    let page = raw(&sb, "GET", &page_path, &[], b"").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("aws-cli")
            && page.body.contains("Approve")
            && page.body.contains("Deny")
    );
    let pending = sb.pending_sign_ins();
    assert_eq!(pending[0].kind, SignInKind::AuthorizationCode);
    // Approve as a person would: the form on the page.
    let form = format!("id={}", &page_path["/_sandbox/sign-in/".len()..]);
    let approved = raw(
        &sb,
        "POST",
        "/_sandbox/approve",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
    .await;
    assert_eq!(approved.status, 303);
    let to = approved.header("location").unwrap().to_owned();
    assert!(
        to.starts_with("http://127.0.0.1:49152/oauth/callback?code="),
        "{to}"
    );
    assert_eq!(query_value(&to, "state").as_deref(), Some("st4te"));
    let code_value = query_value(&to, "code").unwrap();
    // The sign-in page now forwards there too.
    assert_eq!(
        raw(&sb, "GET", &page_path, &[], b"")
            .await
            .header("location"),
        Some(to.as_str())
    );

    let exchange = |verifier: &str, redirect: &str| {
        oidc.create_token()
            .client_id(id)
            .client_secret(secret)
            .grant_type("authorization_code")
            .code(&code_value)
            .code_verifier(verifier)
            .redirect_uri(redirect)
            .send()
    };
    let token = exchange(&verifier, redirect_uri).await.unwrap();
    assert!(token.refresh_token().is_some());
    assert_eq!(
        code(&exchange(&verifier, redirect_uri).await.unwrap_err()).0,
        "InvalidGrantException",
        "codes work once"
    );

    // A wrong verifier fails.
    let again = raw(&sb, "GET", &authorize, &[], b"").await;
    let req_id = again.header("location").unwrap()["/_sandbox/sign-in/".len()..].to_owned();
    let decision = sb.approve(&req_id).unwrap();
    let code2 = query_value(decision.redirect.as_deref().unwrap(), "code").unwrap();
    let err = oidc
        .create_token()
        .client_id(id)
        .client_secret(secret)
        .grant_type("authorization_code")
        .code(code2)
        .code_verifier("w".repeat(64))
        .redirect_uri(redirect_uri)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "InvalidGrantException");

    // A redirect URI that is not the registered one is refused on the page.
    let evil = authorize.replace("127.0.0.1%3A49152", "evil.example%3A49152");
    assert_eq!(raw(&sb, "GET", &evil, &[], b"").await.status, 400);
}

#[tokio::test]
async fn auto_approve_redirects_at_once_and_denial_carries_the_error() {
    let sb = start(|c| c.auto_approve = true).await;
    let oidc = oidc(&sb);
    let reg = oidc
        .register_client()
        .client_name("c")
        .client_type("public")
        .grant_types("authorization_code")
        .redirect_uris("http://127.0.0.1/cb")
        .send()
        .await
        .unwrap();
    let (_, challenge) = pkce();
    let url = format!(
        "/authorize?response_type=code&client_id={}&redirect_uri=http://127.0.0.1:5000/cb&state=s&code_challenge_method=S256&code_challenge={challenge}",
        reg.client_id().unwrap()
    );
    let r = raw(&sb, "GET", &url, &[], b"").await;
    assert_eq!(r.status, 302);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("http://127.0.0.1:5000/cb?code=")
    );
    let plain = url.replace("S256", "plain");
    let r = raw(&sb, "GET", &plain, &[], b"").await;
    let to = r.header("location").unwrap();
    assert!(
        to.contains("error=invalid_request") && to.contains("state=s"),
        "{to}"
    );
}
