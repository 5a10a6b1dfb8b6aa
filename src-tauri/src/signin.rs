//! Signing in from a click (the menu's `Sign in to <session>…`, or a
//! notification's `Sign in`): the engine's flow with PKCE in the system
//! browser (`LEASEKEEPER_BROWSER` in tests) — the click is what allows a
//! browser to open — or a device code where no browser can be used. Its
//! progress is told in notifications (until the window exists); at the
//! end the keeper is told, so the profiles waiting on it renew at once.

use leasekeeper_engine::load;
use leasekeeper_engine::ports::{DeviceCodePrompt, Interaction, Notice as FlowNotice};
use leasekeeper_engine::profiles::locations::active_profile;
use leasekeeper_engine::signin::{self, LoginOptions, SignInPorts, SsoTarget};
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::browser::{Browser as _, SystemBrowser};
use leasekeeper_host::clock::{OsRandom, SystemClock};
use leasekeeper_host::loopback::LoopbackBinder;
use leasekeeper_service::{Environment, signin as service};
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

/// The tray's side of a sign-in: notifications, and the browser opened
/// only because the person clicked.
struct Tray<'a> {
    browser: &'a SystemBrowser,
    notices: &'a Notices,
}

impl Interaction for Tray<'_> {
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

    fn open_url(&self, url: &str) -> Result<(), String> {
        self.browser.open(url)
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
    let snapshot = load::snapshot(&aws_files::read(paths));
    let (session, profile) = match target {
        Target::Session(s) => (Some(s.as_str()), None),
        Target::Profile(p) => (None, Some(p.as_str())),
    };
    let sso: SsoTarget =
        signin::target::select(&snapshot.set, session, profile).map_err(|e| e.to_string())?;
    let sign_env = leasekeeper_service::sign_in_env(env, paths).map_err(|e| e.to_string())?;
    // The endpoint and CA settings of the profile asked for, else the
    // active one, as `leasekeeper login` takes them.
    let profile = profile
        .map(str::to_owned)
        .unwrap_or_else(|| active_profile(env.lookup()));
    let aws = service::aws_for(paths, &sign_env, &snapshot, &sso, &profile)
        .await
        .map_err(|e| format!("{e} [{}]", e.code()))?;
    let store = sign_env.store();
    let ports = SignInPorts {
        oidc: &aws,
        clock: &SystemClock,
        store: &store,
        scale: sign_env.scale,
    };
    let ui = Tray {
        browser: &sign_env.browser,
        notices,
    };
    let options = LoginOptions {
        use_device_code: false,
        open_browser: true,
        holder: format!("leasekeeper-tray (pid {})", std::process::id()),
    };
    tracing::info!(target = sso.name(), "signing in");
    let signed = signin::login(&ports, &ui, &OsRandom, &LoopbackBinder, &sso, &options)
        .await
        .map_err(|e| format!("{e} [{}]", e.code()))?;
    tracing::info!(target = %signed.target, "signed in");
    service::tell_keeper(&sign_env, paths, sso.name());
    Ok(signed.target)
}
