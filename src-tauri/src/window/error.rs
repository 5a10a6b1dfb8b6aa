//! [`WindowError`]: why a window command failed. It crosses to the window as
//! `{code, message}`, so the window branches on the stable code and never on
//! the words.

use std::path::PathBuf;

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Why a command from the window failed.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("a sign-in to {0} is already running")]
    SignInRunning(String),
    #[error("no sign-in to {0} is running")]
    NoSignIn(String),
    #[error("{field}: {message}")]
    BadValue { field: String, message: String },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set up a credential_process profile: {0}")]
    SetupProcess(String),
    #[error("the sign-in address is not known yet")]
    NoAddress,
    #[error("cannot open a browser: {0}")]
    Browser(String),
    /// The keeper (or AWS through it) refused the code: its own stable
    /// code (`mfa_code_reused`, `mfa_code_malformed`, AWS's, …) crosses as
    /// the error's `code`.
    #[error("the code was refused: {message}")]
    MfaRefused { code: String, message: String },
    /// An operation of [`leasekeeper_service::ops`] failed: its own stable
    /// code (`no_keeper`, `locked`, `file_busy`, `unknown_profile`, …) crosses as the
    /// error's `code`, unchanged.
    #[error("{message}")]
    Op { code: String, message: String },
    #[error("saved, but the keeper has not moved to the new AWS files yet: it will shortly")]
    Busy,
    #[error("saved, but {0}")]
    NotFollowed(String),
    #[error("the command did not finish: {0}")]
    Task(String),
}

impl WindowError {
    /// A stable identifier the window branches on.
    pub fn code(&self) -> &'static str {
        match self {
            WindowError::SignInRunning(_) => "window_sign_in_running",
            WindowError::NoSignIn(_) => "window_no_sign_in",
            WindowError::BadValue { .. } => "window_bad_value",
            WindowError::Read { .. } => "window_read",
            WindowError::SetupProcess(_) => "window_setup_process",
            WindowError::NoAddress => "window_no_address",
            WindowError::Browser(_) => "window_browser",
            WindowError::Busy => "window_busy",
            WindowError::NotFollowed(_) => "window_not_followed",
            WindowError::Task(_) => "window_task",
            WindowError::MfaRefused { .. } => "window_mfa_refused",
            WindowError::Op { .. } => "window_op",
        }
    }

    /// The code the window is given: [`WindowError::code`], or the stable
    /// code of the refusal it carries from the keeper.
    pub fn wire_code(&self) -> &str {
        match self {
            WindowError::MfaRefused { code, .. } | WindowError::Op { code, .. } => code,
            other => other.code(),
        }
    }

    /// A failed operation, `code` being its error's stable `code()`; the
    /// message is the error with its causes.
    pub fn op(code: &str, error: &dyn std::error::Error) -> Self {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        WindowError::Op {
            code: code.to_owned(),
            message,
        }
    }

    /// The message with its causes, one readable line.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }
}

impl Serialize for WindowError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("WindowError", 2)?;
        s.serialize_field("code", self.wire_code())?;
        s.serialize_field("message", &self.chain())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_as_a_code_and_a_message_with_its_cause() {
        let e = WindowError::Read {
            path: PathBuf::from("/proc/self/exe"),
            source: std::io::Error::other("gone"),
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "window_read");
        assert_eq!(json["message"], "cannot read /proc/self/exe: gone");
    }

    #[test]
    fn a_refused_code_crosses_with_the_keepers_own_code() {
        let e = WindowError::MfaRefused {
            code: "mfa_code_reused".into(),
            message: "that code was used already".into(),
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "mfa_code_reused");
        assert_eq!(
            json["message"],
            "the code was refused: that code was used already"
        );
        assert_eq!(e.code(), "window_mfa_refused");
    }

    #[test]
    fn an_operations_error_crosses_with_its_own_code_and_causes() {
        #[derive(Debug, thiserror::Error)]
        #[error("cannot take the lock")]
        struct Busy(#[source] std::io::Error);
        let e = WindowError::op("lock_busy", &Busy(std::io::Error::other("held by pid 7")));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "lock_busy");
        assert_eq!(json["message"], "cannot take the lock: held by pid 7");
    }
}
