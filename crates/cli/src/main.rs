//! `leasekeeper`: the command line. Definition and glue only; the work is in
//! the library crates.

mod cmd;
mod exit;
mod home;
mod prompt;
mod render;
mod runtime;
mod signin;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "leasekeeper",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("LEASEKEEPER_COMMIT"), ")"),
    about = "Keeps AWS credential leases alive",
    long_about = "Keeps AWS credential leases alive: shows every profile's remaining lease, \
                  signs in to IAM Identity Center and renews credentials before they expire."
)]
struct Cli {
    /// Use this folder as the home folder (its .aws/ holds the AWS files)
    /// instead of $HOME; AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE still apply
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show every profile's lease, most urgent first
    Status(cmd::status::Args),
    /// Run a local IAM Identity Center and STS for demos and tests
    Sandbox(cmd::sandbox::Args),
    /// See Leasekeeper work against the sandbox: no AWS account needed
    Demo(cmd::demo::Args),
    /// Sign in to IAM Identity Center (browser with PKCE, or a device code)
    Login(cmd::login::Args),
    /// Sign out of IAM Identity Center and remove the token file
    Logout(cmd::logout::Args),
    /// Keep every managed profile's keys fresh, in the foreground
    Daemon(cmd::daemon::Args),
    /// Renew now and write the credentials file (one pass)
    Refresh(cmd::refresh::Args),
    /// Give an MFA code once: roles over it renew until the MFA session ends
    Mfa(cmd::mfa::Args),
    /// Print a profile's keys for an SDK's credential_process (never prompts)
    CredentialProcess(cmd::credential_process::Args),
    /// Add a profile to ~/.aws/config whose keys come from credential-process
    SetupProcess(cmd::setup_process::Args),
    /// Run a command whose AWS SDKs get keys that renew themselves
    Exec(cmd::exec::Args),
    /// Serve a profile's keys to SDKs started elsewhere (a local endpoint)
    Serve(cmd::serve::Args),
    /// Print a profile's keys as variables (a copy that does not renew)
    Env(cmd::env::Args),
    /// Why a command got ExpiredToken, and what fixes it
    Doctor(cmd::doctor::Args),
    /// Open the AWS console in the browser, signed in as a profile
    Console(cmd::console::Args),
    /// Add a sign-in session, list what it gives, generate its profiles
    Profiles(cmd::profiles::Args),
    /// Show the settings in effect and where each value comes from
    Settings(cmd::settings::Args),
    /// Write the shell completions and man pages the packages install
    #[command(hide = true)]
    GenerateFiles(cmd::generate::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    leasekeeper_host::logging::init_from_env();
    let result = match cli.command {
        Command::Status(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::status::run(args, &h))
        }
        Command::Sandbox(args) => cmd::sandbox::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Login(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::login::run(args, &h))
        }
        Command::Logout(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::logout::run(args, &h))
        }
        Command::Daemon(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::daemon::run(args, &h))
        }
        Command::Refresh(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::refresh::run(args, &h))
        }
        Command::Mfa(args) => home::Home::from_env(cli.home).and_then(|h| cmd::mfa::run(args, &h)),
        Command::CredentialProcess(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::credential_process::run(args, &h))
        }
        Command::Exec(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::exec::run(args, &h))
        }
        Command::Serve(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::serve::run(args, &h))
        }
        Command::Env(args) => home::Home::from_env(cli.home).and_then(|h| cmd::env::run(args, &h)),
        Command::Doctor(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::doctor::run(args, &h))
        }
        Command::Console(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::console::run(args, &h))
        }
        Command::SetupProcess(args) => {
            let home_override = cli.home.clone();
            home::Home::from_env(cli.home)
                .and_then(|h| cmd::setup_process::run(args, &h, home_override.as_deref()))
        }
        Command::Profiles(args) => {
            home::Home::from_env(cli.home).and_then(|h| cmd::profiles::run(args, &h))
        }
        Command::Settings(args) => cmd::settings::run(args),
        Command::GenerateFiles(args) => cmd::generate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // The whole chain, one cause after another, on one line.
            eprintln!("leasekeeper: {err:#}");
            exit::code(exit::FAILURE)
        }
    }
}
