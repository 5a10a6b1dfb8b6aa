//! From an AWS access portal to profiles, in the window: add the portal as
//! an `[sso-session]` ([`add_portal`], `ops::add_session`), list what the
//! signed-in person may use ([`list_accounts`], `ops::available`, its
//! progress as `accounts-progress` events), show the names a template
//! gives ([`preview_profiles`]) and write the profiles chosen
//! ([`add_profiles`], `ops::sync::write_listed`, never pruning). The
//! listing is kept for the session, so choosing and writing call the portal
//! no more. Account and role names come from the portal: the page renders
//! them as text.

use std::collections::BTreeSet;
use std::sync::Arc;

use leasekeeper_engine::available::{Available, Progress};
use leasekeeper_engine::write::sync::{Change, DEFAULT_TEMPLATE};
use leasekeeper_service::ops;
use leasekeeper_service::ops::add_session::NewSession;
use leasekeeper_service::ops::assignments::NewRole;
use leasekeeper_service::ops::available::Listed;
use leasekeeper_service::ops::sync::Write;
use serde::{Deserialize, Serialize};
use tauri::State;

use super::Shared;
use super::error::WindowError;

type St<'a> = State<'a, Arc<Shared>>;

/// The event a listing's progress comes as.
pub const ACCOUNTS_PROGRESS: &str = "accounts-progress";

/// `add_portal`'s input.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalArgs {
    pub name: String,
    pub start_url: String,
    pub region: String,
}

/// A portal added.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalAdded {
    pub name: String,
    pub message: String,
}

/// Names a session.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListArgs {
    pub session: String,
}

/// What a session gives.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountsDto {
    pub session: String,
    pub region: String,
    pub template: String,
    pub accounts: Vec<AccountDto>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDto {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
}

/// A listing's progress.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressDto {
    pub session: String,
    pub done: usize,
    pub total: usize,
}

/// One account and role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    pub account_id: String,
    pub role_name: String,
}

/// `preview_profiles`' and `add_profiles`' input.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesArgs {
    pub session: String,
    pub template: String,
    pub selected: Vec<RoleRef>,
}

/// The profile a chosen role gets, or has.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedRole {
    pub account_id: String,
    pub role_name: String,
    pub name: String,
    /// `new`, or `existing` (already configured under `name`).
    pub status: &'static str,
}

/// What adding the chosen roles does (or did).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfilesDto {
    pub roles: Vec<NamedRole>,
    /// Profiles added (or that would be).
    pub added: usize,
    /// Names taken by a profile of someone else's: ours get a suffix.
    pub renamed: Vec<String>,
    pub message: String,
}

/// Adds `[sso-session NAME]` for a portal's start URL and region.
#[tauri::command]
pub async fn add_portal(args: PortalArgs, shared: St<'_>) -> Result<PortalAdded, WindowError> {
    let owned = Arc::clone(shared.inner());
    let result = blocking(move || {
        let session = NewSession {
            name: args.name.trim().to_owned(),
            start_url: args.start_url.trim().to_owned(),
            region: args.region.trim().to_owned(),
        };
        let added = ops::add_session::add_session(&owned.home().paths, &session)
            .map_err(|e| WindowError::op(e.code(), &e))?;
        Ok(PortalAdded {
            message: format!(
                "Added [sso-session {}] to {}",
                added.name,
                added.config.display()
            ),
            name: added.name,
        })
    })
    .await;
    shared.reply("add_portal", result)
}

/// Lists every account and role the session gives, following every page
/// within the portal's rate limit.
#[tauri::command]
pub async fn list_accounts(args: ListArgs, shared: St<'_>) -> Result<AccountsDto, WindowError> {
    let owned = Arc::clone(shared.inner());
    let result = list(&owned, &args.session).await;
    shared.reply("list_accounts", result)
}

async fn list(shared: &Arc<Shared>, session: &str) -> Result<AccountsDto, WindowError> {
    let home = shared.home();
    let settings = ops::settings::load(shared.base()).map_err(|e| WindowError::op(e.code(), &e))?;
    let tell = Arc::clone(shared);
    let name = session.to_owned();
    let mut progress = move |p: Progress| {
        tell.emit(
            ACCOUNTS_PROGRESS,
            &ProgressDto {
                session: name.clone(),
                done: p.done,
                total: p.total,
            },
        );
    };
    let listed = ops::available::available(
        &home.paths,
        &home.env,
        session,
        settings.portal.calls_per_second,
        &mut progress,
    )
    .await
    .map_err(|e| WindowError::op(e.code(), &e))?;
    let dto = AccountsDto {
        session: listed.session.clone(),
        region: listed.region.clone(),
        template: DEFAULT_TEMPLATE.to_owned(),
        accounts: listed
            .accounts
            .iter()
            .map(|a| AccountDto {
                id: a.account.id.clone(),
                name: a.account.name.clone(),
                email: a.account.email.clone(),
                roles: a.roles.clone(),
            })
            .collect(),
    };
    shared.locked().listings.insert(session.to_owned(), listed);
    Ok(dto)
}

/// The names the chosen roles would get with `template`; writes nothing.
#[tauri::command]
pub async fn preview_profiles(
    args: ProfilesArgs,
    shared: St<'_>,
) -> Result<ProfilesDto, WindowError> {
    let owned = Arc::clone(shared.inner());
    let result = blocking(move || profiles(&owned, &args, true)).await;
    shared.reply("preview_profiles", result)
}

/// Writes a profile for each chosen role (none is removed).
#[tauri::command]
pub async fn add_profiles(args: ProfilesArgs, shared: St<'_>) -> Result<ProfilesDto, WindowError> {
    let owned = Arc::clone(shared.inner());
    let result = blocking(move || profiles(&owned, &args, false)).await;
    if result.is_ok() {
        shared.locked().dirty = true;
    }
    shared.reply("add_profiles", result)
}

fn profiles(
    shared: &Shared,
    args: &ProfilesArgs,
    dry_run: bool,
) -> Result<ProfilesDto, WindowError> {
    let listed: Listed = shared
        .locked()
        .listings
        .get(&args.session)
        .cloned()
        .ok_or_else(|| WindowError::Op {
            code: "not_listed".into(),
            message: format!("the accounts of {} are not listed yet", args.session),
        })?;
    let accounts = chosen(&listed.accounts, &args.selected);
    let done = ops::sync::write_listed(
        &shared.home().paths,
        &Write {
            session: &args.session,
            accounts: &accounts,
            region: &listed.region,
            template: args.template.trim(),
            prune: false,
            dry_run,
        },
    )
    .map_err(|e| WindowError::op(e.code(), &e))?;
    let mut roles = Vec::new();
    let mut renamed = Vec::new();
    for change in &done.changes {
        match change {
            Change::Added {
                name,
                account_id,
                role,
            } => roles.push(NamedRole {
                account_id: account_id.clone(),
                role_name: role.clone(),
                name: name.clone(),
                status: "new",
            }),
            Change::Kept {
                name,
                account_id,
                role,
            } => roles.push(NamedRole {
                account_id: account_id.clone(),
                role_name: role.clone(),
                name: name.clone(),
                status: "existing",
            }),
            Change::Renamed {
                wanted,
                name,
                taken_by,
            } => renamed.push(format!("{wanted} is taken by [{taken_by}]: named {name}")),
            Change::Pruned { .. } | Change::EditedKept { .. } => {}
        }
    }
    let added = roles.iter().filter(|r| r.status == "new").count();
    if !dry_run {
        // What the person saw and left out is not "new" again.
        let chosen: BTreeSet<(&str, &str)> = args
            .selected
            .iter()
            .map(|r| (r.account_id.as_str(), r.role_name.as_str()))
            .collect();
        let left_out: Vec<NewRole> = listed
            .accounts
            .iter()
            .flat_map(|a| {
                a.roles.iter().map(move |r| NewRole {
                    account_id: a.account.id.clone(),
                    account_name: a.account.name.clone(),
                    role: r.clone(),
                })
            })
            .filter(|r| !chosen.contains(&(r.account_id.as_str(), r.role.as_str())))
            .collect();
        if let Err(e) = ops::assignments::passed_over(
            &shared.home().paths,
            shared.base(),
            &args.session,
            left_out,
        ) {
            tracing::warn!(code = e.code(), "cannot record the roles left out: {e}");
        }
    }
    let config = done.config.display();
    let message = match (dry_run, added) {
        (true, _) => String::new(),
        (false, 0) => format!("Nothing to add: every chosen role is in {config} already"),
        (false, 1) => format!("Added 1 profile to {config}"),
        (false, n) => format!("Added {n} profiles to {config}"),
    };
    Ok(ProfilesDto {
        roles,
        added,
        renamed,
        message,
    })
}

/// The part of `listed` chosen: each account with its chosen roles.
fn chosen(listed: &[Available], selected: &[RoleRef]) -> Vec<Available> {
    let wanted: BTreeSet<(&str, &str)> = selected
        .iter()
        .map(|r| (r.account_id.as_str(), r.role_name.as_str()))
        .collect();
    listed
        .iter()
        .filter_map(|a| {
            let roles: Vec<String> = a
                .roles
                .iter()
                .filter(|r| wanted.contains(&(a.account.id.as_str(), r.as_str())))
                .cloned()
                .collect();
            (!roles.is_empty()).then(|| Available {
                account: a.account.clone(),
                roles,
            })
        })
        .collect()
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, WindowError> + Send + 'static,
) -> Result<T, WindowError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(WindowError::Task(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasekeeper_engine::ports::PortalAccount;

    fn account(id: &str, roles: &[&str]) -> Available {
        Available {
            account: PortalAccount {
                id: id.into(),
                name: format!("acct-{id}"),
                email: String::new(),
            },
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn only_the_roles_chosen_are_written_and_accounts_without_one_are_left_out() {
        let listed = [
            account("1", &["Admin", "ReadOnly"]),
            account("2", &["Admin"]),
        ];
        let pick = |a: &str, r: &str| RoleRef {
            account_id: a.into(),
            role_name: r.into(),
        };
        let got = chosen(&listed, &[pick("1", "ReadOnly"), pick("3", "Admin")]);
        assert_eq!(got, [account("1", &["ReadOnly"])]);
        assert!(chosen(&listed, &[]).is_empty());
    }
}
