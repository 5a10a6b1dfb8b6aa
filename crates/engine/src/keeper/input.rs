//! What the host feeds [`step`](super::step): [`Input`]s — files that
//! changed, actions that finished, sleep and resume signals, commands.
//!
//! The host reports every action it started exactly once, as
//! [`Input::Finished`] (renewals) or [`Input::WriteFailed`] (a write the
//! credentials-file writer refused); writes that succeed need no report, the
//! next read of the file shows them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use super::asked::PersonNeed;
use super::graph::NodeId;
use super::mfa::MfaCode;
use crate::ports::AwsError;
use crate::settings::Settings;
use crate::signin::records::SessionRecord;
use crate::signin::{Refresh, SignInError};
use crate::snapshot::Snapshot;
use crate::write::credentials::ManagedKeys;

/// The code a host reports when a renewal needs an MFA code and nobody can
/// type one (the daemon, `credential_process`).
pub const MFA_CODE_NEEDED: &str = "mfa_code_needed";

/// One read of everything the keeper looks at.
#[derive(Clone)]
pub struct Files {
    pub snapshot: Arc<Snapshot>,
    /// Our sections in the credentials file, as
    /// [`list_managed`](crate::write::credentials::list_managed) found them.
    pub managed_sections: Vec<ManagedKeys>,
    /// Our session records ([`SessionRecord`]) by token cache key: when each
    /// session's token was obtained and when the person signed in.
    pub sessions: BTreeMap<String, SessionRecord>,
}

/// The snapshot's profiles hold the files' values verbatim (secret keys
/// among them): only counts are shown.
impl fmt::Debug for Files {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Files")
            .field("profiles", &self.snapshot.set.profiles.len())
            .field("sso_tokens", &self.snapshot.sso_tokens.len())
            .field("managed_sections", &self.managed_sections)
            .field("sessions", &self.sessions.len())
            .finish()
    }
}

/// Something that happened since the last step.
#[derive(Debug, Clone)]
pub enum Input {
    /// The files were read again because something changed (mtime, size,
    /// inode), or for the first time.
    Files(Box<Files>),
    /// The settings file changed and was read again.
    Settings(Box<Settings>),
    /// A renewal or token refresh the keeper asked for ended.
    Finished(Finished),
    /// The credentials-file writer refused to write a section.
    WriteFailed(WriteFailure),
    /// The machine woke up (logind's `PrepareForSleep(false)`).
    Resumed,
    /// The machine is about to sleep (logind's `PrepareForSleep(true)`),
    /// as the signal came at `at` (the keeper's wall clock): a loop that
    /// takes it only after a freeze still counts the sleep from then.
    SleepComing { at: time::OffsetDateTime },
    /// The network is reachable again.
    NetworkBack,
    /// The person (or a client of the keeper's socket) asked for something.
    Command(Command),
    /// The person gave a code of an MFA device (see [`MfaCode`]).
    MfaCode(MfaCode),
}

/// What a person can ask the keeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Renew this profile's chain now (an MFA code may be asked for).
    Refresh { profile: String },
    /// Renew every managed profile now.
    RefreshAll,
    /// The person signed out of an sso-session (by name, or a legacy start
    /// URL): its keys are removed from the credentials file at once.
    SignedOut { session: String },
    /// The keeper is exiting: with `remove_on_exit`, our sections go.
    Shutdown,
    /// A client (`credential-process`) found that `profile` needs the
    /// person: told like the keeper's own needs, once (see [`PersonNeed`]).
    PersonNeeded { profile: String, need: PersonNeed },
}

/// A renewal's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub node: NodeId,
    /// The `Date` header of AWS's answer (also of an error answer), for the
    /// clock skew.
    pub server_date: Option<OffsetDateTime>,
    pub outcome: Outcome,
}

/// How a renewal ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New credentials (or a new token), expiring at this time on AWS's clock.
    Renewed {
        expires_at: OffsetDateTime,
    },
    /// Nothing was done: the token file says the next refresh is not due
    /// before this time (another tool refreshed it, or one a minute at most).
    Deferred {
        until: OffsetDateTime,
    },
    Failed(Failure),
}

impl Outcome {
    /// What a token refresh ([`crate::signin::refresh_if_due`]) did.
    pub fn from_refresh(refresh: &Refresh) -> Outcome {
        match refresh {
            Refresh::Refreshed { token } | Refresh::Adopted { token } => Outcome::Renewed {
                expires_at: token.expires_at,
            },
            Refresh::Current { token, next } => Outcome::Deferred {
                until: next.unwrap_or(token.expires_at),
            },
            Refresh::Failed { error, .. } => Outcome::Failed(Failure::from_aws(error)),
        }
    }
}

/// Why a renewal failed, as the host saw it: a stable code, a readable
/// message (never a secret), and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

impl Failure {
    pub fn new(code: impl Into<String>, message: impl Into<String>, retryable: bool) -> Failure {
        Failure {
            code: code.into(),
            message: message.into(),
            retryable,
        }
    }

    /// A failed AWS call.
    pub fn from_aws(e: &AwsError) -> Failure {
        Failure::new(e.code(), e.to_string(), e.is_transient())
    }

    /// A failed sign-in flow (a refresh, a role fetch).
    pub fn from_signin(e: &SignInError) -> Failure {
        match e {
            SignInError::Aws(aws) => Failure::from_aws(aws),
            other => Failure::new(other.code(), other.to_string(), false),
        }
    }
}

/// A write the credentials-file writer refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteFailure {
    pub section: String,
    /// The writer's [`WriteError::code`](crate::write::credentials::WriteError).
    pub code: String,
    pub message: String,
}
