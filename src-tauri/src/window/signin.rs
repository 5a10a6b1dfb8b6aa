//! Signing in and out from the window. The engine's flow runs as a task
//! that the window's Cancel aborts; what the person must see (continue in
//! the browser, or a device code and its address) comes to the window as
//! [`SignInEvent`]s. The device code's address is kept here, so the
//! window's "open browser" button asks for it by session and never hands
//! an address to the app.

use leasekeeper_engine::load;
use leasekeeper_engine::ports::{DeviceCodePrompt, Interaction, Notice as FlowNotice};
use leasekeeper_engine::profiles::locations::active_profile;
use leasekeeper_engine::signin::{self, LoginOptions, SignInPorts, SignedOut, SsoTarget};
use leasekeeper_host::aws_files;
use leasekeeper_host::browser::{Browser as _, SystemBrowser};
use leasekeeper_host::clock::{OsRandom, SystemClock};
use leasekeeper_host::loopback::LoopbackBinder;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{self, Client, Request};
use leasekeeper_service::signin as service;

use super::Shared;
use super::dto::{SignInEvent, SignInMethod};
use super::error::WindowError;
use super::view::error;
use crate::home::Home;

/// The window's side of a sign-in.
struct WindowUi<'a> {
    shared: &'a Shared,
    browser: &'a SystemBrowser,
}

impl Interaction for WindowUi<'_> {
    fn show_device_code(&self, p: &DeviceCodePrompt<'_>) {
        let open = p.verification_uri_complete.unwrap_or(p.verification_uri);
        self.shared.remember_address(p.target, open);
        self.shared.sign_in_event(&SignInEvent::DeviceCode {
            session: p.target.to_owned(),
            user_code: p.user_code.to_owned(),
            uri: p.verification_uri.to_owned(),
        });
    }

    fn continue_in_browser(&self, target: &str, _url: &str) {
        self.shared.sign_in_event(&SignInEvent::Browser {
            session: target.to_owned(),
        });
    }

    fn show_sign_in_url(&self, target: &str, url: &str) {
        self.shared.remember_address(target, url);
        self.shared.sign_in_event(&SignInEvent::OpenUrl {
            session: target.to_owned(),
            url: url.to_owned(),
        });
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        self.browser.open(url)
    }

    fn notice(&self, notice: &FlowNotice) {
        let (session, message) = match notice {
            FlowNotice::BrowserFailed { reason } => {
                (None, format!("could not open a browser ({reason})"))
            }
            FlowNotice::UsingDeviceCode { reason } => {
                (None, format!("using a device code instead ({reason})"))
            }
            FlowNotice::StillWaiting { error_code } => (
                None,
                format!("lost contact with IAM Identity Center ({error_code}); still waiting"),
            ),
            FlowNotice::JoiningOther { target, holder, .. } => (
                Some(target.clone()),
                format!("a sign-in to {target} already runs in {holder}; waiting for it"),
            ),
        };
        self.shared.sign_in_event(&SignInEvent::Note {
            session: session.unwrap_or_default(),
            message,
        });
    }
}

/// Runs one sign-in to `session` to its end; the result as the window
/// shows it.
pub async fn sign_in(shared: &Shared, session: &str, method: SignInMethod) -> SignInEvent {
    match run(shared, session, method).await {
        Ok(()) => SignInEvent::Done {
            session: session.to_owned(),
        },
        Err(e) => SignInEvent::Failed {
            session: session.to_owned(),
            error: e,
        },
    }
}

async fn run(
    shared: &Shared,
    session: &str,
    method: SignInMethod,
) -> Result<(), super::dto::ErrorDto> {
    let home = shared.home();
    let (sso, sign_env, snapshot) =
        target(&home, session).map_err(|e| error(e.code(), &e.chain()))?;
    let profile = active_profile(home.env.lookup());
    let aws = service::aws_for(&home.paths, &sign_env, &snapshot, &sso, &profile)
        .await
        .map_err(|e| error(e.code(), &e.to_string()))?;
    let store = sign_env.store();
    let ports = SignInPorts {
        oidc: &aws,
        clock: &SystemClock,
        store: &store,
        scale: sign_env.scale,
    };
    let ui = WindowUi {
        shared,
        browser: &sign_env.browser,
    };
    let options = LoginOptions {
        use_device_code: method == SignInMethod::DeviceCode,
        open_browser: method == SignInMethod::Browser,
        holder: format!("leasekeeper-tray (pid {})", std::process::id()),
    };
    tracing::info!(target = sso.name(), ?method, "signing in from the window");
    let signed = signin::login(&ports, &ui, &OsRandom, &LoopbackBinder, &sso, &options)
        .await
        .map_err(|e| error(e.code(), &e.to_string()))?;
    tracing::info!(target = %signed.target, "signed in");
    service::tell_keeper(&sign_env, &home.paths, sso.name());
    Ok(())
}

/// Signs out of `session` and tells the keeper, which removes the keys it
/// wrote for it.
pub async fn sign_out(shared: &Shared, session: &str) -> Result<(), WindowError> {
    let home = shared.home();
    let (sso, sign_env, snapshot) = target(&home, session)?;
    let profile = active_profile(home.env.lookup());
    let failed = |message: String| WindowError::SignOut {
        session: session.to_owned(),
        message,
    };
    let aws = service::aws_for(&home.paths, &sign_env, &snapshot, &sso, &profile)
        .await
        .map_err(|e| failed(format!("{e} [{}]", e.code())))?;
    match signin::logout(&aws, &sign_env.store(), &sso).await {
        Ok(SignedOut::Done { .. } | SignedOut::CorruptRemoved | SignedOut::AlreadySignedOut) => {}
        Ok(SignedOut::NotSignedIn) => return Ok(()),
        Err(e) => return Err(failed(format!("{e} [{}]", e.code()))),
    }
    let path = socket::socket_path(&sign_env.state_dir, &home.paths);
    if let Ok(Some(mut client)) = Client::connect(&path) {
        let request = Request::SignedOut {
            session: session.to_owned(),
        };
        if let Err(e) = client.ask(&request, SHORT_TIMEOUT) {
            tracing::warn!(error = %e, code = e.code(), "the keeper was not told about the sign-out");
        }
    }
    Ok(())
}

fn target(
    home: &Home,
    session: &str,
) -> Result<(SsoTarget, SignInEnv, leasekeeper_engine::snapshot::Snapshot), WindowError> {
    let snapshot = load::snapshot(&aws_files::read(&home.paths));
    let sso = signin::target::select(&snapshot.set, Some(session), None)
        .or_else(|_| signin::target::select(&snapshot.set, None, Some(session)))
        .map_err(|_| WindowError::UnknownSession(session.to_owned()))?;
    let sign_env = leasekeeper_service::sign_in_env(&home.env, &home.paths).map_err(|e| {
        WindowError::BadValue {
            field: "environment".into(),
            message: format!("{e} [{}]", e.code()),
        }
    })?;
    Ok((sso, sign_env, snapshot))
}
