//! `leasekeeper refresh [--profile P | --all]`: renew now and write the
//! sections, in one pass of the keeper's own engine under the same locks.
//! While a keeper (`leasekeeper daemon`) runs for these AWS files it alone
//! renews: refresh then asks it over its socket and waits for the answer
//! (a keeper that does not answer is an error, never a hang); a profile it
//! reports waiting for an MFA code is asked for one when stdin is a
//! terminal, the code handed to the keeper (which opens an MFA session with
//! it) and the profile refreshed again. Without a keeper, `--profile P` for
//! a role with an MFA device asks for a code when stdin is a terminal (no
//! MFA session outlives the pass unless `mfa.persist` keeps one, which is
//! then used instead).

use leasekeeper_engine::keeper::EngineEvent;
use leasekeeper_host::socket::{ProfileState, ProfileView};
use leasekeeper_service::Environment;
use leasekeeper_service::ops::mfa::Device;
use leasekeeper_service::ops::refresh::{self, CodeNote, RefreshError, Refreshed, Selection};
use leasekeeper_service::ops::{PASS_LIMIT, PassError};
use std::io::IsTerminal as _;
use std::process::ExitCode;
use time::OffsetDateTime;

use crate::exit;
use crate::home::Home;
use crate::prompt::read_code;
use crate::render::clock::clock_time;
use crate::runtime::runtime;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Renew this profile's chain
    #[arg(long, value_name = "P", conflicts_with = "all")]
    profile: Option<String>,
    /// Renew every profile that renews by itself
    #[arg(long)]
    all: bool,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let selection = match (&args.profile, args.all) {
        (Some(p), _) => Selection::Profile(p.clone()),
        (None, true) => Selection::All,
        (None, false) => {
            eprintln!("leasekeeper: name a profile with --profile P, or use --all");
            return Ok(exit::code(exit::USAGE));
        }
    };
    let env = Environment::process();
    let mut ask = |device: &Device| read_code(device).ok().flatten();
    let ask: Option<refresh::AskCode<'_>> = if std::io::stdin().is_terminal() {
        Some(&mut ask)
    } else {
        None
    };
    let refreshed = runtime()?.block_on(refresh::refresh(
        &home.paths,
        &env,
        &selection,
        ask,
        PASS_LIMIT,
    ));
    match refreshed {
        Ok(Refreshed::ByKeeper {
            pid,
            renewed,
            failed,
            codes,
        }) => Ok(by_keeper(pid, &renewed, &failed, &codes)),
        Ok(Refreshed::OnePass(report)) => {
            let now = OffsetDateTime::now_utc();
            for (section, expires_at) in &report.written {
                eprintln!(
                    "Renewed [{section}]: keys valid until {}",
                    clock_time(*expires_at, now)
                );
            }
            let mut failed = report.timed_out;
            for event in &report.events {
                if let Some(line) = describe(event) {
                    eprintln!("leasekeeper: {line}");
                    failed = true;
                }
            }
            if report.timed_out {
                eprintln!(
                    "leasekeeper: renewals were still running after {} s",
                    PASS_LIMIT.as_secs()
                );
            }
            if report.written.is_empty() && !failed {
                match &args.profile {
                    Some(p) => {
                        eprintln!("Nothing to renew for {p}: it has no chain Leasekeeper renews");
                        return Ok(exit::code(exit::USAGE));
                    }
                    None => eprintln!("Nothing to renew"),
                }
            }
            Ok(exit::code(if failed { exit::FAILURE } else { exit::OK }))
        }
        Err(e @ RefreshError::UnknownProfile { .. }) => {
            eprintln!("leasekeeper: {e}");
            Ok(exit::code(exit::USAGE))
        }
        Err(RefreshError::NotManaged { pid, message }) => {
            eprintln!(
                "leasekeeper: {message} (the keeper, pid {pid}, renews only its managed profiles)"
            );
            Ok(exit::code(exit::USAGE))
        }
        Err(RefreshError::Keeper(e)) => {
            eprintln!(
                "leasekeeper: cannot refresh through the running keeper: {e} [{}]",
                e.code()
            );
            Ok(exit::code(exit::FAILURE))
        }
        Err(RefreshError::Reach(e)) => {
            eprintln!("leasekeeper: cannot reach the keeper: {e} [{}]", e.code());
            Ok(exit::code(exit::FAILURE))
        }
        Err(RefreshError::Pass(PassError::Held(e))) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            Ok(exit::code(exit::FAILURE))
        }
        Err(e @ (RefreshError::Environment(_) | RefreshError::Pass(_))) => Err(e.into()),
    }
}

/// What the running keeper did, as the person reads it.
fn by_keeper(
    pid: u32,
    renewed: &[ProfileView],
    failed: &[ProfileView],
    codes: &[CodeNote],
) -> ExitCode {
    for note in codes {
        match note {
            CodeNote::NotTaken(e) => {
                eprintln!("leasekeeper: the keeper did not take the code: {e}")
            }
            CodeNote::Refused { code, message } => {
                eprintln!("leasekeeper: the code was refused: {message} [{code}]");
            }
            CodeNote::NotGiven(e) => {
                eprintln!("leasekeeper: cannot give the code: {e} [{}]", e.code());
            }
        }
    }
    let now = OffsetDateTime::now_utc();
    for p in renewed {
        let until = p
            .expires_at
            .map_or_else(|| "unknown".to_owned(), |t| clock_time(t, now));
        eprintln!(
            "Renewed [{}]: keys valid until {until} (by the keeper, pid {pid})",
            p.section
        );
    }
    for p in failed {
        match (&p.last_error, p.state) {
            (_, ProfileState::NeedsLogin) => eprintln!(
                "leasekeeper: cannot renew {}: it waits for a sign-in (`leasekeeper login`)",
                p.profile
            ),
            (_, ProfileState::NeedsMfaCode) => eprintln!(
                "leasekeeper: cannot renew {0}: it needs an MFA code (`leasekeeper mfa --profile {0}`)",
                p.profile
            ),
            (Some(e), _) => eprintln!(
                "leasekeeper: cannot renew {}: {} [{}]",
                p.profile, e.message, e.code
            ),
            (None, state) => eprintln!(
                "leasekeeper: cannot renew {}: the keeper reports it {}",
                p.profile,
                state.as_str()
            ),
        }
    }
    if renewed.is_empty() && failed.is_empty() {
        eprintln!("Nothing to renew");
    }
    exit::code(if failed.is_empty() {
        exit::OK
    } else {
        exit::FAILURE
    })
}

/// A line for the events the person must hear about.
fn describe(event: &EngineEvent) -> Option<String> {
    match event {
        EngineEvent::RenewalFailed {
            profiles,
            code,
            message,
            ..
        } => Some(format!(
            "cannot renew {}: {message} [{code}]",
            profiles.join(", ")
        )),
        EngineEvent::LoginNeeded {
            session, profiles, ..
        } => Some(format!(
            "sign in to {session} first (`leasekeeper login --sso-session {session}`); it serves {}",
            profiles.join(", ")
        )),
        EngineEvent::MfaCodeNeeded {
            profiles,
            mfa_serial,
            ..
        } => Some(format!(
            "renewing {} needs a code of {mfa_serial}: run `leasekeeper mfa --profile {}`",
            profiles.join(", "),
            profiles.first().map_or("P", String::as_str)
        )),
        EngineEvent::WriteFailed {
            section,
            code,
            message,
            ..
        } => Some(format!("cannot write [{section}]: {message} [{code}]")),
        _ => None,
    }
}
