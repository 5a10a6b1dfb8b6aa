//! `leasekeeper mfa [--profile P]`: one code of an MFA device, asked in the
//! person's terminal (or read from stdin when it is not one), for the roles
//! with that `mfa_serial`. With a keeper running (`leasekeeper daemon`) the
//! code goes to it over its socket: it opens an MFA session
//! (GetSessionToken) held in its memory and renews every role over it
//! without another code until the session ends (12 hours by default).
//!
//! Without a keeper nobody would hold the session after this command: the
//! code is used for one pass instead (the session, then the roles' keys
//! written to the credentials file, valid for their own lifetime), and the
//! command says so and suggests the daemon.

use std::process::ExitCode;

use leasekeeper_engine::keeper::EngineEvent;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::mfa::{self, Given, MfaError};
use leasekeeper_service::ops::{PASS_LIMIT, PassError};
use time::OffsetDateTime;

use crate::exit;
use crate::home::Home;
use crate::prompt::read_code;
use crate::render::clock::clock_time;
use crate::runtime::runtime;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose MFA device the code is of (default: the only
    /// device any profile uses)
    #[arg(long, short = 'p', value_name = "P")]
    profile: Option<String>,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let device = match mfa::device(&home.paths, args.profile.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("leasekeeper: {e}");
            return Ok(exit::code(exit::USAGE));
        }
    };
    let Some(code) = read_code(&device)? else {
        eprintln!("leasekeeper: no code was given");
        return Ok(exit::code(exit::USAGE));
    };
    let env = Environment::process();
    let given = runtime()?.block_on(mfa::give(&home.paths, &env, &device, code, PASS_LIMIT));
    let (report, persisted) = match given {
        Ok(Given::ByKeeper { pid }) => {
            eprintln!(
                "Code accepted by the keeper (pid {pid}): {} will be renewed without another \
                 code until the MFA session ends",
                device.profiles.join(", ")
            );
            return Ok(exit::code(exit::OK));
        }
        Ok(Given::OnePass { report, persisted }) => (report, persisted),
        Err(e) => return failed(e),
    };
    let now = OffsetDateTime::now_utc();
    let mut accepted = false;
    let mut failed = report.timed_out;
    for event in &report.events {
        match event {
            EngineEvent::MfaCodeAccepted { .. } => accepted = true,
            EngineEvent::MfaCodeRefused { code, message, .. } => {
                eprintln!("leasekeeper: the code was refused: {message} [{code}]");
                failed = true;
            }
            EngineEvent::RenewalFailed {
                profiles,
                code,
                message,
                ..
            } => {
                eprintln!(
                    "leasekeeper: cannot renew {}: {message} [{code}]",
                    profiles.join(", ")
                );
                failed = true;
            }
            _ => {}
        }
    }
    for (section, expires_at) in &report.written {
        eprintln!(
            "Renewed [{section}]: keys valid until {}",
            clock_time(*expires_at, now)
        );
    }
    if accepted && persisted {
        eprintln!(
            "No keeper runs; the MFA session is kept in the state folder (mfa.persist): \
             `leasekeeper daemon` started before it ends renews {} without another code",
            device.profiles.join(", ")
        );
    } else if accepted {
        eprintln!(
            "No keeper runs, so the MFA session ended with this command: the keys above are \
             not renewed. Run `leasekeeper daemon` (then `leasekeeper mfa`) to have {} renewed \
             without another code for the whole MFA session",
            device.profiles.join(", ")
        );
    }
    Ok(exit::code(if failed || !accepted {
        exit::FAILURE
    } else {
        exit::OK
    }))
}

/// What the person reads when the code was not given.
fn failed(e: MfaError) -> anyhow::Result<ExitCode> {
    match e {
        MfaError::Refused { code, message } => {
            eprintln!("leasekeeper: the code was refused: {message} [{code}]");
        }
        MfaError::Keeper(e) => eprintln!(
            "leasekeeper: cannot give the code to the running keeper: {e} [{}]",
            e.code()
        ),
        MfaError::Reach(e) => {
            eprintln!("leasekeeper: cannot reach the keeper: {e} [{}]", e.code());
        }
        MfaError::Pass(PassError::Held(e)) => eprintln!("leasekeeper: {e} [{}]", e.code()),
        e @ (MfaError::Environment(_) | MfaError::NoKeeper | MfaError::Pass(_)) => {
            return Err(e.into());
        }
    }
    Ok(exit::code(exit::FAILURE))
}
