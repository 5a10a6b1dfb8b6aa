//! `leasekeeper profiles add-session NAME --start-url URL --region REGION`:
//! adds `[sso-session NAME]` for an AWS access portal to the config file
//! ([`leasekeeper_service::ops::add_session`]), then, on a terminal, offers
//! to sign in to it.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use leasekeeper_service::ops::Target;
use leasekeeper_service::ops::add_session::{self, NewSession};
use leasekeeper_service::ops::sign_in::SignInRequest;

use crate::exit;
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
    }
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
