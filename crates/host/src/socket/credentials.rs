//! The server's answers for `credential-process`: a profile's keys from
//! what the keeper published ([`answer`]), and a request to tell the person
//! turned into the engine's command ([`person_needed`]). Keys are never
//! logged: only the profile and what was answered.

use leasekeeper_engine::keeper::{Command, PersonNeed};
use time::{Duration, OffsetDateTime};

use super::keys::{NEEDS_MFA_CODE, NEEDS_SIGN_IN, Served, ServedMap, WireKeys};
use super::protocol::Response;

/// The answer to `{"request":"credentials","profile":…}` at the system
/// clock's now (the clock the SDKs judge the keys by).
pub fn answer(profile: &str, served: &ServedMap, margin: Duration) -> Response {
    answer_at(profile, served, margin, OffsetDateTime::now_utc())
}

/// [`answer`] at `now`: keys only while more than `margin` remains, so an
/// SDK never gets keys it would at once want to refresh again.
pub fn answer_at(
    profile: &str,
    served: &ServedMap,
    margin: Duration,
    now: OffsetDateTime,
) -> Response {
    let answer = match served.get(profile) {
        None => Response::error(
            "not_managed",
            format!("the keeper does not renew {profile}"),
        ),
        Some(Served::Keys(keys)) => match WireKeys::from_credentials(keys) {
            Some(wire) if wire.expiration - now > margin => Response::Credentials {
                profile: profile.to_owned(),
                keys: wire,
            },
            _ => Response::error(
                "not_renewed_yet",
                format!(
                    "the keys the keeper holds for {profile} end within {} minutes",
                    margin.whole_minutes()
                ),
            ),
        },
        Some(Served::NeedsUser {
            code,
            message,
            command,
        }) => Response::NeedsUser {
            profile: profile.to_owned(),
            code: (*code).to_owned(),
            message: message.clone(),
            command: command.clone(),
        },
        Some(Served::NotYet { state }) => Response::error(
            "not_renewed_yet",
            format!("the keeper holds no keys for {profile} yet ({state})"),
        ),
    };
    let outcome = match &answer {
        Response::Credentials { .. } => "keys",
        Response::NeedsUser { code, .. } | Response::Error { code, .. } => code.as_str(),
        _ => "other",
    };
    tracing::debug!(profile, outcome, "credentials asked for");
    answer
}

/// The engine's command for `notify_needs_user`, or the error answer.
pub fn person_needed(
    profile: String,
    code: &str,
    session: Option<String>,
    mfa_serial: Option<String>,
) -> Result<Command, Response> {
    let need = match (code, session, mfa_serial) {
        (NEEDS_SIGN_IN, Some(session), _) => PersonNeed::Login { session },
        (NEEDS_MFA_CODE, _, Some(mfa_serial)) => PersonNeed::MfaCode { mfa_serial },
        _ => {
            return Err(Response::error(
                "bad_request",
                "notify_needs_user names needs_sign_in with a session, or needs_mfa_code with an mfa_serial",
            ));
        }
    };
    tracing::info!(profile = %profile, code, "a client asks to tell the person");
    Ok(Command::PersonNeeded { profile, need })
}
