//! `leasekeeper logout`: end the portal session and remove the token file,
//! for one sso-session or every session that has a token. A token file
//! another tool already removed (`aws sso logout`) is reported as a
//! sign-out that already happened. A running keeper is told over its
//! socket, so it removes the keys derived from those sessions at once.

use std::process::ExitCode;

use leasekeeper_engine::signin::SignedOut;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::Target;
use leasekeeper_service::ops::sign_out::{self, KeeperTold, SignOutError, SignOutFailure};

use crate::exit;
use crate::home::Home;
use crate::runtime::runtime;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sign out of this [sso-session] only (default: every session with a token)
    #[arg(long, value_name = "NAME")]
    sso_session: Option<String>,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let target = match args.sso_session {
        Some(name) => Target::Session(name),
        None => Target::Default,
    };
    let env = Environment::process();
    let report = match runtime()?.block_on(sign_out::sign_out(&home.paths, &env, &target)) {
        Ok(report) => report,
        Err(e @ SignOutError::Target(_)) => {
            eprintln!("leasekeeper: {e}");
            return Ok(exit::code(exit::USAGE));
        }
        Err(e @ SignOutError::Environment(_)) => return Err(e.into()),
    };
    if report.sessions.is_empty() {
        eprintln!("Not signed in to any sso-session; nothing to do");
        return Ok(exit::code(exit::OK));
    }
    let mut code = exit::OK;
    for s in &report.sessions {
        let name = &s.session;
        match &s.outcome {
            Ok(SignedOut::Done { portal_error: None }) => eprintln!("Signed out of {name}"),
            Ok(SignedOut::Done {
                portal_error: Some(e),
            }) => eprintln!(
                "Signed out of {name}: the token file is removed, but the portal could not be told ({e})"
            ),
            Ok(SignedOut::CorruptRemoved) => {
                eprintln!("Signed out of {name}: removed its unreadable token file")
            }
            Ok(SignedOut::AlreadySignedOut) => eprintln!(
                "{name} was already signed out (its token file was removed by another tool, such as `aws sso logout`)"
            ),
            Ok(SignedOut::NotSignedIn) => eprintln!("Not signed in to {name}"),
            Err(e @ SignOutFailure::Clients { .. }) => {
                eprintln!("leasekeeper: {e}");
                code = exit::FAILURE;
            }
            Err(e @ SignOutFailure::Flow(_)) => {
                eprintln!("leasekeeper: cannot sign out of {name}: {e} [{}]", e.code());
                code = exit::FAILURE;
            }
        }
    }
    match &report.keeper {
        KeeperTold::NoKeeper => {}
        KeeperTold::Unreachable(e) => {
            eprintln!("leasekeeper: cannot tell the keeper: {e} [{}]", e.code());
        }
        KeeperTold::Told { told, failed } => {
            for session in told {
                eprintln!("The keeper removes the keys it wrote for {session}");
            }
            if let Some((session, e)) = failed {
                eprintln!(
                    "leasekeeper: cannot tell the keeper about {session}: {e} [{}]",
                    e.code()
                );
            }
        }
    }
    Ok(exit::code(code))
}
