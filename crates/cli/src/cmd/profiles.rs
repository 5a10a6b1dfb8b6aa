//! `leasekeeper profiles add-session NAME --start-url URL --region REGION`:
//! adds `[sso-session NAME]` for an AWS access portal to the config file
//! ([`leasekeeper_service::ops::add_session`]), then, on a terminal, offers
//! to sign in to it. `leasekeeper profiles available --sso-session NAME
//! [--json]`: every account and role the session gives
//! ([`leasekeeper_service::ops::available`]), with progress on stderr.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use leasekeeper_engine::available::{Available, Progress};
use leasekeeper_service::Environment;
use leasekeeper_service::ops::Target;
use leasekeeper_service::ops::add_session::{self, NewSession};
use leasekeeper_service::ops::available;
use leasekeeper_service::ops::sign_in::SignInRequest;

use crate::exit;
use crate::home::Home;
use crate::runtime::runtime;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Add a sign-in session for your AWS access portal to ~/.aws/config
    #[command(after_help = "Example:\n  leasekeeper profiles add-session corp \
                            --start-url https://my-company.awsapps.com/start --region eu-west-1\n\n\
                            The start URL is the AWS access portal address your company gave \
                            you; the region is where its IAM Identity Center runs (the portal's \
                            settings page shows it).")]
    AddSession(AddSession),
    /// List every account and role a signed-in session gives
    #[command(after_help = "Example:\n  leasekeeper profiles available --sso-session corp --json")]
    Available(AvailableArgs),
}

#[derive(Debug, clap::Args)]
struct AvailableArgs {
    /// The [sso-session] to list
    #[arg(long, value_name = "NAME")]
    sso_session: String,
    /// Print JSON: {"session", "accounts": [{"id", "name", "email", "roles"}]}
    #[arg(long)]
    json: bool,
    /// Call the access portal at most N times a second (it refuses about 20)
    #[arg(long, value_name = "N", default_value_t = available::DEFAULT_CALLS_PER_SECOND,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    calls_per_second: u32,
}

#[derive(Debug, clap::Args)]
struct AddSession {
    /// The session's name: [sso-session NAME] (letters, digits, `_-/.%@:+`)
    name: String,
    /// The AWS access portal URL, such as https://my-company.awsapps.com/start
    #[arg(long, value_name = "URL")]
    start_url: String,
    /// The region of the IAM Identity Center instance, such as eu-west-1
    #[arg(long, value_name = "REGION")]
    region: String,
    /// Do not offer to sign in once it is added
    #[arg(long)]
    no_sign_in: bool,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::AddSession(a) => add(a, home),
        Command::Available(a) => list(&a, home),
    }
}

fn list(args: &AvailableArgs, home: &Home) -> anyhow::Result<ExitCode> {
    let env = Environment::process();
    let terminal = std::io::stderr().is_terminal();
    let session = args.sso_session.clone();
    let mut told = 0;
    let mut progress = move |p: Progress| {
        if p.total == 0 {
            return;
        }
        if terminal {
            eprint!(
                "\rListing {session}: {} of {} accounts{}",
                p.done,
                p.total,
                retried(p.retries)
            );
            if p.done == p.total {
                eprintln!();
            }
        } else if p.done == p.total || p.done >= told + PIPED_EVERY {
            told = p.done;
            eprintln!(
                "listing {session}: {} of {} accounts{}",
                p.done,
                p.total,
                retried(p.retries)
            );
        }
    };
    let listed = runtime()?.block_on(available::available(
        &home.paths,
        &env,
        &args.sso_session,
        args.calls_per_second,
        &mut progress,
    ));
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            let code = match e {
                available::AvailableError::Target(_) => exit::USAGE,
                _ => exit::FAILURE,
            };
            return Ok(exit::code(code));
        }
    };
    if args.json {
        let accounts: Vec<serde_json::Value> = listed
            .accounts
            .iter()
            .map(|a| {
                serde_json::json!({
                    "id": a.account.id,
                    "name": a.account.name,
                    "email": a.account.email,
                    "roles": a.roles,
                })
            })
            .collect();
        let out = serde_json::json!({ "session": listed.session, "accounts": accounts });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", table(&listed.accounts));
    }
    Ok(exit::code(exit::OK))
}

/// Piped, a progress line every so many accounts.
const PIPED_EVERY: usize = 25;

fn retried(retries: u32) -> String {
    match retries {
        0 => String::new(),
        n => format!(" ({n} calls asked again after a throttle or a failure)"),
    }
}

/// Text from the portal as a terminal may show it: a control character
/// (an escape sequence would act on the terminal) becomes `\u{FFFD}`.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// One line an account: id, name, e-mail and its roles.
fn table(accounts: &[Available]) -> String {
    let width = |f: &dyn Fn(&Available) -> usize, title: usize| {
        accounts.iter().map(f).max().unwrap_or(0).max(title)
    };
    let (wi, wn, we) = (
        width(&|a| a.account.id.chars().count(), 7),
        width(&|a| a.account.name.chars().count(), 4),
        width(&|a| a.account.email.chars().count(), 5),
    );
    let mut out = format!(
        "{:wi$}  {:wn$}  {:we$}  ROLES\n",
        "ACCOUNT", "NAME", "EMAIL"
    );
    for a in accounts {
        let roles: Vec<String> = a.roles.iter().map(|r| shown(r)).collect();
        out.push_str(&format!(
            "{:wi$}  {:wn$}  {:we$}  {}\n",
            shown(&a.account.id),
            shown(&a.account.name),
            shown(&a.account.email),
            roles.join(", ")
        ));
    }
    out
}

fn add(args: AddSession, home: &Home) -> anyhow::Result<ExitCode> {
    let session = NewSession {
        name: args.name,
        start_url: args.start_url,
        region: args.region,
    };
    let added = match add_session::add_session(&home.paths, &session) {
        Ok(added) => added,
        Err(e) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            let code = if e.is_usage() {
                exit::USAGE
            } else {
                exit::FAILURE
            };
            return Ok(exit::code(code));
        }
    };
    println!(
        "Added [sso-session {}] to {}",
        added.name,
        added.config.display()
    );
    let later = format!("leasekeeper login --sso-session {}", added.name);
    if args.no_sign_in || !std::io::stdin().is_terminal() {
        println!("Sign in to it with: {later}");
        return Ok(exit::code(exit::OK));
    }
    if !ask(&format!("Sign in to {} now? [Y/n] ", added.name))? {
        println!("Sign in to it later with: {later}");
        return Ok(exit::code(exit::OK));
    }
    let request = SignInRequest {
        target: Target::Session(added.name),
        use_device_code: false,
        open_browser: true,
        holder: format!("leasekeeper (pid {})", std::process::id()),
    };
    crate::signin::run(&request, home)
}

/// Asks a yes-or-no question on the terminal; yes unless the answer starts
/// with `n`.
fn ask(question: &str) -> anyhow::Result<bool> {
    let mut err = std::io::stderr().lock();
    err.write_all(question.as_bytes())?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(!line.trim().to_ascii_lowercase().starts_with('n'))
}
