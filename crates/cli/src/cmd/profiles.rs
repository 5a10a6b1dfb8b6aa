//! `leasekeeper profiles add-session NAME --start-url URL --region REGION`:
//! adds `[sso-session NAME]` for an AWS access portal to the config file
//! ([`leasekeeper_service::ops::add_session`]), then, on a terminal, offers
//! to sign in to it. `leasekeeper profiles available --sso-session NAME
//! [--json]`: every account and role the session gives
//! ([`leasekeeper_service::ops::available`]), with progress on stderr.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use leasekeeper_engine::available::{Available, Progress};
use leasekeeper_engine::write::sync::Change;
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
    /// Write one profile per account and role a signed-in session gives
    #[command(
        after_help = "Examples:\n  leasekeeper profiles sync --sso-session corp --dry-run\n  \
                            leasekeeper profiles sync --sso-session corp --prune \
                            --name-template '{account_name}-{role_name}'\n\n\
                            Template fields: {account_name}, {account_id}, {role_name}, {session}."
    )]
    Sync(SyncArgs),
}

#[derive(Debug, clap::Args)]
struct SyncArgs {
    /// The [sso-session] whose accounts and roles become profiles
    #[arg(long, value_name = "NAME")]
    sso_session: String,
    /// Show what would change as a diff; write nothing
    #[arg(long)]
    dry_run: bool,
    /// Also remove profiles generated for this session whose role is no
    /// longer assigned (kept when edited since)
    #[arg(long)]
    prune: bool,
    /// How profiles are named (default: {account_name}.{role_name})
    #[arg(long, value_name = "T")]
    name_template: Option<String>,
    /// The profiles' region (default: the session's sso_region)
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// Call the access portal at most N times a second (default: the
    /// settings' portal.calls_per_second, 10)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    calls_per_second: Option<u32>,
}

#[derive(Debug, clap::Args)]
struct AvailableArgs {
    /// The [sso-session] to list
    #[arg(long, value_name = "NAME")]
    sso_session: String,
    /// Print JSON: {"session", "accounts": [{"id", "name", "email", "roles"}]}
    #[arg(long)]
    json: bool,
    /// Call the access portal at most N times a second (it refuses about
    /// 20; default: the settings' portal.calls_per_second, 10)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    calls_per_second: Option<u32>,
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
        Command::Sync(a) => sync(&a, home),
    }
}

fn sync(args: &SyncArgs, home: &Home) -> anyhow::Result<ExitCode> {
    let env = Environment::process();
    let request = leasekeeper_service::ops::sync::SyncArgs {
        session: args.sso_session.clone(),
        template: args.name_template.clone(),
        region: args.region.clone(),
        prune: args.prune,
        dry_run: args.dry_run,
        calls_per_second: rate(args.calls_per_second, &env),
    };
    let mut progress = printer(&args.sso_session);
    let done = runtime()?.block_on(leasekeeper_service::ops::sync::sync(
        &home.paths,
        &env,
        &request,
        &mut progress,
    ));
    let done = match done {
        Ok(done) => done,
        Err(e) => {
            end_progress();
            eprintln!("leasekeeper: {e} [{}]", e.code());
            let usage = matches!(
                e,
                leasekeeper_service::ops::sync::SyncError::BadRegion(_)
                    | leasekeeper_service::ops::sync::SyncError::BadTemplate(_)
                    | leasekeeper_service::ops::sync::SyncError::Available(
                        available::AvailableError::Target(_)
                    )
            );
            return Ok(exit::code(if usage { exit::USAGE } else { exit::FAILURE }));
        }
    };
    let mut kept = 0;
    for change in &done.changes {
        match change {
            Change::Added {
                name,
                account_id,
                role,
            } => {
                println!(
                    "added [profile {}] ({account_id} {})",
                    shown(name),
                    shown(role)
                );
            }
            Change::Renamed {
                wanted,
                name,
                taken_by,
            } => println!(
                "[profile {}] is taken by [{}]: the new one is [profile {}]",
                shown(wanted),
                shown(taken_by),
                shown(name)
            ),
            Change::Kept { .. } => kept += 1,
            Change::Pruned { name, line } => println!(
                "removed [profile {}] (line {line}): its role is no longer assigned",
                shown(name)
            ),
            Change::EditedKept { name, line } => println!(
                "kept [profile {}] (line {line}): its role is no longer assigned, but it was \
                 edited since it was generated",
                shown(name)
            ),
        }
    }
    if kept > 0 {
        println!("{kept} already configured: nothing added for them");
    }
    let config = done.config.display();
    if args.dry_run {
        if !done.diff.is_empty() {
            println!("--- {config}\n+++ {config} (after the sync)");
            print!("{}", done.diff);
        }
        println!("dry run: {config} is not written");
    } else if done.written {
        println!("wrote {config}");
    } else {
        println!("{config} is unchanged");
    }
    Ok(exit::code(exit::OK))
}

/// `[######----------]`: the share of accounts done, 20 cells wide.
fn bar(done: usize, total: usize) -> String {
    const CELLS: usize = 20;
    let full = (done * CELLS).checked_div(total).unwrap_or(0).min(CELLS);
    format!("[{}{}]", "#".repeat(full), "-".repeat(CELLS - full))
}

/// Clears a progress line left on the terminal, so what follows starts on
/// a line of its own.
fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[K");
    }
}

/// The rate asked for, else the settings', else the default.
fn rate(asked: Option<u32>, env: &Environment) -> u32 {
    asked.unwrap_or_else(|| match leasekeeper_service::ops::settings::load(env) {
        Ok(settings) => settings.portal.calls_per_second,
        Err(e) => {
            eprintln!("leasekeeper: {e}; calling the portal at the default rate");
            available::DEFAULT_CALLS_PER_SECOND
        }
    })
}

/// Progress on stderr: one line rewritten on a terminal, a line every
/// [`PIPED_EVERY`] accounts when piped.
fn printer(session: &str) -> impl FnMut(Progress) + Send + use<> {
    let terminal = std::io::stderr().is_terminal();
    let session = session.to_owned();
    let mut told = 0;
    move |p: Progress| {
        if p.total == 0 {
            return;
        }
        if terminal {
            eprint!(
                "\r\x1b[KListing {session} {} {} of {} accounts, {} left{}",
                bar(p.done, p.total),
                p.done,
                p.total,
                p.total.saturating_sub(p.done),
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
    }
}

fn list(args: &AvailableArgs, home: &Home) -> anyhow::Result<ExitCode> {
    let env = Environment::process();
    let rate = rate(args.calls_per_second, &env);
    let mut progress = printer(&args.sso_session);
    let listed = runtime()?.block_on(available::available(
        &home.paths,
        &env,
        &args.sso_session,
        rate,
        &mut progress,
    ));
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => {
            end_progress();
            eprintln!("leasekeeper: {e} [{}]", e.code());
            let code = match e {
                available::AvailableError::Target(_) => exit::USAGE,
                _ => exit::FAILURE,
            };
            return Ok(exit::code(code));
        }
    };
    if args.json {
        let out = JsonListing {
            session: &listed.session,
            accounts: listed
                .accounts
                .iter()
                .map(|a| JsonAccount {
                    id: &a.account.id,
                    name: &a.account.name,
                    email: &a.account.email,
                    roles: &a.roles,
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", table(&listed.accounts));
    }
    Ok(exit::code(exit::OK))
}

/// `profiles available --json`, its keys in this order.
#[derive(serde::Serialize)]
struct JsonListing<'a> {
    session: &'a str,
    accounts: Vec<JsonAccount<'a>>,
}

#[derive(serde::Serialize)]
struct JsonAccount<'a> {
    id: &'a str,
    name: &'a str,
    email: &'a str,
    roles: &'a [String],
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
            end_progress();
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
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        // The end of the input (Ctrl-D) is no answer: nothing is started.
        eprintln!();
        return Ok(false);
    }
    Ok(!line.trim().to_ascii_lowercase().starts_with('n'))
}
