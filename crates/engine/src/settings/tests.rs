//! Settings parsing: the documented file, bad values and lines, unknown keys.

use super::*;

#[test]
fn an_empty_file_gives_the_defaults() {
    let (s, errors) = Settings::parse("");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s, Settings::default());
    assert!(s.renew.silent);
    assert!(!s.renew.static_keys);
    assert_eq!(
        s.warnings.leads,
        [Duration::minutes(15), Duration::minutes(5)]
    );
    assert_eq!(s.mfa.session_duration, Duration::hours(12));
    assert_eq!(s.section_for("dev"), "dev");
    assert_eq!(s.session_length("corp"), Duration::hours(8));
}

#[test]
fn the_documented_example_is_exactly_the_defaults() {
    let (s, errors) = Settings::parse(EXAMPLE);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s, Settings::default());
}

#[test]
fn a_good_file_is_read_whole() {
    let text = r#"
[renew]
silent = false
static_keys = true
concurrency = 8
remove_on_exit = true
mfa_session = "1h30m"

[warnings]
leads = ["5m", "30m", "5m"]

[sso_sessions.corp]
session_length = "12h"

[sso_sessions."https://legacy.awsapps.com/start"]
session_length = "1d"

[profiles.dev]
renew = true
section = "dev-keys"
take_over = true

[profiles.prod]
renew = false
"#;
    let (s, errors) = Settings::parse(text);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!s.renew.silent && s.renew.static_keys && s.renew.remove_on_exit);
    assert_eq!(s.renew.concurrency, 8);
    assert_eq!(s.mfa.session_duration, Duration::minutes(90));
    assert_eq!(
        s.warnings.leads,
        [Duration::minutes(30), Duration::minutes(5)],
        "longest first, no duplicates"
    );
    assert_eq!(s.session_length("corp"), Duration::hours(12));
    assert_eq!(
        s.session_length("https://legacy.awsapps.com/start"),
        Duration::days(1)
    );
    assert_eq!(s.section_for("dev"), "dev-keys");
    assert!(s.take_over("dev") && !s.take_over("prod"));
    // Per-profile overrides beat [renew]; others follow it.
    assert!(s.auto_renew("dev", false) && s.auto_renew("dev", true));
    assert!(!s.auto_renew("prod", true));
    assert!(!s.auto_renew("other", false) && s.auto_renew("other", true));
}

#[test]
fn a_bad_line_names_its_line_and_keeps_the_other_settings_and_defaults() {
    let text = "[renew]\nconcurrency = 8\nthis is not toml\nstatic_keys = true\n";
    let (s, errors) = Settings::parse(text);
    assert!(!errors.is_empty());
    let e = &errors[0];
    assert_eq!(e.code(), "settings_syntax");
    assert_eq!(e.line(), 3);
    assert_eq!(
        e.to_string(),
        "settings line 3: key with no value, expected `=`; the line is ignored"
    );
    assert!(!e.is_warning());
    assert_eq!(
        s.renew.concurrency, 8,
        "lines before the bad one still count"
    );
    assert!(s.renew.silent, "untouched settings keep their defaults");
    assert_eq!(s.warnings.leads, DEFAULT_WARNING_LEADS);
}

#[test]
fn bad_values_name_line_and_field_and_keep_the_default() {
    let text = r#"[renew]
concurrency = 0
silent = "yes"
mfa_session = "10m"

[warnings]
leads = ["15 minutes"]

[profiles.dev]
section = ""
renew = 3
"#;
    let (s, errors) = Settings::parse(text);
    let got: Vec<(u32, &str)> = errors.iter().map(|e| (e.line(), e.code())).collect();
    assert_eq!(
        got,
        [
            (2, "settings_out_of_range"),
            (3, "settings_wrong_type"),
            (4, "settings_out_of_range"),
            (7, "settings_bad_duration"),
            (10, "settings_wrong_type"),
            (11, "settings_wrong_type"),
        ]
    );
    assert_eq!(
        errors[0].to_string(),
        "settings line 2: `renew.concurrency` = 0 is outside 1 to 64; using the default"
    );
    assert_eq!(
        errors[1].to_string(),
        "settings line 3: `renew.silent` must be true or false; using the default"
    );
    assert!(
        errors[3]
            .to_string()
            .contains("`warnings.leads` = \"15 minutes\"")
    );
    assert_eq!(s.renew.concurrency, DEFAULT_CONCURRENCY);
    assert!(s.renew.silent);
    assert_eq!(s.mfa.session_duration, DEFAULT_MFA_SESSION);
    assert_eq!(s.warnings.leads, DEFAULT_WARNING_LEADS);
    assert_eq!(s.section_for("dev"), "dev");
    assert_eq!(s.profiles["dev"].renew, None);
}

#[test]
fn unknown_keys_are_warnings_and_nothing_else_changes() {
    let text = "colour = \"blue\"\n[renew]\nsilnet = false\n[profiles.dev]\nsection = \"d\"\nregion = \"x\"\n";
    let (s, errors) = Settings::parse(text);
    let got: Vec<(u32, String)> = errors.iter().map(|e| (e.line(), e.to_string())).collect();
    assert_eq!(
        got,
        [
            (
                1,
                "settings line 1: unknown setting `colour` is ignored".to_owned()
            ),
            (
                3,
                "settings line 3: unknown setting `renew.silnet` is ignored".to_owned()
            ),
            (
                6,
                "settings line 6: unknown setting `profiles.dev.region` is ignored".to_owned()
            ),
        ]
    );
    assert!(errors.iter().all(SettingsError::is_warning));
    assert!(s.renew.silent);
    assert_eq!(s.section_for("dev"), "d");
}

#[test]
fn a_table_where_a_value_belongs_is_a_type_error() {
    let (s, errors) = Settings::parse("renew = 3\n");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code(), "settings_wrong_type");
    assert_eq!(s, Settings::default());
}

#[test]
fn an_empty_lead_list_means_no_warnings() {
    let (s, errors) = Settings::parse("[warnings]\nleads = []\n");
    assert!(errors.is_empty());
    assert!(s.warnings.leads.is_empty());
}

#[test]
fn durations_read_and_write_in_the_file_s_spelling() {
    for (text, d) in [
        ("90s", Duration::seconds(90)),
        ("15m", Duration::minutes(15)),
        ("1h30m", Duration::minutes(90)),
        ("2d", Duration::days(2)),
        (" 8h ", Duration::hours(8)),
    ] {
        assert_eq!(parse_duration(text), Some(d), "{text}");
    }
    for bad in ["", "15", "m", "0m", "1.5h", "-5m", "5 m", "1w"] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
    assert_eq!(format_duration(Duration::minutes(90)), "1h30m");
    assert_eq!(format_duration(Duration::hours(36)), "1d12h");
    let json = serde_json::to_value(Settings::default()).expect("json");
    assert_eq!(json["warnings"]["leads"], serde_json::json!(["15m", "5m"]));
    assert_eq!(json["mfa"]["session_duration"], "12h");
    assert_eq!(json["mfa"]["persist"], false);
}

#[test]
fn the_mfa_table_sets_the_session_length_and_persistence() {
    let (s, errors) = Settings::parse("[mfa]\nsession_duration = \"4h\"\npersist = true\n");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s.mfa.session_duration, Duration::hours(4));
    assert!(s.mfa.persist);
    // The older name still works.
    let (s, errors) = Settings::parse("[renew]\nmfa_session = \"2h\"\n");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s.mfa.session_duration, Duration::hours(2));
    // GetSessionToken takes 900 to 129,600 seconds.
    let (s, errors) = Settings::parse("[mfa]\nsession_duration = \"37h\"\npersist = 1\n");
    let got: Vec<_> = errors.iter().map(|e| (e.line(), e.code())).collect();
    assert_eq!(
        got,
        [(2, "settings_out_of_range"), (3, "settings_wrong_type")]
    );
    assert_eq!(s.mfa, Settings::default().mfa);
}

#[test]
fn mfa_roles_over_long_term_keys_renew_unless_their_profile_says_no() {
    let (s, _) = Settings::parse("[profiles.off]\nrenew = false\n");
    assert!(s.auto_renew_mfa("admin"));
    assert!(!s.auto_renew_mfa("off"));
    assert!(!s.auto_renew("admin", true), "static_keys stays off");
}

#[test]
fn notifications_are_on_unless_the_file_turns_them_off() {
    assert!(Settings::default().notifications.enabled);
    let (s, errors) = Settings::parse("[notifications]\nenabled = false\n");
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!s.notifications.enabled);
    let (s, errors) = Settings::parse("[notifications]\nenabled = \"no\"\nsound = true\n");
    assert!(s.notifications.enabled, "a bad value keeps the default");
    let codes: Vec<(&str, u32)> = errors.iter().map(|e| (e.code(), e.line())).collect();
    assert_eq!(
        codes,
        [("settings_wrong_type", 2), ("settings_unknown_key", 3)]
    );
}

#[test]
fn the_aws_table_is_read_and_a_bad_proxy_is_refused_by_line() {
    let text = "[aws]\nconfig_file = \"~/work/aws-config\"\ncredentials_file = \"\"\nca_bundle = \"/etc/corp.pem\"\nhttps_proxy = \"http://me:pw@proxy.corp:3128\"\nno_proxy = \"localhost,.corp\"\n";
    let (s, errors) = Settings::parse(text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s.aws.config_file.as_deref(), Some("~/work/aws-config"));
    assert_eq!(s.aws.credentials_file, None, "empty is unset");
    assert_eq!(s.aws.ca_bundle.as_deref(), Some("/etc/corp.pem"));
    assert_eq!(
        s.aws.https_proxy.as_deref(),
        Some("http://me:pw@proxy.corp:3128")
    );
    assert_eq!(s.aws.no_proxy.as_deref(), Some("localhost,.corp"));
    assert!(!format!("{s:?}").contains(":pw@"), "no password in Debug");
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        !json.contains(":pw@") && json.contains("http://proxy.corp:3128"),
        "{json}"
    );

    let (s, errors) = Settings::parse(
        "[aws]\n\nhttps_proxy = \"proxy.corp:3128\"\nconfig_file = 3\nregion = \"x\"\n",
    );
    assert_eq!(s.aws, AwsEnvSettings::default());
    let found: Vec<(u32, &str)> = errors.iter().map(|e| (e.line(), e.code())).collect();
    assert_eq!(
        found,
        [
            (3, "settings_wrong_type"),
            (4, "settings_wrong_type"),
            (5, "settings_unknown_key")
        ]
    );
}

#[test]
fn the_portal_rate_is_read_within_its_range() {
    assert_eq!(Settings::default().portal.calls_per_second, 10);
    let (s, errors) = Settings::parse("[portal]\ncalls_per_second = 25\n");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s.portal.calls_per_second, 25);
    let (s, errors) = Settings::parse("[portal]\ncalls_per_second = 0\n");
    assert_eq!(
        s.portal.calls_per_second, 10,
        "a bad value keeps the default"
    );
    assert!(
        errors[0].to_string().contains("portal.calls_per_second"),
        "{errors:?}"
    );
    let (_, errors) = Settings::parse("[portal]\ncalls_per_second = \"fast\"\nrate = 3\n");
    assert_eq!(errors.len(), 2, "{errors:?}");
}
