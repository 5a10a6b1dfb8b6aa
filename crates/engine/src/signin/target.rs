//! [`SsoTarget`]: what a sign-in is for — an `[sso-session]`, or the start
//! URL of a legacy SSO profile — and how the command line picks one
//! ([`select`]).

use crate::profiles::ProfileSet;
use crate::profiles::sso_cache::cache_key;
use crate::resolve::{Base, ResolveError, resolve};

/// The scope that makes tokens refreshable; sso-session clients always ask
/// for it, in both flows.
pub const REFRESH_SCOPE: &str = "sso:account:access";

/// One IAM Identity Center sign-in target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoTarget {
    /// The sso-session name; `None` for a legacy profile's start URL.
    pub session: Option<String>,
    pub start_url: String,
    pub region: String,
    /// `sso_registration_scopes` as configured (comma separated in the file).
    pub configured_scopes: Vec<String>,
}

impl SsoTarget {
    /// The token cache key: sha1 of the session name, or of the start URL
    /// exactly as written for legacy profiles.
    pub fn cache_key(&self) -> String {
        cache_key(self.session.as_deref().unwrap_or(&self.start_url))
    }

    /// The name people know it by: the session name or the start URL.
    pub fn name(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }

    /// Legacy targets have no refresh token and sign in with the device code.
    pub fn is_legacy(&self) -> bool {
        self.session.is_none()
    }

    /// The scopes a client registration asks for: `sso:account:access` plus
    /// the configured ones for sso-sessions; none (the service default) for
    /// legacy profiles, as the AWS CLI does.
    pub fn registration_scopes(&self) -> Vec<String> {
        if self.is_legacy() {
            return Vec::new();
        }
        let mut scopes = vec![REFRESH_SCOPE.to_owned()];
        for s in &self.configured_scopes {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        scopes
    }
}

/// Why no target could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "no [sso-session] is configured; add one to the config file, or name a profile with --profile"
    )]
    NoSessions,
    #[error("several sso-sessions are configured ({}); choose one with --sso-session", names.join(", "))]
    Ambiguous { names: Vec<String> },
    #[error("no sso-session named `{name}`; configured: {}", if known.is_empty() { "none".to_owned() } else { known.join(", ") })]
    UnknownSession { name: String, known: Vec<String> },
    #[error("sso-session `{name}` has no `{missing}`")]
    IncompleteSession { name: String, missing: &'static str },
    #[error("profile `{profile}` does not sign in with IAM Identity Center")]
    NotSso { profile: String },
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

impl TargetError {
    pub fn code(&self) -> &'static str {
        match self {
            TargetError::NoSessions => "no_sso_session",
            TargetError::Ambiguous { .. } => "ambiguous_sso_session",
            TargetError::UnknownSession { .. } => "unknown_sso_session",
            TargetError::IncompleteSession { .. } => "incomplete_sso",
            TargetError::NotSso { .. } => "not_sso_profile",
            TargetError::Resolve(e) => e.code(),
        }
    }
}

/// The target of the sso-session `name`.
pub fn session_target(set: &ProfileSet, name: &str) -> Result<SsoTarget, TargetError> {
    let Some(session) = set.sso_session(name) else {
        return Err(TargetError::UnknownSession {
            name: name.to_owned(),
            known: set.sso_sessions.keys().cloned().collect(),
        });
    };
    let get = |key: &'static str| {
        session
            .get_nonempty(key)
            .map(str::to_owned)
            .ok_or(TargetError::IncompleteSession {
                name: name.to_owned(),
                missing: key,
            })
    };
    Ok(SsoTarget {
        session: Some(name.to_owned()),
        start_url: get("sso_start_url")?,
        region: get("sso_region")?,
        configured_scopes: session
            .get_nonempty("sso_registration_scopes")
            .map(split_scopes)
            .unwrap_or_default(),
    })
}

fn split_scopes(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The target a profile signs in with: its sso-session, or its legacy
/// start URL. Role chains are followed to their SSO base.
pub fn profile_target(set: &ProfileSet, profile: &str) -> Result<SsoTarget, TargetError> {
    let has_sso_key = |p: &str| {
        set.profile(p)
            .is_some_and(|p| p.props.keys().any(|k| k.starts_with("sso_")))
    };
    let chain = match resolve(set, profile) {
        Ok(chain) => chain,
        Err(_) if set.profile(profile).is_some() && !has_sso_key(profile) => {
            return Err(TargetError::NotSso {
                profile: profile.to_owned(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let Base::Sso(sso) = &chain.base else {
        return Err(TargetError::NotSso {
            profile: profile.to_owned(),
        });
    };
    match &sso.session {
        Some(name) => session_target(set, name),
        None => Ok(SsoTarget {
            session: None,
            start_url: sso.start_url.clone(),
            region: sso.region.clone(),
            configured_scopes: Vec::new(),
        }),
    }
}

/// The command line's choice: `--sso-session`, else `--profile`, else the
/// only sso-session configured.
pub fn select(
    set: &ProfileSet,
    session: Option<&str>,
    profile: Option<&str>,
) -> Result<SsoTarget, TargetError> {
    if let Some(name) = session {
        return session_target(set, name);
    }
    if let Some(profile) = profile {
        return profile_target(set, profile);
    }
    let names: Vec<String> = set.sso_sessions.keys().cloned().collect();
    match names.as_slice() {
        [] => Err(TargetError::NoSessions),
        [only] => session_target(set, only),
        _ => Err(TargetError::Ambiguous { names }),
    }
}

/// Every target the files name: each sso-session, then each distinct legacy
/// start URL (profiles that resolve to one), in the name order of the
/// profiles that name them.
///
/// A chain that ends in a legacy start URL ends at a profile that names
/// `sso_start_url` itself, and that profile resolves to the same start URL
/// on its own: only such profiles are resolved, not every profile.
pub fn all_targets(set: &ProfileSet) -> Vec<SsoTarget> {
    let mut out: Vec<SsoTarget> = set
        .sso_sessions
        .keys()
        .filter_map(|name| session_target(set, name).ok())
        .collect();
    // Each target's token cache key, computed once: a home has hundreds.
    let mut keys: std::collections::HashSet<String> =
        out.iter().map(SsoTarget::cache_key).collect();
    let names_a_start_url =
        |(_, p): &(&String, &crate::profiles::Profile)| p.props.contains_key("sso_start_url");
    for (name, _) in set.profiles.iter().filter(names_a_start_url) {
        if let Ok(t) = profile_target(set, name) {
            if t.is_legacy() && keys.insert(t.cache_key()) {
                out.push(t);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::Profile;

    fn set() -> ProfileSet {
        let mut s = ProfileSet::default();
        s.sso_sessions.insert(
            "corp".into(),
            Profile::from_pairs(
                "corp",
                [
                    ("sso_start_url", "https://corp.awsapps.com/start"),
                    ("sso_region", "eu-west-1"),
                    (
                        "sso_registration_scopes",
                        "sso:account:access, codewhisperer:completions",
                    ),
                ],
            ),
        );
        s.profiles.insert(
            "dev".into(),
            Profile::from_pairs(
                "dev",
                [
                    ("sso_session", "corp"),
                    ("sso_account_id", "111111111111"),
                    ("sso_role_name", "Admin"),
                ],
            ),
        );
        s.profiles.insert(
            "old".into(),
            Profile::from_pairs(
                "old",
                [
                    ("sso_start_url", "https://old.awsapps.com/start"),
                    ("sso_region", "us-east-1"),
                    ("sso_account_id", "111111111111"),
                    ("sso_role_name", "Admin"),
                ],
            ),
        );
        s.profiles.insert(
            "static".into(),
            Profile::from_pairs("static", [("region", "x")]),
        );
        s
    }

    #[test]
    fn the_only_session_is_chosen_and_always_asks_for_the_refresh_scope() {
        let t = select(&set(), None, None).unwrap();
        assert_eq!(t.name(), "corp");
        assert_eq!(
            t.registration_scopes(),
            ["sso:account:access", "codewhisperer:completions"]
        );
        assert_eq!(t.cache_key(), cache_key("corp"));
    }

    #[test]
    fn a_legacy_profile_is_keyed_by_its_start_url_and_asks_for_no_scope() {
        let t = select(&set(), None, Some("old")).unwrap();
        assert!(t.is_legacy());
        assert_eq!(t.cache_key(), cache_key("https://old.awsapps.com/start"));
        assert!(t.registration_scopes().is_empty());
        assert_eq!(all_targets(&set()).len(), 2);
    }

    /// What `all_targets` lists by resolving every profile.
    fn every_profile_resolved(set: &ProfileSet) -> Vec<String> {
        let mut keys: Vec<String> = set
            .sso_sessions
            .keys()
            .filter_map(|n| session_target(set, n).ok())
            .map(|t| t.cache_key())
            .collect();
        for name in set.profiles.keys() {
            if let Ok(t) = profile_target(set, name) {
                if t.is_legacy() && !keys.contains(&t.cache_key()) {
                    keys.push(t.cache_key());
                }
            }
        }
        keys
    }

    #[test]
    fn legacy_start_urls_behind_roles_and_broken_profiles_are_listed_once() {
        let mut s = set();
        let mut add = |name: &str, pairs: &[(&str, &str)]| {
            s.profiles.insert(
                name.into(),
                Profile::from_pairs(name, pairs.iter().copied()),
            );
        };
        // A role over the legacy profile: the same start URL, once.
        add(
            "admin",
            &[
                ("role_arn", "arn:aws:iam::222222222222:role/A"),
                ("source_profile", "old"),
            ],
        );
        // A role over a legacy profile that is listed nowhere else.
        add(
            "hidden",
            &[
                ("sso_start_url", "https://hidden.awsapps.com/start"),
                ("sso_region", "us-east-1"),
                ("sso_account_id", "111111111111"),
                ("sso_role_name", "Admin"),
            ],
        );
        add(
            "over-hidden",
            &[
                ("role_arn", "arn:aws:iam::222222222222:role/B"),
                ("source_profile", "hidden"),
            ],
        );
        // Broken: half a legacy profile, an empty start URL, a missing source.
        add(
            "half",
            &[("sso_start_url", "https://half.awsapps.com/start")],
        );
        add("empty", &[("sso_start_url", ""), ("region", "x")]);
        add(
            "orphan",
            &[
                ("role_arn", "arn:aws:iam::222222222222:role/C"),
                ("source_profile", "nope"),
            ],
        );
        let mut listed: Vec<String> = all_targets(&s).iter().map(SsoTarget::cache_key).collect();
        let mut all = every_profile_resolved(&s);
        // Listed by the profile that names the start URL: `hidden` before `old`.
        assert_eq!(
            listed[1..],
            [
                cache_key("https://hidden.awsapps.com/start"),
                cache_key("https://old.awsapps.com/start")
            ]
        );
        listed.sort();
        all.sort();
        assert_eq!(listed, all);
        assert_eq!(listed.len(), 3, "corp, old and hidden: {listed:?}");
    }

    #[test]
    fn errors_name_what_exists() {
        let e = select(&set(), Some("nope"), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no sso-session named `nope`; configured: corp"
        );
        assert_eq!(e.code(), "unknown_sso_session");
        let e = select(&set(), None, Some("static")).unwrap_err();
        assert_eq!(e.code(), "not_sso_profile");
        let mut two = set();
        two.sso_sessions
            .insert("b".into(), Profile::from_pairs("b", [("sso_region", "x")]));
        let e = select(&two, None, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "several sso-sessions are configured (b, corp); choose one with --sso-session"
        );
        assert_eq!(
            select(&ProfileSet::default(), None, None)
                .unwrap_err()
                .code(),
            "no_sso_session"
        );
    }
}
