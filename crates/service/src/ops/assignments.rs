//! New roles: the accounts and roles a signed-in session gives that no
//! profile uses yet. The keeper looks at each signed-in sso-session every
//! `[portal] check_every` (a day by default; [`watch`]), records what it
//! found in `STATE/assignments.json` ([`check`]), and the tray menu and the
//! window say "N new roles available" ([`pending`]). Nothing is written
//! without the person's click, unless `[sso_sessions.NAME] auto_sync =
//! true`: then the keeper writes their profiles itself, as `profiles sync`
//! does (never pruning).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use leasekeeper_engine::available::Available;
use leasekeeper_engine::load;
use leasekeeper_engine::ports::PortalAccount;
use leasekeeper_engine::write::sync::{Change, DEFAULT_TEMPLATE};
use leasekeeper_host::atomic::{create_private_dir, write_atomic_mode};
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::state_dir::state_dir;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::available::{self, AvailableError};
use super::sync::{SyncError, Write, write_listed};
use crate::Environment;

/// The state file, in the state folder.
pub const FILE: &str = "assignments.json";

/// One role no profile uses yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRole {
    pub account_id: String,
    pub account_name: String,
    pub role: String,
}

/// What the last check of a session found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The session's start URL then: a session renamed or moved is new.
    pub start_url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    pub new_roles: Vec<NewRole>,
    /// Roles the person was shown and chose not to add: never "new" again.
    #[serde(default)]
    pub passed_over: Vec<NewRole>,
}

/// A check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub session: String,
    /// Roles no profile uses (none once written).
    pub new_roles: Vec<NewRole>,
    /// Profiles written (`auto_sync`).
    pub written: usize,
}

/// Why a session was not checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Listing(#[from] AvailableError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("no state folder: set HOME or LEASEKEEPER_STATE_DIR")]
    NoStateDir,
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl CheckError {
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::Listing(e) => e.code(),
            CheckError::Sync(e) => e.code(),
            CheckError::NoStateDir => "no_state_dir",
            CheckError::Write { .. } => "file_io",
        }
    }

    /// The session is not signed in: nothing to look at, nothing wrong.
    pub fn signed_out(&self) -> bool {
        matches!(
            self,
            CheckError::Listing(AvailableError::SignIn { .. } | AvailableError::Target(_))
        )
    }
}

/// The records in `dir`; none when the file is missing or unreadable (it
/// is ours, and only a cache of what the portal said).
pub fn read(dir: &Path) -> BTreeMap<String, Record> {
    let path = dir.join(FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(file = %path.display(), error = %e, "cannot read the new roles found; looking again");
            BTreeMap::new()
        }),
        Err(_) => BTreeMap::new(),
    }
}

fn write(dir: &Path, records: &BTreeMap<String, Record>) -> Result<(), CheckError> {
    let path = dir.join(FILE);
    let err = |source| CheckError::Write {
        path: path.clone(),
        source,
    };
    create_private_dir(dir).map_err(err)?;
    let bytes = serde_json::to_vec_pretty(records).map_err(|e| err(std::io::Error::other(e)))?;
    write_atomic_mode(&path, &bytes, 0o600).map_err(err)
}

/// The start URL of each sso-session configured in the files at `paths`.
fn sessions(paths: &AwsPaths) -> BTreeMap<String, String> {
    let snapshot = load::snapshot(&aws_files::read(paths));
    snapshot
        .set
        .sso_sessions
        .iter()
        .filter_map(|(name, s)| Some((name.clone(), s.get_nonempty("sso_start_url")?.to_owned())))
        .collect()
}

/// Of `roles`, those no profile of `session` uses in the config file now.
fn unconfigured(paths: &AwsPaths, session: &str, roles: &[NewRole]) -> Vec<NewRole> {
    let mut accounts: BTreeMap<&str, Available> = BTreeMap::new();
    for r in roles {
        accounts
            .entry(&r.account_id)
            .or_insert_with(|| Available {
                account: PortalAccount {
                    id: r.account_id.clone(),
                    name: r.account_name.clone(),
                    email: String::new(),
                },
                roles: Vec::new(),
            })
            .roles
            .push(r.role.clone());
    }
    let accounts: Vec<Available> = accounts.into_values().collect();
    let plan = write_listed(
        paths,
        &Write {
            session,
            accounts: &accounts,
            region: "us-east-1",
            template: DEFAULT_TEMPLATE,
            prune: false,
            dry_run: true,
        },
    );
    match plan {
        Ok(done) => added(&done.changes, &accounts),
        // A config that does not parse: nothing can be added now anyway.
        Err(_) => Vec::new(),
    }
}

fn added(changes: &[Change], accounts: &[Available]) -> Vec<NewRole> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Added {
                account_id, role, ..
            } => Some(NewRole {
                account_id: account_id.clone(),
                account_name: accounts
                    .iter()
                    .find(|a| &a.account.id == account_id)
                    .map(|a| a.account.name.clone())
                    .unwrap_or_default(),
                role: role.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// New roles waiting for the person, by configured sso-session: what the
/// last check found that no profile uses yet (profiles added since count).
pub fn pending(paths: &AwsPaths, env: &Environment) -> BTreeMap<String, usize> {
    let Some(dir) = state_dir(env.lookup()) else {
        return BTreeMap::new();
    };
    let records = read(&dir);
    sessions(paths)
        .into_iter()
        .filter_map(|(name, url)| {
            let r = records.get(&name).filter(|r| r.start_url == url)?;
            let n = unconfigured(paths, &name, &r.new_roles).len();
            (n > 0).then_some((name, n))
        })
        .collect()
}

/// Lists what `session` gives and records the roles no profile uses; with
/// `auto_sync`, writes their profiles instead.
pub async fn check(
    paths: &AwsPaths,
    env: &Environment,
    session: &str,
    calls_per_second: u32,
    auto_sync: bool,
) -> Result<Checked, CheckError> {
    let dir = state_dir(env.lookup()).ok_or(CheckError::NoStateDir)?;
    let start_url = sessions(paths).remove(session).unwrap_or_default();
    let listed = available::available(paths, env, session, calls_per_second, &mut |_| {}).await?;
    let done = write_listed(
        paths,
        &Write {
            session,
            accounts: &listed.accounts,
            region: &listed.region,
            template: DEFAULT_TEMPLATE,
            prune: false,
            dry_run: !auto_sync,
        },
    )?;
    let mut records = read(&dir);
    let passed_over = records
        .get(session)
        .filter(|r| r.start_url == start_url)
        .map(|r| r.passed_over.clone())
        .unwrap_or_default();
    let found: Vec<NewRole> = added(&done.changes, &listed.accounts)
        .into_iter()
        .filter(|r| !passed_over.contains(r))
        .collect();
    let (new_roles, written) = if auto_sync {
        (Vec::new(), found.len())
    } else {
        (found, 0)
    };
    records.insert(
        session.to_owned(),
        Record {
            start_url,
            checked_at: OffsetDateTime::now_utc(),
            new_roles: new_roles.clone(),
            passed_over,
        },
    );
    write(&dir, &records)?;
    Ok(Checked {
        session: session.to_owned(),
        new_roles,
        written,
    })
}

/// The person chose from what `session` gives and left `passed_over` out:
/// those are not "new" again (profiles they add later count as usual).
pub fn passed_over(
    paths: &AwsPaths,
    env: &Environment,
    session: &str,
    passed_over: Vec<NewRole>,
) -> Result<(), CheckError> {
    let dir = state_dir(env.lookup()).ok_or(CheckError::NoStateDir)?;
    let start_url = sessions(paths).remove(session).unwrap_or_default();
    let mut records = read(&dir);
    let record = records.entry(session.to_owned()).or_insert_with(|| Record {
        start_url: start_url.clone(),
        checked_at: OffsetDateTime::now_utc(),
        new_roles: Vec::new(),
        passed_over: Vec::new(),
    });
    if record.start_url != start_url {
        record.start_url = start_url;
        record.passed_over.clear();
    }
    record.new_roles.retain(|r| !passed_over.contains(r));
    for r in passed_over {
        if !record.passed_over.contains(&r) {
            record.passed_over.push(r);
        }
    }
    write(&dir, &records)
}

/// The keeper's check, until dropped: each configured sso-session is
/// looked at once its last check is `[portal] check_every` old (divided by
/// `scale`, the time scale); one that is not signed in is passed over.
pub async fn watch(paths: AwsPaths, env: Environment, scale: f64) {
    let scale = if scale.is_finite() && scale >= 1.0 {
        scale
    } else {
        1.0
    };
    // A little after the keeper starts, then every hour (scaled).
    let first = Duration::from_secs(10).div_f64(scale);
    let every = Duration::from_secs(3600).div_f64(scale);
    tokio::time::sleep(first).await;
    loop {
        check_due(&paths, &env, scale).await;
        tokio::time::sleep(every).await;
    }
}

async fn check_due(paths: &AwsPaths, env: &Environment, scale: f64) {
    let Ok(settings) = super::settings::load(env) else {
        return;
    };
    let Some(dir) = state_dir(env.lookup()) else {
        return;
    };
    let records = read(&dir);
    let every = settings.portal.check_every.whole_seconds().max(0) as f64 / scale;
    let now = OffsetDateTime::now_utc();
    for (session, url) in sessions(paths) {
        let due = records
            .get(&session)
            .filter(|r| r.start_url == url)
            .is_none_or(|r| ((now - r.checked_at).whole_seconds() as f64) >= every);
        if !due {
            continue;
        }
        let auto = settings.auto_sync(&session);
        match check(paths, env, &session, settings.portal.calls_per_second, auto).await {
            Ok(c) if c.written > 0 => {
                tracing::info!(
                    session,
                    written = c.written,
                    "profiles written for new roles (auto_sync)"
                );
            }
            Ok(c) if !c.new_roles.is_empty() => {
                tracing::info!(
                    session,
                    new_roles = c.new_roles.len(),
                    "new roles available"
                );
            }
            Ok(_) => tracing::debug!(session, "no new roles"),
            Err(e) if e.signed_out() => tracing::debug!(session, "not signed in: not looked at"),
            Err(e) => tracing::warn!(session, code = e.code(), "cannot look for new roles: {e}"),
        }
    }
}
