//! Signing in from a click (the menu's `Sign in to <session>…`, or a
//! notification's `Sign in`): the engine's flow with PKCE in the system
//! browser (`LEASEKEEPER_BROWSER` in tests) — the click is what allows a
//! browser to open — or a device code where no browser can be used. Its
//! progress is told in notifications (until the window exists); at the
//! end the keeper is told, so the profiles waiting on it renew at once.

use leasekeeper_engine::ports::{DeviceCodePrompt, Notice as FlowNotice};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::sign_in::{SignInError, SignInRequest, SignInShell};
use tokio::sync::mpsc;

use crate::controller::Msg;
use crate::notify::{Notice, Notices};

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

/// The tray's side of a sign-in: notifications (the browser is opened
/// only because the person clicked).
struct Tray<'a> {
    notices: &'a Notices,
}

impl SignInShell for Tray<'_> {
    fn show_device_code(&self, p: &DeviceCodePrompt<'_>) {
        self.notices.send(Notice::plain(
            format!("Sign in to {}", p.target),
            format!(
                "Open {} and enter the code {}",
                p.verification_uri, p.user_code
            ),
        ));
    }

    fn continue_in_browser(&self, target: &str, _url: &str) {
        self.notices.send(Notice::plain(
            format!("Sign in to {target}"),
            "Continue in your browser".to_owned(),
        ));
    }

    fn show_sign_in_url(&self, target: &str, url: &str) {
        self.notices.send(Notice::plain(
            format!("Sign in to {target}"),
            format!("Open this address in a browser on this machine: {url}"),
        ));
    }

    fn notice(&self, notice: &FlowNotice) {
        let body = match notice {
            FlowNotice::BrowserFailed { reason } => {
                format!("Could not open a browser ({reason})")
            }
            FlowNotice::UsingDeviceCode { reason } => {
                format!("Using a device code instead of the browser ({reason})")
            }
            FlowNotice::StillWaiting { error_code } => {
                format!("Lost contact with IAM Identity Center ({error_code}); still waiting")
            }
            FlowNotice::JoiningOther { target, holder, .. } => {
                format!("A sign-in to {target} already runs in {holder}; waiting for it")
            }
        };
        self.notices.send(Notice::plain("Signing in", body));
    }
}

/// Starts a sign-in on a thread of its own; its end comes to `controller`
/// as [`Msg::SignInEnded`].
pub fn start(
    target: Target,
    paths: AwsPaths,
    env: Environment,
    notices: Notices,
    controller: mpsc::UnboundedSender<Msg>,
    runtime: tokio::runtime::Handle,
) {
    let spawned = std::thread::Builder::new()
        .name("sign-in".into())
        .spawn(move || {
            let result = runtime.block_on(sign_in(&target, &paths, &env, &notices));
            let _ = controller.send(Msg::SignInEnded(Ended { target, result }));
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the sign-in");
    }
}

async fn sign_in(
    target: &Target,
    paths: &AwsPaths,
    env: &Environment,
    notices: &Notices,
) -> Result<String, String> {
    let request = SignInRequest {
        target: match target {
            Target::Session(s) => leasekeeper_service::ops::Target::Session(s.clone()),
            Target::Profile(p) => leasekeeper_service::ops::Target::Profile(p.clone()),
        },
        use_device_code: false,
        open_browser: true,
        holder: format!("leasekeeper-tray (pid {})", std::process::id()),
    };
    let shell = Tray { notices };
    let done = leasekeeper_service::ops::sign_in::sign_in(
        paths,
        env,
        &request,
        &shell,
        std::future::pending(),
    )
    .await
    .map_err(|e| match e {
        e @ (SignInError::Target(_) | SignInError::Environment(_)) => e.to_string(),
        e => format!("{e} [{}]", e.code()),
    })?;
    Ok(done.signed.target)
}
