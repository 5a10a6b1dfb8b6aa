//! Building a [`Snapshot`] from the bytes of a person's AWS files.
//!
//! The host reads the files ([`LoadInput`]); this module parses them, merges
//! the profiles (leaving out our own managed sections), reads the SSO token
//! cache and the AWS CLI role cache, and collects every file-level problem
//! with its path and line. Nothing here fails as a whole: a broken file or
//! cache entry becomes a [`Problem`] and everything else is still read.

use crate::ini::Document;
use crate::profiles::merge::{MergeOptions, merge};
use crate::report::{Problem, Severity};
use crate::snapshot::{BotocoreRefusal, Snapshot};

/// One shared file as the host found it.
#[derive(Debug, Clone)]
pub struct FileInput {
    /// The path, for messages.
    pub path: String,
    /// `Ok(None)` when the file does not exist; `Err` with the reason when it
    /// exists but cannot be read.
    pub contents: Result<Option<Vec<u8>>, String>,
}

/// One cache file (a `.json` in a cache folder).
#[derive(Debug, Clone)]
pub struct CacheFileInput {
    /// The file name, e.g. `<sha1>.json`.
    pub name: String,
    pub contents: Result<Vec<u8>, String>,
}

/// Everything the host read.
#[derive(Debug, Clone)]
pub struct LoadInput {
    pub config: FileInput,
    pub credentials: FileInput,
    /// The SSO token cache folder, for messages.
    pub sso_cache_dir: String,
    pub sso_cache: Vec<CacheFileInput>,
    /// The AWS CLI cache folder, for messages.
    pub cli_cache_dir: String,
    pub cli_cache: Vec<CacheFileInput>,
}

/// Whether `name` is a cache entry named by a sha1 key (`<40 hex>.json`).
/// The SSO cache folder also holds client registrations and other tools'
/// files: those are not tokens.
pub fn is_keyed_cache_file(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".json")?;
    (stem.len() == 40 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

/// Parses, merges and reads everything in `input`. Never fails: every
/// problem is recorded in [`Snapshot::problems`] and everything readable is
/// kept.
pub fn snapshot(input: &LoadInput) -> Snapshot {
    let mut snapshot = Snapshot::default();
    let config = parse_file(&input.config, &mut snapshot);
    let credentials = parse_file(&input.credentials, &mut snapshot);
    for (doc, file) in [(&config, &input.config), (&credentials, &input.credentials)] {
        let Some(doc) = doc else { continue };
        record_issues(doc, &file.path, &mut snapshot);
    }
    // Recovering mode cannot fail: bad lines were skipped and recorded above.
    snapshot.set = merge(
        config.as_ref(),
        credentials.as_ref(),
        MergeOptions::product(),
    )
    .unwrap_or_default();
    load_caches(input, &mut snapshot);
    snapshot
}

fn parse_file(file: &FileInput, snapshot: &mut Snapshot) -> Option<Document> {
    match &file.contents {
        Ok(Some(bytes)) => Some(Document::parse(bytes)),
        Ok(None) => None,
        Err(reason) => {
            snapshot.problems.push(problem(
                Severity::Error,
                "file_unreadable",
                format!("cannot read this file, its profiles are not shown: {reason}"),
                &file.path,
            ));
            None
        }
    }
}

fn record_issues(doc: &Document, path: &str, snapshot: &mut Snapshot) {
    for issue in doc.issues() {
        let fatal = issue.rejects_file_for_botocore();
        let message = if fatal {
            format!(
                "{}; botocore and the AWS CLI refuse this whole file",
                issue.kind
            )
        } else {
            issue.kind.to_string()
        };
        if fatal && snapshot.botocore_refusal.is_none() {
            snapshot.botocore_refusal = Some(BotocoreRefusal {
                reason: format!("{path}:{}: {}", issue.line, issue.kind),
            });
        }
        snapshot.problems.push(Problem {
            severity: if fatal || issue.rejects_file_for_spec() {
                Severity::Error
            } else {
                Severity::Warning
            },
            code: issue.code().to_owned(),
            message,
            file: Some(path.to_owned()),
            line: Some(issue.line),
        });
    }
}

fn problem(severity: Severity, code: &str, message: String, file: &str) -> Problem {
    Problem {
        severity,
        code: code.to_owned(),
        message,
        file: Some(file.to_owned()),
        line: None,
    }
}

/// Reads the caches into `snapshot`, recording unreadable entries.
fn load_caches(input: &LoadInput, snapshot: &mut Snapshot) {
    use crate::profiles::cli_cache;
    use crate::profiles::sso_cache::{SsoToken, TokenFileError};
    for file in &input.sso_cache {
        let Some(key) = is_keyed_cache_file(&file.name) else {
            continue;
        };
        let path = format!("{}/{}", input.sso_cache_dir, file.name);
        let parsed = match &file.contents {
            Ok(bytes) => SsoToken::parse(bytes),
            Err(reason) => {
                snapshot.problems.push(problem(
                    Severity::Error,
                    "token_cache_unreadable",
                    format!("cannot read the SSO token cache file: {reason}"),
                    &path,
                ));
                continue;
            }
        };
        if let Err(TokenFileError::ClientRegistration) = &parsed {
            continue;
        }
        if let Err(err) = &parsed {
            snapshot.problems.push(problem(
                Severity::Error,
                err.code(),
                format!("skipped the SSO token cache file: {err}"),
                &path,
            ));
        }
        snapshot.sso_tokens.insert(key.to_ascii_lowercase(), parsed);
    }
    for file in &input.cli_cache {
        let Some(key) = is_keyed_cache_file(&file.name) else {
            continue;
        };
        // The AWS CLI re-creates its cache entries at will: an entry we cannot
        // read loses only information, so it is a warning.
        match file
            .contents
            .as_ref()
            .ok()
            .and_then(|b| cli_cache::parse_entry(b))
        {
            Some(entry) => {
                snapshot.cli_cache.insert(key.to_ascii_lowercase(), entry);
            }
            None => snapshot.problems.push(problem(
                Severity::Warning,
                "cli_cache_unreadable",
                "skipped the AWS CLI cache file: not a credentials entry (truncated or corrupt)"
                    .to_owned(),
                &format!("{}/{}", input.cli_cache_dir, file.name),
            )),
        }
    }
}
