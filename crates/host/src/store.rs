//! [`FileStore`]: the engine's [`Store`] port on real files — the SSO token
//! cache in `~/.aws/sso/cache` and our own state folder — each write atomic
//! and owner-only under the file's sidecar lock. The engine's flows hold a
//! lock across their AWS calls, so the port is [`Locked`]'s steps
//! ([`crate::locked_edit`]) rather than one plan.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use leasekeeper_engine::ports::{Store, StoreError, StoreFile};

use crate::lock::LockError;
pub use crate::locked_edit::LOCK_WAIT;
use crate::locked_edit::Locked;

/// Where each [`StoreFile`] lives.
#[derive(Debug, Clone)]
pub struct FileStore {
    sso_cache: PathBuf,
    state: PathBuf,
    lock_wait: Duration,
    /// `sso_cache` resolved once it exists: resolving reads every link on
    /// the way, and a snapshot names one sighting per token file.
    resolved_cache: OnceLock<PathBuf>,
}

/// A held lock and the file it guards.
pub type HeldLock = Locked;

impl FileStore {
    /// `sso_cache` is `~/.aws/sso/cache`; `state` our state folder.
    pub fn new(sso_cache: PathBuf, state: PathBuf) -> FileStore {
        FileStore {
            sso_cache,
            state,
            lock_wait: LOCK_WAIT,
            resolved_cache: OnceLock::new(),
        }
    }

    /// The path of `file`.
    pub fn path(&self, file: &StoreFile) -> PathBuf {
        match file {
            StoreFile::SsoToken(key) => self.sso_cache.join(format!("{key}.json")),
            StoreFile::Registration(key) => {
                self.state.join("registrations").join(format!("{key}.json"))
            }
            StoreFile::Session(key) => self.state.join("sessions").join(format!("{key}.json")),
            StoreFile::SignIn(key) => self.state.join("signin").join(format!("{key}.json")),
            StoreFile::Sighting(key) => self
                .state
                .join("sightings")
                .join(format!("{}.json", name_in(&self.cache_folder(), key))),
        }
    }

    /// The token cache folder as [`sighting_name`] resolves it; kept once
    /// the folder exists, resolved again each time until then.
    fn cache_folder(&self) -> PathBuf {
        if let Some(folder) = self.resolved_cache.get() {
            return folder.clone();
        }
        match std::fs::canonicalize(&self.sso_cache) {
            Ok(folder) => self.resolved_cache.get_or_init(|| folder).clone(),
            Err(_) => {
                std::path::absolute(&self.sso_cache).unwrap_or_else(|_| self.sso_cache.clone())
            }
        }
    }

    /// The state folder.
    pub fn state_dir(&self) -> &Path {
        &self.state
    }
}

/// The name of a sighting's file: 16 hex digits of the SHA-256 of the token
/// cache folder's canonical path (its absolute path when it cannot be
/// resolved, e.g. before it exists) and the token file's key, so that two
/// homes (`--home`, another `HOME`) never share a sighting and two spellings
/// of one folder (a symlink, `..`) never get two.
pub fn sighting_name(sso_cache: &Path, key: &str) -> String {
    let folder = std::fs::canonicalize(sso_cache)
        .or_else(|_| std::path::absolute(sso_cache))
        .unwrap_or_else(|_| sso_cache.to_owned());
    name_in(&folder, key)
}

/// [`sighting_name`] of a folder already resolved.
fn name_in(folder: &Path, key: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(folder.as_os_str().as_encoded_bytes());
    hasher.update(b"\n");
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn io_error(action: &'static str, path: &Path, e: &io::Error) -> StoreError {
    StoreError::Io {
        action,
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn lock_error(e: LockError) -> StoreError {
    match e {
        LockError::Busy { path, waited } => StoreError::Locked {
            path: path.display().to_string(),
            waited_ms: u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
        },
        LockError::Io { path, source } => io_error("lock", &path, &source),
    }
}

impl Store for FileStore {
    type Lock = HeldLock;

    fn lock(&self, file: &StoreFile) -> Result<HeldLock, StoreError> {
        Locked::acquire(&self.path(file), self.lock_wait).map_err(lock_error)
    }

    fn try_lock(&self, file: &StoreFile) -> Result<Option<HeldLock>, StoreError> {
        Locked::try_acquire(&self.path(file)).map_err(lock_error)
    }

    fn read(&self, file: &StoreFile) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(file);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("read", &path, &e)),
        }
    }

    fn write(&self, lock: &HeldLock, bytes: &[u8]) -> Result<(), StoreError> {
        lock.replace(bytes)
            .map_err(|e| io_error("write", lock.path(), &e))
    }

    fn remove(&self, lock: &HeldLock) -> Result<bool, StoreError> {
        lock.remove()
            .map_err(|e| io_error("remove", lock.path(), &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_land_where_docs_state_md_says_and_writes_need_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(
            dir.path().join("home/.aws/sso/cache"),
            dir.path().join("state"),
        );
        let token = StoreFile::SsoToken("abc".into());
        assert_eq!(
            store.path(&token),
            dir.path().join("home/.aws/sso/cache/abc.json")
        );
        assert_eq!(
            store.path(&StoreFile::Registration("r".into())),
            dir.path().join("state/registrations/r.json")
        );
        assert_eq!(store.read(&token).unwrap(), None);
        let held = store.lock(&token).unwrap();
        assert!(store.try_lock(&token).unwrap().is_none());
        store.write(&held, b"{}").unwrap();
        assert_eq!(store.read(&token).unwrap().unwrap(), b"{}");
        assert!(store.remove(&held).unwrap());
        drop(held);
        assert!(store.try_lock(&token).unwrap().is_some());
    }

    #[test]
    fn two_spellings_of_one_token_cache_folder_share_a_sighting() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("home/.aws/sso/cache");
        std::fs::create_dir_all(&cache).unwrap();
        let name = sighting_name(&cache, "k");
        let dotted = dir.path().join("home/.aws/sso/../sso/cache");
        assert_eq!(sighting_name(&dotted, "k"), name);
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(dir.path().join("home"), &link).unwrap();
            assert_eq!(sighting_name(&link.join(".aws/sso/cache"), "k"), name);
        }
        assert_ne!(sighting_name(&cache, "other"), name);
        // A folder that does not exist yet is named by its absolute path.
        let missing = dir.path().join("nowhere/cache");
        assert_eq!(
            sighting_name(&missing, "k"),
            sighting_name(&dir.path().join("nowhere/./cache"), "k")
        );
        assert_ne!(sighting_name(&missing, "k"), name);
    }
}
