//! [`WindowError`]: why a window command failed. It crosses to the window as
//! `{code, message}`, so the window branches on the stable code and never on
//! the words.

use std::path::PathBuf;

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Why a command from the window failed.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("no sso-session or legacy SSO profile named {0}")]
    UnknownSession(String),
    #[error("no profile named {0}")]
    UnknownProfile(String),
    #[error("a sign-in to {0} is already running")]
    SignInRunning(String),
    #[error("no sign-in to {0} is running")]
    NoSignIn(String),
    #[error("{field}: {message}")]
    BadValue { field: String, message: String },
    #[error("no settings file: neither LEASEKEEPER_CONFIG_DIR nor HOME is set")]
    NoSettingsPath,
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} line {line}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("cannot sign out of {session}: {message}")]
    SignOut { session: String, message: String },
    #[error("cannot set up a credential_process profile: {0}")]
    SetupProcess(String),
    #[error("the sign-in address is not known yet")]
    NoAddress,
    #[error("cannot open a browser: {0}")]
    Browser(String),
    #[error("cannot hand the MFA code to the keeper: {0}")]
    Mfa(String),
    /// Another writer holds the settings file's lock.
    #[error("{message}")]
    Lock { message: String },
    #[error("saved, but the keeper has not moved to the new AWS files yet: it will shortly")]
    Busy,
    #[error("saved, but {0}")]
    NotFollowed(String),
    #[error("the settings could not be changed: {0}")]
    Task(String),
}

impl WindowError {
    /// A stable identifier the window branches on.
    pub fn code(&self) -> &'static str {
        match self {
            WindowError::UnknownSession(_) => "window_unknown_session",
            WindowError::UnknownProfile(_) => "window_unknown_profile",
            WindowError::SignInRunning(_) => "window_sign_in_running",
            WindowError::NoSignIn(_) => "window_no_sign_in",
            WindowError::BadValue { .. } => "window_bad_value",
            WindowError::NoSettingsPath => "window_no_settings_path",
            WindowError::Read { .. } => "window_read",
            WindowError::Write { .. } => "window_write",
            WindowError::Parse { .. } => "window_settings_parse",
            WindowError::SignOut { .. } => "window_sign_out",
            WindowError::SetupProcess(_) => "window_setup_process",
            WindowError::NoAddress => "window_no_address",
            WindowError::Browser(_) => "window_browser",
            WindowError::Busy => "window_busy",
            WindowError::NotFollowed(_) => "window_not_followed",
            WindowError::Task(_) => "window_task",
            WindowError::Lock { .. } => "window_lock",
            WindowError::Mfa(_) => "window_mfa",
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
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.chain())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_as_a_code_and_a_message_with_its_cause() {
        let e = WindowError::Write {
            path: PathBuf::from("/c/settings.toml"),
            source: std::io::Error::other("disk full"),
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "window_write");
        assert_eq!(json["message"], "cannot write /c/settings.toml: disk full");
    }
}
