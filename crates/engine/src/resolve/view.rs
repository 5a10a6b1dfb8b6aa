//! How a chain is shown: its [`Kind`], a one-line [`Chain::describe`], and
//! [`Chain::steps`] as serialisable [`StepView`]s for `leasekeeper status`
//! and the window.
//!
//! Nothing here carries a secret: keys appear only as their last four
//! characters ([`key_hint`]) and a `credential_process` only as its program,
//! since its arguments may hold a password or a token.

use serde::Serialize;
use time::OffsetDateTime;

use super::chain::{Base, Chain, RoleStep, SsoSource};
use crate::secret::key_hint;

/// Longest program name [`Chain::describe`] shows for a `credential_process`.
const PROGRAM_SHOWN_CHARS: usize = 32;

/// What a chain amounts to, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// IAM Identity Center role credentials (or an SSO token only).
    Sso,
    /// One or more AssumeRole calls over some base.
    Role,
    /// Long-term keys.
    Static,
    /// Temporary keys another tool wrote into the files.
    Temporary,
    /// `credential_process`.
    Process,
    /// AssumeRoleWithWebIdentity.
    WebIdentity,
    /// `credential_source` without a role.
    CredentialSource,
}

impl Kind {
    /// The snake_case name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Sso => "sso",
            Kind::Role => "role",
            Kind::Static => "static",
            Kind::Temporary => "temporary",
            Kind::Process => "process",
            Kind::WebIdentity => "web_identity",
            Kind::CredentialSource => "credential_source",
        }
    }

    /// The kind [`Kind::as_str`] names.
    pub fn from_name(name: &str) -> Option<Kind> {
        [
            Kind::Sso,
            Kind::Role,
            Kind::Static,
            Kind::Temporary,
            Kind::Process,
            Kind::WebIdentity,
            Kind::CredentialSource,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// One step of a chain, without secrets. Serialised with a `type` tag
/// (`sso`, `static_keys`, `temporary_keys`, `process`, `web_identity`,
/// `credential_source`, `role`); absent values are `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepView {
    /// `profile`, `sso_session` (null when legacy), `start_url`, `region`,
    /// `account_id`, `role_name` (null for a token-only profile), `legacy`.
    Sso {
        profile: String,
        sso_session: Option<String>,
        start_url: String,
        region: String,
        account_id: Option<String>,
        role_name: Option<String>,
        legacy: bool,
    },
    /// `profile`, `key_hint` (`…WXYZ`), `account_id`.
    StaticKeys {
        profile: String,
        key_hint: String,
        account_id: Option<String>,
    },
    /// `profile`, `key_hint`, `account_id`, `expires_at` (RFC 3339, null when
    /// no readable expiry is written), `expiry_key` (where it was read).
    TemporaryKeys {
        profile: String,
        key_hint: String,
        account_id: Option<String>,
        #[serde(with = "time::serde::rfc3339::option")]
        expires_at: Option<OffsetDateTime>,
        expiry_key: Option<String>,
    },
    /// `profile`, `program` (the command's first word), `has_arguments`.
    Process {
        profile: String,
        program: String,
        has_arguments: bool,
    },
    /// `profile`, `role_arn`, `token_file`, `role_session_name`.
    WebIdentity {
        profile: String,
        role_arn: String,
        token_file: String,
        role_session_name: Option<String>,
    },
    /// `profile`, `source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`).
    CredentialSource { profile: String, source: String },
    /// `profile`, `role_arn`, `external_id`, `role_session_name`,
    /// `duration_seconds`, `mfa_serial`.
    Role {
        profile: String,
        role_arn: String,
        external_id: Option<String>,
        role_session_name: Option<String>,
        duration_seconds: Option<u32>,
        mfa_serial: Option<String>,
    },
}

impl Chain {
    /// What the chain amounts to: `role` as soon as a role is assumed,
    /// otherwise the base's kind.
    pub fn kind(&self) -> Kind {
        if !self.roles.is_empty() {
            return Kind::Role;
        }
        match &self.base {
            Base::Sso(_) => Kind::Sso,
            Base::Keys(k) if k.is_temporary() => Kind::Temporary,
            Base::Keys(_) => Kind::Static,
            Base::Process(_) => Kind::Process,
            Base::WebIdentity(_) => Kind::WebIdentity,
            Base::CredentialSource(_) => Kind::CredentialSource,
        }
    }

    /// A short human description: `sso my-sso → 123456789012/Admin`,
    /// `role prod ← dev ← sso my-sso`, `role dev ← base (mfa)`,
    /// `static keys …MPLE`, `process "cmd …"`.
    pub fn describe(&self) -> String {
        if self.roles.is_empty() {
            return describe_base(&self.base);
        }
        let mut out = String::from("role");
        for (i, role) in self.roles.iter().rev().enumerate() {
            out.push_str(if i == 0 { " " } else { " ← " });
            out.push_str(&role.profile);
        }
        out.push_str(" ← ");
        out.push_str(&base_label(&self.base));
        if self.has_mfa() {
            out.push_str(" (mfa)");
        }
        out
    }

    /// The chain step by step, base first, then the roles in the order they
    /// are assumed.
    pub fn steps(&self) -> Vec<StepView> {
        let mut steps = Vec::with_capacity(self.roles.len() + 1);
        steps.push(base_view(&self.base));
        steps.extend(self.roles.iter().map(role_view));
        steps
    }
}

fn sso_target(s: &SsoSource) -> String {
    match (&s.account_id, &s.role_name) {
        (Some(account), Some(role)) => format!(" → {account}/{role}"),
        _ => " (token only)".to_owned(),
    }
}

fn sso_label(s: &SsoSource) -> String {
    match &s.session {
        Some(session) => format!("sso {session}"),
        None => format!("sso (legacy) {}", s.start_url),
    }
}

fn describe_base(base: &Base) -> String {
    match base {
        Base::Sso(s) => format!("{}{}", sso_label(s), sso_target(s)),
        Base::Keys(k) if k.is_temporary() => {
            format!("temporary keys {}", key_hint(&k.access_key_id))
        }
        Base::Keys(k) => format!("static keys {}", key_hint(&k.access_key_id)),
        Base::Process(p) => {
            let (program, has_args) = p.program();
            let mut shown: String = program.chars().take(PROGRAM_SHOWN_CHARS).collect();
            if shown.len() < program.len() {
                shown.push('…');
            }
            if has_args {
                shown.push_str(" …");
            }
            format!("process \"{shown}\"")
        }
        Base::WebIdentity(w) => format!("web identity {}", w.role_arn),
        Base::CredentialSource(n) => format!("credential_source {}", n.source.as_str()),
    }
}

/// How the base is named at the end of a role description: SSO by its
/// session (or start URL), an environment source by its name, anything else
/// by the profile it is written in.
fn base_label(base: &Base) -> String {
    match base {
        Base::Sso(s) => sso_label(s),
        Base::CredentialSource(n) => n.source.as_str().to_owned(),
        Base::WebIdentity(w) => format!("web identity {}", w.profile),
        Base::Keys(k) => k.profile.clone(),
        Base::Process(p) => p.profile.clone(),
    }
}

fn base_view(base: &Base) -> StepView {
    match base {
        Base::Sso(s) => StepView::Sso {
            profile: s.profile.clone(),
            sso_session: s.session.clone(),
            start_url: s.start_url.clone(),
            region: s.region.clone(),
            account_id: s.account_id.clone(),
            role_name: s.role_name.clone(),
            legacy: s.is_legacy(),
        },
        Base::Keys(k) if k.is_temporary() => StepView::TemporaryKeys {
            profile: k.profile.clone(),
            key_hint: key_hint(&k.access_key_id),
            account_id: k.account_id.clone(),
            expires_at: k.expires_at,
            expiry_key: k.expiry_key.map(str::to_owned),
        },
        Base::Keys(k) => StepView::StaticKeys {
            profile: k.profile.clone(),
            key_hint: key_hint(&k.access_key_id),
            account_id: k.account_id.clone(),
        },
        Base::Process(p) => {
            let (program, has_arguments) = p.program();
            StepView::Process {
                profile: p.profile.clone(),
                program: program.to_owned(),
                has_arguments,
            }
        }
        Base::WebIdentity(w) => StepView::WebIdentity {
            profile: w.profile.clone(),
            role_arn: w.role_arn.clone(),
            token_file: w.token_file.clone(),
            role_session_name: w.role_session_name.clone(),
        },
        Base::CredentialSource(n) => StepView::CredentialSource {
            profile: n.profile.clone(),
            source: n.source.as_str().to_owned(),
        },
    }
}

fn role_view(r: &RoleStep) -> StepView {
    StepView::Role {
        profile: r.profile.clone(),
        role_arn: r.role_arn.clone(),
        external_id: r.external_id.clone(),
        role_session_name: r.role_session_name.clone(),
        duration_seconds: r.duration_seconds,
        mfa_serial: r.mfa_serial.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::string_slice, reason = "tests slice ASCII fixtures")]

    use super::super::chain::{KeysSource, ProcessSource};
    use super::*;
    use crate::Secret;

    fn alone(base: Base) -> Chain {
        Chain {
            profile: base.profile().to_owned(),
            base,
            roles: Vec::new(),
            issues: Vec::new(),
        }
    }

    #[test]
    fn kind_serialises_as_its_snake_case_name() {
        for kind in [
            Kind::Sso,
            Kind::Role,
            Kind::Static,
            Kind::Temporary,
            Kind::Process,
            Kind::WebIdentity,
            Kind::CredentialSource,
        ] {
            assert_eq!(
                serde_json::to_value(kind).expect("serialises"),
                serde_json::json!(kind.as_str())
            );
        }
    }

    #[test]
    fn keys_kind_follows_the_session_token() {
        let keys = |token: Option<&str>| {
            alone(Base::Keys(KeysSource {
                profile: "k".into(),
                access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
                secret_access_key: Secret::new("s"),
                session_token: token.map(Secret::new),
                account_id: None,
                expires_at: None,
                expiry_key: None,
            }))
        };
        assert_eq!(keys(None).kind(), Kind::Static);
        assert_eq!(keys(Some("t")).kind(), Kind::Temporary);
        assert_eq!(keys(Some("t")).describe(), "temporary keys …MPLE");
    }

    #[test]
    fn long_process_program_is_truncated() {
        let long = format!("/opt/{}/creds", "x".repeat(60));
        let c = alone(Base::Process(ProcessSource {
            profile: "p".into(),
            command: long.clone(),
            account_id: None,
        }));
        let d = c.describe();
        assert_eq!(d, format!("process \"{}…\"", &long[..PROGRAM_SHOWN_CHARS]));
        assert_eq!(c.kind(), Kind::Process);
    }

    #[test]
    fn a_kind_is_read_back_from_its_name() {
        for k in [
            Kind::Sso,
            Kind::Role,
            Kind::WebIdentity,
            Kind::CredentialSource,
        ] {
            assert_eq!(Kind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(Kind::from_name("unknown"), None);
    }
}
