//! `leasekeeper login`: sign in to IAM Identity Center. The browser flow
//! with PKCE by default (as the AWS CLI does for sso-session profiles), the
//! device code with `--use-device-code`, for legacy profiles, or when no
//! browser can be opened. Talks to people on stderr; Ctrl-C stops cleanly
//! (the token file is written only once the sign-in succeeded).

use std::process::ExitCode;

use leasekeeper_service::ops::Target;
use leasekeeper_service::ops::sign_in::SignInRequest;

use crate::home::Home;

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

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let target = match (args.sso_session, args.profile) {
        (Some(session), _) => Target::Session(session),
        (None, Some(profile)) => Target::Profile(profile),
        (None, None) => Target::Default,
    };
    let request = SignInRequest {
        target,
        use_device_code: args.use_device_code,
        open_browser: !args.no_browser,
        holder: format!("leasekeeper (pid {})", std::process::id()),
    };
    crate::signin::run(&request, home)
}
