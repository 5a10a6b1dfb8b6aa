//! Why a profile cannot be resolved ([`ResolveError`]) and what is wrong with
//! it without stopping it ([`ChainIssue`]).
//!
//! Every error belongs to one profile: it names the profile where the fix
//! goes, the key when one is at fault, and the file and line when known. Where
//! aws-sdk-rust's profile provider words a failure in a particular way, the
//! message contains that wording, so a person who searches for it finds the
//! SDK's explanation too.

use crate::profiles::Origin;

/// Where `origin` points, as ` (config line 12)`, or nothing when unknown.
pub(crate) fn at(origin: &Option<Origin>) -> String {
    match origin {
        Some(o) => format!(" ({} line {})", o.file.as_str(), o.line),
        None => String::new(),
    }
}

/// A profile whose source chain cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The profile asked for is not defined in any file.
    #[error("profile `{profile}` is not defined")]
    MissingProfile { profile: String },

    /// `source_profile` names a profile that is not defined.
    #[error(
        "could not find source profile {source_profile} referenced from {profile}{}",
        at(.origin)
    )]
    MissingSourceProfile {
        profile: String,
        source_profile: String,
        origin: Option<Origin>,
    },

    /// Following `source_profile` comes back to a profile already on the path.
    #[error(
        "source profile formed an infinite loop: {}{}",
        .path.join(" → "),
        at(.origin)
    )]
    Cycle {
        /// The profile being resolved.
        profile: String,
        /// The profiles visited, ending with the one seen twice.
        path: Vec<String>,
        /// The `source_profile` line that closes the loop.
        origin: Option<Origin>,
    },

    /// A role profile with both `source_profile` and `credential_source`.
    #[error(
        "invalid credential source in profile `{profile}`{}: profile contained both \
         source_profile and credential_source, only one may be set",
        at(.origin)
    )]
    ConflictingSources {
        profile: String,
        origin: Option<Origin>,
    },

    /// A `role_arn` with neither `source_profile` nor `credential_source`.
    #[error(
        "invalid credential source in profile `{profile}`{}: profile must contain \
         `source_profile` or `credential_source` to assume its `role_arn`",
        at(.origin)
    )]
    MissingRoleSource {
        profile: String,
        origin: Option<Origin>,
    },

    /// `credential_source` is not one the SDKs know.
    #[error(
        "invalid credential_source `{value}` in profile `{profile}`{}: expected \
         Environment, Ec2InstanceMetadata or EcsContainer",
        at(.origin)
    )]
    InvalidCredentialSource {
        profile: String,
        value: String,
        origin: Option<Origin>,
    },

    /// Nothing in the profile yields credentials.
    #[error("profile `{profile}` did not contain credential information{}", at(.origin))]
    NoCredentials {
        profile: String,
        origin: Option<Origin>,
    },

    /// One of the two static key settings without the other.
    #[error(
        "incomplete keys in profile `{profile}`{}: profile missing {missing}",
        at(.origin)
    )]
    IncompleteKeys {
        profile: String,
        /// The key that is missing.
        missing: &'static str,
        origin: Option<Origin>,
    },

    /// `web_identity_token_file` without a `role_arn` to assume with it.
    #[error(
        "invalid web identity in profile `{profile}`{}: `web_identity_token_file` was \
         specified but `role_arn` was missing",
        at(.origin)
    )]
    IncompleteWebIdentity {
        profile: String,
        origin: Option<Origin>,
    },

    /// `duration_seconds` is not a whole number of seconds STS accepts.
    #[error(
        "invalid duration_seconds `{value}` in profile `{profile}`{}: expected whole \
         seconds from 900 to 43200",
        at(.origin)
    )]
    InvalidDuration {
        profile: String,
        value: String,
        origin: Option<Origin>,
    },

    /// One of `sso_account_id` / `sso_role_name` without the other.
    #[error(
        "invalid sso configuration in profile `{profile}`{}: if `{set}` is set, then \
         `{missing}` must also be set",
        at(.origin)
    )]
    IncompleteSsoRole {
        profile: String,
        set: &'static str,
        missing: &'static str,
        origin: Option<Origin>,
    },

    /// `sso_start_url` or `sso_region` is missing, from the profile (legacy)
    /// or from the sso-session it names.
    #[error("{}", missing_sso_field(.profile, .sso_session.as_deref(), .missing, .origin))]
    IncompleteSso {
        profile: String,
        /// The sso-session that should hold the value; `None` for a legacy profile.
        sso_session: Option<String>,
        missing: &'static str,
        origin: Option<Origin>,
    },

    /// `sso_session` names an `[sso-session]` that is not defined.
    #[error(
        "sso-session named `{sso_session}` (referenced by profile `{profile}`) was not found{}",
        at(.origin)
    )]
    MissingSsoSession {
        profile: String,
        sso_session: String,
        origin: Option<Origin>,
    },

    /// A profile with `sso_session` also sets `sso_start_url` or `sso_region`.
    #[error(
        "invalid sso configuration in profile `{profile}`{}: `{key}` can only be specified \
         in the [sso-session] config when a session name is given{}",
        at(.origin),
        session_says(.sso_session, .profile_value, .session_value.as_deref())
    )]
    SsoSessionConflict {
        profile: String,
        sso_session: String,
        key: &'static str,
        profile_value: String,
        session_value: Option<String>,
        origin: Option<Origin>,
    },

    /// `login_session` (an AWS console sign-in) is the profile's source.
    #[error(
        "profile `{profile}`{} signs in with login_session, which leasekeeper does not read",
        at(.origin)
    )]
    UnsupportedLoginSession {
        profile: String,
        origin: Option<Origin>,
    },
}

fn missing_sso_field(
    profile: &str,
    sso_session: Option<&str>,
    missing: &str,
    origin: &Option<Origin>,
) -> String {
    match sso_session {
        Some(session) => format!(
            "invalid sso configuration in profile `{profile}`: sso-session `{session}`{} \
             has no `{missing}`",
            at(origin)
        ),
        None => format!(
            "invalid sso configuration in profile `{profile}`{}: `{missing}` is missing",
            at(origin)
        ),
    }
}

fn session_says(session: &str, profile_value: &str, session_value: Option<&str>) -> String {
    match session_value {
        Some(v) if v != profile_value => {
            format!(" (the profile says `{profile_value}`, sso-session `{session}` says `{v}`)")
        }
        _ => String::new(),
    }
}

impl ResolveError {
    /// A stable identifier for scripts and the UI to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ResolveError::MissingProfile { .. } => "missing_profile",
            ResolveError::MissingSourceProfile { .. } => "missing_source_profile",
            ResolveError::Cycle { .. } => "cycle",
            ResolveError::ConflictingSources { .. } => "conflicting_sources",
            ResolveError::MissingRoleSource { .. } => "missing_role_source",
            ResolveError::InvalidCredentialSource { .. } => "invalid_credential_source",
            ResolveError::NoCredentials { .. } => "no_credentials",
            ResolveError::IncompleteKeys { .. } => "incomplete_keys",
            ResolveError::IncompleteWebIdentity { .. } => "incomplete_web_identity",
            ResolveError::InvalidDuration { .. } => "invalid_duration",
            ResolveError::IncompleteSsoRole { .. } | ResolveError::IncompleteSso { .. } => {
                "incomplete_sso"
            }
            ResolveError::MissingSsoSession { .. } => "missing_sso_session",
            ResolveError::SsoSessionConflict { .. } => "sso_session_conflict",
            ResolveError::UnsupportedLoginSession { .. } => "unsupported_login_session",
        }
    }

    /// The profile where the problem is written (for a cycle, the profile
    /// being resolved).
    pub fn profile(&self) -> &str {
        match self {
            ResolveError::MissingProfile { profile }
            | ResolveError::MissingSourceProfile { profile, .. }
            | ResolveError::Cycle { profile, .. }
            | ResolveError::ConflictingSources { profile, .. }
            | ResolveError::MissingRoleSource { profile, .. }
            | ResolveError::InvalidCredentialSource { profile, .. }
            | ResolveError::NoCredentials { profile, .. }
            | ResolveError::IncompleteKeys { profile, .. }
            | ResolveError::IncompleteWebIdentity { profile, .. }
            | ResolveError::InvalidDuration { profile, .. }
            | ResolveError::IncompleteSsoRole { profile, .. }
            | ResolveError::IncompleteSso { profile, .. }
            | ResolveError::MissingSsoSession { profile, .. }
            | ResolveError::SsoSessionConflict { profile, .. }
            | ResolveError::UnsupportedLoginSession { profile, .. } => profile,
        }
    }

    /// The file and line to look at, when known.
    pub fn origin(&self) -> Option<Origin> {
        match self {
            ResolveError::MissingProfile { .. } => None,
            ResolveError::MissingSourceProfile { origin, .. }
            | ResolveError::Cycle { origin, .. }
            | ResolveError::ConflictingSources { origin, .. }
            | ResolveError::MissingRoleSource { origin, .. }
            | ResolveError::InvalidCredentialSource { origin, .. }
            | ResolveError::NoCredentials { origin, .. }
            | ResolveError::IncompleteKeys { origin, .. }
            | ResolveError::IncompleteWebIdentity { origin, .. }
            | ResolveError::InvalidDuration { origin, .. }
            | ResolveError::IncompleteSsoRole { origin, .. }
            | ResolveError::IncompleteSso { origin, .. }
            | ResolveError::MissingSsoSession { origin, .. }
            | ResolveError::SsoSessionConflict { origin, .. }
            | ResolveError::UnsupportedLoginSession { origin, .. } => *origin,
        }
    }
}

/// Something wrong in a profile that does not stop its chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainIssue {
    /// An expiry another tool wrote next to its keys that no known spelling
    /// matches: the keys are used, their end is unknown.
    #[error(
        "cannot read {key} `{value}` in profile `{profile}`{}: expected a time such as \
         2026-01-31T12:00:00Z",
        at(.origin)
    )]
    UnparseableExpiry {
        profile: String,
        key: &'static str,
        value: String,
        origin: Option<Origin>,
    },
}

impl ChainIssue {
    /// A stable identifier for scripts and the UI to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ChainIssue::UnparseableExpiry { .. } => "unparseable_expiry",
        }
    }

    /// The profile the issue is written in.
    pub fn profile(&self) -> &str {
        match self {
            ChainIssue::UnparseableExpiry { profile, .. } => profile,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::FileKind;

    #[test]
    fn messages_name_the_profile_key_and_line() {
        let e = ResolveError::InvalidDuration {
            profile: "dev".into(),
            value: "1h".into(),
            origin: Some(Origin {
                file: FileKind::Config,
                line: 12,
            }),
        };
        assert_eq!(
            e.to_string(),
            "invalid duration_seconds `1h` in profile `dev` (config line 12): expected whole \
             seconds from 900 to 43200"
        );
        assert_eq!(e.code(), "invalid_duration");
        assert_eq!(e.profile(), "dev");
    }

    #[test]
    fn cycle_shows_the_path() {
        let e = ResolveError::Cycle {
            profile: "a".into(),
            path: vec!["a".into(), "b".into(), "a".into()],
            origin: None,
        };
        assert_eq!(
            e.to_string(),
            "source profile formed an infinite loop: a → b → a"
        );
    }

    #[test]
    fn sso_conflict_shows_both_values_only_when_they_differ() {
        let conflict = |session_value: Option<&str>| ResolveError::SsoSessionConflict {
            profile: "dev".into(),
            sso_session: "corp".into(),
            key: "sso_region",
            profile_value: "eu-west-1".into(),
            session_value: session_value.map(String::from),
            origin: None,
        };
        assert!(
            conflict(Some("us-east-1"))
                .to_string()
                .ends_with("(the profile says `eu-west-1`, sso-session `corp` says `us-east-1`)")
        );
        assert!(
            conflict(Some("eu-west-1"))
                .to_string()
                .ends_with("is given")
        );
        assert!(conflict(None).to_string().ends_with("is given"));
    }

    #[test]
    fn messages_are_lowercase_without_trailing_period() {
        let errors = [
            ResolveError::MissingProfile {
                profile: "x".into(),
            },
            ResolveError::NoCredentials {
                profile: "x".into(),
                origin: None,
            },
            ResolveError::IncompleteSso {
                profile: "x".into(),
                sso_session: Some("s".into()),
                missing: "sso_region",
                origin: None,
            },
        ];
        for e in errors {
            let m = e.to_string();
            assert!(m.starts_with(|c: char| c.is_lowercase()), "{m}");
            assert!(!m.ends_with('.'), "{m}");
        }
    }
}
