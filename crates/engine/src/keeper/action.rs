//! What [`step`](super::step) asks the host to do: [`Action`]s. Renewals
//! carry everything the AWS call needs except credentials: the host holds
//! the keys it obtained by [`NodeId`], reads keys written in the files and
//! the SSO token from the snapshot, and never hands secrets to the engine.
//!
//! Write and remove actions of one step are meant to be applied together,
//! in order, as one [`plan`](crate::write::credentials::plan) of the
//! credentials file.

use time::OffsetDateTime;

use super::event::EngineEvent;
use super::graph::NodeId;
use crate::Secret;
use crate::ports::{AssumeRoleRequest, SessionTokenRequest};
use crate::signin::SsoTarget;

/// One thing for the host to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Refresh the session's token if due ([`crate::signin::refresh_if_due`])
    /// and report [`Finished`](super::Input::Finished) for `node`.
    RefreshToken { node: NodeId, target: SsoTarget },
    /// Obtain new credentials for `node` with `parent`'s and report
    /// [`Finished`](super::Input::Finished).
    Renew {
        node: NodeId,
        parent: NodeId,
        call: Call,
        /// The MFA code the person gave for this call (used once).
        token_code: Option<Secret>,
    },
    /// Put `node`'s current credentials into `section` of the credentials
    /// file, with their expiry.
    Write {
        profile: String,
        section: String,
        node: NodeId,
        expires_at: OffsetDateTime,
        /// The person consented to replacing a section we did not write.
        take_over: bool,
    },
    /// Remove our section (one without our marker is never removed).
    Remove {
        section: String,
        reason: RemoveReason,
    },
    /// `node` is gone from the graph: drop the keys held for it.
    Forget { node: NodeId },
    /// Tell the person (a notification, a log line, the socket's clients).
    Emit(EngineEvent),
}

/// Why a section is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoveReason {
    /// Its keys lapsed and were not renewed: stale keys must not shadow a
    /// working chain.
    Lapsed,
    /// The person signed out of the session the keys came from.
    SignedOut,
    /// The keeper is exiting and the settings ask for it.
    Exiting,
    /// The profile's keys go to another section now.
    Moved,
}

/// The AWS call that renews a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// GetRoleCredentials ([`crate::signin::role_credentials`]) with the
    /// parent's SSO token.
    SsoRole {
        target: SsoTarget,
        account_id: String,
        role_name: String,
    },
    /// AssumeRole with the parent's credentials.
    AssumeRole {
        role_arn: String,
        external_id: Option<String>,
        /// `None`: the host picks one, as the SDKs do.
        role_session_name: Option<String>,
        /// `None`: ask STS's default (after a refused duration too).
        duration_seconds: Option<u32>,
        /// The MFA device: the call needs a code from the person.
        mfa_serial: Option<String>,
    },
    /// GetSessionToken with the parent's long-term keys and an MFA code.
    SessionToken {
        mfa_serial: String,
        duration_seconds: Option<u32>,
    },
}

impl Call {
    /// Whether the host must ask the person for an MFA code to make the call.
    pub fn needs_mfa_code(&self) -> bool {
        match self {
            Call::AssumeRole { mfa_serial, .. } => mfa_serial.is_some(),
            Call::SessionToken { .. } => true,
            Call::SsoRole { .. } => false,
        }
    }

    /// The AssumeRole request, with `default_session_name` when the profile
    /// names none; `None` for other calls.
    pub fn assume_role_request(
        &self,
        default_session_name: &str,
        token_code: Option<Secret>,
    ) -> Option<AssumeRoleRequest> {
        let Call::AssumeRole {
            role_arn,
            external_id,
            role_session_name,
            duration_seconds,
            mfa_serial,
        } = self
        else {
            return None;
        };
        Some(AssumeRoleRequest {
            role_arn: role_arn.clone(),
            role_session_name: role_session_name
                .clone()
                .unwrap_or_else(|| default_session_name.to_owned()),
            duration_seconds: duration_seconds.and_then(|d| i32::try_from(d).ok()),
            external_id: external_id.clone(),
            serial_number: mfa_serial.clone(),
            token_code: token_code.filter(|_| mfa_serial.is_some()),
        })
    }

    /// The GetSessionToken request; `None` for other calls.
    pub fn session_token_request(&self, token_code: Option<Secret>) -> Option<SessionTokenRequest> {
        let Call::SessionToken {
            mfa_serial,
            duration_seconds,
        } = self
        else {
            return None;
        };
        Some(SessionTokenRequest {
            duration_seconds: duration_seconds.and_then(|d| i32::try_from(d).ok()),
            serial_number: Some(mfa_serial.clone()),
            token_code,
        })
    }
}
