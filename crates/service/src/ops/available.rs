//! What the signed-in person may use in a session: every account the access
//! portal lists and every role in each ([`leasekeeper_engine::available`]:
//! every page, within the rate asked for, throttles and failures asked
//! again). The session's token is refreshed first when due, as for role
//! credentials; a session nobody signed in to, or whose sign-in ended, is
//! said so, with the command that signs in.

use leasekeeper_engine::available::{self, Available, Listing, Progress, RateLimit};
use leasekeeper_engine::load;
use leasekeeper_engine::ports::AwsError;
use leasekeeper_engine::signin::{self, SignInPorts};
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::clock::{OsRandom, SystemClock};
use leasekeeper_host::signin::EnvError;

use super::Target;
use super::sign_in::clients;
use crate::Environment;

pub use leasekeeper_engine::available::DEFAULT_CALLS_PER_SECOND;

/// The accounts and roles of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The session's name.
    pub session: String,
    /// The session's region (`sso_region`).
    pub region: String,
    /// Every account, in the portal's order, with its roles.
    pub accounts: Vec<Available>,
}

/// Why nothing was listed.
#[derive(Debug, thiserror::Error)]
pub enum AvailableError {
    #[error(transparent)]
    Target(#[from] signin::target::TargetError),
    #[error(transparent)]
    Environment(#[from] EnvError),
    #[error("cannot prepare the AWS clients for {session}: {error}")]
    Clients {
        session: String,
        error: leasekeeper_aws::SetupError,
    },
    /// No token, or the sign-in ended: sign in first.
    #[error(
        "{session} needs a sign-in ({}): leasekeeper login --sso-session {session}",
        .reason.as_str()
    )]
    SignIn {
        session: String,
        reason: signin::SessionOver,
    },
    /// The token could not be refreshed for another reason (the network,
    /// a throttle): signing in again is not the fix.
    #[error(transparent)]
    Refresh(signin::SignInError),
    #[error("cannot list what {session} gives: {error}")]
    Portal { session: String, error: AwsError },
}

impl AvailableError {
    pub fn code(&self) -> &'static str {
        match self {
            AvailableError::Target(e) => e.code(),
            AvailableError::Environment(e) => e.code(),
            AvailableError::Clients { error, .. } => error.code(),
            AvailableError::SignIn { .. } => "needs_login",
            AvailableError::Refresh(e) => e.code(),
            AvailableError::Portal { error, .. } => error.code(),
        }
    }
}

/// Lists what `session` gives, calling the portal at most `calls_per_second`
/// times a second; `progress` is told after every account.
pub async fn available(
    paths: &AwsPaths,
    env: &Environment,
    session: &str,
    calls_per_second: u32,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Listed, AvailableError> {
    let snapshot = load::snapshot(&aws_files::read(paths));
    let (target, profile) = Target::Session(session.to_owned()).choose(&snapshot)?;
    let sign_env = crate::sign_in_env(env, paths)?;
    let aws = clients(
        paths,
        env,
        &sign_env,
        &snapshot,
        &target,
        profile.as_deref(),
    )
    .await
    .map_err(|error| AvailableError::Clients {
        session: session.to_owned(),
        error,
    })?;
    let store = sign_env.store();
    let ports = SignInPorts {
        oidc: &aws,
        clock: &SystemClock,
        store: &store,
        scale: sign_env.scale,
    };
    let sign_in = |reason| AvailableError::SignIn {
        session: session.to_owned(),
        reason,
    };
    let token = match signin::refresh_if_due(&ports, &target).await {
        Ok(refresh) => refresh.token().clone(),
        Err(signin::SignInError::NeedsLogin { reason, .. }) => return Err(sign_in(reason)),
        Err(e) => return Err(AvailableError::Refresh(e)),
    };
    if token.expires_at <= time::OffsetDateTime::now_utc() {
        return Err(sign_in(signin::SessionOver::Expired));
    }
    let listing = Listing {
        portal: &aws,
        clock: &SystemClock,
        random: &OsRandom,
    };
    let mut limit = RateLimit::new(calls_per_second);
    match available::list(&listing, &token.access_token, &mut limit, progress).await {
        Ok(accounts) => Ok(Listed {
            session: session.to_owned(),
            region: target.region.clone(),
            accounts,
        }),
        Err(AwsError::Unauthorized) => Err(sign_in(signin::SessionOver::PortalRefused)),
        Err(error) => Err(AvailableError::Portal {
            session: session.to_owned(),
            error,
        }),
    }
}
