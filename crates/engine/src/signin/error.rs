//! [`SignInError`]: why a sign-in, refresh, role fetch or sign-out did not
//! succeed, with a stable [`SignInError::code`].

use crate::ports::{AwsError, LoopbackError, StoreError};

/// Why a session needs the person to sign in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOver {
    /// No token file: never signed in, or signed out (`aws sso logout`).
    NoToken,
    /// The token file cannot be read as a token.
    CorruptToken,
    /// The token expired and cannot be refreshed.
    Expired,
    /// The refresh token was refused (`invalid_grant`): the sign-in session ended.
    RefreshRefused,
    /// The client registration is no longer valid.
    RegistrationInvalid,
    /// The portal refused the access token (401).
    PortalRefused,
}

impl SessionOver {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionOver::NoToken => "there is no token (never signed in, or signed out)",
            SessionOver::CorruptToken => "the token cache file is corrupt",
            SessionOver::Expired => "the token expired and cannot be refreshed",
            SessionOver::RefreshRefused => {
                "IAM Identity Center refused the refresh token: the sign-in session ended"
            }
            SessionOver::RegistrationInvalid => "the client registration is no longer valid",
            SessionOver::PortalRefused => {
                "the SSO portal refused the access token: the sign-in session ended"
            }
        }
    }
}

/// A sign-in flow's failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the sign-in to {target} was denied")]
    Denied { target: String },
    #[error("the code for {target} expired before it was approved; run the sign-in again")]
    CodeExpired { target: String },
    #[error(transparent)]
    Loopback(LoopbackError),
    #[error("no random bytes from the operating system: {0}")]
    Random(String),
    #[error("the sign-in to {target} running in {holder} ended without a new token")]
    OtherSignInFailed { target: String, holder: String },
    #[error("gave up waiting for the sign-in to {target} running in {holder}")]
    JoinTimedOut { target: String, holder: String },
    #[error("sign in to {target} again: {}", reason.as_str())]
    NeedsLogin { target: String, reason: SessionOver },
}

impl SignInError {
    /// A stable identifier for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::Aws(e) => e.code(),
            SignInError::Store(e) => e.code(),
            SignInError::Denied { .. } => "access_denied",
            SignInError::CodeExpired { .. } => "expired_token",
            SignInError::Loopback(LoopbackError::TimedOut { .. }) => "sign_in_timed_out",
            SignInError::Loopback(LoopbackError::Denied { .. }) => "access_denied",
            SignInError::Loopback(LoopbackError::StateMismatch) => "state_mismatch",
            SignInError::Loopback(LoopbackError::Io(_)) => "loopback_failed",
            SignInError::Random(_) => "no_randomness",
            SignInError::OtherSignInFailed { .. } => "other_sign_in_failed",
            SignInError::JoinTimedOut { .. } => "other_sign_in_timed_out",
            SignInError::NeedsLogin { .. } => "needs_login",
        }
    }
}
