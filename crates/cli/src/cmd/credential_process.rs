//! `leasekeeper credential-process --profile P`: the profile's keys as the
//! `credential_process` Version 1 JSON on stdout, and nothing else. With a
//! keeper running it answers from the keeper over its socket (the keeper
//! renews long before the SDKs' 15-minute window, so no AWS call is made
//! here); without one, or when the keeper holds nothing usable for P, it
//! resolves alone under the same locks, reusing what it cached while more
//! than 15 minutes remain. It never prompts and never opens a browser: when
//! the person must act it exits at once with one line on stderr naming the
//! command to run, and asks a running keeper to tell the person.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use leasekeeper_aws::{Aws, AwsSettings, Proxy};
use leasekeeper_engine::resolve::ResolveError;
use leasekeeper_host::credential_process::{self, ProcessError, Request};
use leasekeeper_host::keeper::Connect;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::keys::{NEEDS_MFA_CODE, NEEDS_SIGN_IN};
use leasekeeper_host::socket::{self, Client, Response};
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
            proxy: Proxy::Environment,
            files: Some(self.files.clone()),
        };
        Aws::load(&settings).await.map_err(|e| e.to_string())
    }
}

/// The bound on each exchange with the keeper: it answers from memory, so
/// a keeper that takes longer is wedged, and the command goes on alone.
const KEEPER_TIMEOUT: Duration = Duration::from_secs(1);

/// What the keeper said about the profile.
enum FromKeeper {
    /// No keeper answered, or it holds nothing usable: resolve alone.
    Alone { keeper_runs: bool },
    /// Its keys, ready to print.
    Keys(leasekeeper_engine::ports::Credentials),
    /// The person must act; the keeper knows already.
    NeedsUser(String),
}

/// Asks the keeper of this home, if one runs, for `profile`'s keys.
fn ask_keeper(path: &Path, profile: &str) -> FromKeeper {
    let mut client = match Client::connect_within(path, KEEPER_TIMEOUT) {
        Ok(Some(c)) => c,
        Ok(None) => return FromKeeper::Alone { keeper_runs: false },
        Err(e) => {
            tracing::debug!(code = e.code(), "no keeper to ask: {e}");
            return FromKeeper::Alone { keeper_runs: false };
        }
    };
    match client.credentials(profile, KEEPER_TIMEOUT) {
        Ok(Response::Credentials { keys, .. }) => {
            tracing::debug!(profile, "served by the keeper");
            FromKeeper::Keys(keys.to_credentials())
        }
        Ok(Response::NeedsUser { message, .. }) => {
            tracing::debug!(profile, "the keeper says the person must act");
            FromKeeper::NeedsUser(message)
        }
        Ok(_) => FromKeeper::Alone { keeper_runs: true },
        Err(e) => {
            tracing::debug!(profile, code = e.code(), "resolving alone: {e}");
            FromKeeper::Alone { keeper_runs: true }
        }
    }
}

/// Asks the running keeper to tell the person what `e` needs (a sign-in,
/// an MFA code); a keeper that does not answer changes nothing.
fn ask_keeper_to_notify(path: &Path, profile: &str, e: &ProcessError) {
    let request = match e {
        ProcessError::NeedsLogin { session, .. } => socket::Request::NotifyNeedsUser {
            profile: profile.to_owned(),
            code: NEEDS_SIGN_IN.to_owned(),
            session: Some(session.clone()),
            mfa_serial: None,
        },
        ProcessError::NeedsMfa { mfa_serial, .. } => socket::Request::NotifyNeedsUser {
            profile: profile.to_owned(),
            code: NEEDS_MFA_CODE.to_owned(),
            session: None,
            mfa_serial: Some(mfa_serial.clone()),
        },
        _ => return,
    };
    let asked = Client::connect_within(path, KEEPER_TIMEOUT)
        .and_then(|c| c.map(|mut c| c.ask(&request, KEEPER_TIMEOUT)).transpose());
    if let Err(e) = asked {
        tracing::debug!(code = e.code(), "the keeper was not told: {e}");
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
    let socket_path = socket::socket_path(&env.state_dir, &home.paths);
    let keeper_runs = match ask_keeper(&socket_path, &args.profile) {
        FromKeeper::Keys(keys) => return print(&keys),
        FromKeeper::NeedsUser(message) => return Ok(fail(&message, exit::ACTION_NEEDED)),
        FromKeeper::Alone { keeper_runs } => keeper_runs,
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
        Ok(keys) => print(&keys),
        Err(e) => {
            if keeper_runs && e.needs_user() {
                ask_keeper_to_notify(&socket_path, &args.profile, &e);
            }
            Ok(fail(&message(&e), exit_code(&e)))
        }
    }
}

/// The Version 1 JSON on stdout.
fn print(keys: &leasekeeper_engine::ports::Credentials) -> anyhow::Result<ExitCode> {
    let json = credential_process::version1_json(keys);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}")?;
    out.flush()?;
    Ok(exit::code(exit::OK))
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
