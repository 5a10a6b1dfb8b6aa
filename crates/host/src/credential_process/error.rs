//! [`ProcessError`]: why `credential-process` gives no credentials. Every
//! message is one line naming what to do; none holds a secret.

use std::path::PathBuf;

use leasekeeper_engine::resolve::ResolveError;

use crate::lock::LockError;

/// Why no credentials were given.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The person must sign in to IAM Identity Center first.
    #[error("profile {profile} needs a sign-in: run `{command}`")]
    NeedsLogin {
        profile: String,
        command: String,
        /// The sso-session (or legacy start URL) to sign in to.
        session: String,
    },
    /// A role on the chain needs an MFA code, which this command never asks for.
    #[error(
        "profile {profile} needs an MFA code for {mfa_serial} (role of profile {role_profile}), \
         which this command cannot ask for: run `leasekeeper daemon` (or the tray) and give it \
         the code with `leasekeeper mfa --profile {profile}`; it then renews the role for the \
         whole MFA session"
    )]
    NeedsMfa {
        profile: String,
        role_profile: String,
        mfa_serial: String,
    },
    /// Temporary keys another tool wrote have lapsed.
    #[error(
        "profile {profile} uses temporary keys from profile {source_profile} that have expired: \
         run the tool that wrote them again"
    )]
    KeysExpired {
        profile: String,
        source_profile: String,
    },
    /// A base source Leasekeeper does not fetch itself.
    #[error(
        "profile {profile} starts from {kind}, which credential-process does not fetch: \
         point the SDK at profile {profile} directly"
    )]
    Unsupported { profile: String, kind: &'static str },
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// An AWS call failed for another reason (network, refused, throttled).
    #[error("profile {profile}: {message} [{code}]")]
    Aws {
        profile: String,
        code: String,
        message: String,
    },
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("cannot {action} {}: {message}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        message: String,
    },
}

impl ProcessError {
    /// A stable code for scripts and logs.
    pub fn code(&self) -> &'static str {
        match self {
            ProcessError::NeedsLogin { .. } => "needs_login",
            ProcessError::NeedsMfa { .. } => "needs_mfa_code",
            ProcessError::KeysExpired { .. } => "keys_expired",
            ProcessError::Unsupported { .. } => "unsupported_source",
            ProcessError::Resolve(e) => e.code(),
            ProcessError::Aws { .. } => "aws_call_failed",
            ProcessError::Lock(e) => e.code(),
            ProcessError::Io { .. } => "file_io",
        }
    }

    /// Whether the person must act (sign in, type a code) for it to pass.
    pub fn needs_user(&self) -> bool {
        matches!(
            self,
            ProcessError::NeedsLogin { .. }
                | ProcessError::NeedsMfa { .. }
                | ProcessError::KeysExpired { .. }
        )
    }
}
