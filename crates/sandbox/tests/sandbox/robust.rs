//! Hostile and malformed input gets AWS-shaped errors and the server keeps
//! serving; faults switch on and off while it runs; it listens on loopback only.

use leasekeeper_sandbox::{Faults, MAX_BODY_BYTES};

use crate::common::*;

async fn still_serving(sb: &leasekeeper_sandbox::RunningSandbox) {
    let who = alice(sb)
        .get_caller_identity()
        .send()
        .await
        .expect("the server still answers");
    assert_eq!(who.account(), Some("111111111111"));
}

#[tokio::test]
async fn garbage_and_malformed_requests_never_stop_the_server() {
    let sb = start(|_| {}).await;
    assert_eq!(sb.addr().ip().to_string(), "127.0.0.1");

    // Bytes that are not HTTP at all.
    let _ = raw_bytes(&sb, b"\x00\xff\xfe garbage \r\n\r\n\x16\x03\x01").await;
    let _ = raw_bytes(
        &sb,
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n",
    )
    .await;
    still_serving(&sb).await;

    // Bad JSON to OIDC: the OAuth body and the exception header.
    let r = post_json(&sb, "/token", "{not json").await;
    assert_eq!(r.status, 400);
    assert!(
        r.header("x-amzn-ErrorType")
            .unwrap()
            .starts_with("InvalidRequestException:")
    );
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["error"], "invalid_request");
    let r = post_json(&sb, "/client/register", "[1,2,3]").await;
    assert_eq!(r.status, 400);
    let r = post_json(&sb, "/client/register", r#"{"clientName":"x"}"#).await;
    assert!(r.body.contains("clientType is required"), "{}", r.body);
    let r = post_json(
        &sb,
        "/device_authorization",
        r#"{"clientId":7,"clientSecret":"s","startUrl":"u"}"#,
    )
    .await;
    assert_eq!(r.status, 400);

    // STS without a signature, with XML instead of a form, with a broken Authorization.
    let r = raw(
        &sb,
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(
        r.body.contains("<Code>MissingAuthenticationToken</Code>")
            && r.body.contains("<ErrorResponse")
    );
    let r = raw(
        &sb,
        "POST",
        "/",
        &[("Content-Type", "text/xml")],
        b"<AssumeRole><RoleArn>x</RoleArn>",
    )
    .await;
    assert!(r.body.contains("<ErrorResponse"), "{}", r.body);
    let r = raw(
        &sb,
        "POST",
        "/",
        &[("Authorization", "AWS4-HMAC-SHA256 Credential=%%%")],
        b"Action=Foo",
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("<Code>IncompleteSignature</Code>"));

    // Portal calls without their parameters.
    let r = raw(&sb, "GET", "/federation/credentials", &[], b"").await;
    assert_eq!(r.status, 401);
    assert!(
        r.header("x-amzn-ErrorType")
            .unwrap()
            .starts_with("UnauthorizedException")
    );

    // Unknown paths and methods.
    let r = raw(&sb, "DELETE", "/token", &[], b"").await;
    assert_eq!(r.status, 404);
    assert!(
        r.header("x-amzn-ErrorType")
            .unwrap()
            .starts_with("UnknownOperationException")
    );
    still_serving(&sb).await;
}

#[tokio::test]
async fn huge_bodies_are_refused_in_the_service_shape() {
    let sb = start(|_| {}).await;
    let big = vec![b'a'; MAX_BODY_BYTES + 1];
    let r = raw(
        &sb,
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &big,
    )
    .await;
    assert_eq!(r.status, 413);
    assert!(r.body.contains("<Code>RequestEntityTooLarge</Code>"));
    let r = raw(
        &sb,
        "POST",
        "/token",
        &[("Content-Type", "application/json")],
        &big,
    )
    .await;
    assert_eq!(r.status, 413);
    // A chunked body that grows past the limit without announcing it.
    let mut chunked = b"POST /token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..20 {
        chunked.extend_from_slice(format!("{:x}\r\n", 65536).as_bytes());
        chunked.extend(std::iter::repeat_n(b'x', 65536));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    if let Some(r) = raw_bytes(&sb, &chunked).await {
        assert_eq!(r.status, 413);
    }
    still_serving(&sb).await;
}

#[tokio::test]
async fn faults_switch_while_running() {
    let sb = start(|c| {
        c.faults = Faults {
            throttle_rate: 1.0,
            ..Faults::default()
        }
    })
    .await;
    let err = alice(&sb).get_caller_identity().send().await.unwrap_err();
    assert_eq!(code(&err), ("Throttling".into(), "Rate exceeded".into()));
    let err = portal(&sb)
        .list_accounts()
        .access_token("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "TooManyRequestsException");

    // Through the admin endpoint: errors instead of throttling.
    let r = post_json(
        &sb,
        "/_sandbox/faults",
        r#"{"throttle_rate":0,"error_rate":1}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    let err = alice(&sb).get_caller_identity().send().await.unwrap_err();
    assert_eq!(code(&err).0, "InternalFailure");
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 500);
    let r = raw(&sb, "GET", "/_sandbox/faults", &[], b"").await;
    let now: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(now["error_rate"], 1.0);
    assert_eq!(now["throttle_rate"], 0.0);
    // Bad values are refused and change nothing.
    let r = post_json(&sb, "/_sandbox/faults", r#"{"error_rate":2}"#).await;
    assert_eq!(r.status, 400);
    let r = post_json(&sb, "/_sandbox/faults", r#"{"nonsense":1}"#).await;
    assert_eq!(r.status, 400);

    // Dropped connections: the client sees no answer at all.
    sb.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    })
    .unwrap();
    let err = alice(&sb).get_caller_identity().send().await.unwrap_err();
    assert!(err.raw_response().is_none(), "{err:?}");

    // A skewed Date, and latency.
    sb.set_faults(Faults {
        date_skew_secs: -3600,
        latency_ms: 150,
        ..Faults::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let r = raw(&sb, "GET", "/assignment/accounts", &[], b"").await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    let date = r.header("date").unwrap().to_owned();
    let shown =
        time::OffsetDateTime::parse(&date, &time::format_description::well_known::Rfc2822).unwrap();
    let behind = time::OffsetDateTime::now_utc() - shown;
    assert!((3590..=3610).contains(&behind.whole_seconds()), "{date}");
    // The admin pages are never faulted.
    sb.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    })
    .unwrap();
    assert_eq!(raw(&sb, "GET", "/_sandbox/", &[], b"").await.status, 200);
    sb.set_faults(Faults::default()).unwrap();
    still_serving(&sb).await;
}

#[tokio::test]
async fn the_approval_page_and_session_endpoints_work_as_documented() {
    let sb = start(|_| {}).await;
    let (_, _, access, _) = crate::sign_in::device_sign_in(&sb, &["sso:account:access"]).await;
    let oidc = oidc(&sb);
    let reg = oidc
        .register_client()
        .client_name("page-client")
        .client_type("public")
        .send()
        .await
        .unwrap();
    let dev = oidc
        .start_device_authorization()
        .client_id(reg.client_id().unwrap())
        .client_secret(reg.client_secret().unwrap())
        .start_url("https://sandbox.awsapps.com/start")
        .send()
        .await
        .unwrap();
    let user_code = dev.user_code().unwrap();
    let page = raw(&sb, "GET", "/_sandbox/", &[], b"").await;
    assert!(page.body.contains(user_code) && page.body.contains("page-client"));
    let device_page = raw(
        &sb,
        "GET",
        &format!("/_sandbox/device?user_code={user_code}"),
        &[],
        b"",
    )
    .await;
    assert!(device_page.body.contains("Approve") && device_page.body.contains(user_code));
    let pending = raw(&sb, "GET", "/_sandbox/pending", &[], b"").await;
    let list: serde_json::Value = serde_json::from_str(&pending.body).unwrap();
    assert_eq!(list[0]["id"], user_code);
    assert_eq!(list[0]["kind"], "device_code");
    let r = post_json(&sb, "/_sandbox/deny", &format!(r#"{{"id":"{user_code}"}}"#)).await;
    assert_eq!(r.status, 200);
    let r = post_json(&sb, "/_sandbox/deny", &format!(r#"{{"id":"{user_code}"}}"#)).await;
    assert_eq!(r.status, 404, "nothing is waiting any more");

    let sessions: serde_json::Value =
        serde_json::from_str(&raw(&sb, "GET", "/_sandbox/sessions", &[], b"").await.body).unwrap();
    let id = sessions[0]["id"].as_str().unwrap().to_owned();
    let r = post_json(
        &sb,
        "/_sandbox/end-session",
        &format!(r#"{{"session_id":"{id}"}}"#),
    )
    .await;
    assert_eq!(r.body, r#"{"ended":1}"#);
    let err = portal(&sb)
        .list_accounts()
        .access_token(&access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "UnauthorizedException");
}

#[tokio::test]
async fn past_the_portal_rate_limit_calls_get_429_until_the_bucket_refills() {
    let sb = start(|c| c.faults.portal_calls_per_second = 3).await;
    let (_, _, access, _) = crate::sign_in::device_sign_in(&sb, &["sso:account:access"]).await;
    let bearer = [("x-amz-sso_bearer_token", access.as_str())];
    let list = || {
        raw(
            &sb,
            "GET",
            "/assignment/accounts?max_result=1",
            &bearer,
            b"",
        )
    };
    let mut answers = Vec::new();
    for _ in 0..12 {
        answers.push(list().await);
    }
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let refused: Vec<&Raw> = answers.iter().filter(|r| r.status == 429).collect();
    assert!(ok >= 3, "a full bucket lets a second's calls through: {ok}");
    assert!(
        !refused.is_empty() && ok + refused.len() == answers.len(),
        "the calls past the limit are refused, nothing else: {ok} ok, {} refused",
        refused.len()
    );
    // AWS's shape: the portal's exception name, in the body and the header.
    let body: serde_json::Value = serde_json::from_str(&refused[0].body).unwrap();
    assert_eq!(
        body["__type"],
        "com.amazonaws.switchboard.portal#TooManyRequestsException"
    );
    assert_eq!(body["message"], "Rate exceeded");
    // A second later the bucket holds calls again.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(list().await.status, 200);

    // Set at run time: no limit, every call passes.
    let r = post_json(&sb, "/_sandbox/faults", r#"{"portal_calls_per_second":0}"#).await;
    assert_eq!(r.status, 200);
    for _ in 0..12 {
        assert_eq!(list().await.status, 200);
    }
}
