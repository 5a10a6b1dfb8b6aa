//! `leasekeeper login`: sign in to IAM Identity Center. The browser flow
//! with PKCE by default (as the AWS CLI does for sso-session profiles), the
//! device code with `--use-device-code`, for legacy profiles, or when no
//! browser can be opened. Talks to people on stderr; Ctrl-C stops cleanly
//! (the token file is written only once the sign-in succeeded).

use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_aws::Aws;
use leasekeeper_engine::ports::{DeviceCodePrompt, Interaction, Notice};
use leasekeeper_engine::profiles::locations::active_profile;
use leasekeeper_engine::signin::{self, LoginOptions, SignInPorts, SignedIn, SsoTarget};
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::browser::{Browser, SystemBrowser};
use leasekeeper_host::clock::{OsRandom, SystemClock};
use leasekeeper_host::loopback::LoopbackBinder;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_service::signin as service;
use time::OffsetDateTime;

use crate::exit;
use crate::home::Home;

/// The exit code after Ctrl-C (128 + SIGINT), as shells expect.
const INTERRUPTED: u8 = 130;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sign in to this [sso-session] (default: the only one configured)
    #[arg(long, value_name = "NAME", conflicts_with = "profile")]
    sso_session: Option<String>,
    /// Sign in to the session this profile uses (also legacy SSO profiles)
    #[arg(short = 'p', long, value_name = "PROFILE")]
    profile: Option<String>,
    /// Use a device code instead of the browser sign-in
    #[arg(long)]
    use_device_code: bool,
    /// Do not open a browser; print the address to open instead
    #[arg(long)]
    no_browser: bool,
}

/// The terminal side of a sign-in: messages on stderr, the browser opened
/// only because the person ran this command.
pub(crate) struct Terminal<'a> {
    pub browser: &'a SystemBrowser,
}

/// `10:42 UTC`, with the date when it is not today.
pub(crate) fn clock_time(t: OffsetDateTime, now: OffsetDateTime) -> String {
    if t.date() == now.date() {
        format!("{:02}:{:02} UTC", t.hour(), t.minute())
    } else {
        format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
    }
}

impl Interaction for Terminal<'_> {
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

    fn open_url(&self, url: &str) -> Result<(), String> {
        self.browser.open(url)
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

/// The AWS clients for `target`: its region, the profile's (or the active
/// profile's) endpoint and CA settings.
pub(crate) async fn aws_for(
    home: &Home,
    env: &SignInEnv,
    snapshot: &Snapshot,
    target: &SsoTarget,
    profile: Option<&str>,
) -> anyhow::Result<Aws> {
    let profile = profile
        .map(str::to_owned)
        .unwrap_or_else(|| active_profile(|n| std::env::var_os(n)));
    service::aws_for(&home.paths, env, snapshot, target, &profile)
        .await
        .with_context(|| format!("cannot prepare the AWS clients for {}", target.name()))
}

/// A runtime for one command: two workers leave room for the browser.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
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

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let snapshot = home.snapshot();
    let target = match signin::target::select(
        &snapshot.set,
        args.sso_session.as_deref(),
        args.profile.as_deref(),
    ) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("leasekeeper: {e}");
            return Ok(exit::code(exit::USAGE));
        }
    };
    let env = SignInEnv::from_env(|n| std::env::var_os(n), &home.paths)?;
    let options = LoginOptions {
        use_device_code: args.use_device_code,
        open_browser: !args.no_browser,
        holder: format!("leasekeeper (pid {})", std::process::id()),
    };
    runtime()?.block_on(async {
        let aws = aws_for(home, &env, &snapshot, &target, args.profile.as_deref()).await?;
        let store = env.store();
        let ports = SignInPorts {
            oidc: &aws,
            clock: &SystemClock,
            store: &store,
            scale: env.scale,
        };
        let ui = Terminal {
            browser: &env.browser,
        };
        let flow = signin::login(&ports, &ui, &OsRandom, &LoopbackBinder, &target, &options);
        tokio::select! {
            result = flow => match result {
                Ok(signed) => {
                    report(&signed);
                    service::tell_keeper(&env, &home.paths, target.name());
                    Ok(exit::code(exit::OK))
                }
                Err(e) => {
                    tracing::debug!(code = e.code(), "sign-in failed");
                    eprintln!("leasekeeper: cannot sign in to {}: {e} [{}]", target.name(), e.code());
                    Ok(exit::code(exit::FAILURE))
                }
            },
            // Dropping the flow stops it: locks are released and the token
            // file, written only at the very end, is left as it was.
            _ = tokio::signal::ctrl_c() => {
                eprintln!("leasekeeper: sign-in to {} cancelled; nothing was changed", target.name());
                Ok(exit::code(INTERRUPTED))
            }
        }
    })
}
