//! STS through aws-sdk-rust: identities, role assumption and every refusal
//! with AWS's code and message.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use leasekeeper_sandbox::{
    ALICE_ACCESS_KEY_ID, ALICE_MFA_SERIAL, ALICE_TOTP_SECRET, VENDOR_EXTERNAL_ID, totp,
};

use crate::common::*;

#[tokio::test]
async fn static_keys_and_assumed_roles_have_aws_arns() {
    let sb = start(|_| {}).await;
    let me = alice(&sb).get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    assert_eq!(me.account(), Some("111111111111"));
    assert!(me.user_id().unwrap().starts_with("AIDA"));

    let out = alice(&sb)
        .assume_role()
        .role_arn(DEPLOY)
        .role_session_name("deploy-run")
        .send()
        .await
        .unwrap();
    let user = out.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        "arn:aws:sts::222222222222:assumed-role/Deploy/deploy-run"
    );
    assert!(
        user.assumed_role_id().starts_with("AROA")
            && user.assumed_role_id().ends_with(":deploy-run")
    );
    let creds = out.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA") && creds.access_key_id().len() == 20);
    assert_eq!(creds.secret_access_key().len(), 40);
    // The default DurationSeconds is one hour.
    let left = creds.expiration().secs()
        - SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
    assert!((3590..=3600).contains(&left), "{left}");

    let who = with(&sb, creds).get_caller_identity().send().await.unwrap();
    assert_eq!(
        who.arn(),
        Some("arn:aws:sts::222222222222:assumed-role/Deploy/deploy-run")
    );
    assert_eq!(who.account(), Some("222222222222"));
}

#[tokio::test]
async fn keys_lapse_into_expired_token_at_the_compressed_time() {
    let clock = manual_clock();
    let sb = start(|c| {
        c.clock = clock.clone();
        c.speed = 60.0;
    })
    .await;
    let creds = assume(&alice(&sb), DEPLOY, Some(3600)).await;
    // DurationSeconds 3600 at speed 60 lasts 60 real seconds, and Expiration says so.
    let now = clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    assert_eq!(creds.expiration().secs() - now, 60);
    clock.advance(Duration::from_secs(59));
    with(&sb, &creds)
        .get_caller_identity()
        .send()
        .await
        .expect("still valid");
    clock.advance(Duration::from_secs(1));
    let err = with(&sb, &creds)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        (
            "ExpiredToken".into(),
            "The security token included in the request is expired".into()
        )
    );
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
}

#[tokio::test]
async fn bad_keys_and_bad_clocks_are_refused_as_aws_refuses_them() {
    let clock = manual_clock();
    let sb = start(|c| c.clock = clock.clone()).await;
    let err = sts(&sb, "AKIAUNKNOWNKEY000000", "x".repeat(40).as_str(), None)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        (
            "InvalidClientTokenId".into(),
            "The security token included in the request is invalid.".into()
        )
    );

    let err = sts(
        &sb,
        ALICE_ACCESS_KEY_ID,
        "wrong-secret-wrong-secret-wrong-secret00",
        None,
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap_err();
    let (c, m) = code(&err);
    assert_eq!(c, "SignatureDoesNotMatch");
    assert!(
        m.starts_with("The request signature we calculated does not match"),
        "{m}"
    );

    // A session token from nowhere, and a real one with the wrong key id.
    let creds = assume(&alice(&sb), DEPLOY, None).await;
    let err = sts(
        &sb,
        creds.access_key_id(),
        creds.secret_access_key(),
        Some("bm90IGEgdG9rZW4="),
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap_err();
    assert_eq!(code(&err).0, "InvalidClientTokenId");
    let err = sts(
        &sb,
        "ASIAAAAAAAAAAAAAAAAA",
        creds.secret_access_key(),
        Some(creds.session_token()),
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap_err();
    assert_eq!(code(&err).0, "InvalidClientTokenId");

    // The server's clock 16 minutes ahead of the signer's.
    clock.advance(Duration::from_secs(16 * 60));
    let err = alice(&sb).get_caller_identity().send().await.unwrap_err();
    let (c, m) = code(&err);
    assert_eq!(c, "SignatureDoesNotMatch");
    assert!(
        m.starts_with("Signature expired: ") && m.ends_with(" - 15 min.)"),
        "{m}"
    );
}

#[tokio::test]
async fn trust_external_id_and_duration_limits_apply() {
    let sb = start(|_| {}).await;
    let err = alice(&sb)
        .assume_role()
        .role_arn(AUDITOR)
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        (
            "AccessDenied".into(),
            format!(
                "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: {AUDITOR}"
            )
        )
    );
    // A role that does not exist looks the same.
    let err = alice(&sb)
        .assume_role()
        .role_arn("arn:aws:iam::222222222222:role/Nope")
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "AccessDenied");

    let vendor = |id: Option<&str>| {
        alice(&sb)
            .assume_role()
            .role_arn(VENDOR)
            .role_session_name("s1")
            .set_external_id(id.map(str::to_owned))
            .send()
    };
    assert_eq!(
        code(&vendor(Some("wrong-id")).await.unwrap_err()).0,
        "AccessDenied"
    );
    assert_eq!(code(&vendor(None).await.unwrap_err()).0, "AccessDenied");
    vendor(Some(VENDOR_EXTERNAL_ID))
        .await
        .expect("right external id");

    let err = alice(&sb)
        .assume_role()
        .role_arn(DEPLOY)
        .role_session_name("s1")
        .duration_seconds(43201)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        (
            "ValidationError".into(),
            "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200".into()
        )
    );
    // BreakGlass allows one hour; alice gets there with MFA.
    let code_now = totp::totp_code(
        ALICE_TOTP_SECRET,
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let err = alice(&sb)
        .assume_role()
        .role_arn(BREAK_GLASS)
        .role_session_name("s1")
        .duration_seconds(7200)
        .serial_number(ALICE_MFA_SERIAL)
        .token_code(code_now)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        (
            "ValidationError".into(),
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                .into()
        )
    );
    // Deploy allows 12 hours over static keys.
    assume(&alice(&sb), DEPLOY, Some(43200)).await;
}

#[tokio::test]
async fn role_chaining_is_capped_at_one_hour() {
    let sb = start(|_| {}).await;
    let deploy = assume(&alice(&sb), DEPLOY, None).await;
    // Vendor trusts every principal of account 111111111111; Deploy's
    // sessions live in 222222222222, so trust fails before any limit.
    let err = with(&sb, &deploy)
        .assume_role()
        .role_arn(VENDOR)
        .role_session_name("s2")
        .external_id(VENDOR_EXTERNAL_ID)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "AccessDenied");

    // SSO role keys count as assumed-role keys.
    let admin = crate::sign_in::sso_role_credentials(&sb, "Admin").await;
    let client = sts(&sb, &admin.0, &admin.1, Some(&admin.2));
    let err = client
        .assume_role()
        .role_arn(AUDITOR)
        .role_session_name("chained")
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        (
            "ValidationError".into(),
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.".into()
        )
    );
    let creds = assume(&client, AUDITOR, Some(3600)).await;
    let who = with(&sb, &creds)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        who.arn(),
        Some("arn:aws:sts::222222222222:assumed-role/Auditor/test-session")
    );
}
