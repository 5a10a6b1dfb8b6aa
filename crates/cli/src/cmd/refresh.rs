//! `leasekeeper refresh [--profile P | --all]`: renew now and write the
//! sections, in one pass of the keeper's own engine under the same locks.
//! While a keeper (`leasekeeper daemon`) runs for these AWS files it alone
//! renews: refresh then says so and exits.

use std::process::ExitCode;
use std::time::Duration;

use leasekeeper_engine::keeper::{Command, EngineEvent};
use leasekeeper_host::keeper::Mode;
use time::OffsetDateTime;

use crate::cmd::daemon::{keeper_for, take_lock};
use crate::cmd::login::{clock_time, runtime};
use crate::exit;
use crate::home::Home;

/// The longest one pass may take.
const PASS_LIMIT: Duration = Duration::from_secs(120);

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
    let command = match (&args.profile, args.all) {
        (Some(p), _) => Command::Refresh { profile: p.clone() },
        (None, true) => Command::RefreshAll,
        (None, false) => {
            eprintln!("leasekeeper: name a profile with --profile P, or use --all");
            return Ok(exit::code(exit::USAGE));
        }
    };
    let (mut keeper, env) = keeper_for(home)?;
    let _lock = match take_lock(&env, home)? {
        Ok(lock) => lock,
        Err(code) => return Ok(code),
    };
    if let Some(profile) = args.profile.clone() {
        // Only the profile asked for, whatever the settings say.
        keeper.adjust_settings(move |s| {
            s.renew.silent = false;
            s.renew.static_keys = false;
            for (name, p) in s.profiles.iter_mut() {
                p.renew = Some(name == &profile);
            }
            s.profiles.entry(profile.clone()).or_default().renew = Some(true);
        });
    }
    let report = runtime()?.block_on(async {
        let (_tx, signals) = tokio::sync::mpsc::unbounded_channel();
        keeper
            .run(
                Mode::Once {
                    command,
                    limit: PASS_LIMIT,
                },
                std::future::pending(),
                signals,
                |_| {},
            )
            .await
    });
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
            "{} need an MFA code from {mfa_serial}, which this command cannot ask for yet",
            profiles.join(", ")
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
