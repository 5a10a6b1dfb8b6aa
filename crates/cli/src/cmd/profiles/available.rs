//! `profiles available`: every account and role a session gives
//! ([`leasekeeper_service::ops::available`]), as a table or JSON.

use std::process::ExitCode;

use leasekeeper_engine::available::Available;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::available;

use super::AvailableArgs;
use super::progress::{end_progress, printer, rate, shown};
use crate::exit;
use crate::home::Home;
use crate::runtime::runtime;

pub(super) fn list(args: &AvailableArgs, home: &Home) -> anyhow::Result<ExitCode> {
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
