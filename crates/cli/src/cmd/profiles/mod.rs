//! `leasekeeper profiles`: a sign-in session added (`add-session`, then on a
//! terminal an offer to sign in), what it gives listed (`available`), and
//! profiles generated from it (`sync`). Each subcommand parses, calls one
//! operation of [`leasekeeper_service::ops`] and renders its answer.
//!
//! - [`add_session`]: `add-session NAME --start-url URL --region REGION`.
//! - [`available`]: `available --sso-session NAME [--json]`.
//! - [`sync`]: `sync --sso-session NAME [--dry-run] [--prune] …`.
//! - [`progress`]: the listing's progress on stderr and the rate it runs at.

mod add_session;
mod available;
mod progress;
mod sync;

use std::process::ExitCode;

use crate::home::Home;

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
        Command::AddSession(a) => add_session::add(a, home),
        Command::Available(a) => available::list(&a, home),
        Command::Sync(a) => sync::sync(&a, home),
    }
}
