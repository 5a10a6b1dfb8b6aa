//! What a profile resolves to: a [`Chain`] of one [`Base`] source followed by
//! the [`RoleStep`]s assumed with it, in order.
//!
//! The chain carries what renewal and status need and nothing more: names,
//! ARNs, URLs, and the keys written in the files (secrets held as
//! [`Secret`]). The questions the lease computation asks (is there an MFA
//! step, is the base SSO, does role chaining cap the first role at one hour,
//! which profiles does it touch) are answered here so no caller re-derives
//! AWS rules.

use std::fmt;

use time::OffsetDateTime;

use super::error::ChainIssue;
use crate::Secret;
use crate::secret::key_hint;

/// A profile's source chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The profile that was resolved.
    pub profile: String,
    /// Where the first credentials come from.
    pub base: Base,
    /// Roles in the order they are assumed: `roles[0]` with the base's
    /// credentials, the selected profile's own role (if any) last.
    pub roles: Vec<RoleStep>,
    /// Problems that do not stop the chain (an unreadable expiry).
    pub issues: Vec<ChainIssue>,
}

/// The source at the bottom of a chain: it needs no other credentials.
#[derive(Debug, Clone, PartialEq)]
pub enum Base {
    /// IAM Identity Center: a role fetched with an SSO access token.
    Sso(SsoSource),
    /// Keys written in the files: long-term, or temporary keys another tool wrote.
    Keys(KeysSource),
    /// `credential_process`.
    Process(ProcessSource),
    /// `web_identity_token_file` + `role_arn` (AssumeRoleWithWebIdentity).
    WebIdentity(WebIdentitySource),
    /// `credential_source`: credentials from the environment the SDK runs in.
    CredentialSource(NamedSource),
}

impl Base {
    /// The profile this source is written in.
    pub fn profile(&self) -> &str {
        match self {
            Base::Sso(s) => &s.profile,
            Base::Keys(k) => &k.profile,
            Base::Process(p) => &p.profile,
            Base::WebIdentity(w) => &w.profile,
            Base::CredentialSource(n) => &n.profile,
        }
    }
}

/// An SSO source, from an `[sso-session]` or from legacy `sso_*` settings on
/// the profile itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSource {
    pub profile: String,
    /// The `[sso-session]` name; `None` for a legacy profile.
    pub session: Option<String>,
    pub start_url: String,
    pub region: String,
    /// `None` for a profile that only names a session (an SSO token, no role).
    pub account_id: Option<String>,
    pub role_name: Option<String>,
}

impl SsoSource {
    /// A legacy profile: start URL and region on the profile, no refresh token.
    pub fn is_legacy(&self) -> bool {
        self.session.is_none()
    }

    /// Whether role credentials can be fetched (account and role are set).
    pub fn has_role(&self) -> bool {
        self.account_id.is_some() && self.role_name.is_some()
    }
}

/// Keys written in the credentials (or config) file.
#[derive(Clone, PartialEq)]
pub struct KeysSource {
    pub profile: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
    /// Present for temporary keys (`aws_session_token`, or its old alias
    /// `aws_security_token`).
    pub session_token: Option<Secret>,
    /// `aws_account_id`, when written.
    pub account_id: Option<String>,
    /// When temporary keys lapse, as another tool wrote it next to them.
    pub expires_at: Option<OffsetDateTime>,
    /// The key `expires_at` was read from.
    pub expiry_key: Option<&'static str>,
}

impl KeysSource {
    /// Temporary keys: they carry a session token, so they lapse.
    pub fn is_temporary(&self) -> bool {
        self.session_token.is_some()
    }
}

impl fmt::Debug for KeysSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeysSource")
            .field("profile", &self.profile)
            .field("access_key_id", &key_hint(&self.access_key_id))
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("account_id", &self.account_id)
            .field("expires_at", &self.expires_at)
            .field("expiry_key", &self.expiry_key)
            .finish()
    }
}

/// A `credential_process` command.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessSource {
    pub profile: String,
    /// The command as written (run through a shell by the SDKs).
    pub command: String,
    /// `aws_account_id`: used when the process output has none.
    pub account_id: Option<String>,
}

impl ProcessSource {
    /// The program alone, and whether arguments follow it. Arguments may
    /// hold secrets (a password, a token), so only the program is shown, as
    /// aws-sdk-rust does in its logs.
    pub fn program(&self) -> (&str, bool) {
        let command = self.command.trim();
        match command.split_once(char::is_whitespace) {
            Some((program, rest)) => (program, !rest.trim().is_empty()),
            None => (command, false),
        }
    }
}

impl fmt::Debug for ProcessSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (program, has_args) = self.program();
        let shown = if has_args {
            format!("{program} <arguments redacted>")
        } else {
            program.to_owned()
        };
        f.debug_struct("ProcessSource")
            .field("profile", &self.profile)
            .field("command", &shown)
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// AssumeRoleWithWebIdentity with a token read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentitySource {
    pub profile: String,
    pub role_arn: String,
    pub token_file: String,
    pub role_session_name: Option<String>,
}

/// `credential_source` on a role profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSource {
    pub profile: String,
    pub source: CredentialSource,
}

/// The credential sources the SDKs know for `credential_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialSource {
    /// `AWS_ACCESS_KEY_ID` and friends.
    Environment,
    /// The EC2 instance profile (IMDS).
    Ec2InstanceMetadata,
    /// The ECS / container credentials endpoint.
    EcsContainer,
}

impl CredentialSource {
    /// The name as written in the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialSource::Environment => "Environment",
            CredentialSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            CredentialSource::EcsContainer => "EcsContainer",
        }
    }

    /// Reads a `credential_source` value; the names are case-sensitive in
    /// every SDK.
    pub fn parse(value: &str) -> Option<Self> {
        [
            CredentialSource::Environment,
            CredentialSource::Ec2InstanceMetadata,
            CredentialSource::EcsContainer,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// One AssumeRole call, with what the role's own profile sets for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleStep {
    /// The profile that names the role.
    pub profile: String,
    pub role_arn: String,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    /// `duration_seconds`, checked to be within what STS accepts.
    pub duration_seconds: Option<u32>,
    /// `mfa_serial`: an MFA code is needed to assume this role.
    pub mfa_serial: Option<String>,
}

/// What kind of keys the first role is assumed with, which decides whether
/// STS's one-hour cap for role chaining applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKeys {
    /// Long-term IAM user keys: no chaining cap.
    LongTerm,
    /// Role session keys (SSO role credentials, web identity, an instance or
    /// container role): the role is chained, at most 3600 seconds.
    AssumedRole,
    /// Nothing tells (another tool's temporary keys, a process, the
    /// environment): ask, and fall back to one hour when STS refuses.
    Unknown,
}

impl Chain {
    /// Whether any role in the chain needs an MFA code.
    pub fn has_mfa(&self) -> bool {
        self.roles.iter().any(|r| r.mfa_serial.is_some())
    }

    /// The SSO source when the chain starts with one.
    pub fn sso(&self) -> Option<&SsoSource> {
        match &self.base {
            Base::Sso(s) => Some(s),
            _ => None,
        }
    }

    /// The keys the first role is assumed with; `None` when there is no role.
    pub fn first_role_source_keys(&self) -> Option<SourceKeys> {
        if self.roles.is_empty() {
            return None;
        }
        Some(match &self.base {
            Base::Sso(_) | Base::WebIdentity(_) => SourceKeys::AssumedRole,
            Base::Keys(k) if k.is_temporary() => SourceKeys::Unknown,
            Base::Keys(_) => SourceKeys::LongTerm,
            Base::Process(_) => SourceKeys::Unknown,
            Base::CredentialSource(n) => match n.source {
                CredentialSource::Environment => SourceKeys::Unknown,
                CredentialSource::Ec2InstanceMetadata | CredentialSource::EcsContainer => {
                    SourceKeys::AssumedRole
                }
            },
        })
    }

    /// Whether the first role is known to be chained (assumed with role
    /// session keys), so it cannot last more than one hour. Every later role
    /// is chained anyway.
    pub fn first_role_is_chained(&self) -> bool {
        self.first_role_source_keys() == Some(SourceKeys::AssumedRole)
    }

    /// The profiles the chain reads, from the resolved profile down to the
    /// base's, each once.
    pub fn profiles(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::with_capacity(self.roles.len() + 2);
        out.push(&self.profile);
        for role in self.roles.iter().rev() {
            out.push(&role.profile);
        }
        out.push(self.base.profile());
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(base: Base, roles: &[&str]) -> Chain {
        Chain {
            profile: roles.last().copied().unwrap_or(base.profile()).to_owned(),
            base,
            roles: roles
                .iter()
                .map(|p| RoleStep {
                    profile: (*p).to_owned(),
                    role_arn: format!("arn:aws:iam::1:role/{p}"),
                    external_id: None,
                    role_session_name: None,
                    duration_seconds: None,
                    mfa_serial: None,
                })
                .collect(),
            issues: Vec::new(),
        }
    }

    fn named(source: CredentialSource) -> Base {
        Base::CredentialSource(NamedSource {
            profile: "r".into(),
            source,
        })
    }

    fn keys(token: Option<&str>) -> Base {
        Base::Keys(KeysSource {
            profile: "k".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: Secret::new("s"),
            session_token: token.map(Secret::new),
            account_id: None,
            expires_at: None,
            expiry_key: None,
        })
    }

    #[test]
    fn instance_and_container_roles_chain_the_first_role() {
        let ec2 = chain(named(CredentialSource::Ec2InstanceMetadata), &["r"]);
        assert!(ec2.first_role_is_chained());
        let ecs = chain(named(CredentialSource::EcsContainer), &["r"]);
        assert!(ecs.first_role_is_chained());
        let env = chain(named(CredentialSource::Environment), &["r"]);
        assert_eq!(env.first_role_source_keys(), Some(SourceKeys::Unknown));
        assert!(!env.first_role_is_chained());
    }

    #[test]
    fn long_term_keys_do_not_chain_but_temporary_keys_may() {
        assert_eq!(
            chain(keys(None), &["r"]).first_role_source_keys(),
            Some(SourceKeys::LongTerm)
        );
        assert_eq!(
            chain(keys(Some("t")), &["r"]).first_role_source_keys(),
            Some(SourceKeys::Unknown)
        );
        assert_eq!(chain(keys(None), &[]).first_role_source_keys(), None);
    }

    #[test]
    fn profiles_lists_each_profile_once_from_the_top() {
        let c = chain(named(CredentialSource::Environment), &["r"]);
        assert_eq!(c.profiles(), ["r"], "a role over its own credential_source");
        let c = chain(keys(None), &["a", "b"]);
        assert_eq!(c.profiles(), ["b", "a", "k"]);
    }

    #[test]
    fn process_program_is_split_from_its_arguments() {
        let p = |command: &str| ProcessSource {
            profile: "p".into(),
            command: command.into(),
            account_id: None,
        };
        assert_eq!(p("/bin/creds").program(), ("/bin/creds", false));
        assert_eq!(p("  /bin/creds  ").program(), ("/bin/creds", false));
        assert_eq!(p("creds --token abc").program(), ("creds", true));
        let shown = format!("{:?}", p("creds --token abc"));
        assert!(!shown.contains("abc"), "{shown}");
        assert!(shown.contains("creds <arguments redacted>"), "{shown}");
    }

    #[test]
    fn credential_source_names_round_trip() {
        for s in [
            CredentialSource::Environment,
            CredentialSource::Ec2InstanceMetadata,
            CredentialSource::EcsContainer,
        ] {
            assert_eq!(CredentialSource::parse(s.as_str()), Some(s));
        }
        assert_eq!(CredentialSource::parse("Ec2InstanceMetaData"), None);
    }
}
