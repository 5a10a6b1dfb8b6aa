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

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::{Command, EngineEvent, Input, MfaCode};
use leasekeeper_engine::resolve::resolve;
use leasekeeper_engine::settings::Settings;
use leasekeeper_host::keeper::Mode;
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{self, Client, ClientError, Request, Response};
use time::OffsetDateTime;

use crate::cmd::daemon::{keeper_for, take_lock};
use crate::cmd::login::{clock_time, runtime};
use crate::exit;
use crate::home::Home;

/// The longest the one pass without a keeper may take.
const PASS_LIMIT: Duration = Duration::from_secs(120);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose MFA device the code is of (default: the only
    /// device any profile uses)
    #[arg(long, short = 'p', value_name = "P")]
    profile: Option<String>,
}

/// One MFA device and the profiles whose roles use it.
pub(crate) struct Device {
    pub(crate) serial: String,
    pub(crate) profiles: Vec<String>,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let device = match device(home, args.profile.as_deref()) {
        Ok(d) => d,
        Err(message) => {
            eprintln!("leasekeeper: {message}");
            return Ok(exit::code(exit::USAGE));
        }
    };
    let Some(code) = read_code(&device)? else {
        eprintln!("leasekeeper: no code was given");
        return Ok(exit::code(exit::USAGE));
    };
    let (mut keeper, env) = keeper_for(home)?;
    let path = socket::socket_path(&env.state_dir, &home.paths);
    match Client::connect(&path) {
        Ok(Some(client)) => return Ok(through_keeper(client, &device, code)),
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
    let wanted = device.profiles.clone();
    // Only the roles of this device (others with a device renew by default:
    // each is turned off by name).
    let names: Vec<String> = home.snapshot().set.profiles.keys().cloned().collect();
    keeper.adjust_settings(move |s| {
        for name in &names {
            s.profiles.entry(name.clone()).or_default();
        }
        for (name, p) in s.profiles.iter_mut() {
            p.renew = Some(wanted.contains(name));
        }
        for name in &wanted {
            s.profiles.entry(name.clone()).or_default().renew = Some(true);
        }
        s.renew.silent = false;
        s.renew.static_keys = false;
    });
    keeper.give(Input::MfaCode(MfaCode {
        serial: device.serial.clone(),
        code,
        request: 0,
    }));
    let report = runtime()?.block_on(async {
        let (_tx, signals) = tokio::sync::mpsc::unbounded_channel();
        let command = Command::RefreshAll;
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
    if accepted && persisted() {
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

/// Whether the settings keep MFA sessions on disk (`mfa.persist`).
pub(crate) fn persisted() -> bool {
    let path = settings_path(|n| std::env::var_os(n));
    let text = path.and_then(|p| std::fs::read_to_string(p).ok());
    text.is_some_and(|t| Settings::parse(&t).0.mfa.persist)
}

/// The device of `profile`, or the only one any profile uses.
pub(crate) fn device(home: &Home, profile: Option<&str>) -> Result<Device, String> {
    let snapshot = home.snapshot();
    let mut devices: Vec<Device> = Vec::new();
    for name in snapshot.set.profiles.keys() {
        let Ok(chain) = resolve(&snapshot.set, name) else {
            continue;
        };
        let Some(serial) = chain.roles.iter().find_map(|r| r.mfa_serial.clone()) else {
            continue;
        };
        match devices.iter_mut().find(|d| d.serial == serial) {
            Some(d) => d.profiles.push(name.clone()),
            None => devices.push(Device {
                serial,
                profiles: vec![name.clone()],
            }),
        }
    }
    match profile {
        Some(p) => {
            if snapshot.set.profile(p).is_none() {
                return Err(format!("there is no profile {p}"));
            }
            devices
                .into_iter()
                .find(|d| d.profiles.iter().any(|n| n == p))
                .ok_or_else(|| format!("{p} uses no MFA device (no mfa_serial in its chain)"))
        }
        None => match devices.len() {
            0 => Err("no profile uses an MFA device (mfa_serial)".to_owned()),
            1 => Ok(devices.remove(0)),
            _ => Err(format!(
                "several MFA devices are used ({}): name a profile with --profile P",
                devices
                    .iter()
                    .map(|d| d.serial.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
    }
}

/// The code, asked on the terminal, or one line of stdin.
pub(crate) fn read_code(device: &Device) -> anyhow::Result<Option<Secret>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let prompt = format!(
            "MFA code of {} (for {}): ",
            device.serial,
            device.profiles.join(", ")
        );
        let mut err = std::io::stderr().lock();
        err.write_all(prompt.as_bytes())?;
        err.flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let code = line.trim();
    Ok((!code.is_empty()).then(|| Secret::new(code)))
}

/// The code handed to the running keeper.
fn through_keeper(mut client: Client, device: &Device, code: Secret) -> ExitCode {
    let pid = match client.ask(&Request::Hello, SHORT_TIMEOUT) {
        Ok(Response::Hello { pid, .. }) => pid,
        Ok(other) => return keeper_error(&client.unexpected(&other)),
        Err(e) => return keeper_error(&e),
    };
    let request = Request::MfaCode {
        serial: device.serial.clone(),
        code: (&code).into(),
    };
    let wait = socket::server::REFRESH_WAIT + Duration::from_secs(10);
    match client.ask(&request, wait) {
        Ok(Response::Accepted) => {
            eprintln!(
                "Code accepted by the keeper (pid {pid}): {} will be renewed without another \
                 code until the MFA session ends",
                device.profiles.join(", ")
            );
            exit::code(exit::OK)
        }
        Ok(other) => keeper_error(&client.unexpected(&other)),
        Err(ClientError::Refused { code, message }) => {
            eprintln!("leasekeeper: the code was refused: {message} [{code}]");
            exit::code(exit::FAILURE)
        }
        Err(e) => keeper_error(&e),
    }
}

fn keeper_error(e: &ClientError) -> ExitCode {
    eprintln!(
        "leasekeeper: cannot give the code to the running keeper: {e} [{}]",
        e.code()
    );
    exit::code(exit::FAILURE)
}
