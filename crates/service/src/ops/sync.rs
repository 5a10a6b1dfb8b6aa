//! Generating profiles from what a sign-in session gives: the listing of
//! [`super::available`], then [`leasekeeper_engine::write::sync::plan`]
//! applied to the config file through its locked edit (or only shown, for
//! a dry run). One profile per account and role, named from a template,
//! never over a section the person made; with `prune`, generated profiles
//! the session no longer gives go, unless edited since.

use std::path::PathBuf;

use leasekeeper_engine::available::Progress;
use leasekeeper_engine::ini::Document;
use leasekeeper_engine::write::config::ConfigWriteError;
use leasekeeper_engine::write::sync::{self, Change, DEFAULT_TEMPLATE, SyncRequest};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::config_file::{self, ConfigFileError, Synced};

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
    if let Some(region) = &args.region {
        if !is_region(region) {
            return Err(SyncError::BadRegion(region.clone()));
        }
    }
    let template = args.template.as_deref().unwrap_or(DEFAULT_TEMPLATE);
    if !["{account_name}", "{account_id}", "{role_name}"]
        .iter()
        .any(|p| template.contains(p))
    {
        return Err(SyncError::BadTemplate(template.to_owned()));
    }
    let listed =
        available::available(paths, env, &args.session, args.calls_per_second, progress).await?;
    let request = SyncRequest {
        session: &args.session,
        region: args.region.as_deref().unwrap_or(&listed.region),
        template,
        prune: args.prune,
    };
    let config = paths.config.clone();
    let (synced, written) = if args.dry_run {
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
        let planned =
            sync::plan(current.as_deref(), &request, &listed.accounts).map_err(|source| {
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
        let synced = config_file::sync(&config, &request, &listed.accounts)?;
        let written = synced.before != synced.after;
        (synced, written)
    };
    let diff = diff(&synced);
    Ok(SyncDone {
        changes: synced.changes,
        config,
        written,
        diff,
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
