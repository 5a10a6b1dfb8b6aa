//! A sign-in on the terminal: what the person reads on stderr while
//! [`leasekeeper_service::ops::sign_in`] runs (the device code or the
//! address, then the outcome), Ctrl-C to stop. `login` and `profiles
//! add-session` sign in through it.

use std::process::ExitCode;

use leasekeeper_engine::ports::{DeviceCodePrompt, Notice};
use leasekeeper_engine::signin::SignedIn;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::sign_in::{self, SignInError, SignInRequest, SignInShell};
use time::OffsetDateTime;

use crate::exit;
use crate::home::Home;
use crate::render::clock::clock_time;
use crate::runtime::runtime;

/// The exit code after Ctrl-C (128 + SIGINT), as shells expect.
const INTERRUPTED: u8 = 130;

/// The terminal side of a sign-in: messages on stderr.
struct Terminal;

impl SignInShell for Terminal {
    fn show_device_code(&self, p: &DeviceCodePrompt<'_>) {
        eprintln!(
            "To sign in to {}, open {} and enter the code {}",
            p.target, p.verification_uri, p.user_code
        );
        if let Some(complete) = p.verification_uri_complete {
            eprintln!("  (or open {complete}, which fills in the code)");
        }
        eprintln!(
            "The code expires at {}. Waiting for the sign-in…",
            clock_time(p.expires_at, OffsetDateTime::now_utc())
        );
    }

    fn continue_in_browser(&self, target: &str, url: &str) {
        eprintln!("Continue in your browser to sign in to {target}. If no browser opened, open:");
        eprintln!("  {url}");
    }

    fn show_sign_in_url(&self, target: &str, url: &str) {
        eprintln!("To sign in to {target}, open this address in a browser on this machine:");
        eprintln!("  {url}");
    }

    fn notice(&self, notice: &Notice) {
        match notice {
            Notice::BrowserFailed { reason } => {
                eprintln!("Could not open a browser ({reason}); open the address above yourself.");
            }
            Notice::UsingDeviceCode { reason } => {
                eprintln!(
                    "Cannot use the browser sign-in ({reason}); using a device code instead."
                );
            }
            Notice::StillWaiting { error_code } => {
                eprintln!("Lost contact with IAM Identity Center ({error_code}); still waiting…");
            }
            Notice::JoiningOther {
                target,
                holder,
                user_code,
                verification_uri,
            } => {
                eprintln!(
                    "A sign-in to {target} is already running in {holder}; waiting for it to finish instead of starting another."
                );
                if let (Some(code), Some(uri)) = (user_code, verification_uri) {
                    eprintln!("It waits for the code {code} to be entered at {uri}");
                }
            }
        }
    }
}

fn report(signed: &SignedIn) {
    let now = OffsetDateTime::now_utc();
    let until = clock_time(signed.token_expires_at, now);
    let renewal = if signed.refreshable {
        "refreshes silently"
    } else {
        "sign in again after that"
    };
    match &signed.joined {
        None => eprintln!(
            "Signed in to {}; token valid until {until} ({renewal})",
            signed.target
        ),
        Some(holder) => eprintln!(
            "Signed in to {} by the sign-in in {holder}; token valid until {until} ({renewal})",
            signed.target
        ),
    }
}

/// Signs in as `request` asks, on the terminal; the exit code says how it
/// went.
pub fn run(request: &SignInRequest, home: &Home) -> anyhow::Result<ExitCode> {
    let env = Environment::process();
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let result = runtime()?.block_on(sign_in::sign_in(
        &home.paths,
        &env,
        request,
        &Terminal,
        ctrl_c,
    ));
    Ok(match result {
        Ok(done) => {
            report(&done.signed);
            exit::code(exit::OK)
        }
        Err(e @ SignInError::Target(_)) => {
            eprintln!("leasekeeper: {e}");
            exit::code(exit::USAGE)
        }
        Err(e @ (SignInError::Environment(_) | SignInError::Clients { .. })) => {
            return Err(e.into());
        }
        Err(SignInError::Flow { target, error }) => {
            tracing::debug!(code = error.code(), "sign-in failed");
            eprintln!(
                "leasekeeper: cannot sign in to {target}: {error} [{}]",
                error.code()
            );
            exit::code(exit::FAILURE)
        }
        Err(e @ SignInError::Cancelled { .. }) => {
            eprintln!("leasekeeper: {e}");
            exit::code(INTERRUPTED)
        }
    })
}
