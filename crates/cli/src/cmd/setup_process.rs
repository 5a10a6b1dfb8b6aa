//! `leasekeeper setup-process --profile P [--as NAME]`: adds to the config
//! file a profile (`P-leasekeeper` by default) whose only source is
//! `credential_process = leasekeeper credential-process --profile P`
//! ([`leasekeeper_service::ops::setup_process`]), and says how to use it.

use std::path::Path;
use std::process::ExitCode;

use leasekeeper_service::ops::setup_process::{self, Outcome, SetupError, SetupRequest};

use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose keys the new profile gets
    #[arg(long, short = 'p', value_name = "P")]
    profile: String,
    /// The new profile's name (default: P-leasekeeper)
    #[arg(long = "as", value_name = "NAME")]
    name: Option<String>,
}

pub fn run(args: Args, home: &Home, home_override: Option<&Path>) -> anyhow::Result<ExitCode> {
    let program = std::env::current_exe()
        .map(|exe| setup_process::program(&exe))
        .unwrap_or_else(|_| "leasekeeper".to_owned());
    let request = SetupRequest {
        profile: args.profile.clone(),
        name: args.name,
        program,
        home: home_override.map(Path::to_owned),
    };
    let done = match setup_process::setup_process(&home.paths, &request) {
        Ok(done) => done,
        Err(e @ SetupError::Write(_)) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            return Ok(exit::code(exit::FAILURE));
        }
        Err(e) => {
            eprintln!("leasekeeper: {e}");
            return Ok(exit::code(exit::USAGE));
        }
    };
    let (name, config) = (&done.name, done.config.display());
    match done.outcome {
        Outcome::Added => println!("Added [profile {name}] to {config}"),
        Outcome::AlreadyThere => println!("[profile {name}] is already set up in {config}"),
    }
    println!(
        "Its keys come from `leasekeeper credential-process --profile {}`; the SDKs run it again \
         before they expire, so long jobs never see ExpiredToken:",
        args.profile
    );
    println!("  AWS_PROFILE={name} your-long-job");
    Ok(exit::code(exit::OK))
}
