//! Generating profiles from what a sign-in session gives: the listing of
//! [`super::available`], then [`leasekeeper_engine::write::sync::plan`]
//! applied to the config file through its locked edit (or only shown, for
//! a dry run). One profile per account and role, named from a template,
//! never over a section the person made; with `prune`, generated profiles
//! the session no longer gives go, unless edited since.

use std::path::PathBuf;

use leasekeeper_engine::available::{Available, Progress};
use leasekeeper_engine::ini::Document;
use leasekeeper_engine::write::config::ConfigWriteError;
use leasekeeper_engine::write::credentials::{Action, Change as CredChange};
use leasekeeper_engine::write::sync::{self, Change, DEFAULT_TEMPLATE, SyncRequest};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::config_file::{self, ConfigFileError, Synced};
use leasekeeper_host::keeper::write as keeper_write;
use leasekeeper_host::state_dir::state_dir;

use super::add_session::is_region;
use super::available::{self, AvailableError};
use crate::Environment;

/// What to sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncArgs {
    pub session: String,
    /// The names' template (default [`DEFAULT_TEMPLATE`]).
    pub template: Option<String>,
    /// The profiles' `region` (default: the session's).
    pub region: Option<String>,
    pub prune: bool,
    /// Show what would change; write nothing.
    pub dry_run: bool,
    pub calls_per_second: u32,
}

/// What was (or would be) done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncDone {
    pub changes: Vec<Change>,
    pub config: PathBuf,
    /// The file was written.
    pub written: bool,
    /// The sections removed (`-`) and added (`+`), as lines.
    pub diff: String,
    /// What went with the profiles pruned: our credentials section, their
    /// settings.
    pub cleaned: Vec<Cleaned>,
}

/// What was removed with a pruned profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub profile: String,
    /// Our section of its keys, removed from the credentials file.
    pub section: Option<String>,
    /// Its `[profiles.NAME]` table, removed from the settings file.
    pub settings: bool,
    /// What could not be removed, and why (the rest still was).
    pub failed: Vec<String>,
}

/// Why nothing was synced.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "`{}` is not an AWS region: expected one such as us-east-1 or eu-west-1",
        .0.escape_debug()
    )]
    BadRegion(String),
    #[error("the name template `{}` names nothing of the account or role: use {{account_name}}, {{account_id}} or {{role_name}}", .0.escape_debug())]
    BadTemplate(String),
    #[error(transparent)]
    Available(#[from] AvailableError),
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Refused {
        path: PathBuf,
        #[source]
        source: ConfigWriteError,
    },
    #[error(transparent)]
    Write(#[from] ConfigFileError),
}

impl SyncError {
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::BadRegion(_) => "bad_region",
            SyncError::BadTemplate(_) => "bad_template",
            SyncError::Available(e) => e.code(),
            SyncError::Read { .. } => "file_io",
            SyncError::Refused { source, .. } => source.code(),
            SyncError::Write(e) => e.code(),
        }
    }
}

/// Lists what `args.session` gives and syncs the config file with it.
pub async fn sync(
    paths: &AwsPaths,
    env: &Environment,
    args: &SyncArgs,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<SyncDone, SyncError> {
    let template = check(args.template.as_deref(), args.region.as_deref())?;
    let listed =
        available::available(paths, env, &args.session, args.calls_per_second, progress).await?;
    let mut done = write_listed(
        paths,
        &Write {
            session: &args.session,
            accounts: &listed.accounts,
            region: args.region.as_deref().unwrap_or(&listed.region),
            template,
            prune: args.prune,
            dry_run: args.dry_run,
        },
    )?;
    if done.written {
        for change in &done.changes {
            if let Change::Pruned { name, .. } = change {
                done.cleaned.push(clean(paths, env, name));
            }
        }
    }
    Ok(done)
}

/// Removes what belonged to the pruned profile `name`: our section of its
/// keys in the credentials file (never a section without our marker) and
/// its table in the settings file.
fn clean(paths: &AwsPaths, env: &Environment, name: &str) -> Cleaned {
    let mut out = Cleaned {
        profile: name.to_owned(),
        section: None,
        settings: false,
        failed: Vec::new(),
    };
    let settings = match super::settings::load(env) {
        Ok(s) => s,
        Err(e) => {
            out.failed.push(e.to_string());
            return out;
        }
    };
    let own = settings.profiles.get(name);
    let section = own
        .and_then(|p| p.section.clone())
        .unwrap_or_else(|| name.to_owned());
    let backups = state_dir(env.lookup()).map(|d| d.join("backups"));
    let removed = backups
        .ok_or_else(|| "no state folder".to_owned())
        .and_then(|backups| {
            keeper_write::apply(
                &paths.credentials,
                &[CredChange::Remove {
                    section: section.clone(),
                }],
                &backups,
            )
            .map_err(|e| e.to_string())
        });
    match removed {
        Ok(outcomes) if outcomes.iter().any(|o| o.action == Action::Removed) => {
            out.section = Some(section);
        }
        Ok(_) => {}
        Err(e) => out.failed.push(e),
    }
    if own.is_some() {
        let forget = super::settings::Change::ForgetProfile {
            profile: name.to_owned(),
        };
        match super::settings::change(env, &forget) {
            Ok(()) => out.settings = true,
            Err(e) => out.failed.push(e.to_string()),
        }
    }
    out
}

/// A sync of accounts already listed (the window lists once, then shows
/// the names and writes the roles the person chose).
#[derive(Debug, Clone, Copy)]
pub struct Write<'a> {
    pub session: &'a str,
    /// What to generate profiles for: the listing, or the part of it chosen.
    pub accounts: &'a [Available],
    /// The profiles' `region`.
    pub region: &'a str,
    pub template: &'a str,
    /// Remove generated profiles `accounts` no longer gives: only with the
    /// whole listing.
    pub prune: bool,
    /// Plan and show; write nothing.
    pub dry_run: bool,
}

/// The template to use, once it and the region are checked.
pub fn check<'a>(template: Option<&'a str>, region: Option<&str>) -> Result<&'a str, SyncError> {
    if let Some(region) = region {
        if !is_region(region) {
            return Err(SyncError::BadRegion(region.to_owned()));
        }
    }
    let template = template.unwrap_or(DEFAULT_TEMPLATE);
    if !["{account_name}", "{account_id}", "{role_name}"]
        .iter()
        .any(|p| template.contains(p))
    {
        return Err(SyncError::BadTemplate(template.to_owned()));
    }
    Ok(template)
}

/// Syncs the config file with `w.accounts` (or only plans it).
pub fn write_listed(paths: &AwsPaths, w: &Write<'_>) -> Result<SyncDone, SyncError> {
    check(Some(w.template), Some(w.region))?;
    let request = SyncRequest {
        session: w.session,
        region: w.region,
        template: w.template,
        prune: w.prune,
    };
    let config = paths.config.clone();
    let (synced, written) = if w.dry_run {
        let current = match std::fs::read(&config) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(SyncError::Read {
                    path: config,
                    source,
                });
            }
        };
        let planned = sync::plan(current.as_deref(), &request, w.accounts).map_err(|source| {
            SyncError::Refused {
                path: config.clone(),
                source,
            }
        })?;
        let synced = Synced {
            changes: planned.changes,
            before: current.unwrap_or_default(),
            after: planned.bytes,
        };
        (synced, false)
    } else {
        let synced = config_file::sync(&config, &request, w.accounts)?;
        let written = synced.before != synced.after;
        (synced, written)
    };
    let diff = diff(&synced);
    Ok(SyncDone {
        changes: synced.changes,
        config,
        written,
        diff,
        cleaned: Vec::new(),
    })
}

/// The removed sections' lines (`-`) and the added ones' (`+`).
fn diff(synced: &Synced) -> String {
    let mut out = String::new();
    let before = Document::parse(&synced.before);
    let after = Document::parse(&synced.after);
    for change in &synced.changes {
        let (doc, sign, header) = match change {
            Change::Pruned { name, .. } => (&before, '-', format!("profile {name}")),
            Change::Added { name, .. } => (&after, '+', format!("profile {name}")),
            _ => continue,
        };
        if let Some(section) = doc.sections().find(|s| s.name().trim() == header) {
            for line in section.lines() {
                let text = doc.line_text(line);
                let text = text.trim_end_matches(['\r', '\n']);
                if !text.trim().is_empty() {
                    out.push(sign);
                    out.push_str(text);
                    out.push('\n');
                }
            }
        }
    }
    out
}
