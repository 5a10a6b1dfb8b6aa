//! `profiles sync`: profiles generated from what a session gives
//! ([`leasekeeper_service::ops::sync`]), each change said, a dry run's diff.

use std::process::ExitCode;

use leasekeeper_engine::write::sync::Change;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::available;

use super::SyncArgs;
use super::progress::{end_progress, printer, rate, shown};
use crate::exit;
use crate::home::Home;
use crate::runtime::runtime;

pub(super) fn sync(args: &SyncArgs, home: &Home) -> anyhow::Result<ExitCode> {
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
    for c in &done.cleaned {
        if let Some(section) = &c.section {
            println!(
                "removed the keys Leasekeeper wrote for [profile {}]: [{}] in {}",
                shown(&c.profile),
                shown(section),
                home.paths.credentials.display()
            );
        }
        if c.settings {
            println!("removed [profiles.{}] from the settings", shown(&c.profile));
        }
        for why in &c.failed {
            eprintln!(
                "leasekeeper: [profile {}] is removed, but not all that went with it: {why}",
                shown(&c.profile)
            );
        }
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
    // A pruned profile whose keys or settings could not go with it: said
    // above, and the run did not do all it was asked.
    if done.cleaned.iter().any(|c| !c.failed.is_empty()) {
        return Ok(exit::code(exit::FAILURE));
    }
    Ok(exit::code(exit::OK))
}
