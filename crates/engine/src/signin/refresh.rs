//! Silent refresh: [`refresh_if_due`] renews a session's access token with
//! its refresh token once [`super::policy::refresh_decision`] says so.
//!
//! Under the token file's lock it re-reads the file first (a newer token
//! another tool wrote is adopted, not refreshed again), records the attempt
//! (at most one a minute, across processes), refreshes, and writes the file
//! as the AWS CLI does, keeping the old refresh token when none comes back.
//! After `invalid_grant` the file is re-read once more: another tool may
//! have rotated the refresh token under us; only when it has not is the
//! session declared over.

use time::OffsetDateTime;

use crate::Secret;
use crate::ports::{AwsError, ClientRegistration, Clock, SsoOidc, Store, StoreFile, TokenGrant};
use crate::profiles::sso_cache::SsoToken;

use super::SignInPorts;
use super::error::{SessionOver, SignInError};
use super::policy::{MIN_REFRESH_SPACING, RefreshDecision, refresh_decision};
use super::records::SessionRecord;
use super::target::SsoTarget;
use super::token_file;

/// What a refresh check did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// Nothing to do; check again at `next`. `None`: the token cannot be
    /// refreshed and lasts until it expires.
    Current {
        token: SsoToken,
        next: Option<OffsetDateTime>,
    },
    /// A new access token was obtained and written.
    Refreshed { token: SsoToken },
    /// After a refused refresh, the file held a newer token another tool wrote.
    Adopted { token: SsoToken },
    /// The refresh failed for a reason that may pass; the token is still
    /// valid and the next attempt is due at `retry_at`.
    Failed {
        token: SsoToken,
        error: AwsError,
        retry_at: OffsetDateTime,
    },
}

impl Refresh {
    /// The token to use now.
    pub fn token(&self) -> &SsoToken {
        match self {
            Refresh::Current { token, .. }
            | Refresh::Refreshed { token }
            | Refresh::Adopted { token }
            | Refresh::Failed { token, .. } => token,
        }
    }
}

/// Reads the session's token file: `Err(NeedsLogin)` when it is missing or
/// corrupt.
pub fn read_token<S: Store>(store: &S, target: &SsoTarget) -> Result<SsoToken, SignInError> {
    let needs = |reason| SignInError::NeedsLogin {
        target: target.name().to_owned(),
        reason,
    };
    let bytes = store
        .read(&StoreFile::SsoToken(target.cache_key()))?
        .ok_or_else(|| needs(SessionOver::NoToken))?;
    SsoToken::parse(&bytes).map_err(|_| needs(SessionOver::CorruptToken))
}

fn read_record<S: Store>(store: &S, target: &SsoTarget) -> Option<SessionRecord> {
    store
        .read(&StoreFile::Session(target.cache_key()))
        .ok()
        .flatten()
        .and_then(|b| SessionRecord::parse(&b))
}

/// Refreshes the session's token if it is due; returns the token to use.
pub async fn refresh_if_due<O: SsoOidc, C: Clock, S: Store>(
    ports: &SignInPorts<'_, O, C, S>,
    target: &SsoTarget,
) -> Result<Refresh, SignInError> {
    let key = target.cache_key();
    let needs = |reason| SignInError::NeedsLogin {
        target: target.name().to_owned(),
        reason,
    };
    let token_lock = ports.store.lock(&StoreFile::SsoToken(key.clone()))?;
    let session_lock = ports.store.lock(&StoreFile::Session(key))?;
    // Re-read under the lock: another tool may have written a newer token.
    let token = read_token(ports.store, target)?;
    let mut record = read_record(ports.store, target);
    let now = ports.clock.now();
    let decision = if target.is_legacy() {
        RefreshDecision::Never
    } else {
        refresh_decision(&token, record.as_ref(), now, ports.scale)
    };
    match decision {
        RefreshDecision::Never if token.expires_at <= now => {
            let reason = if token.refresh_token.is_some() {
                SessionOver::RegistrationInvalid
            } else {
                SessionOver::Expired
            };
            return Err(needs(reason));
        }
        RefreshDecision::Never => return Ok(Refresh::Current { token, next: None }),
        RefreshDecision::NotYet(at) | RefreshDecision::Spacing(at) => {
            return Ok(Refresh::Current {
                token,
                next: Some(at),
            });
        }
        RefreshDecision::Due => {}
    }
    // A record of another token keeps describing nothing current; only the
    // attempt time is new.
    let mut attempt = record.take().unwrap_or_default();
    attempt.last_refresh_attempt = Some(now);
    ports.store.write(&session_lock, &attempt.to_json())?;

    // `refresh_decision` checked that these are present.
    let (Some(client_id), Some(client_secret), Some(reg_expires), Some(refresh_token)) = (
        token.client_id.clone(),
        token.client_secret.clone(),
        token.registration_expires_at,
        token.refresh_token.clone(),
    ) else {
        return Ok(Refresh::Current { token, next: None });
    };
    let client = ClientRegistration {
        client_id,
        client_secret,
        expires_at: reg_expires,
    };
    let result = ports
        .oidc
        .create_token(
            &client,
            TokenGrant::RefreshToken {
                refresh_token: &refresh_token,
            },
        )
        .await;
    let now = ports.clock.now();
    match result {
        Ok(response) => {
            let response = response.value;
            let new =
                token_file::refreshed(&token, &response, &target.start_url, &target.region, now);
            ports
                .store
                .write(&token_lock, &token_file::to_cli_json(&new))?;
            let mut fresh = SessionRecord::obtained(&new.access_token, now, response.expires_in);
            fresh.signed_in_at = attempt.signed_in_at;
            fresh.last_refresh_attempt = Some(now);
            ports.store.write(&session_lock, &fresh.to_json())?;
            Ok(Refresh::Refreshed { token: new })
        }
        Err(AwsError::InvalidGrant { .. }) => adopt_or_over(
            ports.store,
            target,
            &token.access_token,
            SessionOver::RefreshRefused,
        ),
        Err(AwsError::InvalidClient { .. }) => adopt_or_over(
            ports.store,
            target,
            &token.access_token,
            SessionOver::RegistrationInvalid,
        ),
        Err(error) if token.expires_at > now => Ok(Refresh::Failed {
            token,
            error,
            retry_at: now + ports.scale.apply(MIN_REFRESH_SPACING),
        }),
        Err(error) => Err(error.into()),
    }
}

/// After a refused refresh (or a portal 401): the file once more. A token
/// other than `refused` that is still valid was written by another tool and
/// is adopted; otherwise the session is over.
pub fn adopt_or_over<S: Store>(
    store: &S,
    target: &SsoTarget,
    refused: &Secret,
    reason: SessionOver,
) -> Result<Refresh, SignInError> {
    match read_token(store, target) {
        Ok(t) if &t.access_token != refused => Ok(Refresh::Adopted { token: t }),
        _ => Err(SignInError::NeedsLogin {
            target: target.name().to_owned(),
            reason,
        }),
    }
}
