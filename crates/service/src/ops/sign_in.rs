//! Signing in to IAM Identity Center: the browser flow with PKCE, or a
//! device code when asked, for legacy profiles, or when no browser can be
//! opened. The shell shows what the person must see through a
//! [`SignInShell`]; the browser is opened by this operation (the person
//! asked for the sign-in). At the end a running keeper is told, so the
//! profiles waiting on the session renew at once.

use std::future::Future;

use leasekeeper_aws::{Aws, AwsSettings, SetupError};
use leasekeeper_engine::load;
use leasekeeper_engine::ports::{DeviceCodePrompt, Interaction, Notice};
use leasekeeper_engine::profiles::locations::active_profile;
use leasekeeper_engine::signin::target::TargetError;
use leasekeeper_engine::signin::{self, LoginOptions, SignInPorts, SignedIn, SsoTarget};
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::browser::{Browser as _, SystemBrowser};
use leasekeeper_host::clock::{OsRandom, SystemClock};
use leasekeeper_host::loopback::LoopbackBinder;
use leasekeeper_host::signin::{EnvError, SignInEnv};
use leasekeeper_host::socket::Request;
use leasekeeper_host::socket::client::SHORT_TIMEOUT;

use super::{Target, keeper_client};
use crate::Environment;

/// What the person must see during a sign-in, as the shell shows it.
pub trait SignInShell: Send + Sync {
    /// Enter this code at this address.
    fn show_device_code(&self, prompt: &DeviceCodePrompt<'_>);
    /// The browser was opened at `url`: "continue in your browser".
    fn continue_in_browser(&self, target: &str, url: &str);
    /// No browser will be opened: the person opens `url` themselves.
    fn show_sign_in_url(&self, target: &str, url: &str);
    /// Something the person should know while waiting.
    fn notice(&self, notice: &Notice);
}

/// A sign-in asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRequest {
    pub target: Target,
    /// The device code even where the browser flow is possible.
    pub use_device_code: bool,
    /// Open a browser (else the address is shown).
    pub open_browser: bool,
    /// How other processes name this one (`leasekeeper (pid 4242)`).
    pub holder: String,
}

/// A sign-in that ended well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInDone {
    /// The sso-session (or legacy profile) signed in to.
    pub session: String,
    pub signed: SignedIn,
}

/// Why a sign-in did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Nothing to sign in to by that name, or not only one.
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Environment(#[from] EnvError),
    #[error("cannot prepare the AWS clients for {target}: {error}")]
    Clients { target: String, error: SetupError },
    /// The flow itself failed (denied, expired code, network, …).
    #[error("{error}")]
    Flow {
        target: String,
        error: signin::SignInError,
    },
    #[error("sign-in to {target} cancelled; nothing was changed")]
    Cancelled { target: String },
}

impl SignInError {
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::Target(e) => e.code(),
            SignInError::Environment(e) => e.code(),
            SignInError::Clients { error, .. } => error.code(),
            SignInError::Flow { error, .. } => error.code(),
            SignInError::Cancelled { .. } => "sign_in_cancelled",
        }
    }
}

/// The shell's side, with the browser of the sign-in surroundings.
struct Ui<'a, S> {
    shell: &'a S,
    browser: &'a SystemBrowser,
}

impl<S: SignInShell> Interaction for Ui<'_, S> {
    fn show_device_code(&self, prompt: &DeviceCodePrompt<'_>) {
        self.shell.show_device_code(prompt);
    }

    fn continue_in_browser(&self, target: &str, url: &str) {
        self.shell.continue_in_browser(target, url);
    }

    fn show_sign_in_url(&self, target: &str, url: &str) {
        self.shell.show_sign_in_url(target, url);
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        self.browser.open(url)
    }

    fn notice(&self, notice: &Notice) {
        self.shell.notice(notice);
    }
}

/// Signs in as `request` asks, for the files at `paths`. Stops when
/// `cancel` completes: dropping the flow releases its locks, and the token
/// file, written only at the very end, is left as it was.
pub async fn sign_in(
    paths: &AwsPaths,
    env: &Environment,
    request: &SignInRequest,
    shell: &impl SignInShell,
    cancel: impl Future<Output = ()>,
) -> Result<SignInDone, SignInError> {
    let snapshot = load::snapshot(&aws_files::read(paths));
    let (target, profile) = request.target.choose(&snapshot)?;
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
    .map_err(|error| SignInError::Clients {
        target: target.name().to_owned(),
        error,
    })?;
    let store = sign_env.store();
    let ports = SignInPorts {
        oidc: &aws,
        clock: &SystemClock,
        store: &store,
        scale: sign_env.scale,
    };
    let ui = Ui {
        shell,
        browser: &sign_env.browser,
    };
    let options = LoginOptions {
        use_device_code: request.use_device_code,
        open_browser: request.open_browser,
        holder: request.holder.clone(),
    };
    tracing::info!(target = target.name(), "signing in");
    let flow = signin::login(&ports, &ui, &OsRandom, &LoopbackBinder, &target, &options);
    let signed = tokio::select! {
        result = flow => result.map_err(|error| SignInError::Flow {
            target: target.name().to_owned(),
            error,
        })?,
        () = cancel => {
            return Err(SignInError::Cancelled {
                target: target.name().to_owned(),
            });
        }
    };
    tracing::info!(target = %signed.target, "signed in");
    tell_keeper(&sign_env, paths, target.name());
    Ok(SignInDone {
        session: target.name().to_owned(),
        signed,
    })
}

/// The AWS clients for `target`: its region, and the endpoint and CA
/// settings of `profile` (else the active profile).
pub(super) async fn clients(
    paths: &AwsPaths,
    env: &Environment,
    sign_env: &SignInEnv,
    snapshot: &Snapshot,
    target: &SsoTarget,
    profile: Option<&str>,
) -> Result<Aws, SetupError> {
    let profile = profile
        .map(str::to_owned)
        .unwrap_or_else(|| active_profile(env.lookup()));
    let known = snapshot.set.profile(&profile);
    let settings = AwsSettings {
        region: target.region.clone(),
        profile: known.map(|_| profile.clone()),
        ca_bundle: sign_env.ca_bundle(known),
        proxy: sign_env.proxy.clone(),
        files: Some((paths.config.clone(), paths.credentials.clone())),
    };
    Aws::load(&settings).await
}

/// Tells the keeper of `paths`, if one runs, that `session` was signed in
/// to; without one, or when it does not answer, nothing is lost (a keeper
/// re-reads the token file within a tick anyway).
fn tell_keeper(env: &SignInEnv, paths: &AwsPaths, session: &str) {
    if let Ok(Some(mut client)) = keeper_client(env, paths) {
        let request = Request::SignedIn {
            session: session.to_owned(),
        };
        if let Err(e) = client.ask(&request, SHORT_TIMEOUT) {
            tracing::debug!(error = %e, "the keeper was not told about the sign-in");
        }
    }
}
