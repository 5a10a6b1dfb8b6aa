//! `leasekeeper credential-process --profile P`: the profile's keys as the
//! `credential_process` Version 1 JSON on stdout, and nothing else
//! ([`leasekeeper_service::ops::credential_process`]: from the running
//! keeper, else resolved alone under the same locks). It never prompts and
//! never opens a browser: when the person must act it exits at once with
//! one line on stderr naming the command to run.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_engine::ports::Credentials;
use leasekeeper_engine::resolve::ResolveError;
use leasekeeper_host::credential_process::ProcessError;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::credential_process::{
    self, CredentialProcessError, Outcome, version1_json,
};

use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose keys are printed
    #[arg(long, short = 'p', value_name = "P")]
    profile: String,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    // One thread: this runs before every SDK call, so it starts fast.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let env = Environment::process();
    let outcome = runtime.block_on(credential_process::credential_process(
        &home.paths,
        &env,
        &args.profile,
    ));
    match outcome {
        Ok(Outcome::Keys(keys)) => print(&keys),
        Ok(Outcome::MustAct(must)) => Ok(fail(&must.message, exit::ACTION_NEEDED)),
        Err(e) => Ok(fail(&format!("{e} [{}]", e.code()), exit_code(&e))),
    }
}

/// One line on stderr: messages never span lines, whatever they quote.
fn fail(message: &str, code: u8) -> ExitCode {
    let line = message.replace(['\r', '\n'], " ");
    eprintln!("leasekeeper: {line}");
    exit::code(code)
}

/// The Version 1 JSON on stdout.
fn print(keys: &Credentials) -> anyhow::Result<ExitCode> {
    let json = version1_json(keys);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}")?;
    out.flush()?;
    Ok(exit::code(exit::OK))
}

fn exit_code(e: &CredentialProcessError) -> u8 {
    match e {
        CredentialProcessError::Process(ProcessError::Resolve(ResolveError::MissingProfile {
            ..
        })) => exit::USAGE,
        CredentialProcessError::Process(
            ProcessError::Resolve(_) | ProcessError::Unsupported { .. },
        ) => exit::PROFILE_ERROR,
        _ => exit::FAILURE,
    }
}
