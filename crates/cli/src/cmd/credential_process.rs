//! `leasekeeper credential-process --profile P`: the profile's keys as the
//! `credential_process` Version 1 JSON on stdout, and nothing else. Without
//! a keeper it resolves alone under the same locks, reusing what it cached
//! while more than 15 minutes remain. It never prompts and never opens a
//! browser: when the person must act it exits at once with one line on
//! stderr naming the command to run.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use leasekeeper_aws::{Aws, AwsSettings};
use leasekeeper_engine::resolve::ResolveError;
use leasekeeper_host::credential_process::{self, ProcessError, Request};
use leasekeeper_host::keeper::Connect;
use leasekeeper_host::signin::SignInEnv;
use time::OffsetDateTime;

use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose keys are printed
    #[arg(long, short = 'p', value_name = "P")]
    profile: String,
}

/// SDK clients for one run, with this home's files and CA bundle.
struct ProcessConnect {
    files: (PathBuf, PathBuf),
    ca_bundle: Option<PathBuf>,
}

impl Connect for ProcessConnect {
    type Client = Aws;

    async fn connect(&self, region: &str) -> Result<Aws, String> {
        let settings = AwsSettings {
            region: region.to_owned(),
            profile: None,
            ca_bundle: self.ca_bundle.clone(),
            files: Some(self.files.clone()),
        };
        Aws::load(&settings).await.map_err(|e| e.to_string())
    }
}

/// One line on stderr: messages never span lines, whatever they quote.
fn fail(message: &str, code: u8) -> ExitCode {
    let line = message.replace(['\r', '\n'], " ");
    eprintln!("leasekeeper: {line}");
    exit::code(code)
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let env = match SignInEnv::from_env(|n| std::env::var_os(n), &home.paths) {
        Ok(env) => env,
        Err(e) => return Ok(fail(&format!("{e} [{}]", e.code()), exit::FAILURE)),
    };
    let snapshot = home.snapshot();
    let connect = ProcessConnect {
        files: (home.paths.config.clone(), home.paths.credentials.clone()),
        ca_bundle: env.ca_bundle(snapshot.set.profile(&args.profile)),
    };
    let req = Request {
        profile: &args.profile,
        set: &snapshot.set,
        paths: &home.paths,
        store: env.store(),
        state_dir: env.state_dir.clone(),
        scale: env.scale,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(credential_process::credentials(
        &req,
        &connect,
        OffsetDateTime::now_utc(),
    ));
    match result {
        Ok(keys) => {
            let json = credential_process::version1_json(&keys);
            let mut out = std::io::stdout().lock();
            writeln!(out, "{json}")?;
            out.flush()?;
            Ok(exit::code(exit::OK))
        }
        Err(e) => Ok(fail(&message(&e), exit_code(&e))),
    }
}

fn message(e: &ProcessError) -> String {
    if e.needs_user() {
        e.to_string()
    } else {
        format!("{e} [{}]", e.code())
    }
}

fn exit_code(e: &ProcessError) -> u8 {
    match e {
        ProcessError::Resolve(ResolveError::MissingProfile { .. }) => exit::USAGE,
        e if e.needs_user() => exit::ACTION_NEEDED,
        ProcessError::Resolve(_) | ProcessError::Unsupported { .. } => exit::PROFILE_ERROR,
        _ => exit::FAILURE,
    }
}
