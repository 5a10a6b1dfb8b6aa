//! MFA through aws-sdk-rust: TOTP codes checked against the world's device
//! and refused when reused, GetSessionToken sessions that carry MFA, and
//! GetSessionToken refused to temporary keys.

use std::time::{SystemTime, UNIX_EPOCH};

use leasekeeper_sandbox::{ALICE_MFA_SERIAL, ALICE_TOTP_SECRET, totp};

use crate::common::*;

#[tokio::test]
async fn mfa_codes_are_checked_and_single_use() {
    let sb = start(|_| {}).await;
    let now = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let call = |serial: Option<&str>, code: Option<String>| {
        alice(&sb)
            .assume_role()
            .role_arn(BREAK_GLASS)
            .role_session_name("mfa")
            .set_serial_number(serial.map(str::to_owned))
            .set_token_code(code)
            .send()
    };
    let err = call(None, None).await.unwrap_err();
    assert_eq!(code(&err).0, "AccessDenied");
    let err = call(Some(ALICE_MFA_SERIAL), None).await.unwrap_err();
    assert_eq!(
        code(&err).1,
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
    );
    let good = totp::totp_code(ALICE_TOTP_SECRET, now()).unwrap();
    let wrong = format!("{:06}", (good.parse::<u32>().unwrap() + 1) % 1_000_000);
    let err = call(Some(ALICE_MFA_SERIAL), Some(wrong)).await.unwrap_err();
    assert_eq!(
        code(&err),
        (
            "AccessDenied".into(),
            "MultiFactorAuthentication failed with invalid MFA one time pass code.".into()
        )
    );
    let err = call(
        Some("arn:aws:iam::111111111111:mfa/bob"),
        Some(good.clone()),
    )
    .await
    .unwrap_err();
    assert!(
        code(&err).1.contains("unable to validate MFA code"),
        "{:?}",
        code(&err)
    );
    call(Some(ALICE_MFA_SERIAL), Some(good.clone()))
        .await
        .expect("a fresh code works");
    let err = call(Some(ALICE_MFA_SERIAL), Some(good)).await.unwrap_err();
    assert_eq!(
        code(&err).1,
        "MultiFactorAuthentication failed with invalid MFA one time pass code."
    );
}

#[tokio::test]
async fn session_tokens_carry_mfa_and_refuse_temporary_callers() {
    let sb = start(|c| c.speed = 10.0).await;
    let out = alice(&sb).get_session_token().send().await.unwrap();
    let creds = out.credentials().unwrap();
    // Default 43200 seconds at speed 10.
    let left = creds.expiration().secs()
        - SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
    assert!((4310..=4320).contains(&left), "{left}");
    let who = with(&sb, creds).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    let err = with(&sb, creds)
        .get_session_token()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        (
            "AccessDenied".into(),
            "Cannot call GetSessionToken with session credentials".into()
        )
    );
    // Without MFA the session cannot reach BreakGlass; with it, no code is needed.
    let err = with(&sb, creds)
        .assume_role()
        .role_arn(BREAK_GLASS)
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, "AccessDenied");
    let code_now = totp::totp_code(
        ALICE_TOTP_SECRET,
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let mfa = alice(&sb)
        .get_session_token()
        .duration_seconds(900)
        .serial_number(ALICE_MFA_SERIAL)
        .token_code(code_now)
        .send()
        .await
        .unwrap();
    let mfa = mfa.credentials().unwrap();
    assume(&with(&sb, mfa), BREAK_GLASS, None).await;
    let err = alice(&sb)
        .get_session_token()
        .duration_seconds(129_601)
        .send()
        .await
        .unwrap_err();
    assert!(
        code(&err).1.contains("less than or equal to 129600"),
        "{:?}",
        code(&err)
    );
    // Every authenticated request is counted, answered or refused.
    assert_eq!(
        (
            sb.sts_calls("GetSessionToken"),
            sb.sts_calls("AssumeRole"),
            sb.sts_calls("GetCallerIdentity")
        ),
        (4, 2, 1)
    );
}
