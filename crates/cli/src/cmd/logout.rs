//! `leasekeeper logout`: end the portal session and remove the token file,
//! for one sso-session or every session that has a token. A token file
//! another tool already removed (`aws sso logout`) is reported as a
//! sign-out that already happened.

use std::process::ExitCode;

use leasekeeper_engine::ports::{Store, StoreFile};
use leasekeeper_engine::signin::{self, SignedOut, SsoTarget};
use leasekeeper_host::signin::SignInEnv;

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
    runtime()?.block_on(async {
        for target in &targets {
            let name = target.name();
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
                }
            }
        }
        anyhow::Ok(())
    })?;
    Ok(exit::code(code))
}
