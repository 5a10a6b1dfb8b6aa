//! The menu built from real AWS files parsed by the engine.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::lease::leases;
use crate::load::{CacheFileInput, FileInput, LoadInput, snapshot};
use crate::profiles::sso_cache::cache_key;
use crate::timefmt::format_z;

const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);
const LEAD: Duration = Duration::minutes(15);

const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile prod]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile deploy]
role_arn = arn:aws:iam::333333333333:role/Deploy
source_profile = alice

[profile broken]
source_profile = does-not-exist
role_arn = arn:aws:iam::333333333333:role/X
";

fn credentials(okta_expires: OffsetDateTime) -> String {
    format!(
        "[alice]\naws_access_key_id = AKIAALICE0000000001\naws_secret_access_key = c2VjcmV0\n\n\
         [okta]\naws_access_key_id = ASIAOKTA00000000001\naws_secret_access_key = c2VjcmV0\n\
         aws_session_token = dG9rZW4\nx_security_token_expires = {}\n",
        format_z(okta_expires)
    )
}

/// A refreshable token for `session`, expiring at `expires`, whose client
/// registration (the sign-in's end as far as we know) ends at `ends`.
fn token(session: &str, expires: OffsetDateTime, ends: OffsetDateTime) -> CacheFileInput {
    let json = format!(
        r#"{{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"AT","expiresAt":"{}","clientId":"cid","clientSecret":"CS","refreshToken":"RT","registrationExpiresAt":"{}"}}"#,
        format_z(expires),
        format_z(ends)
    );
    CacheFileInput {
        name: format!("{}.json", cache_key(session)),
        contents: Ok(json.into_bytes()),
    }
}

fn leases_of(config: &str, credentials: &str, tokens: Vec<CacheFileInput>) -> Vec<Lease> {
    let input = LoadInput {
        config: FileInput {
            path: "config".into(),
            contents: Ok(Some(config.as_bytes().to_vec())),
        },
        credentials: FileInput {
            path: "credentials".into(),
            contents: Ok(Some(credentials.as_bytes().to_vec())),
        },
        sso_cache_dir: "sso/cache".into(),
        sso_cache: tokens,
        cli_cache_dir: "cli/cache".into(),
        cli_cache: Vec::new(),
    };
    leases(&snapshot(&input), NOW)
}

fn menu(leases: &[Lease], keeper: &[KeeperLine], lead: Duration) -> MenuModel {
    build(&MenuInput {
        leases,
        keeper,
        now: NOW,
        expiring_lead: lead,
        attached_pid: None,
        limit: DEFAULT_LIMIT,
    })
}

fn labels(m: &MenuModel) -> Vec<(String, Vec<String>)> {
    m.groups
        .iter()
        .map(|g| {
            let lines = g.lines.iter().map(|l| l.label.clone()).collect();
            (g.header.clone(), lines)
        })
        .collect()
}

#[test]
fn signed_out_sessions_come_first_with_a_sign_in_item_and_the_needs_you_icon() {
    let leases = leases_of(CONFIG, &credentials(NOW + Duration::minutes(10)), vec![]);
    let m = menu(&leases, &[], LEAD);
    assert_eq!(m.summary, "2 need you · 1 expiring · 1 error · 6 leases");
    assert_eq!(m.icon, IconState::NeedsYou);
    assert_eq!(
        labels(&m),
        vec![
            (
                "corp".to_owned(),
                vec!["dev — sign in".to_owned(), "prod — sign in".to_owned()]
            ),
            ("okta".to_owned(), vec!["okta — 10m".to_owned()]),
            ("broken".to_owned(), vec!["broken — error".to_owned()]),
            (
                "alice".to_owned(),
                vec![
                    "alice — no expiry".to_owned(),
                    "deploy — no expiry".to_owned()
                ]
            ),
        ]
    );
    assert_eq!(
        m.sign_ins,
        vec![SignInItem {
            label: "Sign in to corp…".into(),
            id: MenuId::SignIn("corp".into())
        }]
    );
    assert_eq!(m.more, None);
    assert_eq!(m.attached, None);
}

#[test]
fn a_signed_in_session_shows_the_time_until_its_sign_in_ends() {
    let tokens = vec![token(
        "corp",
        NOW + Duration::hours(1),
        NOW + Duration::hours(1) + Duration::minutes(5),
    )];
    let leases = leases_of(CONFIG, &credentials(NOW + Duration::hours(3)), tokens);
    let m = menu(&leases, &[], LEAD);
    assert_eq!(m.summary, "1 error · 6 leases");
    assert_eq!(m.icon, IconState::Error);
    let groups = labels(&m);
    assert_eq!(
        groups[0].0, "broken",
        "a broken profile comes before fresh ones"
    );
    let corp = groups.iter().find(|g| g.0 == "corp").expect("a corp group");
    // No sign-in time is known: the registration's end is an upper bound.
    assert_eq!(corp.1, vec!["dev — \u{2264} 1h", "prod — \u{2264} 1h"]);
    assert!(m.sign_ins.is_empty(), "{:?}", m.sign_ins);
}

#[test]
fn the_expiring_lead_follows_the_time_scale() {
    let ends = NOW + Duration::minutes(8);
    let tokens = vec![token("corp", NOW + Duration::minutes(1), ends)];
    let config = CONFIG.replace("[profile broken]\nsource_profile = does-not-exist\nrole_arn = arn:aws:iam::333333333333:role/X\n", "");
    let leases = leases_of(&config, &credentials(NOW + Duration::hours(3)), tokens);
    // At scale 1 an 8-minute sign-in is expiring and offers a sign-in.
    let m = menu(&leases, &[], LEAD);
    assert_eq!(m.summary, "2 expiring · 5 leases");
    assert_eq!(m.icon, IconState::Expiring);
    assert_eq!(m.sign_ins.len(), 1);
    // Sixty times faster, the lead is 15 seconds: all is well.
    let m = menu(&leases, &[], LEAD / 60);
    assert_eq!(m.summary, "All 5 leases fresh");
    assert_eq!(m.icon, IconState::Ok);
    assert!(m.sign_ins.is_empty());
    assert_eq!(
        labels(&m)[0].1,
        vec!["dev — \u{2264} 8m", "prod — \u{2264} 8m"]
    );
}

#[test]
fn the_keepers_view_turns_lines_to_mfa_codes_lapses_and_failures() {
    let tokens = vec![token(
        "corp",
        NOW + Duration::hours(1),
        NOW + Duration::hours(5),
    )];
    let leases = leases_of(CONFIG, &credentials(NOW + Duration::hours(3)), tokens);
    let keeper = [
        KeeperLine {
            profile: "deploy".into(),
            state: RenewalState::NeedsMfaCode,
            failing: false,
            expires_at: None,
            act_by: None,
        },
        KeeperLine {
            profile: "prod".into(),
            state: RenewalState::Retrying,
            failing: true,
            expires_at: None,
            act_by: None,
        },
        KeeperLine {
            profile: "dev".into(),
            state: renewal_state("lapsed").expect("a known state"),
            failing: false,
            expires_at: None,
            act_by: None,
        },
    ];
    let m = menu(&leases, &keeper, LEAD);
    assert_eq!(m.summary, "2 need you · 2 errors · 6 leases");
    assert_eq!(m.icon, IconState::NeedsYou);
    // Grouped: the most urgent lease's group first, each group in urgency order.
    assert_eq!(
        labels(&m),
        vec![
            (
                "alice".to_owned(),
                vec![
                    "deploy — MFA code".to_owned(),
                    "alice — no expiry".to_owned()
                ]
            ),
            (
                "corp".to_owned(),
                vec!["dev — expired".to_owned(), "prod — \u{2264} 5h".to_owned()]
            ),
            ("broken".to_owned(), vec!["broken — error".to_owned()]),
            ("okta".to_owned(), vec!["okta — 3h 00m".to_owned()]),
        ]
    );
    assert_eq!(renewal_state("asleep"), None);
}

#[test]
fn long_lists_are_bounded_and_what_needs_the_person_is_never_cut() {
    let mut config = String::from(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    for i in 0..20 {
        config.push_str(&format!(
            "\n[profile keys{i:02}]\naws_access_key_id = ASIAKEYS000000000{i:02}\naws_secret_access_key = c2VjcmV0\n\
             aws_session_token = dG9rZW4\nx_security_token_expires = {}\n",
            format_z(NOW + Duration::hours(2) + Duration::minutes(i))
        ));
    }
    config.push_str("\n[profile zz-sso]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n");
    let leases = leases_of(&config, "", vec![]);
    let m = build(&MenuInput {
        leases: &leases,
        keeper: &[],
        now: NOW,
        expiring_lead: LEAD,
        attached_pid: Some(4242),
        limit: DEFAULT_LIMIT,
    });
    let lines: usize = m.groups.iter().map(|g| g.lines.len()).sum();
    assert_eq!(lines, 15);
    assert_eq!(m.more.as_deref(), Some("6 more… Open Leasekeeper"));
    assert_eq!(m.groups[0].header, "corp");
    assert_eq!(m.groups[0].lines[0].label, "zz-sso — sign in");
    // The soonest deadlines come next; the latest are left out.
    assert_eq!(m.groups[1].lines[0].label, "keys00 — 2h 00m");
    assert_eq!(m.groups.last().map(|g| g.header.as_str()), Some("keys13"));
    assert_eq!(
        m.attached.as_deref(),
        Some("Attached to leasekeeper daemon (pid 4242)")
    );
    assert_eq!(m.summary, "1 needs you · 21 leases");
}

#[test]
fn every_renewal_state_reads_back_from_the_sockets_spelling() {
    for state in [
        RenewalState::Fresh,
        RenewalState::Renewing,
        RenewalState::Retrying,
        RenewalState::Pending,
        RenewalState::Lapsed,
        RenewalState::NeedsLogin,
        RenewalState::NeedsMfaCode,
    ] {
        assert_eq!(
            renewal_state(state.as_str()),
            Some(state),
            "{}",
            state.as_str()
        );
    }
}

fn kept(profile: &str, state: RenewalState, expires_at: OffsetDateTime) -> KeeperLine {
    KeeperLine {
        profile: profile.into(),
        state,
        failing: false,
        expires_at: Some(expires_at),
        act_by: None,
    }
}

fn left_for(leases: &[Lease], profile: &str, keeper: &KeeperLine) -> (Left, IconState) {
    let lease = leases
        .iter()
        .find(|l| l.profile == profile)
        .expect("the profile has a lease");
    left_of(lease, Some(keeper), NOW, LEAD)
}

#[test]
fn a_lease_the_keeper_keeps_fresh_never_reads_expired() {
    // The files show okta's keys lapsed an hour ago; the keeper holds new ones.
    let leases = leases_of(CONFIG, &credentials(NOW - Duration::hours(1)), vec![]);
    let fresh = kept("okta", RenewalState::Fresh, NOW + Duration::minutes(50));
    assert_eq!(
        left_for(&leases, "okta", &fresh),
        (Left::Time(50 * 60), IconState::Ok)
    );
    let soon = kept("okta", RenewalState::Renewing, NOW + Duration::minutes(10));
    assert_eq!(
        left_for(&leases, "okta", &soon),
        (Left::Time(10 * 60), IconState::Expiring)
    );
    let m = menu(&leases, &[fresh], LEAD);
    assert!(
        m.groups
            .iter()
            .flat_map(|g| &g.lines)
            .any(|l| l.label == "okta — 50m"),
        "{m:?}"
    );
    // Keys the keeper held that have ended, or a lapse it reports: expired.
    let ended = kept("okta", RenewalState::Fresh, NOW - Duration::minutes(1));
    assert_eq!(
        left_for(&leases, "okta", &ended),
        (Left::Expired, IconState::NeedsYou)
    );
    let lapsed = kept("okta", RenewalState::Lapsed, NOW + Duration::minutes(50));
    assert_eq!(
        left_for(&leases, "okta", &lapsed),
        (Left::Expired, IconState::NeedsYou)
    );
    // Only once the keeper waits on a code does the line ask for one.
    let code = kept(
        "okta",
        RenewalState::NeedsMfaCode,
        NOW + Duration::minutes(50),
    );
    assert_eq!(
        left_for(&leases, "okta", &code),
        (Left::MfaCode, IconState::NeedsYou)
    );
}

#[test]
fn a_kept_role_counts_down_to_the_next_time_the_person_must_act() {
    // Signed in to corp until 15:00 at the latest: the sign-in's end, not
    // the keys' end.
    let tokens = vec![token(
        "corp",
        NOW + Duration::hours(1),
        NOW + Duration::hours(5),
    )];
    let leases = leases_of(CONFIG, &credentials(NOW + Duration::hours(3)), tokens);
    let keys = kept("dev", RenewalState::Fresh, NOW + Duration::minutes(55));
    assert_eq!(
        left_for(&leases, "dev", &keys),
        (Left::AtMost(5 * 3600), IconState::Ok)
    );
    // A sign-in that has ended asks for one, whatever the keeper holds.
    let signed_out = leases_of(CONFIG, &credentials(NOW + Duration::hours(3)), vec![]);
    assert_eq!(
        left_for(&signed_out, "dev", &keys),
        (Left::SignIn, IconState::NeedsYou)
    );
}

#[test]
fn a_role_renewing_through_an_mfa_session_counts_down_to_the_sessions_end() {
    // deploy's keys last an hour; the MFA session they renew from, 11 more.
    let leases = leases_of(CONFIG, &credentials(NOW + Duration::hours(3)), vec![]);
    let mut keys = kept("deploy", RenewalState::Fresh, NOW + Duration::minutes(55));
    keys.act_by = Some(NOW + Duration::hours(11));
    assert_eq!(
        left_for(&leases, "deploy", &keys),
        (Left::Time(11 * 3600), IconState::Ok),
        "the next code is due at the session's end, not the keys'"
    );
    keys.act_by = Some(NOW + Duration::minutes(10));
    assert_eq!(
        left_for(&leases, "deploy", &keys),
        (Left::Time(10 * 60), IconState::Expiring),
        "a session about to end warns"
    );
    keys.act_by = Some(NOW - Duration::minutes(1));
    assert_eq!(
        left_for(&leases, "deploy", &keys),
        (Left::Time(55 * 60), IconState::Ok),
        "an ended session: the keys still held count"
    );
}

#[test]
fn a_sign_in_first_seen_reads_as_an_estimate_and_one_unknown_as_at_most() {
    let tokens = vec![token(
        "corp",
        NOW + Duration::minutes(50),
        NOW + Duration::days(89) + Duration::hours(23),
    )];
    let input = LoadInput {
        config: FileInput {
            path: "config".into(),
            contents: Ok(Some(CONFIG.as_bytes().to_vec())),
        },
        credentials: FileInput {
            path: "credentials".into(),
            contents: Ok(Some(credentials(NOW + Duration::hours(3)).into_bytes())),
        },
        sso_cache_dir: "sso/cache".into(),
        sso_cache: tokens,
        cli_cache_dir: "cli/cache".into(),
        cli_cache: Vec::new(),
    };
    let mut s = snapshot(&input);
    // Nothing tells when the sign-in began: the registration's end, at most.
    let m = menu(&leases(&s, NOW), &[], LEAD);
    let corp = labels(&m).into_iter().find(|g| g.0 == "corp").unwrap();
    assert_eq!(corp.1, vec!["dev — \u{2264} 89d", "prod — \u{2264} 89d"]);
    // First seen two hours ago: eight hours from then, an estimate.
    let Some(Ok(t)) = s.sso_tokens.get(&cache_key("corp")) else {
        panic!("the token parses");
    };
    let seen = crate::signin::sighting::observe(
        t,
        None,
        None,
        Duration::hours(8),
        NOW - Duration::hours(2),
        crate::signin::TimeScale::default(),
    )
    .unwrap();
    s.sign_ins.sightings.insert(cache_key("corp"), seen);
    let m = menu(&leases(&s, NOW), &[], LEAD);
    let corp = labels(&m).into_iter().find(|g| g.0 == "corp").unwrap();
    assert_eq!(corp.1, vec!["dev — 6h 00m (est.)", "prod — 6h 00m (est.)"]);
    // The keeper holding keys does not hide the mark.
    let keeper = [KeeperLine {
        profile: "dev".into(),
        state: RenewalState::Fresh,
        failing: false,
        expires_at: Some(NOW + Duration::minutes(40)),
        act_by: None,
    }];
    let m = menu(&leases(&s, NOW), &keeper, LEAD);
    let corp = labels(&m).into_iter().find(|g| g.0 == "corp").unwrap();
    assert_eq!(corp.1[0], "dev — 6h 00m (est.)");
}

#[test]
fn each_session_can_add_profiles_and_says_how_many_new_roles_wait() {
    let sessions = ["corp".to_owned(), "lab".to_owned()];
    let new_roles =
        std::collections::BTreeMap::from([("corp".to_owned(), 3), ("gone".to_owned(), 2)]);
    let items = super::add_profiles(&sessions, &new_roles);
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Add profiles from corp\u{2026} (3 new roles available)",
            "Add profiles from lab\u{2026}"
        ]
    );
    assert_eq!(items[0].id, MenuId::AddProfiles("corp".into()));
    assert_eq!(
        MenuId::parse(&items[1].id.to_string()),
        Some(items[1].id.clone())
    );
}
