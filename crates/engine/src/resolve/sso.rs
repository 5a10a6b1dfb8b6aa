//! SSO sources: a profile naming an `[sso-session]`, or a legacy profile with
//! `sso_start_url` and `sso_region` of its own.
//!
//! Rules as aws-sdk-rust applies them: any `sso_*` setting makes the profile
//! an SSO source; `sso_account_id` and `sso_role_name` come together or not
//! at all (without them the profile names an SSO token only); a profile with
//! `sso_session` must not set `sso_start_url` or `sso_region` itself.
//!
//! Like botocore (and unlike aws-sdk-rust) the same value on the profile and
//! its session is accepted. botocore also uses a profile's value the session
//! lacks; aws-sdk-rust refuses that, and so do we (the cross-SDK table demands
//! it), with a message that names both places.

use super::chain::SsoSource;
use super::error::ResolveError;
use crate::profiles::{Profile, ProfileSet};

const ACCOUNT_ID: &str = "sso_account_id";
const REGION: &str = "sso_region";
const ROLE_NAME: &str = "sso_role_name";
const START_URL: &str = "sso_start_url";
const SESSION: &str = "sso_session";

/// The profile's SSO source, `None` when it has no `sso_*` setting.
pub(crate) fn from_profile(
    set: &ProfileSet,
    profile: &Profile,
) -> Result<Option<SsoSource>, ResolveError> {
    let account_id = profile.get_nonempty(ACCOUNT_ID);
    let role_name = profile.get_nonempty(ROLE_NAME);
    let mut region = profile.get_nonempty(REGION);
    let mut start_url = profile.get_nonempty(START_URL);
    let session_name = profile.get_nonempty(SESSION);
    if [account_id, role_name, region, start_url, session_name]
        .iter()
        .all(Option::is_none)
    {
        return Ok(None);
    }

    let mut value_origin = profile.origin;
    if let Some(name) = session_name {
        let session = set.sso_session(name);
        for (key, value) in [(START_URL, start_url), (REGION, region)] {
            // The same value on both is harmless, and common in configs
            // written before sso-sessions existed: botocore accepts it, so we do.
            let session_value = session.and_then(|s| s.get_nonempty(key));
            if let Some(value) = value.filter(|v| Some(*v) != session_value) {
                return Err(ResolveError::SsoSessionConflict {
                    profile: profile.name.clone(),
                    sso_session: name.to_owned(),
                    key,
                    profile_value: value.to_owned(),
                    session_value: session.and_then(|s| s.get_nonempty(key)).map(str::to_owned),
                    origin: profile.origin_of(key),
                });
            }
        }
        let Some(session) = session else {
            return Err(ResolveError::MissingSsoSession {
                profile: profile.name.clone(),
                sso_session: name.to_owned(),
                origin: profile.origin_of(SESSION),
            });
        };
        start_url = session.get_nonempty(START_URL);
        region = session.get_nonempty(REGION);
        value_origin = session.origin;
    }

    match (account_id, role_name) {
        (Some(_), None) => return Err(incomplete_role(profile, ACCOUNT_ID, ROLE_NAME)),
        (None, Some(_)) => return Err(incomplete_role(profile, ROLE_NAME, ACCOUNT_ID)),
        _ => {}
    }
    let missing = |field: &'static str| ResolveError::IncompleteSso {
        profile: profile.name.clone(),
        sso_session: session_name.map(str::to_owned),
        missing: field,
        origin: value_origin,
    };
    let region = region.ok_or_else(|| missing(REGION))?;
    let start_url = start_url.ok_or_else(|| missing(START_URL))?;
    Ok(Some(SsoSource {
        profile: profile.name.clone(),
        session: session_name.map(str::to_owned),
        start_url: start_url.to_owned(),
        region: region.to_owned(),
        account_id: account_id.map(str::to_owned),
        role_name: role_name.map(str::to_owned),
    }))
}

fn incomplete_role(profile: &Profile, set: &'static str, missing: &'static str) -> ResolveError {
    ResolveError::IncompleteSsoRole {
        profile: profile.name.clone(),
        set,
        missing,
        origin: profile.origin_of(set),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(profile: &[(&str, &str)], sessions: &[(&str, &[(&str, &str)])]) -> ProfileSet {
        let mut s = ProfileSet::default();
        s.profiles.insert(
            "p".into(),
            Profile::from_pairs("p", profile.iter().copied()),
        );
        for (name, pairs) in sessions {
            s.sso_sessions.insert(
                (*name).into(),
                Profile::from_pairs(name, pairs.iter().copied()),
            );
        }
        s
    }

    fn sso(s: &ProfileSet) -> Result<Option<SsoSource>, ResolveError> {
        from_profile(s, s.profile("p").expect("profile p"))
    }

    const CORP: (&str, &[(&str, &str)]) = (
        "corp",
        &[
            ("sso_start_url", "https://corp.awsapps.com/start"),
            ("sso_region", "eu-west-1"),
        ],
    );

    #[test]
    fn session_supplies_start_url_and_region() {
        let s = set(
            &[
                ("sso_session", "corp"),
                ("sso_account_id", "123456789012"),
                ("sso_role_name", "Admin"),
            ],
            &[CORP],
        );
        let got = sso(&s).expect("ok").expect("sso");
        assert_eq!(got.session.as_deref(), Some("corp"));
        assert_eq!(got.start_url, "https://corp.awsapps.com/start");
        assert_eq!(got.region, "eu-west-1");
        assert!(!got.is_legacy());
        assert!(got.has_role());
    }

    #[test]
    fn legacy_profile_carries_its_own_settings() {
        let s = set(
            &[
                ("sso_start_url", "https://x.awsapps.com/start"),
                ("sso_region", "us-east-1"),
                ("sso_account_id", "123456789012"),
                ("sso_role_name", "Admin"),
            ],
            &[],
        );
        let got = sso(&s).expect("ok").expect("sso");
        assert!(got.is_legacy());
        assert_eq!(got.start_url, "https://x.awsapps.com/start");
    }

    #[test]
    fn no_sso_settings_is_not_sso() {
        let s = set(&[("region", "eu-west-1")], &[CORP]);
        assert_eq!(sso(&s).expect("ok"), None);
    }

    #[test]
    fn profile_value_beside_a_session_is_a_conflict() {
        let s = set(
            &[("sso_session", "corp"), ("sso_region", "us-east-1")],
            &[CORP],
        );
        let e = sso(&s).expect_err("conflict");
        assert_eq!(e.code(), "sso_session_conflict");
        assert!(
            e.to_string()
                .contains("the profile says `us-east-1`, sso-session `corp` says `eu-west-1`"),
            "{e}"
        );
    }

    #[test]
    fn unknown_session_is_named() {
        let s = set(&[("sso_session", "nope")], &[CORP]);
        let e = sso(&s).expect_err("missing");
        assert_eq!(e.code(), "missing_sso_session");
        assert_eq!(
            e.to_string(),
            "sso-session named `nope` (referenced by profile `p`) was not found"
        );
    }

    #[test]
    fn session_without_region_is_incomplete() {
        let s = set(
            &[("sso_session", "half")],
            &[("half", &[("sso_start_url", "https://h.awsapps.com/start")])],
        );
        let e = sso(&s).expect_err("incomplete");
        assert_eq!(e.code(), "incomplete_sso");
        assert!(
            e.to_string()
                .contains("sso-session `half` has no `sso_region`"),
            "{e}"
        );
    }

    #[test]
    fn account_without_role_is_incomplete() {
        let s = set(
            &[("sso_session", "corp"), ("sso_account_id", "123456789012")],
            &[CORP],
        );
        let e = sso(&s).expect_err("incomplete");
        assert_eq!(e.code(), "incomplete_sso");
        assert!(
            e.to_string()
                .contains("if `sso_account_id` is set, then `sso_role_name` must also be set")
        );
    }
}
