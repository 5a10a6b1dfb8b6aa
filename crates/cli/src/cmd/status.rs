//! `leasekeeper status`: every profile's lease, most urgent first. When a
//! keeper runs for these AWS files, its renewal view is added (a line under
//! the table, a `keeper` object in the JSON); a keeper that does not answer
//! within a short timeout is left out, the files alone are shown.

use std::io::{BufWriter, Write as _};
use std::process::ExitCode;

use anyhow::Context;
use leasekeeper_engine::lease::LeaseState;
use leasekeeper_engine::report::StatusReport;
use leasekeeper_host::socket::KeeperView;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::snapshot::{self, Moment};
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

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    leasekeeper_engine::timefmt::parse_timestamp(text)
        .ok_or_else(|| format!("not a time: {text} (try 2026-11-22T18:00:00Z)"))
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let moment = Moment {
        at: args.at,
        length_scale: 1.0,
    };
    let env = Environment::process();
    let status = match snapshot::status(&home.paths, &env, moment, &args.profiles) {
        Ok(status) => status,
        Err(e) => {
            eprintln!("leasekeeper: {e}");
            return Ok(exit::code(exit::USAGE));
        }
    };
    let code = exit_code(status.leases.iter().map(|l| l.state));
    let report = StatusReport::new(status.leases, status.problems, status.now);
    let keeper = match status.keeper {
        Ok(view) => view,
        Err(e) => {
            eprintln!(
                "leasekeeper: the keeper did not answer, showing the files alone: {e} [{}]",
                e.code()
            );
            None
        }
    };
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
