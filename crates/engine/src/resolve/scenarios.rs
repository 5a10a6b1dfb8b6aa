//! Whole-chain scenarios: what a person with a typical AWS setup sees.

use super::*;
use crate::profiles::{FileKind, Origin, Profile, ProfileSet, Property};
use crate::timefmt::format_z;

fn set(profiles: &[(&str, &[(&str, &str)])], sessions: &[(&str, &[(&str, &str)])]) -> ProfileSet {
    let mut s = ProfileSet::default();
    for (name, pairs) in profiles {
        s.profiles.insert(
            (*name).to_owned(),
            Profile::from_pairs(name, pairs.iter().copied()),
        );
    }
    for (name, pairs) in sessions {
        s.sso_sessions.insert(
            (*name).to_owned(),
            Profile::from_pairs(name, pairs.iter().copied()),
        );
    }
    s
}

const MY_SSO: (&str, &[(&str, &str)]) = (
    "my-sso",
    &[
        ("sso_start_url", "https://x.awsapps.com/start"),
        ("sso_region", "eu-west-1"),
    ],
);

const ADMIN: &[(&str, &str)] = &[
    ("sso_session", "my-sso"),
    ("sso_account_id", "123456789012"),
    ("sso_role_name", "Admin"),
];

const BASE_KEYS: &[(&str, &str)] = &[
    ("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE"),
    (
        "aws_secret_access_key",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
];

#[test]
fn sso_via_session() {
    let s = set(&[("admin", ADMIN)], &[MY_SSO]);
    let chain = resolve(&s, "admin").expect("resolves");
    assert_eq!(chain.kind(), Kind::Sso);
    let sso = chain.sso().expect("sso base");
    assert_eq!(sso.session.as_deref(), Some("my-sso"));
    assert_eq!(sso.start_url, "https://x.awsapps.com/start");
    assert_eq!(chain.describe(), "sso my-sso → 123456789012/Admin");
    assert!(chain.roles.is_empty());
    assert_eq!(chain.first_role_source_keys(), None);
}

#[test]
fn sso_legacy() {
    let s = set(
        &[(
            "old",
            &[
                ("sso_start_url", "https://x.awsapps.com/start"),
                ("sso_region", "us-east-1"),
                ("sso_account_id", "123456789012"),
                ("sso_role_name", "Admin"),
            ],
        )],
        &[],
    );
    let chain = resolve(&s, "old").expect("resolves");
    assert!(chain.sso().is_some_and(SsoSource::is_legacy));
    assert_eq!(
        chain.describe(),
        "sso (legacy) https://x.awsapps.com/start → 123456789012/Admin"
    );
}

#[test]
fn three_deep_role_chain_over_sso() {
    let s = set(
        &[
            ("admin", ADMIN),
            (
                "dev",
                &[
                    ("role_arn", "arn:aws:iam::1:role/Dev"),
                    ("source_profile", "admin"),
                ],
            ),
            (
                "prod",
                &[
                    ("role_arn", "arn:aws:iam::2:role/Prod"),
                    ("source_profile", "dev"),
                    ("duration_seconds", "3600"),
                ],
            ),
            (
                "audit",
                &[
                    ("role_arn", "arn:aws:iam::3:role/Audit"),
                    ("source_profile", "prod"),
                ],
            ),
        ],
        &[MY_SSO],
    );
    let prod = resolve(&s, "prod").expect("prod resolves");
    assert_eq!(prod.describe(), "role prod ← dev ← sso my-sso");
    assert_eq!(prod.kind(), Kind::Role);
    assert!(
        prod.first_role_is_chained(),
        "SSO role keys chain the first role"
    );
    assert!(!prod.has_mfa());

    let audit = resolve(&s, "audit").expect("audit resolves");
    let arns: Vec<&str> = audit.roles.iter().map(|r| r.role_arn.as_str()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::1:role/Dev",
            "arn:aws:iam::2:role/Prod",
            "arn:aws:iam::3:role/Audit"
        ]
    );
    assert_eq!(audit.roles[1].duration_seconds, Some(3600));
    assert_eq!(audit.profiles(), ["audit", "prod", "dev", "admin"]);
    assert_eq!(
        audit.sso().and_then(|s| s.session.as_deref()),
        Some("my-sso")
    );
}

#[test]
fn mfa_role_over_static_keys() {
    let s = set(
        &[
            ("base", BASE_KEYS),
            (
                "dev",
                &[
                    ("role_arn", "arn:aws:iam::1:role/Dev"),
                    ("source_profile", "base"),
                    ("mfa_serial", "arn:aws:iam::1:mfa/me"),
                ],
            ),
        ],
        &[],
    );
    let chain = resolve(&s, "dev").expect("resolves");
    assert!(chain.has_mfa());
    assert_eq!(
        chain.roles[0].mfa_serial.as_deref(),
        Some("arn:aws:iam::1:mfa/me")
    );
    assert_eq!(chain.first_role_source_keys(), Some(SourceKeys::LongTerm));
    assert!(!chain.first_role_is_chained());
    assert_eq!(chain.describe(), "role dev ← base (mfa)");
    assert_eq!(chain.profiles(), ["dev", "base"]);
}

#[test]
fn cycle_is_an_error_of_its_members_only() {
    let mut s = set(
        &[
            (
                "a",
                &[
                    ("role_arn", "arn:aws:iam::1:role/A"),
                    ("source_profile", "b"),
                ],
            ),
            (
                "b",
                &[
                    ("role_arn", "arn:aws:iam::1:role/B"),
                    ("source_profile", "a"),
                ],
            ),
            ("c", BASE_KEYS),
        ],
        &[],
    );
    let line = Origin {
        file: FileKind::Config,
        line: 9,
    };
    if let Some(b) = s.profiles.get_mut("b") {
        b.props.insert(
            "source_profile".into(),
            Property {
                origin: Some(line),
                ..Property::plain("a")
            },
        );
    }
    let all = resolve_all(&s);
    let a = all["a"].as_ref().expect_err("a loops");
    assert_eq!(a.code(), "cycle");
    assert_eq!(a.profile(), "a");
    assert_eq!(
        a.origin(),
        Some(line),
        "points at the line closing the loop"
    );
    assert_eq!(
        a.to_string(),
        "source profile formed an infinite loop: a → b → a (config line 9)"
    );
    let b = all["b"].as_ref().expect_err("b loops");
    assert_eq!(b.code(), "cycle");
    assert!(b.to_string().contains("b → a → b"), "{b}");
    assert_eq!(all["c"].as_ref().map(Chain::kind).ok(), Some(Kind::Static));
}

#[test]
fn other_tools_temporary_keys_with_each_expiry_spelling() {
    for key in EXPIRY_KEYS {
        for value in [
            "2026-11-22T10:00:00Z",
            "2026-11-22T10:00:00+00:00",
            "2026-11-22T10:00:00 UTC",
            "2026-11-22T10:00:00.000Z",
        ] {
            let mut pairs = BASE_KEYS.to_vec();
            pairs.push(("aws_session_token", "IQoJb3JpZ2luX2VjEXAMPLE"));
            pairs.push((key, value));
            let s = set(&[("saml", &pairs)], &[]);
            let chain = resolve(&s, "saml").expect("resolves");
            assert_eq!(chain.kind(), Kind::Temporary, "{key} = {value}");
            let Base::Keys(k) = &chain.base else {
                panic!("keys base expected, got {:?}", chain.base);
            };
            assert_eq!(
                k.expires_at.map(format_z).as_deref(),
                Some("2026-11-22T10:00:00Z"),
                "{key} = {value}"
            );
            assert!(chain.issues.is_empty());
            assert_eq!(chain.describe(), "temporary keys …MPLE");
        }
    }
}

#[test]
fn unreadable_expiry_stays_with_the_profile_that_wrote_it() {
    let mut pairs = BASE_KEYS.to_vec();
    pairs.push(("aws_session_token", "token"));
    pairs.push(("aws_expiration", "next tuesday"));
    let s = set(
        &[
            ("tmp", &pairs),
            (
                "role",
                &[
                    ("role_arn", "arn:aws:iam::1:role/R"),
                    ("source_profile", "tmp"),
                ],
            ),
        ],
        &[],
    );
    let chain = resolve(&s, "role").expect("still resolves");
    assert_eq!(chain.issues.len(), 1);
    assert_eq!(chain.issues[0].profile(), "tmp");
    assert_eq!(chain.first_role_source_keys(), Some(SourceKeys::Unknown));
}

#[test]
fn describe_strings() {
    let s = set(
        &[
            ("keys", BASE_KEYS),
            (
                "proc",
                &[("credential_process", "aws-vault export --format=json prod")],
            ),
            ("tok", &[("sso_session", "my-sso")]),
            (
                "ec2",
                &[
                    ("role_arn", "arn:aws:iam::1:role/R"),
                    ("credential_source", "Ec2InstanceMetadata"),
                ],
            ),
            (
                "web",
                &[
                    ("role_arn", "arn:aws:iam::1:role/W"),
                    ("web_identity_token_file", "/var/run/token"),
                ],
            ),
            (
                "self",
                &[
                    ("role_arn", "arn:aws:iam::1:role/S"),
                    ("source_profile", "self"),
                    ("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE"),
                    ("aws_secret_access_key", "x"),
                ],
            ),
        ],
        &[MY_SSO],
    );
    let d = |name: &str| resolve(&s, name).expect(name).describe();
    assert_eq!(d("keys"), "static keys …MPLE");
    assert_eq!(d("proc"), "process \"aws-vault …\"");
    assert_eq!(d("tok"), "sso my-sso (token only)");
    assert_eq!(d("ec2"), "role ec2 ← Ec2InstanceMetadata");
    assert_eq!(d("web"), "web identity arn:aws:iam::1:role/W");
    assert_eq!(d("self"), "role self ← self");
}

#[test]
fn steps_serialise_without_secrets() {
    let mut pairs = BASE_KEYS.to_vec();
    pairs.push(("aws_session_token", "IQoJb3JpZ2luX2VjSESSIONTOKEN"));
    pairs.push(("x_security_token_expires", "2026-11-22T10:00:00+00:00"));
    let s = set(
        &[
            ("tmp", &pairs),
            (
                "dev",
                &[
                    ("role_arn", "arn:aws:iam::1:role/Dev"),
                    ("source_profile", "tmp"),
                    ("external_id", "ext-1"),
                ],
            ),
        ],
        &[],
    );
    let chain = resolve(&s, "dev").expect("resolves");
    let json = serde_json::to_value(chain.steps()).expect("serialises");
    assert_eq!(
        json,
        serde_json::json!([
            {
                "type": "temporary_keys",
                "profile": "tmp",
                "key_hint": "…MPLE",
                "account_id": null,
                "expires_at": "2026-11-22T10:00:00Z",
                "expiry_key": "x_security_token_expires"
            },
            {
                "type": "role",
                "profile": "dev",
                "role_arn": "arn:aws:iam::1:role/Dev",
                "external_id": "ext-1",
                "role_session_name": null,
                "duration_seconds": null,
                "mfa_serial": null
            }
        ])
    );
    let text = format!("{json} {chain:?}");
    for secret in ["wJalrXUtnFEMI", "SESSIONTOKEN", "AKIAIOSFODNN7EXAMPLE"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[test]
fn process_steps_hide_arguments() {
    let s = set(
        &[(
            "p",
            &[("credential_process", "/usr/bin/creds --password hunter2")],
        )],
        &[],
    );
    let chain = resolve(&s, "p").expect("resolves");
    let json = serde_json::to_string(&chain.steps()).expect("serialises");
    assert!(!json.contains("hunter2"), "{json}");
    assert!(!format!("{chain:?}").contains("hunter2"));
    assert!(json.contains("\"program\":\"/usr/bin/creds\""), "{json}");
}

#[test]
fn missing_source_profile_names_both_profiles() {
    let s = set(
        &[(
            "a",
            &[
                ("role_arn", "arn:aws:iam::1:role/A"),
                ("source_profile", "gone"),
            ],
        )],
        &[],
    );
    let e = resolve(&s, "a").expect_err("missing");
    assert_eq!(e.code(), "missing_source_profile");
    assert_eq!(
        e.to_string(),
        "could not find source profile gone referenced from a"
    );
    assert_eq!(
        resolve(&s, "zzz").expect_err("undefined").code(),
        "missing_profile"
    );
}
