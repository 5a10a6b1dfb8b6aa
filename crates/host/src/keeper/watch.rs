//! Noticing changed files: every tick the keeper stamps (mtime, size,
//! inode) the config and credentials files, every file of the two cache
//! folders and our session records, and reads everything again when any
//! stamp moved, so edits and tokens written by other tools are picked up
//! within a tick. Each read also records when every sign-in was first seen
//! ([`crate::signin::record_sightings`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use leasekeeper_engine::ini::Document;
use leasekeeper_engine::keeper::Files;
use leasekeeper_engine::load;
use leasekeeper_engine::ports::{Store, StoreFile};
use leasekeeper_engine::settings::Settings;
use leasekeeper_engine::signin::TimeScale;
use leasekeeper_engine::signin::records::SessionRecord;
use leasekeeper_engine::snapshot::SignIns;
use leasekeeper_engine::write::credentials::list_managed;

use crate::aws_files::{self, AwsPaths};
use crate::store::FileStore;

/// What is compared between ticks for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    modified: Option<SystemTime>,
    size: u64,
    inode: u64,
}

/// The stamp of `path`; `None` when it does not exist.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        modified: meta.modified().ok(),
        size: meta.len(),
        inode,
    })
}

/// The files one keeper looks at, and their stamps at the last read.
#[derive(Debug)]
pub struct Watch {
    paths: AwsPaths,
    store: FileStore,
    last: Option<Vec<(PathBuf, Option<Stamp>)>>,
    /// The session lengths (scaled) and the time scale sightings are
    /// recorded with ([`Watch::use_settings`]).
    lengths: SignIns,
    scale: TimeScale,
}

impl Watch {
    pub fn new(paths: AwsPaths, store: FileStore) -> Watch {
        Watch {
            paths,
            store,
            last: None,
            lengths: SignIns::default(),
            scale: TimeScale::default(),
        }
    }

    /// The session lengths of `settings`, divided by `scale`, for the
    /// sightings recorded at each read.
    pub fn use_settings(&mut self, settings: &Settings, scale: TimeScale) {
        let lengths = settings
            .sso_sessions
            .iter()
            .map(|(name, s)| (name.clone(), s.session_length))
            .collect();
        self.lengths = SignIns {
            lengths,
            ..SignIns::default()
        }
        .scaled(scale.factor());
        self.scale = scale;
    }

    fn stamps(&self) -> Vec<(PathBuf, Option<Stamp>)> {
        let mut files = vec![self.paths.config.clone(), self.paths.credentials.clone()];
        for dir in [
            self.paths.sso_cache.clone(),
            self.paths.cli_cache.clone(),
            self.store.state_dir().join("sessions"),
        ] {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            let mut names: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            names.sort();
            files.extend(names);
        }
        files
            .into_iter()
            .map(|p| {
                let s = stamp(&p);
                (p, s)
            })
            .collect()
    }

    /// Everything read again when anything changed since the last call (or
    /// on the first call); `None` when nothing did. `now` dates the
    /// sightings recorded.
    pub fn poll(&mut self, now: time::OffsetDateTime) -> Option<Files> {
        let stamps = self.stamps();
        if self.last.as_ref() == Some(&stamps) {
            return None;
        }
        self.last = Some(stamps);
        Some(self.read(now))
    }

    /// Forgets the stamps: the next [`Watch::poll`] reads everything.
    pub fn invalidate(&mut self) {
        self.last = None;
    }

    /// One read of everything the keeper looks at, at `now`.
    pub fn read(&self, now: time::OffsetDateTime) -> Files {
        let input = aws_files::read(&self.paths);
        let managed_sections = match &input.credentials.contents {
            Ok(Some(bytes)) => list_managed(&Document::parse(bytes)),
            _ => Vec::new(),
        };
        let mut snapshot = load::snapshot(&input);
        let sessions: BTreeMap<String, SessionRecord> = snapshot
            .sso_tokens
            .keys()
            .filter_map(|key| {
                let bytes = self
                    .store
                    .read(&StoreFile::Session(key.clone()))
                    .ok()
                    .flatten()?;
                SessionRecord::parse(&bytes).map(|r| (key.clone(), r))
            })
            .collect();
        let sign_ins = SignIns {
            records: sessions.clone(),
            ..self.lengths.clone()
        };
        snapshot.sign_ins.sightings = crate::signin::record_sightings(
            &self.store,
            &snapshot,
            &sign_ins,
            now,
            self.scale,
            true,
        );
        Files {
            snapshot: Arc::new(snapshot),
            managed_sections,
            sessions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_read_again_and_an_unchanged_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        let paths = AwsPaths {
            home: home.to_owned(),
            config: home.join("config"),
            credentials: home.join("credentials"),
            sso_cache: home.join("sso"),
            cli_cache: home.join("cli"),
        };
        fs::write(&paths.config, "[profile a]\nregion = eu-west-1\n").unwrap();
        let mut watch = Watch::new(
            paths.clone(),
            FileStore::new(home.join("sso"), home.join("s")),
        );
        let first = watch
            .poll(time::OffsetDateTime::now_utc())
            .expect("the first poll reads");
        assert!(first.snapshot.set.profile("a").is_some());
        assert!(
            watch.poll(time::OffsetDateTime::now_utc()).is_none(),
            "nothing changed"
        );
        // Same size, new inode: an atomic replace by another tool.
        crate::atomic::write_atomic(&paths.config, b"[profile b]\nregion = eu-west-1\n").unwrap();
        let again = watch
            .poll(time::OffsetDateTime::now_utc())
            .expect("a replaced file is read again");
        assert!(again.snapshot.set.profile("b").is_some());
        fs::create_dir(&paths.sso_cache).unwrap();
        fs::write(paths.sso_cache.join("k.json"), "{}").unwrap();
        assert!(
            watch.poll(time::OffsetDateTime::now_utc()).is_some(),
            "a new token file is noticed"
        );
    }
}
