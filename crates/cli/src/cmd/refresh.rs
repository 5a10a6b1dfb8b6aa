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

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::time::Duration;

use leasekeeper_engine::keeper::{Command, EngineEvent, Input, MfaCode};
use leasekeeper_host::keeper::Mode;
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{self, Client, ClientError, Request, Response};
use time::OffsetDateTime;

use crate::cmd::daemon::{keeper_for, take_lock};
use crate::cmd::login::{clock_time, runtime};
use crate::cmd::mfa;
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
    let path = socket::socket_path(&env.state_dir, &home.paths);
    match Client::connect(&path) {
        Ok(Some(client)) => return Ok(through_keeper(client, &args, home)),
        Ok(None) => {}
        Err(e) => {
            eprintln!("leasekeeper: cannot reach the keeper: {e} [{}]", e.code());
            return Ok(exit::code(exit::FAILURE));
        }
    }
    let _lock = match take_lock(&env, home)? {
        Ok(lock) => lock,
        Err(code) => return Ok(code),
    };
    if let Some(profile) = args.profile.clone() {
        // Only the profile asked for, whatever the settings say (roles with
        // an MFA device renew by default: each is turned off by name).
        let names: Vec<String> = home.snapshot().set.profiles.keys().cloned().collect();
        keeper.adjust_settings(move |s| {
            s.renew.silent = false;
            s.renew.static_keys = false;
            for name in &names {
                s.profiles.entry(name.clone()).or_default();
            }
            for (name, p) in s.profiles.iter_mut() {
                p.renew = Some(name == &profile);
            }
            s.profiles.entry(profile.clone()).or_default().renew = Some(true);
        });
    }
    if let Some(profile) = &args.profile {
        let terminal = std::io::stdin().is_terminal();
        if let (true, false, Ok(device)) =
            (terminal, mfa::persisted(), mfa::device(home, Some(profile)))
        {
            if let Some(code) = mfa::read_code(&device)? {
                keeper.give(Input::MfaCode(MfaCode {
                    serial: device.serial,
                    code,
                    request: 0,
                }));
            }
        }
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

/// The refresh asked of the running keeper: a liveness check first, then
/// the refresh within the keeper's own bound (and a little more).
fn through_keeper(mut client: Client, args: &Args, home: &Home) -> ExitCode {
    let pid = match client.ask(&Request::Hello, SHORT_TIMEOUT) {
        Ok(Response::Hello { pid, .. }) => pid,
        Ok(other) => return keeper_error(&client.unexpected(&other)),
        Err(e) => return keeper_error(&e),
    };
    let request = Request::Refresh {
        profile: args.profile.clone(),
        all: args.profile.is_none(),
    };
    let wait = socket::server::REFRESH_WAIT + Duration::from_secs(10);
    let (renewed, failed) = match client.ask(&request, wait) {
        Ok(Response::Refreshed { renewed, failed }) => (renewed, failed),
        Ok(other) => return keeper_error(&client.unexpected(&other)),
        Err(ClientError::Refused { code, message }) if code == "not_managed" => {
            eprintln!(
                "leasekeeper: {message} (the keeper, pid {pid}, renews only its managed profiles)"
            );
            return exit::code(exit::USAGE);
        }
        Err(e) => return keeper_error(&e),
    };
    let (mut renewed, mut failed) = (renewed, failed);
    if std::io::stdin().is_terminal() {
        let (more, still) = codes_for_the_keeper(&mut client, home, failed);
        renewed.extend(more);
        failed = still;
    }
    let now = OffsetDateTime::now_utc();
    for p in &renewed {
        let until = p
            .expires_at
            .map_or_else(|| "unknown".to_owned(), |t| clock_time(t, now));
        eprintln!(
            "Renewed [{}]: keys valid until {until} (by the keeper, pid {pid})",
            p.section
        );
    }
    for p in &failed {
        match (&p.last_error, p.state.as_str()) {
            (_, "needs_login") => eprintln!(
                "leasekeeper: cannot renew {}: it waits for a sign-in (`leasekeeper login`)",
                p.profile
            ),
            (_, "needs_mfa_code") => eprintln!(
                "leasekeeper: cannot renew {0}: it needs an MFA code (`leasekeeper mfa --profile {0}`)",
                p.profile
            ),
            (Some(e), _) => eprintln!(
                "leasekeeper: cannot renew {}: {} [{}]",
                p.profile, e.message, e.code
            ),
            (None, state) => eprintln!(
                "leasekeeper: cannot renew {}: the keeper reports it {state}",
                p.profile
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

/// Asks for a code of each MFA device a `failed` profile waits for, hands
/// it to the keeper and refreshes those profiles again: what was renewed
/// then, and what still failed.
fn codes_for_the_keeper(
    client: &mut Client,
    home: &Home,
    failed: Vec<socket::ProfileView>,
) -> (Vec<socket::ProfileView>, Vec<socket::ProfileView>) {
    let (waiting, mut still): (Vec<_>, Vec<_>) = failed
        .into_iter()
        .partition(|p| p.state == "needs_mfa_code");
    let mut renewed = Vec::new();
    let mut asked: Vec<String> = Vec::new();
    for p in waiting {
        let Ok(device) = mfa::device(home, Some(&p.profile)) else {
            still.push(p);
            continue;
        };
        if !asked.contains(&device.serial) {
            asked.push(device.serial.clone());
            if let Ok(Some(code)) = mfa::read_code(&device) {
                let request = Request::MfaCode {
                    serial: device.serial.clone(),
                    code: (&code).into(),
                };
                let wait = socket::server::REFRESH_WAIT + Duration::from_secs(10);
                match client.ask(&request, wait) {
                    Ok(Response::Accepted) => {}
                    Ok(other) => {
                        let e = client.unexpected(&other);
                        eprintln!("leasekeeper: the keeper did not take the code: {e}");
                    }
                    Err(ClientError::Refused { code, message }) => {
                        eprintln!("leasekeeper: the code was refused: {message} [{code}]");
                    }
                    Err(e) => eprintln!("leasekeeper: cannot give the code: {e} [{}]", e.code()),
                }
            }
        }
        let request = Request::Refresh {
            profile: Some(p.profile.clone()),
            all: false,
        };
        let wait = socket::server::REFRESH_WAIT + Duration::from_secs(10);
        match client.ask(&request, wait) {
            Ok(Response::Refreshed {
                renewed: now_renewed,
                failed: now_failed,
            }) => {
                renewed.extend(now_renewed);
                still.extend(now_failed);
            }
            _ => still.push(p),
        }
    }
    (renewed, still)
}

fn keeper_error(e: &ClientError) -> ExitCode {
    eprintln!(
        "leasekeeper: cannot refresh through the running keeper: {e} [{}]",
        e.code()
    );
    exit::code(exit::FAILURE)
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
