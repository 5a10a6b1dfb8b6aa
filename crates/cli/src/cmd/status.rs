//! `leasekeeper status`: every profile's lease, most urgent first. When a
//! keeper runs for these AWS files, its renewal view is added (a line under
//! the table, a `keeper` object in the JSON); a keeper that does not answer
//! within a short timeout is left out, the files alone are shown.

use std::io::{BufWriter, Write as _};
use std::process::ExitCode;

use anyhow::Context;
use leasekeeper_engine::lease::{self, LeaseState};
use leasekeeper_engine::report::StatusReport;
use leasekeeper_engine::settings::Settings;
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::{self, Client, KeeperView};
use time::OffsetDateTime;

use crate::exit;
use crate::home::Home;
use crate::render::table::{self, Palette};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show only this profile (repeat for several)
    #[arg(short = 'p', long = "profile", value_name = "PROFILE")]
    profiles: Vec<String>,
    /// Print JSON (schema: docs/status-schema.md)
    #[arg(long)]
    json: bool,
    /// Show the leases as they will stand at this time (RFC 3339), e.g. to
    /// see what lapses overnight (nothing is recorded in the state folder)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<OffsetDateTime>,
    /// Colour the table: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Adds our sign-in records and the configured session lengths, so SSO
/// leases end at the estimated end of the sign-in, and records when each
/// sign-in was first seen (with `record`: not for `--at`, a time that is not
/// now). The lengths shown are unscaled, as the status's other leads are;
/// sightings are decided with them divided by `LEASEKEEPER_TIME_SCALE`, as
/// the keeper and the tray decide them. Without a state folder the
/// registration's expiry is an upper bound.
fn add_sign_ins(snapshot: &mut Snapshot, home: &Home, now: OffsetDateTime, record: bool) {
    let env = |n: &str| std::env::var_os(n);
    let Ok(signin) = SignInEnv::from_env(env, &home.paths) else {
        return;
    };
    let text = settings_path(env).and_then(|p| std::fs::read_to_string(p).ok());
    let settings = Settings::parse(text.as_deref().unwrap_or("")).0;
    snapshot.sign_ins = signin.sign_ins(snapshot, &settings, now, record, 1.0);
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    leasekeeper_engine::timefmt::parse_timestamp(text)
        .ok_or_else(|| format!("not a time: {text} (try 2026-11-22T18:00:00Z)"))
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let mut snapshot = home.snapshot();
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    add_sign_ins(&mut snapshot, home, now, args.at.is_none());
    let mut leases = lease::leases(&snapshot, now);
    if !args.profiles.is_empty() {
        if let Some(missing) = args
            .profiles
            .iter()
            .find(|p| !snapshot.set.profiles.contains_key(*p))
        {
            eprintln!(
                "leasekeeper: no profile named `{missing}` in {} or {}",
                home.paths.config.display(),
                home.paths.credentials.display()
            );
            return Ok(exit::code(exit::USAGE));
        }
        leases.retain(|l| args.profiles.contains(&l.profile));
    }
    lease::urgency::sort(&mut leases);
    let code = exit_code(leases.iter().map(|l| l.state));
    let problems = std::mem::take(&mut snapshot.problems);
    let report = StatusReport::new(leases, problems, now);
    let keeper = keeper_view(home);
    let document = Document {
        report: &report,
        keeper: keeper.as_ref(),
    };
    if args.json && report.encodable() {
        // Straight to stdout: no copy of the whole document in memory.
        let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
        let written = serde_json::to_writer_pretty(&mut out, &document)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        if let Err(err) = written {
            // What `println!` does when stdout is gone (a closed pipe).
            panic!("failed printing to stdout: {err}");
        }
    } else if args.json {
        let text = serde_json::to_string_pretty(&document).context("cannot encode the report")?;
        println!("{text}");
    } else {
        let enabled = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => Palette::auto().enabled,
        };
        print!("{}", table::render(&report, Palette { enabled }));
        if let Some(k) = &keeper {
            let served = k.profiles.iter().filter(|p| p.served).count();
            let kept = if served > 0 {
                format!(", and keeping {served} more for credential_process")
            } else {
                String::new()
            };
            println!(
                "keeper: running (pid {}), renewing {} profiles{kept}",
                k.pid,
                k.profiles.len() - served
            );
        }
    }
    // The process ends right after this: freeing thousands of small
    // allocations one by one would only delay the exit.
    std::mem::forget(report);
    std::mem::forget(snapshot);
    Ok(exit::code(code))
}

/// The JSON document: the report's fields, then `keeper` when one runs.
#[derive(serde::Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    report: &'a StatusReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    keeper: Option<&'a KeeperView>,
}

/// The running keeper's view; `None` when none runs or it does not answer
/// (then said on stderr).
fn keeper_view(home: &Home) -> Option<KeeperView> {
    let state_dir = leasekeeper_host::state_dir::state_dir(|n| std::env::var_os(n))?;
    let path = socket::socket_path(&state_dir, &home.paths);
    let answer = Client::connect(&path).and_then(|c| c.map(|mut c| c.status()).transpose());
    match answer {
        Ok(view) => view,
        Err(e) => {
            eprintln!(
                "leasekeeper: the keeper did not answer, showing the files alone: {e} [{}]",
                e.code()
            );
            None
        }
    }
}

/// Action needed wins over errors: `status -p prod || leasekeeper login`
/// must work even when another selected profile is broken.
fn exit_code(states: impl Iterator<Item = LeaseState>) -> u8 {
    let mut code = exit::OK;
    for state in states {
        if state.needs_action_now() {
            return exit::ACTION_NEEDED;
        }
        if state == LeaseState::Error {
            code = exit::PROFILE_ERROR;
        }
    }
    code
}
