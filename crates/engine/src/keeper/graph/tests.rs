//! The graph built from real config text.

use super::*;
use crate::keeper::testkit::{T0, TokenFile, snapshot, sso_config};
use crate::settings::Settings;

fn graph(config: &str, credentials: &str, settings: &str) -> Graph {
    let (settings, errors) = Settings::parse(settings);
    assert!(errors.is_empty(), "{errors:?}");
    let snap = snapshot(
        config,
        credentials,
        &[TokenFile::new("corp", T0 + time::Duration::hours(1))],
    );
    Graph::build(&snap, &settings)
}

fn node<'a>(g: &'a Graph, profile: &str) -> &'a Node {
    let m = &g.managed()[profile];
    g.node(&m.node).expect("managed node exists")
}

#[test]
fn twenty_roles_over_one_sso_role_share_it() {
    let g = graph(&sso_config(20), "", "");
    assert_eq!(g.managed().len(), 21);
    let sso_roles: Vec<&Node> = g
        .nodes()
        .filter(|n| matches!(n.kind, NodeKind::SsoRole { .. }))
        .collect();
    assert_eq!(sso_roles.len(), 1, "one SSO role node for all twenty");
    let tokens = g
        .nodes()
        .filter(|n| matches!(n.kind, NodeKind::SsoToken(_)))
        .count();
    assert_eq!(tokens, 1);
    assert_eq!(g.len(), 22);
    assert_eq!(sso_roles[0].profiles.len(), 21);
    for i in 0..20 {
        let n = node(&g, &format!("r{i:02}"));
        assert_eq!(n.parent.as_ref(), Some(&sso_roles[0].id));
    }
    // Parents come before their children.
    let order: Vec<&NodeId> = g.nodes().map(|n| &n.id).collect();
    for n in g.nodes() {
        if let Some(p) = &n.parent {
            let pi = order.iter().position(|i| *i == p).expect("parent listed");
            let ci = order
                .iter()
                .position(|i| *i == &n.id)
                .expect("child listed");
            assert!(pi < ci, "{p} before {}", n.id);
        }
    }
}

#[test]
fn roles_over_role_session_keys_are_capped_at_one_hour() {
    let config = format!(
        "{}\n[profile long]\nrole_arn = arn:aws:iam::3:role/Long\nsource_profile = sso\nduration_seconds = 7200\n\
         \n[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\
         \n[profile direct]\nrole_arn = arn:aws:iam::3:role/Direct\nsource_profile = keys\nduration_seconds = 7200\n\
         \n[profile second]\nrole_arn = arn:aws:iam::3:role/Second\nsource_profile = direct\nduration_seconds = 10800\n",
        sso_config(0)
    );
    let g = graph(&config, "", "[renew]\nstatic_keys = true\n");
    let long = node(&g, "long");
    assert!(long.chained);
    assert_eq!(
        (long.duration_seconds, long.capped_from),
        (Some(3600), Some(7200))
    );
    let direct = node(&g, "direct");
    assert!(!direct.chained, "long-term keys do not chain");
    assert_eq!(
        (direct.duration_seconds, direct.capped_from),
        (Some(7200), None)
    );
    let second = node(&g, "second");
    assert!(second.chained, "a role over a role is chained");
    assert_eq!(
        (second.duration_seconds, second.capped_from),
        (Some(3600), Some(10800))
    );
}

#[test]
fn mfa_over_long_term_keys_is_an_mfa_session_and_over_anything_else_a_code_each_time() {
    let config = format!(
        "{}\n[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\
         \n[profile admin]\nrole_arn = arn:aws:iam::3:role/Admin\nsource_profile = keys\nmfa_serial = arn:aws:iam::3:mfa/me\n\
         \n[profile audit]\nrole_arn = arn:aws:iam::3:role/Audit\nsource_profile = keys\nmfa_serial = arn:aws:iam::3:mfa/me\n\
         \n[profile guarded]\nrole_arn = arn:aws:iam::3:role/G\nsource_profile = sso\nmfa_serial = arn:aws:iam::3:mfa/me\n",
        sso_config(0)
    );
    let g = graph(&config, "", "[renew]\nstatic_keys = true\n");
    let admin = node(&g, "admin");
    let audit = node(&g, "audit");
    assert_eq!(admin.parent, audit.parent, "one MFA session for both roles");
    let session = g
        .node(admin.parent.as_ref().expect("parent"))
        .expect("session");
    assert_eq!(session.needs, Some(NeedsPerson::MfaCodeForSession));
    assert_eq!(session.duration_seconds, Some(43_200));
    assert!(matches!(&session.kind, NodeKind::MfaSession { profile, .. } if profile == "keys"));
    assert!(matches!(&admin.kind, NodeKind::AssumeRole(c) if c.mfa_serial.is_none()));
    assert_eq!(admin.needs, None);
    let guarded = node(&g, "guarded");
    assert_eq!(guarded.needs, Some(NeedsPerson::MfaCodeEachRenewal));
    assert!(
        matches!(&guarded.kind, NodeKind::AssumeRole(c) if c.mfa_serial.as_deref() == Some("arn:aws:iam::3:mfa/me"))
    );
}

#[test]
fn settings_decide_what_is_managed_and_where_it_goes() {
    let config = format!(
        "{}\n[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\
         \n[profile direct]\nrole_arn = arn:aws:iam::3:role/Direct\nsource_profile = keys\n\
         \n[profile other]\nrole_arn = arn:aws:iam::3:role/Other\nsource_profile = keys\n",
        sso_config(2)
    );
    // Static keys are off by default: roles over them are left alone.
    let g = graph(&config, "", "");
    assert_eq!(g.skipped()["direct"], Skip::Disabled);
    assert_eq!(g.skipped()["keys"], Skip::NothingToRenew);
    assert!(g.managed().contains_key("r00"));
    let settings = "[profiles.direct]\nrenew = true\nsection = \"d\"\ntake_over = true\n\
                    [profiles.r01]\nrenew = false\n[profiles.r00]\nsection = \"d\"\n";
    let g = graph(&config, "", settings);
    let direct = &g.managed()["direct"];
    assert_eq!((direct.section.as_str(), direct.take_over), ("d", true));
    assert_eq!(g.skipped()["r01"], Skip::Disabled);
    assert_eq!(g.skipped()["other"], Skip::Disabled);
    assert_eq!(
        g.skipped()["r00"],
        Skip::SectionTaken {
            section: "d".into(),
            by: "direct".into()
        },
        "two profiles never write one section"
    );
}

#[test]
fn what_the_keeper_cannot_renew_is_skipped_with_the_reason() {
    let config = "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\
                  [profile token]\nsso_session = corp\n\
                  [profile proc]\ncredential_process = /bin/creds\n\
                  [profile viaproc]\nrole_arn = arn:aws:iam::3:role/P\nsource_profile = proc\n\
                  [profile broken]\nrole_arn = arn:aws:iam::3:role/B\nsource_profile = nowhere\n";
    let credentials = "[temp]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = s\n\
                       aws_session_token = t\nx_security_token_expires = 2026-11-22T10:30:00Z\n";
    let g = graph(config, credentials, "");
    assert_eq!(g.skipped()["token"], Skip::TokenOnly);
    assert!(
        g.nodes().any(|n| matches!(n.kind, NodeKind::SsoToken(_))),
        "its token is still kept fresh"
    );
    assert_eq!(
        g.skipped()["viaproc"],
        Skip::Unsupported {
            source: "credential_process".into()
        }
    );
    assert!(
        matches!(&g.skipped()["broken"], Skip::Unresolved { code } if code == "missing_source_profile")
    );
    assert_eq!(g.skipped()["temp"], Skip::NothingToRenew);
    let temp = g
        .node(&NodeId::new("keys:temp".into()))
        .expect("another tool's keys are watched");
    assert!(matches!(
        temp.kind,
        NodeKind::Keys {
            temporary: true,
            expires_at: Some(_),
            ..
        }
    ));
    assert!(g.managed().is_empty());
}

#[test]
fn ids_are_stable_and_follow_every_part_of_the_identity() {
    let a = graph(&sso_config(1), "", "");
    let b = graph(&sso_config(1), "", "");
    assert_eq!(a.managed()["r00"].node, b.managed()["r00"].node);
    let changed = sso_config(1).replace(
        "source_profile = sso\n",
        "source_profile = sso\nexternal_id = x\n",
    );
    let c = graph(&changed, "", "");
    assert_ne!(a.managed()["r00"].node, c.managed()["r00"].node);
    assert_eq!(a.managed()["sso"].node, c.managed()["sso"].node);
    assert_eq!(
        a.managed()["sso"].node.as_str(),
        "sso-role:corp/111111111111/Admin"
    );
}
