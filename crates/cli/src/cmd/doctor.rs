//! `leasekeeper doctor [--profile P] [--json] [--offline] [--error [TEXT]]`:
//! why a command got (or will get) ExpiredToken, and the one command or
//! edit that fixes each cause. Findings have stable codes (docs/DOCTOR.md);
//! the exit code is `status`'s: 0 nothing to act on, 3 something needs you
//! (wins over 4), 4 something is misconfigured, 1 doctor failed, 2 usage.
//! `--error` reads an error as the AWS CLI or an SDK printed it (the text,
//! or stdin without one) and names its cause among this home's findings.

use std::io::Read as _;
use std::process::ExitCode;

use leasekeeper_engine::doctor::{Finding, Severity};
use leasekeeper_service::Environment;
use leasekeeper_service::ops::doctor::{self, Diagnosis, DoctorError, DoctorRequest, Explained};

use crate::exit;
use crate::home::Home;

/// An error text longer than this is cut (it is only searched).
const MAX_ERROR: u64 = 64 * 1024;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this profile (and what its chain touches)
    #[arg(long, short = 'p', value_name = "P")]
    profile: Option<String>,
    /// Print {"findings": [...]} as JSON
    #[arg(long)]
    json: bool,
    /// Make no request to AWS (the clock is not checked)
    #[arg(long)]
    offline: bool,
    /// Explain an error the AWS CLI or an SDK printed (without TEXT: read stdin)
    #[arg(long, value_name = "TEXT", num_args = 0..=1, default_missing_value = "-")]
    error: Option<String>,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let error_text = match args.error.as_deref() {
        None => None,
        Some("-") => {
            // Bytes, not text: a tool's output may hold any (a file name, a
            // Latin-1 locale); only the words doctor looks for matter.
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(MAX_ERROR)
                .read_to_end(&mut bytes)
                .map_err(|e| anyhow::anyhow!("cannot read the error from stdin: {e}"))?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        Some(text) => Some(text.to_owned()),
    };
    let runtime = crate::runtime::runtime()?;
    let env = Environment::process();
    let req = DoctorRequest {
        profile: args.profile.clone(),
        offline: args.offline,
    };
    let diagnosis = match runtime.block_on(doctor::doctor(&home.paths, &env, &req)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            let code = match e {
                DoctorError::UnknownProfile(_) => exit::USAGE,
                DoctorError::Environment(_) => exit::FAILURE,
            };
            return Ok(exit::code(code));
        }
    };
    for s in &diagnosis.skipped {
        eprintln!("leasekeeper: not checked: {s}");
    }
    match error_text {
        Some(text) => Ok(explain(&text, &diagnosis, args.json, args.offline)),
        None => Ok(report(&diagnosis, args.json)),
    }
}

fn report(diagnosis: &Diagnosis, json: bool) -> ExitCode {
    let report = &diagnosis.report;
    if json {
        let value = serde_json::json!({
            "findings": report.findings,
            "skipped": diagnosis.skipped,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else if report.findings.is_empty() {
        println!(
            "Nothing to fix: no exported keys, no lapsed sign-in or keys, no process at risk."
        );
    } else {
        print!("{}", render(&report.findings));
    }
    exit::code(report.exit_code())
}

fn explain(text: &str, diagnosis: &Diagnosis, json: bool, offline: bool) -> ExitCode {
    let Explained {
        explanation,
        causes,
    } = doctor::explain(text, diagnosis);
    let code = leasekeeper_engine::doctor::Report::new(causes.clone()).exit_code();
    if json {
        let value = serde_json::json!({
            "error": explanation,
            "findings": causes,
            "skipped": diagnosis.skipped,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return exit::code(code);
    }
    match &explanation {
        Some(e) => println!("This error means {}.", e.meaning),
        None => println!("This is no error Leasekeeper knows; what it finds here:"),
    }
    let clock_unchecked = explanation.as_ref().is_some_and(|e| {
        e.related
            .contains(&leasekeeper_engine::doctor::Code::ClockSkew)
    }) && !diagnosis.skipped.is_empty();
    if causes.is_empty() && clock_unchecked {
        let how = if offline {
            "without --offline"
        } else {
            "again"
        };
        println!(
            "Nothing else in this shell or AWS home explains it, but the clock was not checked: run `leasekeeper doctor` {how}."
        );
    } else if causes.is_empty() {
        println!(
            "Nothing in this shell or AWS home explains it; `leasekeeper status` shows every profile's lease."
        );
    } else {
        if explanation.is_some() {
            println!(
                "Here, the likely cause{}:",
                if causes.len() > 1 { "s" } else { "" }
            );
        }
        print!("{}", render(&causes));
    }
    exit::code(code)
}

/// Text for the terminal: control characters (an escape sequence in a value
/// from a file) escaped; line breaks kept.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Each finding: its code and profile, what is wrong, and the fix.
fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let mark = match f.severity {
            Severity::NeedsYou => "needs you",
            Severity::Misconfigured => "misconfigured",
        };
        // A name from a file or the environment may hold control
        // characters: shown escaped, never sent to the terminal.
        let about = f
            .profile
            .as_deref()
            .map(|p| {
                if p.chars().any(char::is_control) {
                    format!(" {p:?}")
                } else {
                    format!(" {p}")
                }
            })
            .unwrap_or_default();
        out.push_str(&format!("[{}]{about} ({mark})\n", f.code.as_str()));
        out.push_str(&format!("  {}\n", shown(&f.message)));
        let fix = shown(&f.fix);
        let mut lines = fix.lines();
        if let Some(first) = lines.next() {
            out.push_str(&format!("  fix: {first}\n"));
        }
        for line in lines {
            out.push_str(&format!("    {line}\n"));
        }
        out.push('\n');
    }
    out
}
