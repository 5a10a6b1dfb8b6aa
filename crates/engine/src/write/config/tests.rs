//! The config writer: appends, keeps every byte, refuses what it must.

use super::*;

fn profile() -> NewProfile {
    NewProfile {
        kind: SectionKind::Profile,
        name: "dev-leasekeeper".to_owned(),
        settings: vec![
            (
                "credential_process".to_owned(),
                "leasekeeper credential-process --profile dev".to_owned(),
            ),
            ("region".to_owned(), "eu-west-1".to_owned()),
        ],
    }
}

#[test]
fn a_new_file_gets_only_the_section() {
    let p = plan(None, &profile()).unwrap();
    assert_eq!(p.outcome, Outcome::Added);
    assert_eq!(
        String::from_utf8(p.bytes).unwrap(),
        "[profile dev-leasekeeper]\ncredential_process = leasekeeper credential-process --profile dev\nregion = eu-west-1\n"
    );
}

#[test]
fn every_foreign_byte_is_kept_and_crlf_followed() {
    let original = b"# mine\r\n[default]\r\nregion=us-east-1   \r\n\r\n[profile dev]\r\nsso_session  =  corp ; odd\r\n  ; indented comment\r\n[sso-session corp]\r\nsso_start_url = https://x\r\nsso_region = us-east-1";
    let p = plan(Some(original), &profile()).unwrap();
    assert!(p.bytes.starts_with(original));
    let tail = &p.bytes[original.len()..];
    assert_eq!(
        String::from_utf8(tail.to_vec()).unwrap(),
        "\r\n\r\n[profile dev-leasekeeper]\r\ncredential_process = leasekeeper credential-process --profile dev\r\nregion = eu-west-1\r\n"
    );
}

#[test]
fn the_same_profile_again_is_a_no_op_and_another_is_refused() {
    let first = plan(Some(b"[default]\nregion = x\n"), &profile()).unwrap();
    let again = plan(Some(&first.bytes), &profile()).unwrap();
    assert_eq!(again.outcome, Outcome::AlreadyThere);
    assert_eq!(again.bytes, first.bytes);
    let mut other = profile();
    other.settings.pop();
    let err = plan(Some(&first.bytes), &other).unwrap_err();
    assert_eq!(err.code(), "profile_exists");
    assert!(err.to_string().contains("line 4"), "{err}");
}

#[test]
fn unparsable_files_bom_and_bad_names_are_refused() {
    let bom = plan(Some(b"\xEF\xBB\xBF[default]\n"), &profile()).unwrap_err();
    assert_eq!(bom.code(), "config_bom");
    let bad = plan(Some(b"[default\nregion = x\n"), &profile()).unwrap_err();
    assert_eq!(bad.code(), "config_unparsable");
    let dup = plan(Some(b"[default]\n[default]\n"), &profile()).unwrap_err();
    assert_eq!(dup.code(), "config_unparsable");
    for name in ["", " x", "a]b", "a\nb"] {
        let mut p = profile();
        p.name = name.to_owned();
        assert_eq!(plan(None, &p).unwrap_err().code(), "invalid_profile_name");
    }
    let mut p = profile();
    p.settings[0].1 = "x\ny".to_owned();
    assert_eq!(plan(None, &p).unwrap_err().code(), "invalid_value");
}

fn session(name: &str, url: &str) -> NewProfile {
    NewProfile {
        kind: SectionKind::SsoSession,
        name: name.into(),
        settings: vec![
            ("sso_start_url".into(), url.into()),
            ("sso_region".into(), "eu-west-1".into()),
            (
                "sso_registration_scopes".into(),
                "sso:account:access".into(),
            ),
        ],
    }
}

#[test]
fn an_sso_session_is_appended_and_every_other_byte_kept() {
    let old = b"[default]\r\nregion = us-east-1\r\n";
    let p = plan(
        Some(old),
        &session("corp", "https://corp.awsapps.com/start"),
    )
    .unwrap();
    assert_eq!(p.outcome, Outcome::Added);
    assert!(p.bytes.starts_with(old));
    assert_eq!(
        String::from_utf8(p.bytes[old.len()..].to_vec()).unwrap(),
        "\r\n[sso-session corp]\r\nsso_start_url = https://corp.awsapps.com/start\r\n\
         sso_region = eu-west-1\r\nsso_registration_scopes = sso:account:access\r\n"
    );
    // A profile of the same name is another section.
    let with_profile = b"[profile corp]\nregion = us-east-1\n";
    let p = plan(
        Some(with_profile),
        &session("corp", "https://corp.awsapps.com/start"),
    );
    assert_eq!(p.unwrap().outcome, Outcome::Added);
}

#[test]
fn a_session_name_or_start_url_already_configured_is_refused_naming_the_line() {
    let old = b"[profile x]\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
    let e = plan(
        Some(old),
        &session("corp", "https://other.awsapps.com/start"),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ConfigWriteError::SessionExists {
            session: "corp".into(),
            line: 4
        }
    );
    // Even with the very same settings: the name is taken.
    let same = plan(
        Some(old),
        &session("corp", "https://corp.awsapps.com/start"),
    );
    assert_eq!(same.unwrap_err().code(), "sso_session_exists");
    // The same portal under another name, however it is spelled.
    let e = plan(
        Some(old),
        &session("corp2", "HTTPS://Corp.AWSAPPS.com/start/"),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ConfigWriteError::StartUrlExists {
            url: "https://corp.awsapps.com/start".into(),
            section: "sso-session corp".into(),
            line: 5
        }
    );
    assert!(e.to_string().contains("(line 5)"), "{e}");
    // A legacy profile naming the portal counts too.
    let legacy = b"[profile old]\nsso_start_url = https://corp.awsapps.com/start\n";
    let e = plan(
        Some(legacy),
        &session("corp", "https://corp.awsapps.com/start"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "start_url_exists");
}
