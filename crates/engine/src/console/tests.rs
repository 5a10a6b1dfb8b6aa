use proptest::prelude::*;

use super::*;
use crate::Secret;
use crate::ports::Credentials;
use crate::resolve::{KeysSource, RoleStep, SsoSource};

fn keys(token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: Secret::new("se/cr+et"),
        session_token: token.map(Secret::new),
        expiration: None,
    }
}

fn role(profile: &str) -> RoleStep {
    RoleStep {
        profile: profile.into(),
        role_arn: format!("arn:aws:iam::1:role/{profile}"),
        external_id: None,
        role_session_name: None,
        duration_seconds: None,
        mfa_serial: None,
    }
}

fn chain(base: Base, roles: &[&str]) -> Chain {
    Chain {
        profile: "p".into(),
        base,
        roles: roles.iter().map(|r| role(r)).collect(),
        issues: Vec::new(),
    }
}

fn sso() -> Base {
    Base::Sso(SsoSource {
        profile: "dev".into(),
        session: Some("s".into()),
        start_url: "https://x.awsapps.com/start".into(),
        region: "us-east-1".into(),
        account_id: Some("1".into()),
        role_name: Some("Admin".into()),
    })
}

fn static_keys(token: Option<&str>) -> Base {
    Base::Keys(KeysSource {
        profile: "alice".into(),
        access_key_id: "AKIAEXAMPLE".into(),
        secret_access_key: Secret::new("s"),
        session_token: token.map(Secret::new),
        account_id: None,
        expires_at: None,
        expiry_key: None,
    })
}

#[test]
fn chains_say_which_keys_they_end_in() {
    assert_eq!(
        chain_keys(&chain(sso(), &[])),
        ChainKeys::Role { chained: false }
    );
    assert_eq!(
        chain_keys(&chain(sso(), &["auditor"])),
        ChainKeys::Role { chained: true }
    );
    assert_eq!(
        chain_keys(&chain(static_keys(None), &["deploy"])),
        ChainKeys::Role { chained: false }
    );
    assert_eq!(
        chain_keys(&chain(static_keys(None), &["a", "b"])),
        ChainKeys::Role { chained: true }
    );
    assert_eq!(
        chain_keys(&chain(static_keys(None), &[])),
        ChainKeys::LongTerm
    );
    assert_eq!(
        chain_keys(&chain(static_keys(Some("t")), &[])),
        ChainKeys::Unknown
    );
}

#[test]
fn each_kind_of_keys_gets_its_plan_and_notes() {
    let direct = |d| Plan::Direct {
        session_duration: d,
    };
    assert_eq!(
        plan(ChainKeys::Role { chained: false }, true, None, &[]),
        Ok((direct(Some(ROLE_SESSION_SECS)), vec![]))
    );
    assert_eq!(
        plan(ChainKeys::Role { chained: true }, true, None, &[]),
        Ok((direct(None), vec![Note::ChainedHour]))
    );
    assert_eq!(
        plan(ChainKeys::LongTerm, false, None, &[]),
        Ok((Plan::Federate, vec![Note::NoMfaContext]))
    );
    assert_eq!(
        plan(ChainKeys::Unknown, false, None, &[]),
        Ok((Plan::Federate, vec![Note::NoMfaContext]))
    );
    let arn = "arn:aws:sts::1:assumed-role/R/s";
    assert_eq!(
        plan(ChainKeys::Unknown, true, Some(arn), &[]),
        Ok((direct(None), vec![Note::MaybeChainedHour]))
    );
    let fed = "arn:aws:sts::1:federated-user/bob";
    assert_eq!(
        plan(ChainKeys::Unknown, true, Some(fed), &[]),
        Ok((direct(None), vec![]))
    );
    let refused = plan(
        ChainKeys::Unknown,
        true,
        Some("arn:aws:iam::1:user/alice"),
        &["deploy".to_owned()],
    )
    .unwrap_err();
    assert_eq!(refused.code(), "mfa_session_keys");
    let text = refused.to_string();
    assert!(text.contains("MFA session"), "{text}");
    assert!(text.contains("`deploy`"), "{text}");
    let odd = plan(ChainKeys::Unknown, true, Some("nonsense"), &[]).unwrap_err();
    assert_eq!(odd.code(), "unsupported_keys");
}

#[test]
fn caller_arns_are_read_by_their_resource() {
    assert_eq!(
        CallerKind::of("arn:aws:sts::111111111111:assumed-role/Admin/me"),
        CallerKind::AssumedRole
    );
    assert_eq!(
        CallerKind::of("arn:aws-cn:sts::1:federated-user/x"),
        CallerKind::FederatedUser
    );
    assert_eq!(
        CallerKind::of("arn:aws:iam::1:user/path/alice"),
        CallerKind::User
    );
    assert_eq!(CallerKind::of("arn:aws:iam::1:root"), CallerKind::User);
    assert_eq!(CallerKind::of("arn:aws:iam::1:role/x"), CallerKind::Other);
    assert_eq!(CallerKind::of(""), CallerKind::Other);
}

#[test]
fn partitions_have_their_own_hosts() {
    let aws = Partition::of("us-east-1").unwrap();
    assert_eq!(
        signin_base(aws, "us-east-1"),
        "https://signin.aws.amazon.com"
    );
    assert_eq!(
        signin_base(aws, "eu-west-1"),
        "https://eu-west-1.signin.aws.amazon.com"
    );
    let cn = Partition::of("cn-north-1").unwrap();
    assert_eq!(cn, Partition::China);
    assert_eq!(signin_base(cn, "cn-north-1"), "https://signin.amazonaws.cn");
    let gov = Partition::of("us-gov-west-1").unwrap();
    assert_eq!(
        signin_base(gov, "us-gov-west-1"),
        "https://signin.amazonaws-us-gov.com"
    );
    assert_eq!(
        destination(None, gov, "us-gov-west-1").unwrap(),
        "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
    );
    assert_eq!(
        Partition::of("us-iso-east-1").unwrap_err().code(),
        "no_console"
    );
    assert_eq!(Partition::of("EU WEST").unwrap_err().code(), "bad_region");
    assert_eq!(Partition::of("").unwrap_err().code(), "bad_region");
}

#[test]
fn destinations_are_services_or_console_urls_only() {
    let aws = Partition::Aws;
    assert_eq!(
        destination(None, aws, "eu-west-1").unwrap(),
        "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
    );
    assert_eq!(
        destination(Some("s3"), aws, "eu-west-1").unwrap(),
        "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
    );
    assert_eq!(
        destination(Some("S3"), aws, "eu-west-1").unwrap(),
        "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1",
        "service names in any case"
    );
    let url = "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logs";
    assert_eq!(destination(Some(url), aws, "eu-west-1").unwrap(), url);
    assert!(destination(Some("https://console.aws.amazon.com/"), aws, "x-1").is_ok());
    for bad in [
        "https://evil.example/",
        "http://console.aws.amazon.com/",
        "https://console.aws.amazon.com.evil.example/",
        "https://evilconsole.aws.amazon.com/",
        "https://user@console.aws.amazon.com/",
        "https://console.aws.amazon.com:8443/",
        "https://.console.aws.amazon.com/",
        "https://console.amazonaws.cn/",
        "javascript:alert(1)",
        "s3/../../x",
        "https://console.aws.amazon.com/\nx",
    ] {
        let e = destination(Some(bad), aws, "eu-west-1").unwrap_err();
        assert_eq!(e.code(), "bad_destination", "{bad}");
        assert!(e.to_string().contains("console.aws.amazon.com"), "{e}");
    }
}

#[test]
fn the_urls_encode_everything_and_show_nothing() {
    let url = signin_token_url("http://127.0.0.1:9/", &keys(Some("to+ken/=")), Some(3600));
    let text = url.expose();
    assert!(text.starts_with(
        "http://127.0.0.1:9/federation?Action=getSigninToken&SessionDuration=3600&Session=%7B"
    ));
    assert!(text.contains("se%2Fcr%2Bet"), "{text}");
    assert!(text.contains("to%2Bken%2F%3D"), "{text}");
    assert_eq!(format!("{url:?}"), "<redacted>");
    let login = login_url(
        "https://signin.aws.amazon.com",
        ISSUER,
        "https://x.console.aws.amazon.com/s3/home?region=x",
        &Secret::new("a b&c"),
    );
    assert_eq!(
        login.expose(),
        "https://signin.aws.amazon.com/federation?Action=login&Issuer=leasekeeper&\
         Destination=https%3A%2F%2Fx.console.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Dx&SigninToken=a%20b%26c"
    );
    assert_eq!(
        parse_signin_token(br#"{"SigninToken":"abc"}"#)
            .unwrap()
            .expose(),
        "abc"
    );
    assert!(parse_signin_token(b"<html>").is_err());
    assert!(parse_signin_token(br#"{"SigninToken":""}"#).is_err());
    assert!(parse_signin_token(br#"{"SigninToken":1}"#).is_err());
}

#[test]
fn federation_names_are_short_and_clean() {
    assert_eq!(federation_name("alice"), "lk-alice");
    assert_eq!(federation_name("a b/é"), "lk-a-b--");
    let long = federation_name(&"x".repeat(100));
    assert_eq!(long.chars().count(), 32);
}

proptest! {
    #[test]
    fn any_destination_is_refused_or_on_the_console(wanted in ".{0,80}", region in "[a-z0-9-]{0,12}") {
        let Ok(partition) = Partition::of(&region) else { return Ok(()) };
        if let Ok(url) = destination(Some(&wanted), partition, &region) {
            let domain = partition.console_domain();
            let host = url.strip_prefix("https://").and_then(|r| r.split(['/', '?', '#']).next()).unwrap_or_default().to_owned();
            prop_assert!(host == domain || host.ends_with(&format!(".{domain}")), "{url}");
        }
    }

    #[test]
    fn any_arn_and_token_answer_is_read_without_panicking(arn in ".{0,80}", body in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = CallerKind::of(&arn);
        let _ = parse_signin_token(&body);
        let _ = federation_name(&arn);
    }
}
