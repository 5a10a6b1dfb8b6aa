//! Opening the AWS console signed in as a profile: the profile's keys as
//! `credential-process` gets them (the running keeper's, else resolved
//! under the same locks), a federation token first for long-term keys,
//! then the federation endpoint's sign-in token and the login URL
//! (`engine::console` decides which keys go how). The URL signs anyone in
//! who has it: it is a [`Secret`], never logged nor put in an error, and
//! [`open`] hands it to the browser through a one-shot loopback redirect
//! (`host::handoff`), never on a command line.

use std::time::Duration;

use leasekeeper_aws::Aws;
use leasekeeper_engine::console::{
    self, AnswerError, ChainKeys, DestinationError, Note, Partition, Plan, Refusal,
};
use leasekeeper_engine::ports::{AwsError, Credentials, Sts as _};
use leasekeeper_engine::resolve::{self, Base, ResolveError, SourceKeys};
use leasekeeper_engine::{Secret, load};
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::browser::Browser;
use leasekeeper_host::handoff::{self, Handoff, HandoffError};
use leasekeeper_host::keeper::Connect as _;
use leasekeeper_host::signin::EnvError;

use crate::ops::credential_process::{self, CredentialProcessError, MustAct, Outcome};
use crate::{Environment, SdkConnect};

/// The region used when neither the request, the environment nor the
/// profile names one.
pub const DEFAULT_REGION: &str = "us-east-1";
/// How long the browser has to come for the page.
pub const BROWSER_WAIT: Duration = Duration::from_secs(60);
/// At most this many role profiles are suggested instead of refused keys.
const SUGGESTED_ROLES: usize = 3;

/// What to open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsoleRequest {
    pub profile: String,
    /// A service name (`s3`) or a console URL; `None`: the console's home.
    pub destination: Option<String>,
    /// The console's region; `None`: `AWS_REGION`, `AWS_DEFAULT_REGION`,
    /// the profile's `region`, else us-east-1.
    pub region: Option<String>,
}

/// A console sign-in, ready to open.
#[derive(Debug)]
pub struct ConsoleLogin {
    /// The login URL: a bearer secret.
    pub url: Secret,
    pub profile: String,
    /// Who the console session is: the keys' ARN, or the federated user's.
    pub arn: String,
    /// Where the console opens.
    pub destination: String,
    /// A federation token was made from long-term keys.
    pub federated: bool,
    /// What the person should know about the session.
    pub notes: Vec<Note>,
}

/// Why the console cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    Environment(#[from] EnvError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Destination(#[from] DestinationError),
    /// The person must act first (sign in, an MFA code, keys another tool
    /// must write again).
    #[error("{}", .0.message)]
    MustAct(MustAct),
    #[error(transparent)]
    Keys(CredentialProcessError),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("cannot set up the AWS clients: {0}")]
    Setup(String),
    #[error("the profile {profile}: {source}")]
    Aws {
        profile: String,
        #[source]
        source: AwsError,
    },
    #[error(
        "the console's federation endpoint refused the keys of {profile} (HTTP {status}): they may \
         have lapsed, or AWS takes no console sign-in with them"
    )]
    EndpointRefused { profile: String, status: u16 },
    #[error(transparent)]
    Answer(#[from] AnswerError),
    #[error(transparent)]
    Handoff(#[from] HandoffError),
    #[error(
        "cannot open a browser: {0} (`leasekeeper console --print` writes the sign-in URL to stdout instead)"
    )]
    Browser(String),
}

impl ConsoleError {
    pub fn code(&self) -> &'static str {
        match self {
            ConsoleError::Environment(e) => e.code(),
            ConsoleError::Resolve(e) => e.code(),
            ConsoleError::Destination(e) => e.code(),
            ConsoleError::MustAct(m) => m.reason.code(),
            ConsoleError::Keys(e) => e.code(),
            ConsoleError::Refused(e) => e.code(),
            ConsoleError::Setup(_) => "setup",
            ConsoleError::Aws { source, .. } => source.code(),
            ConsoleError::EndpointRefused { .. } => "signin_refused",
            ConsoleError::Answer(_) => "bad_answer",
            ConsoleError::Handoff(e) => e.code(),
            ConsoleError::Browser(_) => "no_browser",
        }
    }

    /// The person must act (sign in, give a code) before trying again.
    pub fn must_act(&self) -> Option<&MustAct> {
        match self {
            ConsoleError::MustAct(m) => Some(m),
            _ => None,
        }
    }
}

fn text(env: &Environment, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.to_string_lossy().trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A console sign-in for `req.profile`, not yet opened.
pub async fn console(
    paths: &AwsPaths,
    env: &Environment,
    req: &ConsoleRequest,
) -> Result<ConsoleLogin, ConsoleError> {
    let sign_env = crate::sign_in_env(env, paths)?;
    let snapshot = load::snapshot(&aws_files::read(paths));
    let set = &snapshot.set;
    let chain = resolve::resolve(set, &req.profile)?;
    let region = req
        .region
        .clone()
        .or_else(|| text(env, "AWS_REGION"))
        .or_else(|| text(env, "AWS_DEFAULT_REGION"))
        .or_else(|| {
            set.profile(&req.profile)
                .and_then(|p| p.get_nonempty("region"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| DEFAULT_REGION.to_owned());
    let partition = Partition::of(&region)?;
    let destination = console::destination(req.destination.as_deref(), partition, &region)?;

    let keys = match credential_process::credential_process(paths, env, &req.profile).await {
        Ok(Outcome::Keys(keys)) => keys,
        Ok(Outcome::MustAct(must)) => return Err(ConsoleError::MustAct(must)),
        Err(e) => return Err(ConsoleError::Keys(e)),
    };
    let connect = SdkConnect {
        files: (paths.config.clone(), paths.credentials.clone()),
        ca_bundle: sign_env.ca_bundle(set.profile(&req.profile)),
        proxy: sign_env.proxy.clone(),
    };
    let aws = connect
        .connect(&region)
        .await
        .map_err(ConsoleError::Setup)?;
    let aws_failed = |source| ConsoleError::Aws {
        profile: req.profile.clone(),
        source,
    };
    let arn = aws
        .get_caller_identity(&keys)
        .await
        .map_err(aws_failed)?
        .value
        .arn;
    let (plan, mut notes) = console::plan(
        console::chain_keys(&chain),
        keys.session_token.is_some(),
        Some(&arn),
        &role_profiles(set),
    )?;
    let (keys, duration, arn, federated) = match plan {
        Plan::Direct { session_duration } => (keys, session_duration, arn, false),
        Plan::Federate => {
            let (token, federated_arn) = aws
                .get_federation_token(
                    &keys,
                    &console::federation_name(&req.profile),
                    console::ALLOW_ALL_POLICY,
                    console::FEDERATION_SECS,
                )
                .await
                .map_err(aws_failed)?
                .value;
            (token, None, federated_arn, true)
        }
    };
    let url = sign_in_url(&aws, partition, &region, &keys, duration, &destination)
        .await
        .map_err(|e| match e {
            SignInUrlError::Aws(source) => aws_failed(source),
            SignInUrlError::Refused(status) => ConsoleError::EndpointRefused {
                profile: req.profile.clone(),
                status,
            },
            SignInUrlError::Answer(e) => ConsoleError::Answer(e),
        })?;
    if req.region.is_some()
        && req
            .destination
            .as_deref()
            .is_some_and(|d| d.contains("://"))
    {
        notes.push(Note::RegionFromUrl);
    }
    tracing::info!(profile = %req.profile, %arn, federated, "console sign-in ready");
    Ok(ConsoleLogin {
        url,
        profile: req.profile.clone(),
        arn,
        destination,
        federated,
        notes,
    })
}

enum SignInUrlError {
    Aws(AwsError),
    Refused(u16),
    Answer(AnswerError),
}

/// The federation endpoint's sign-in token for `keys`, and the login URL.
async fn sign_in_url(
    aws: &Aws,
    partition: Partition,
    region: &str,
    keys: &Credentials,
    duration: Option<u32>,
    destination: &str,
) -> Result<Secret, SignInUrlError> {
    let base = aws
        .signin_endpoint()
        .map_err(SignInUrlError::Aws)?
        .unwrap_or_else(|| console::signin_base(partition, region));
    let answer = aws
        .federation_get(&console::signin_token_url(&base, keys, duration))
        .await
        .map_err(SignInUrlError::Aws)?;
    if answer.status != 200 {
        return Err(SignInUrlError::Refused(answer.status));
    }
    let token = console::parse_signin_token(answer.body.expose().as_bytes())
        .map_err(SignInUrlError::Answer)?;
    Ok(console::login_url(
        &base,
        console::ISSUER,
        destination,
        &token,
    ))
}

/// Profiles whose role is assumed with long-term keys: what to use instead
/// of keys the console refuses.
fn role_profiles(set: &leasekeeper_engine::profiles::ProfileSet) -> Vec<String> {
    set.profiles
        .keys()
        .filter_map(|name| resolve::resolve(set, name).ok())
        .filter(|chain| {
            matches!(chain.base, Base::Keys(_))
                && chain.first_role_source_keys() == Some(SourceKeys::LongTerm)
                && console::chain_keys(chain) == ChainKeys::Role { chained: false }
        })
        .map(|chain| chain.profile)
        .take(SUGGESTED_ROLES)
        .collect()
}

/// A console sign-in for `req`, opened in `browser`: what the CLI, the tray
/// and the window call.
pub async fn open_as(
    paths: &AwsPaths,
    env: &Environment,
    req: &ConsoleRequest,
    browser: &dyn Browser,
) -> Result<ConsoleLogin, ConsoleError> {
    let login = console(paths, env, req).await?;
    open(&login, browser).await?;
    Ok(login)
}

/// Opens the console in the browser: the browser is given a one-shot
/// loopback address that redirects to the login URL once (on Linux, for a
/// connection of this user only).
pub async fn open(login: &ConsoleLogin, browser: &dyn Browser) -> Result<(), ConsoleError> {
    let handoff = Handoff::bind().await?;
    let local = handoff.local_url();
    browser.open(&local).map_err(ConsoleError::Browser)?;
    handoff
        .serve(&login.url, &handoff::system_owner(), BROWSER_WAIT)
        .await?;
    Ok(())
}
