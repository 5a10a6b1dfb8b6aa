//! `leasekeeper logout`: end the portal session and remove the token file,
//! for one sso-session or every session that has a token. A token file
//! another tool already removed (`aws sso logout`) is reported as a
//! sign-out that already happened. A running keeper is told over its
//! socket, so it removes the keys derived from those sessions at once.

use std::process::ExitCode;

use leasekeeper_engine::ports::{Store, StoreFile};
use leasekeeper_engine::signin::{self, SignedOut, SsoTarget};
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{self, Client, Request};

use crate::cmd::login::{aws_for, runtime};
use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sign out of this [sso-session] only (default: every session with a token)
    #[arg(long, value_name = "NAME")]
    sso_session: Option<String>,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let snapshot = home.snapshot();
    let env = SignInEnv::from_env(|n| std::env::var_os(n), &home.paths)?;
    let store = env.store();
    let targets: Vec<SsoTarget> = match &args.sso_session {
        Some(name) => match signin::target::session_target(&snapshot.set, name) {
            Ok(t) => vec![t],
            Err(e) => {
                eprintln!("leasekeeper: {e}");
                return Ok(exit::code(exit::USAGE));
            }
        },
        None => signin::target::all_targets(&snapshot.set)
            .into_iter()
            .filter(|t| {
                let has = |f: StoreFile| store.read(&f).is_ok_and(|b| b.is_some());
                has(StoreFile::SsoToken(t.cache_key())) || has(StoreFile::Session(t.cache_key()))
            })
            .collect(),
    };
    if targets.is_empty() {
        eprintln!("Not signed in to any sso-session; nothing to do");
        return Ok(exit::code(exit::OK));
    }
    let mut code = exit::OK;
    let mut signed_out = Vec::new();
    runtime()?.block_on(async {
        for target in &targets {
            let name = target.name();
            signed_out.push(name.to_owned());
            let aws = aws_for(home, &env, &snapshot, target, None).await?;
            match signin::logout(&aws, &store, target).await {
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
                Err(e) => {
                    eprintln!("leasekeeper: cannot sign out of {name}: {e} [{}]", e.code());
                    code = exit::FAILURE;
                    // Still signed in: the keeper keeps renewing.
                    signed_out.pop();
                }
            }
        }
        anyhow::Ok(())
    })?;
    tell_keeper(&env, home, &signed_out);
    Ok(exit::code(code))
}

/// Tells a running keeper about the sign-outs; without one there is
/// nothing to tell (the next keeper finds no token and writes nothing).
fn tell_keeper(env: &SignInEnv, home: &Home, sessions: &[String]) {
    let path = socket::socket_path(&env.state_dir, &home.paths);
    let mut client = match Client::connect(&path) {
        Ok(Some(client)) => client,
        Ok(None) => return,
        Err(e) => {
            eprintln!("leasekeeper: cannot tell the keeper: {e} [{}]", e.code());
            return;
        }
    };
    for session in sessions {
        let request = Request::SignedOut {
            session: session.clone(),
        };
        match client.ask(&request, SHORT_TIMEOUT) {
            Ok(_) => eprintln!("The keeper removes the keys it wrote for {session}"),
            Err(e) => {
                eprintln!(
                    "leasekeeper: cannot tell the keeper about {session}: {e} [{}]",
                    e.code()
                );
                return;
            }
        }
    }
}
