//! Signing in from a click (the menu's `Sign in to <session>…`, or a
//! notification's `Sign in`): the operation shared with the daemon
//! (`ops::sign_in_notified`), PKCE in the system browser
//! (`LEASEKEEPER_BROWSER` in tests) — the click is what allows a browser to
//! open — or a device code where no browser can be used, its progress told
//! in notifications. At the end the keeper is told, so the profiles
//! waiting on it renew at once.

use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::notify::Notifications;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::sign_in_notified::sign_in_notified;
use tokio::sync::mpsc;

use crate::controller::Msg;

/// What to sign in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An sso-session.
    Session(String),
    /// A legacy SSO profile's start URL.
    Profile(String),
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Session(n) | Target::Profile(n) => n,
        }
    }
}

/// How a sign-in ended, for the controller.
#[derive(Debug, Clone)]
pub struct Ended {
    pub target: Target,
    /// The session signed in to, or why not.
    pub result: Result<String, String>,
}

/// Starts a sign-in on a thread of its own; its end comes to `controller`
/// as [`Msg::SignInEnded`].
pub fn start(
    target: Target,
    paths: AwsPaths,
    env: Environment,
    notices: Notifications,
    controller: mpsc::UnboundedSender<Msg>,
    runtime: tokio::runtime::Handle,
) {
    let spawned = std::thread::Builder::new()
        .name("sign-in".into())
        .spawn(move || {
            let op = match &target {
                Target::Session(s) => leasekeeper_service::ops::Target::Session(s.clone()),
                Target::Profile(p) => leasekeeper_service::ops::Target::Profile(p.clone()),
            };
            let holder = format!("leasekeeper-tray (pid {})", std::process::id());
            let result = runtime.block_on(sign_in_notified(op, &paths, &env, &notices, holder));
            let _ = controller.send(Msg::SignInEnded(Ended { target, result }));
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the sign-in");
    }
}
