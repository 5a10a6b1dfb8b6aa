//! Signing in and out from the window. The engine's flow runs as a task
//! that the window's Cancel aborts; what the person must see (continue in
//! the browser, or a device code and its address) comes to the window as
//! [`SignInEvent`]s. The device code's address is kept here, so the
//! window's "open browser" button asks for it by session and never hands
//! an address to the app.

use leasekeeper_engine::ports::{DeviceCodePrompt, Notice as FlowNotice};
use leasekeeper_service::ops::Target;
use leasekeeper_service::ops::sign_in::{self as op, SignInError, SignInRequest, SignInShell};
use leasekeeper_service::ops::sign_out::{self as out, SignOutError};

use super::Shared;
use super::dto::{SignInEvent, SignInMethod};
use super::error::WindowError;
use super::view::error;

/// The window's side of a sign-in.
struct WindowUi<'a> {
    shared: &'a Shared,
}

impl SignInShell for WindowUi<'_> {
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
    let request = SignInRequest {
        target: Target::Named(session.to_owned()),
        use_device_code: method == SignInMethod::DeviceCode,
        open_browser: method == SignInMethod::Browser,
        holder: format!("leasekeeper-tray (pid {})", std::process::id()),
    };
    tracing::info!(target = session, ?method, "signing in from the window");
    // Cancel aborts the task this runs in.
    let ui = WindowUi { shared };
    let signed = op::sign_in(
        &home.paths,
        &home.env,
        &request,
        &ui,
        std::future::pending(),
    )
    .await
    .map_err(|e: SignInError| error(e.code(), &WindowError::op(e.code(), &e).chain()))?;
    tracing::debug!(session = %signed.session, "signed in from the window");
    Ok(())
}

/// Signs out of `session` and tells the keeper, which removes the keys it
/// wrote for it.
pub async fn sign_out(shared: &Shared, session: &str) -> Result<(), WindowError> {
    let home = shared.home();
    let target = Target::Named(session.to_owned());
    let report = out::sign_out(&home.paths, &home.env, &target)
        .await
        .map_err(|e: SignOutError| WindowError::op(e.code(), &e))?;
    for s in report.sessions {
        if let Err(e) = s.outcome {
            return Err(sign_out_failed(session, &e));
        }
    }
    if let out::KeeperTold::Unreachable(e)
    | out::KeeperTold::Told {
        failed: Some((_, e)),
        ..
    } = &report.keeper
    {
        tracing::warn!(error = %e, code = e.code(), "the keeper was not told about the sign-out");
    }
    Ok(())
}

/// A session's failed sign-out: the failure's own code, the session named.
fn sign_out_failed(session: &str, e: &out::SignOutFailure) -> WindowError {
    let message = match e {
        out::SignOutFailure::Clients { error, .. } => error.to_string(),
        out::SignOutFailure::Flow(e) => e.to_string(),
    };
    WindowError::Op {
        code: e.code().to_owned(),
        message: format!("cannot sign out of {session}: {message}"),
    }
}
