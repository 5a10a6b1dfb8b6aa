//! Signing out: end the portal session and remove the token file, for one
//! sso-session or every session that has a token. A token file another
//! tool already removed (`aws sso logout`) is a sign-out that already
//! happened. A running keeper is told, so it removes the keys derived from
//! those sessions at once.

use leasekeeper_engine::load;
use leasekeeper_engine::ports::{Store, StoreFile};
use leasekeeper_engine::signin::target::TargetError;
use leasekeeper_engine::signin::{self, SignedOut, SsoTarget};
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::signin::{EnvError, SignInEnv};
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{ClientError, Request};

use super::sign_in::clients;
use super::{Target, keeper_client};
use crate::Environment;

/// How signing out of one session went.
#[derive(Debug)]
pub struct SessionSignOut {
    pub session: String,
    pub outcome: Result<SignedOut, SignOutFailure>,
}

/// Why one session is still signed in.
#[derive(Debug, thiserror::Error)]
pub enum SignOutFailure {
    #[error("cannot prepare the AWS clients for {target}: {error}")]
    Clients {
        target: String,
        error: leasekeeper_aws::SetupError,
    },
    #[error("{0}")]
    Flow(signin::SignInError),
}

impl SignOutFailure {
    pub fn code(&self) -> &'static str {
        match self {
            SignOutFailure::Clients { error, .. } => error.code(),
            SignOutFailure::Flow(e) => e.code(),
        }
    }
}

/// What the running keeper was told.
#[derive(Debug)]
pub enum KeeperTold {
    /// No keeper runs (the next one finds no token and writes nothing).
    NoKeeper,
    /// One runs and could not be reached.
    Unreachable(ClientError),
    /// It was told about `told`; then, if `failed`, it did not answer
    /// about that session and was told nothing more.
    Told {
        told: Vec<String>,
        failed: Option<(String, ClientError)>,
    },
}

/// Every sign-out tried, in order (none: nothing was signed in), and what
/// the keeper was told (nothing when there was nothing to do).
#[derive(Debug)]
pub struct SignOutReport {
    pub sessions: Vec<SessionSignOut>,
    pub keeper: KeeperTold,
}

/// Why nothing was signed out.
#[derive(Debug, thiserror::Error)]
pub enum SignOutError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Environment(#[from] EnvError),
}

impl SignOutError {
    pub fn code(&self) -> &'static str {
        match self {
            SignOutError::Target(e) => e.code(),
            SignOutError::Environment(e) => e.code(),
        }
    }
}

/// Signs out of `target` (with [`Target::Default`]: every session with a
/// token or a sign-in record) for the files at `paths`, then tells the
/// running keeper about every session no longer signed in.
pub async fn sign_out(
    paths: &AwsPaths,
    env: &Environment,
    target: &Target,
) -> Result<SignOutReport, SignOutError> {
    let snapshot = load::snapshot(&aws_files::read(paths));
    let sign_env = crate::sign_in_env(env, paths)?;
    let store = sign_env.store();
    let targets: Vec<(SsoTarget, Option<String>)> = match target {
        Target::Default => signin::target::all_targets(&snapshot.set)
            .into_iter()
            .filter(|t| {
                let has = |f: StoreFile| store.read(&f).is_ok_and(|b| b.is_some());
                has(StoreFile::SsoToken(t.cache_key())) || has(StoreFile::Session(t.cache_key()))
            })
            .map(|t| (t, None))
            .collect(),
        other => vec![other.choose(&snapshot)?],
    };
    let mut sessions = Vec::new();
    for (target, profile) in &targets {
        let session = target.name().to_owned();
        let outcome =
            match clients(paths, env, &sign_env, &snapshot, target, profile.as_deref()).await {
                Ok(aws) => signin::logout(&aws, &store, target)
                    .await
                    .map_err(SignOutFailure::Flow),
                Err(error) => Err(SignOutFailure::Clients {
                    target: session.clone(),
                    error,
                }),
            };
        sessions.push(SessionSignOut { session, outcome });
    }
    // Still signed in where it failed: the keeper keeps renewing those.
    let out: Vec<String> = sessions
        .iter()
        .filter(|s| s.outcome.is_ok())
        .map(|s| s.session.clone())
        .collect();
    let keeper = if targets.is_empty() {
        KeeperTold::NoKeeper
    } else {
        tell_keeper(&sign_env, paths, &out)
    };
    Ok(SignOutReport { sessions, keeper })
}

fn tell_keeper(env: &SignInEnv, paths: &AwsPaths, sessions: &[String]) -> KeeperTold {
    let mut client = match keeper_client(env, paths) {
        Ok(Some(client)) => client,
        Ok(None) => return KeeperTold::NoKeeper,
        Err(e) => return KeeperTold::Unreachable(e),
    };
    let mut told = Vec::new();
    for session in sessions {
        let request = Request::SignedOut {
            session: session.clone(),
        };
        match client.ask(&request, SHORT_TIMEOUT) {
            Ok(_) => told.push(session.clone()),
            Err(e) => {
                return KeeperTold::Told {
                    told,
                    failed: Some((session.clone(), e)),
                };
            }
        }
    }
    KeeperTold::Told { told, failed: None }
}
