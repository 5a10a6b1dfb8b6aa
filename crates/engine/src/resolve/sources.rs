//! Reading one profile as a link of a chain: a role to assume
//! ([`role_step`], [`next_profile`]) or a base source ([`base`]).
//!
//! A base is looked for in aws-sdk-rust's order: `credential_source`, web
//! identity, SSO, `login_session`, `credential_process`, then keys. botocore
//! orders a profile's own sources differently (its credential chain tries
//! keys in the credentials file before `credential_process`), so a profile
//! with both keys and a process runs the process under aws-sdk-rust and uses
//! the keys under the AWS CLI. Such a profile is ambiguous to begin with;
//! the chain here follows aws-sdk-rust.
//!
//! A key written with an empty value (`role_arn =`) counts as unset here;
//! aws-sdk-rust would treat it as set and fail later on the empty value.

use super::chain::{
    Base, CredentialSource, NamedSource, ProcessSource, RoleStep, WebIdentitySource,
};
use super::error::{ChainIssue, ResolveError};
use super::{keys, sso};
use crate::profiles::{Profile, ProfileSet};

const ROLE_ARN: &str = "role_arn";
const EXTERNAL_ID: &str = "external_id";
const ROLE_SESSION_NAME: &str = "role_session_name";
const DURATION_SECONDS: &str = "duration_seconds";
const MFA_SERIAL: &str = "mfa_serial";
const SOURCE_PROFILE: &str = "source_profile";
const CREDENTIAL_SOURCE: &str = "credential_source";
const WEB_IDENTITY_TOKEN_FILE: &str = "web_identity_token_file";
const CREDENTIAL_PROCESS: &str = "credential_process";
const LOGIN_SESSION: &str = "login_session";

/// The shortest and longest session STS's AssumeRole accepts, in seconds.
pub const MIN_DURATION_SECONDS: u32 = 900;
pub const MAX_DURATION_SECONDS: u32 = 43_200;

/// Where a role profile takes the credentials to assume its role with.
pub(crate) enum NextProfile<'a> {
    /// From this same profile's base source (`credential_source`, or
    /// `source_profile` naming itself).
    SelfReference,
    /// From another profile.
    Named(&'a str),
}

/// The role this profile assumes, `None` when it has no `role_arn` or when
/// the `role_arn` belongs to web identity (a base, not a chained role).
pub(crate) fn role_step(profile: &Profile) -> Result<Option<RoleStep>, ResolveError> {
    if profile.get_nonempty(WEB_IDENTITY_TOKEN_FILE).is_some() {
        return Ok(None);
    }
    let Some(role_arn) = profile.get_nonempty(ROLE_ARN) else {
        return Ok(None);
    };
    let owned = |key| profile.get_nonempty(key).map(str::to_owned);
    Ok(Some(RoleStep {
        profile: profile.name.clone(),
        role_arn: role_arn.to_owned(),
        external_id: owned(EXTERNAL_ID),
        role_session_name: owned(ROLE_SESSION_NAME),
        duration_seconds: duration(profile)?,
        mfa_serial: owned(MFA_SERIAL),
    }))
}

fn duration(profile: &Profile) -> Result<Option<u32>, ResolveError> {
    let Some(value) = profile.get_nonempty(DURATION_SECONDS) else {
        return Ok(None);
    };
    match value.parse::<u32>() {
        Ok(n) if (MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(&n) => Ok(Some(n)),
        _ => Err(ResolveError::InvalidDuration {
            profile: profile.name.clone(),
            value: value.to_owned(),
            origin: profile.origin_of(DURATION_SECONDS),
        }),
    }
}

/// Where a role profile's source credentials come from.
pub(crate) fn next_profile(profile: &Profile) -> Result<NextProfile<'_>, ResolveError> {
    match (
        profile.get_nonempty(SOURCE_PROFILE),
        profile.get_nonempty(CREDENTIAL_SOURCE),
    ) {
        (Some(_), Some(_)) => Err(ResolveError::ConflictingSources {
            profile: profile.name.clone(),
            origin: profile.origin_of(CREDENTIAL_SOURCE),
        }),
        (None, None) => Err(ResolveError::MissingRoleSource {
            profile: profile.name.clone(),
            origin: profile.origin_of(ROLE_ARN),
        }),
        (Some(source), None) if source == profile.name => Ok(NextProfile::SelfReference),
        (Some(source), None) => Ok(NextProfile::Named(source)),
        (None, Some(_)) => Ok(NextProfile::SelfReference),
    }
}

/// Where `source_profile` is written in `profile`.
pub(crate) fn source_profile_origin(profile: &Profile) -> Option<crate::profiles::Origin> {
    profile.origin_of(SOURCE_PROFILE)
}

/// The profile's base source. `issues` receives what is wrong without
/// stopping the chain.
pub(crate) fn base(
    set: &ProfileSet,
    profile: &Profile,
    issues: &mut Vec<ChainIssue>,
) -> Result<Base, ResolveError> {
    let name = || profile.name.clone();
    if let Some(value) = profile.get_nonempty(CREDENTIAL_SOURCE) {
        let source = CredentialSource::parse(value).ok_or_else(|| {
            ResolveError::InvalidCredentialSource {
                profile: name(),
                value: value.to_owned(),
                origin: profile.origin_of(CREDENTIAL_SOURCE),
            }
        })?;
        return Ok(Base::CredentialSource(NamedSource {
            profile: name(),
            source,
        }));
    }
    match (
        profile.get_nonempty(ROLE_ARN),
        profile.get_nonempty(WEB_IDENTITY_TOKEN_FILE),
    ) {
        (Some(role_arn), Some(token_file)) => {
            return Ok(Base::WebIdentity(WebIdentitySource {
                profile: name(),
                role_arn: role_arn.to_owned(),
                token_file: token_file.to_owned(),
                role_session_name: profile.get_nonempty(ROLE_SESSION_NAME).map(str::to_owned),
            }));
        }
        (None, Some(_)) => {
            return Err(ResolveError::IncompleteWebIdentity {
                profile: name(),
                origin: profile.origin_of(WEB_IDENTITY_TOKEN_FILE),
            });
        }
        _ => {}
    }
    if let Some(sso) = sso::from_profile(set, profile)? {
        return Ok(Base::Sso(sso));
    }
    if profile.get_nonempty(LOGIN_SESSION).is_some() {
        return Err(ResolveError::UnsupportedLoginSession {
            profile: name(),
            origin: profile.origin_of(LOGIN_SESSION),
        });
    }
    if let Some(command) = profile.get_nonempty(CREDENTIAL_PROCESS) {
        return Ok(Base::Process(ProcessSource {
            profile: name(),
            command: command.to_owned(),
            account_id: profile.get_nonempty(keys::ACCOUNT_ID).map(str::to_owned),
        }));
    }
    let (keys, found) = keys::read(profile)?;
    issues.extend(found);
    Ok(Base::Keys(keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(pairs: &[(&str, &str)]) -> Profile {
        Profile::from_pairs("p", pairs.iter().copied())
    }

    fn base_of(pairs: &[(&str, &str)]) -> Result<Base, ResolveError> {
        base(&ProfileSet::default(), &profile(pairs), &mut Vec::new())
    }

    #[test]
    fn duration_is_parsed_and_bounded() {
        let step = |d: &str| {
            role_step(&profile(&[
                ("role_arn", "arn:aws:iam::1:role/R"),
                ("duration_seconds", d),
            ]))
        };
        assert_eq!(
            step("3600").expect("ok").and_then(|r| r.duration_seconds),
            Some(3600)
        );
        for bad in ["1h", "-5", "899", "43201", "3600.0"] {
            let e = step(bad).expect_err(bad);
            assert_eq!(e.code(), "invalid_duration");
            assert!(
                e.to_string().contains(&format!("`{bad}` in profile `p`")),
                "{e}"
            );
        }
    }

    #[test]
    fn role_step_carries_the_role_profile_settings() {
        let r = role_step(&profile(&[
            ("role_arn", "arn:aws:iam::1:role/R"),
            ("external_id", "ext"),
            ("role_session_name", "me"),
            ("mfa_serial", "arn:aws:iam::1:mfa/me"),
        ]))
        .expect("ok")
        .expect("role");
        assert_eq!(r.external_id.as_deref(), Some("ext"));
        assert_eq!(r.role_session_name.as_deref(), Some("me"));
        assert_eq!(r.mfa_serial.as_deref(), Some("arn:aws:iam::1:mfa/me"));
    }

    #[test]
    fn web_identity_role_arn_is_not_a_chained_role() {
        let p = [
            ("role_arn", "arn:aws:iam::1:role/R"),
            ("web_identity_token_file", "/t"),
        ];
        assert_eq!(role_step(&profile(&p)).expect("ok"), None);
        assert!(matches!(base_of(&p), Ok(Base::WebIdentity(_))));
    }

    #[test]
    fn credential_source_names_are_checked() {
        for name in ["Environment", "Ec2InstanceMetadata", "EcsContainer"] {
            let b = base_of(&[("credential_source", name)]).expect(name);
            assert!(
                matches!(b, Base::CredentialSource(ref n) if n.source.as_str() == name),
                "{b:?}"
            );
        }
        let e = base_of(&[("credential_source", "environment")]).expect_err("case");
        assert_eq!(e.code(), "invalid_credential_source");
    }

    #[test]
    fn process_comes_before_keys_as_in_aws_sdk_rust() {
        let b = base_of(&[
            ("credential_process", "/bin/creds --user me"),
            ("aws_access_key_id", "AKIA"),
            ("aws_secret_access_key", "s"),
        ])
        .expect("ok");
        assert!(matches!(b, Base::Process(ref p) if p.command == "/bin/creds --user me"));
    }

    #[test]
    fn login_session_is_reported_as_unsupported() {
        let e = base_of(&[("login_session", "arn:aws:iam::1:user/me")]).expect_err("login");
        assert_eq!(e.code(), "unsupported_login_session");
    }

    #[test]
    fn role_needs_exactly_one_source() {
        let both = profile(&[
            ("role_arn", "arn"),
            ("source_profile", "x"),
            ("credential_source", "Environment"),
        ]);
        assert_eq!(
            next_profile(&both).err().map(|e| e.code()),
            Some("conflicting_sources")
        );
        let neither = profile(&[("role_arn", "arn")]);
        assert_eq!(
            next_profile(&neither).err().map(|e| e.code()),
            Some("missing_role_source")
        );
    }
}
