//! A profile's keys for an SDK's `credential_process`. With a keeper
//! running the keys come from it over its socket (it renews long before
//! the SDKs' 15-minute window, so no AWS call is made); without one, or
//! when the keeper holds nothing usable for the profile, they are resolved
//! here alone under the same locks, reusing what was cached while more
//! than 15 minutes remain. Nobody is ever asked anything and no browser is
//! opened: when the person must act the answer is [`Outcome::MustAct`] at
//! once, and a running keeper is asked to tell the person.

use std::path::Path;

use leasekeeper_engine::keeper::policy::CREDENTIALS_TIMEOUT;
use leasekeeper_engine::load;
use leasekeeper_engine::ports::Credentials;
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::credential_process::{self, ProcessError, Request};
use leasekeeper_host::signin::EnvError;
use leasekeeper_host::socket::keys::{NEEDS_MFA_CODE, NEEDS_SIGN_IN};
use leasekeeper_host::socket::{self, Client, Response};
use time::OffsetDateTime;

use crate::{Environment, SdkConnect};

pub use leasekeeper_host::credential_process::version1_json;

/// What the profile's keys came to.
#[derive(Debug)]
pub enum Outcome {
    /// Its keys (print them with [`version1_json`]).
    Keys(Credentials),
    /// The person must act first.
    MustAct(MustAct),
}

/// What the person must do before the profile has keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MustAct {
    pub reason: Reason,
    /// One sentence naming the command to run (it may quote what the files
    /// hold, line breaks included).
    pub message: String,
}

/// Why the person must act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Sign in to IAM Identity Center.
    SignIn,
    /// Give an MFA code for a role on the chain.
    MfaCode,
    /// Temporary keys another tool wrote have lapsed: run it again.
    KeysExpired,
}

impl Reason {
    /// A stable code for scripts and logs.
    pub fn code(self) -> &'static str {
        match self {
            Reason::SignIn => NEEDS_SIGN_IN,
            Reason::MfaCode => NEEDS_MFA_CODE,
            Reason::KeysExpired => "keys_expired",
        }
    }
}

/// Why no keys were given (the person can do nothing about it by signing
/// in or typing a code).
#[derive(Debug, thiserror::Error)]
pub enum CredentialProcessError {
    #[error(transparent)]
    Environment(#[from] EnvError),
    /// The profile cannot be resolved, its source is one this never
    /// fetches, or a lock, a file or an AWS call failed.
    #[error(transparent)]
    Process(ProcessError),
}

impl CredentialProcessError {
    pub fn code(&self) -> &'static str {
        match self {
            CredentialProcessError::Environment(e) => e.code(),
            CredentialProcessError::Process(e) => e.code(),
        }
    }
}

/// The keys of `profile` in the files at `paths`: from the running keeper
/// when it holds them, else resolved here.
pub async fn credential_process(
    paths: &AwsPaths,
    env: &Environment,
    profile: &str,
) -> Result<Outcome, CredentialProcessError> {
    let sign_env = crate::sign_in_env(env, paths)?;
    let socket_path = socket::socket_path(&sign_env.state_dir, paths);
    let keeper_runs = match ask_keeper(&socket_path, profile) {
        FromKeeper::Keys(keys) => return Ok(Outcome::Keys(keys)),
        FromKeeper::MustAct(must) => return Ok(Outcome::MustAct(must)),
        FromKeeper::Alone { keeper_runs } => keeper_runs,
    };
    let snapshot = load::snapshot(&aws_files::read(paths));
    let connect = SdkConnect {
        files: (paths.config.clone(), paths.credentials.clone()),
        ca_bundle: sign_env.ca_bundle(snapshot.set.profile(profile)),
        proxy: sign_env.proxy.clone(),
    };
    let req = Request {
        profile,
        set: &snapshot.set,
        paths,
        store: sign_env.store(),
        state_dir: sign_env.state_dir.clone(),
        scale: sign_env.scale,
    };
    match credential_process::credentials(&req, &connect, OffsetDateTime::now_utc()).await {
        Ok(keys) => Ok(Outcome::Keys(keys)),
        Err(e) => match must_act(&e) {
            Some(must) => {
                if keeper_runs {
                    ask_keeper_to_notify(&socket_path, profile, &e);
                }
                Ok(Outcome::MustAct(must))
            }
            None => Err(CredentialProcessError::Process(e)),
        },
    }
}

/// What the person must do, when `e` is something they must do.
fn must_act(e: &ProcessError) -> Option<MustAct> {
    let reason = match e {
        ProcessError::NeedsLogin { .. } => Reason::SignIn,
        ProcessError::NeedsMfa { .. } => Reason::MfaCode,
        ProcessError::KeysExpired { .. } => Reason::KeysExpired,
        _ => return None,
    };
    Some(MustAct {
        reason,
        message: e.to_string(),
    })
}

/// What the keeper said about the profile.
enum FromKeeper {
    /// No keeper answered, or it holds nothing usable: resolve alone.
    Alone { keeper_runs: bool },
    /// Its keys.
    Keys(Credentials),
    /// The person must act; the keeper knows already.
    MustAct(MustAct),
}

/// Asks the keeper of this home, if one runs, for `profile`'s keys.
fn ask_keeper(path: &Path, profile: &str) -> FromKeeper {
    let mut client = match Client::connect_within(path, CREDENTIALS_TIMEOUT) {
        Ok(Some(c)) => c,
        Ok(None) => return FromKeeper::Alone { keeper_runs: false },
        Err(e) => {
            tracing::debug!(code = e.code(), "no keeper to ask: {e}");
            return FromKeeper::Alone { keeper_runs: false };
        }
    };
    match client.credentials(profile, CREDENTIALS_TIMEOUT) {
        Ok(Response::Credentials { keys, .. }) => {
            tracing::debug!(profile, "served by the keeper");
            FromKeeper::Keys(keys.to_credentials())
        }
        Ok(Response::NeedsUser { code, message, .. }) => {
            tracing::debug!(profile, "the keeper says the person must act");
            let reason = if code == NEEDS_MFA_CODE {
                Reason::MfaCode
            } else {
                Reason::SignIn
            };
            FromKeeper::MustAct(MustAct { reason, message })
        }
        Ok(_) => FromKeeper::Alone { keeper_runs: true },
        Err(e) => {
            tracing::debug!(profile, code = e.code(), "resolving alone: {e}");
            FromKeeper::Alone { keeper_runs: true }
        }
    }
}

/// Asks the running keeper to tell the person what `e` needs (a sign-in,
/// an MFA code); a keeper that does not answer changes nothing.
fn ask_keeper_to_notify(path: &Path, profile: &str, e: &ProcessError) {
    let request = match e {
        ProcessError::NeedsLogin { session, .. } => socket::Request::NotifyNeedsUser {
            profile: profile.to_owned(),
            code: NEEDS_SIGN_IN.to_owned(),
            session: Some(session.clone()),
            mfa_serial: None,
        },
        ProcessError::NeedsMfa { mfa_serial, .. } => socket::Request::NotifyNeedsUser {
            profile: profile.to_owned(),
            code: NEEDS_MFA_CODE.to_owned(),
            session: None,
            mfa_serial: Some(mfa_serial.clone()),
        },
        _ => return,
    };
    let asked = Client::connect_within(path, CREDENTIALS_TIMEOUT).and_then(|c| {
        c.map(|mut c| c.ask(&request, CREDENTIALS_TIMEOUT))
            .transpose()
    });
    if let Err(e) = asked {
        tracing::debug!(code = e.code(), "the keeper was not told: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_person_must_do_is_typed() {
        let login = ProcessError::NeedsLogin {
            profile: "dev".into(),
            command: "leasekeeper login --sso-session corp".into(),
            session: "corp".into(),
        };
        let must = must_act(&login).unwrap();
        assert_eq!(must.reason, Reason::SignIn);
        assert_eq!(must.message, login.to_string());
        let mfa = ProcessError::NeedsMfa {
            profile: "admin".into(),
            role_profile: "admin".into(),
            mfa_serial: "arn:aws:iam::111122223333:mfa/me".into(),
        };
        assert_eq!(must_act(&mfa).unwrap().reason.code(), "needs_mfa_code");
        let expired = ProcessError::KeysExpired {
            profile: "p".into(),
            source_profile: "s".into(),
        };
        assert_eq!(must_act(&expired).unwrap().reason, Reason::KeysExpired);
        let unsupported = ProcessError::Unsupported {
            profile: "p".into(),
            kind: "web identity",
        };
        assert!(must_act(&unsupported).is_none());
    }

    #[tokio::test]
    async fn an_unknown_profile_is_an_error_with_its_code() {
        let dir = tempfile::tempdir().unwrap();
        let aws = dir.path().join(".aws");
        std::fs::create_dir_all(&aws).unwrap();
        std::fs::write(aws.join("config"), "[profile dev]\nregion = eu-west-1\n").unwrap();
        let paths = AwsPaths {
            home: dir.path().to_owned(),
            config: aws.join("config"),
            credentials: aws.join("credentials"),
            sso_cache: aws.join("sso/cache"),
            cli_cache: aws.join("cli/cache"),
        };
        let mut env = Environment::process();
        env.set("LEASEKEEPER_STATE_DIR", dir.path().join("state"));
        let e = credential_process(&paths, &env, "nope").await.unwrap_err();
        assert_eq!(e.code(), "missing_profile");
    }
}
