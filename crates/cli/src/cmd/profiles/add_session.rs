//! `profiles add-session`: `[sso-session NAME]` added
//! ([`leasekeeper_service::ops::add_session`]), then, on a terminal, an offer
//! to sign in to it.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use leasekeeper_service::ops::Target;
use leasekeeper_service::ops::add_session::{self, NewSession};
use leasekeeper_service::ops::sign_in::SignInRequest;

use super::AddSession;
use super::progress::end_progress;
use crate::exit;
use crate::home::Home;

pub(super) fn add(args: AddSession, home: &Home) -> anyhow::Result<ExitCode> {
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
