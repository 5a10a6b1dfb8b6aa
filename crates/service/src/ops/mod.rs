//! The operations a person can ask for, each performed here and only here;
//! the shells (the CLI's subcommands, the tray's menu, the window's
//! commands) parse the request, call one of these and render the answer.
//!
//! - [`snapshot`]: the files as shown to a person, with the sign-in
//!   estimates ([`snapshot::snapshot`], [`snapshot::status`]).
//! - [`attach`]: the keeper that runs for these files as another process
//!   follows it: whether one answers, its view, its events.
//! - [`sign_in`]: sign in to an sso-session (browser or device code); the
//!   shell shows the code or the address through a [`sign_in::SignInShell`]
//!   and may cancel.
//! - [`sign_out`]: sign out of one session or of every signed-in one.
//! - [`mfa`]: find the MFA device a code is of, and give the code (to the
//!   running keeper, or in one pass).
//! - [`refresh`]: renew a selection now (through the running keeper, or in
//!   one pass of the keeper's engine; [`refresh::by_keeper`] only through
//!   the running keeper).
//! - [`settings`]: the settings in effect, each with where it came from;
//!   one change to them ([`settings::change()`]); the tray's environment
//!   with the settings' `[aws]` table laid over it
//!   ([`settings::tray_environment`]).
//! - [`autostart`]: the tray's XDG autostart entry, there or not.
//! - [`credential_process`]: a profile's keys for an SDK's
//!   `credential_process` (from the running keeper, else resolved alone),
//!   or what the person must do first; never asks anything.
//! - [`setup_process`]: add a profile whose keys come from
//!   `leasekeeper credential-process`.
//! - [`add_session`]: add an `[sso-session]` for an AWS access portal.
//! - [`available`]: every account and role a signed-in session gives.
//! - [`sync`]: profiles generated from it, added and pruned in the config file.
//! - [`doctor`]: why a command gets ExpiredToken, what fixes it, and the
//!   running processes whose keys are about to lapse.
//! - [`console`]: the AWS console signed in as a profile, opened through a
//!   one-shot loopback redirect (the URL is a secret).
//!
//! Every error has a stable `code()`; none carries a secret.

pub mod add_session;
pub mod assignments;
pub mod attach;
pub mod autostart;
pub mod available;
pub mod console;
pub mod credential_process;
pub mod doctor;
pub mod mfa;
pub mod refresh;
pub mod serve;
pub mod settings;
pub mod setup_process;
pub mod sign_in;
pub mod sign_in_notified;
pub mod sign_out;
pub mod snapshot;
pub mod sync;

use leasekeeper_engine::signin::target::TargetError;
use leasekeeper_engine::signin::{self, SsoTarget};
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::home_lock::KeeperLockError;
use leasekeeper_host::signin::{EnvError, SignInEnv};
use leasekeeper_host::socket::{self, Client, ClientError};

/// What to sign in to or out of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The only sso-session configured (sign-in), or every session with a
    /// token (sign-out).
    Default,
    /// An sso-session by name.
    Session(String),
    /// The session a profile uses (legacy SSO profiles too).
    Profile(String),
    /// An sso-session of that name, else the profile of that name.
    Named(String),
}

impl Target {
    /// The sso target in `snapshot`, and the profile whose endpoint and CA
    /// settings its clients take (`None`: the active profile).
    fn choose(&self, snapshot: &Snapshot) -> Result<(SsoTarget, Option<String>), TargetError> {
        let set = &snapshot.set;
        match self {
            Target::Default => signin::target::select(set, None, None).map(|t| (t, None)),
            Target::Session(name) => signin::target::session_target(set, name).map(|t| (t, None)),
            Target::Profile(p) => {
                signin::target::profile_target(set, p).map(|t| (t, Some(p.clone())))
            }
            Target::Named(name) => match signin::target::session_target(set, name) {
                Ok(t) => Ok((t, None)),
                Err(e) => signin::target::profile_target(set, name)
                    .map(|t| (t, Some(name.clone())))
                    .map_err(|_| e),
            },
        }
    }
}

/// The longest a keeper may take to answer a refresh or a code: its own
/// bound for the renewals, and a little more (the keeper policy's).
pub use leasekeeper_engine::keeper::policy::KEEPER_WAIT;
/// The longest one pass of the keeper without a running one may take (the
/// keeper policy's).
pub use leasekeeper_engine::keeper::policy::PASS_LIMIT;

/// A client of the keeper of `paths`, when one runs.
fn keeper_client(env: &SignInEnv, paths: &AwsPaths) -> Result<Option<Client>, ClientError> {
    Client::connect(&socket::socket_path(&env.state_dir, paths))
}

/// Why no one-pass keeper could be set up.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error(transparent)]
    Environment(#[from] EnvError),
    /// Another keeper holds the lock (started between the socket check and
    /// the lock).
    #[error(transparent)]
    Held(KeeperLockError),
    #[error("cannot take the keeper lock: {0}")]
    Lock(KeeperLockError),
}

impl PassError {
    pub fn code(&self) -> &'static str {
        match self {
            PassError::Environment(e) => e.code(),
            PassError::Held(e) | PassError::Lock(e) => e.code(),
        }
    }
}

impl From<KeeperLockError> for PassError {
    fn from(e: KeeperLockError) -> Self {
        match e {
            e @ KeeperLockError::Held { .. } => PassError::Held(e),
            e => PassError::Lock(e),
        }
    }
}
