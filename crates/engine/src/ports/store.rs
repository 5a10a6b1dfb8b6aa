//! [`Store`]: the files the sign-in flows read and write — the SSO token
//! cache and Leasekeeper's own state — each written atomically under its
//! sidecar lock.
//!
//! Writing takes the lock guard of the file written, so "write under the
//! lock" is checked by the types: a flow cannot write a file it did not lock.

/// A file the flows use, by its key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StoreFile {
    /// `~/.aws/sso/cache/<key>.json`: the token cache every AWS tool reads.
    SsoToken(String),
    /// Our cached client registration (`registrations/<key>.json`).
    Registration(String),
    /// What we know about a session's token (`sessions/<key>.json`).
    Session(String),
    /// A sign-in in progress (`signin/<key>.json`), held for its duration.
    SignIn(String),
    /// When the sign-in behind a token file was first seen
    /// (`sightings/<name>.json`; the name also tells the token cache folder,
    /// so homes never share one). The key is the token file's.
    Sighting(String),
}

impl StoreFile {
    /// A short name for messages (`token cache <key>`).
    pub fn describe(&self) -> String {
        match self {
            StoreFile::SsoToken(k) => format!("SSO token cache {k}.json"),
            StoreFile::Registration(k) => format!("client registration {k}"),
            StoreFile::Session(k) => format!("session record {k}"),
            StoreFile::SignIn(k) => format!("sign-in marker {k}"),
            StoreFile::Sighting(k) => format!("sighting {k}"),
        }
    }
}

/// Why a file could not be read, locked or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the lock longer than the bounded wait.
    #[error("{path} is locked by another process (waited {waited_ms} ms)")]
    Locked { path: String, waited_ms: u64 },
    #[error("cannot {action} {path}: {reason}")]
    Io {
        action: &'static str,
        path: String,
        reason: String,
    },
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Locked { .. } => "locked",
            StoreError::Io { .. } => "file_io",
        }
    }
}

/// Reading and writing the flows' files.
pub trait Store: Send + Sync {
    /// A held lock on one file; released when dropped.
    type Lock: Send + Sync;

    /// Takes the file's lock, waiting a bounded time.
    fn lock(&self, file: &StoreFile) -> Result<Self::Lock, StoreError>;
    /// Takes the file's lock if nobody holds it.
    fn try_lock(&self, file: &StoreFile) -> Result<Option<Self::Lock>, StoreError>;
    /// The file's bytes; `None` when it does not exist.
    fn read(&self, file: &StoreFile) -> Result<Option<Vec<u8>>, StoreError>;
    /// Replaces the locked file atomically, owner-only.
    fn write(&self, lock: &Self::Lock, bytes: &[u8]) -> Result<(), StoreError>;
    /// Removes the locked file; `false` when it did not exist.
    fn remove(&self, lock: &Self::Lock) -> Result<bool, StoreError>;
}
