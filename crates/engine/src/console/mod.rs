//! Console sign-in, purely: which keys can open the AWS console and how
//! (the IAM User Guide, "Enable custom identity broker access to the AWS
//! console"), the sign-in and console hosts of each partition, the
//! destinations accepted, and the two federation URLs. The URLs carry
//! bearer secrets, so they are built as [`Secret`]s and never shown.
//!
//! - Role keys (SSO role credentials, AssumeRole, web identity) go to the
//!   federation endpoint as they are; `SessionDuration` asks for a 12-hour
//!   console session, except for a chained role (assumed with role keys),
//!   whose console session AWS keeps to an hour and which takes none.
//! - Long-term IAM user keys first get a federation token
//!   (GetFederationToken, a name of at most 32 characters, an allow-all
//!   session policy so the console has the user's own permissions): the
//!   console session then carries no MFA context.
//! - Keys from an MFA session (GetSessionToken) can do neither: refused.

mod destination;
mod urls;

pub use destination::DestinationError;
pub use destination::{Partition, console_host, destination, signin_base};
pub use urls::{AnswerError, lapsed, login_url, parse_signin_token, signin_token_url, url_encode};

use crate::resolve::{Base, Chain, SourceKeys};

/// The console session asked for with role keys: AWS's longest, 12 hours.
pub const ROLE_SESSION_SECS: u32 = 43_200;
/// The federation token asked for with long-term keys: 12 hours, as long as
/// a role's console session.
pub const FEDERATION_SECS: u32 = 43_200;
/// A chained role's console session lasts at most this long.
pub const CHAINED_SESSION_SECS: u32 = 3_600;
/// The session policy of a federation token: everything the user may do
/// (without a policy the console session has no permissions at all).
pub const ALLOW_ALL_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
/// The `Issuer` named in the login URL.
pub const ISSUER: &str = "leasekeeper";
/// GetFederationToken's `Name` is at most this many characters.
const NAME_MAX: usize = 32;

/// What a profile's chain says about the keys it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainKeys {
    /// Role session keys; `chained` when the role was assumed with role
    /// keys (or keys nothing tells about), so its console session lasts at
    /// most an hour.
    Role { chained: bool },
    /// Long-term IAM user keys.
    LongTerm,
    /// Temporary keys of unknown origin (another tool's, a process, the
    /// environment): the caller's ARN tells.
    Unknown,
}

/// The keys a chain ends in.
pub fn chain_keys(chain: &Chain) -> ChainKeys {
    if !chain.roles.is_empty() {
        let chained =
            chain.roles.len() > 1 || chain.first_role_source_keys() != Some(SourceKeys::LongTerm);
        return ChainKeys::Role { chained };
    }
    match &chain.base {
        Base::Sso(_) | Base::WebIdentity(_) => ChainKeys::Role { chained: false },
        Base::Keys(k) if !k.is_temporary() => ChainKeys::LongTerm,
        Base::Keys(_) | Base::Process(_) | Base::CredentialSource(_) => ChainKeys::Unknown,
    }
}

/// Who a set of keys belongs to, from GetCallerIdentity's ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerKind {
    /// `arn:…:sts::ACCOUNT:assumed-role/…`
    AssumedRole,
    /// `arn:…:sts::ACCOUNT:federated-user/…`
    FederatedUser,
    /// `arn:…:iam::ACCOUNT:user/…` or `:root`
    User,
    /// Anything else.
    Other,
}

impl CallerKind {
    /// Reads an ARN; anything unexpected is [`CallerKind::Other`].
    pub fn of(arn: &str) -> CallerKind {
        let mut parts = arn.splitn(6, ':');
        let (service, resource) = (parts.nth(2), parts.nth(2));
        match (service, resource) {
            (Some("sts"), Some(r)) if r.starts_with("assumed-role/") => CallerKind::AssumedRole,
            (Some("sts"), Some(r)) if r.starts_with("federated-user/") => CallerKind::FederatedUser,
            (Some("iam"), Some(r)) if r.starts_with("user/") || r == "root" => CallerKind::User,
            _ => CallerKind::Other,
        }
    }
}

/// How the console is reached with a profile's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// The keys go to the federation endpoint as they are, with this
    /// `SessionDuration` (none for a chained role or a federated user).
    Direct { session_duration: Option<u32> },
    /// A federation token is made with the keys first.
    Federate,
}

/// Something the person should know about the console session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// A chained role: the console session lasts at most an hour.
    ChainedHour,
    /// Role keys from outside Leasekeeper (written by another tool, from a
    /// `credential_process` or an instance role): whether they were chained
    /// cannot be told, so the console session is asked for no longer than
    /// an hour.
    MaybeChainedHour,
    /// The destination is a URL, which names the console's region itself:
    /// `--region` chose only the sign-in endpoint.
    RegionFromUrl,
    /// A federation token was made from long-term keys: the console session
    /// has the user's permissions but no MFA context.
    NoMfaContext,
}

impl Note {
    /// One sentence for a person.
    pub fn message(self) -> &'static str {
        match self {
            Note::ChainedHour => {
                "this role is assumed with another role's keys (role chaining): \
                 AWS keeps its console session to one hour at most"
            }
            Note::MaybeChainedHour => {
                "these role keys come from outside Leasekeeper (another tool, a \
                 credential_process, an instance role), so whether they were assumed with \
                 another role's keys cannot be told: the console session is kept to one hour at \
                 most"
            }
            Note::RegionFromUrl => {
                "the destination URL names the console's region itself: the region asked for \
                 only chose the sign-in endpoint"
            }
            Note::NoMfaContext => {
                "long-term keys open the console through a federation token: \
                 the session has the user's permissions but no MFA context"
            }
        }
    }
}

/// Why the keys cannot open the console.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// GetSessionToken's keys call neither GetFederationToken nor the
    /// federation endpoint; `roles` are profiles whose role could be used.
    #[error(
        "keys from an MFA session (GetSessionToken) cannot open the console: AWS takes only role \
         keys or a federation token, and an MFA session can make neither; {}",
        role_advice(roles)
    )]
    MfaSession { roles: Vec<String> },
    /// Keys of an unexpected principal.
    #[error("keys of {arn} cannot open the console: AWS takes only role keys or IAM user keys")]
    Unsupported { arn: String },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::MfaSession { .. } => "mfa_session_keys",
            Refusal::Unsupported { .. } => "unsupported_keys",
        }
    }
}

fn role_advice(roles: &[String]) -> String {
    match roles {
        [] => "use a profile with a role_arn over the user's long-term keys instead".to_owned(),
        [one] => format!("use the role profile `{one}` instead"),
        many => format!(
            "use a role profile instead, such as {}",
            many.iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The plan for keys a chain ends in; `caller` is the keys' ARN, needed
/// only for [`ChainKeys::Unknown`] keys that carry a session token.
/// `roles` names profiles to suggest when the keys are refused.
pub fn plan(
    keys: ChainKeys,
    has_session_token: bool,
    caller: Option<&str>,
    roles: &[String],
) -> Result<(Plan, Vec<Note>), Refusal> {
    let role = |chained: bool| {
        if chained {
            (
                Plan::Direct {
                    session_duration: None,
                },
                vec![Note::ChainedHour],
            )
        } else {
            (
                Plan::Direct {
                    session_duration: Some(ROLE_SESSION_SECS),
                },
                Vec::new(),
            )
        }
    };
    let federate = || (Plan::Federate, vec![Note::NoMfaContext]);
    match keys {
        ChainKeys::Role { chained } => Ok(role(chained)),
        ChainKeys::LongTerm => Ok(federate()),
        ChainKeys::Unknown if !has_session_token => Ok(federate()),
        ChainKeys::Unknown => match caller.map(CallerKind::of) {
            // Whether such a role was chained cannot be told: ask for no
            // longer than AWS then allows.
            Some(CallerKind::AssumedRole) => Ok((
                Plan::Direct {
                    session_duration: None,
                },
                vec![Note::MaybeChainedHour],
            )),
            Some(CallerKind::FederatedUser) => Ok((
                Plan::Direct {
                    session_duration: None,
                },
                Vec::new(),
            )),
            Some(CallerKind::User) => Err(Refusal::MfaSession {
                roles: roles.to_vec(),
            }),
            _ => Err(Refusal::Unsupported {
                arn: caller.unwrap_or("unknown keys").to_owned(),
            }),
        },
    }
}

/// GetFederationToken's `Name` for a profile: `lk-` and the profile, each
/// character outside `[\w+=,.@-]` replaced by `-`, at most 32 characters.
pub fn federation_name(profile: &str) -> String {
    let cleaned: String = std::iter::once("lk-".to_owned())
        .chain(profile.chars().map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c.to_string()
            } else {
                "-".to_owned()
            }
        }))
        .collect();
    cleaned.chars().take(NAME_MAX).collect()
}

#[cfg(test)]
mod tests;
