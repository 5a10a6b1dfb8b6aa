//! The platform part of the socket: binding, accepting and connecting.
//! On Unix a domain socket, mode 0600, in a folder that only its owner can
//! enter (checked before binding); a named pipe would take its place on
//! Windows behind the same functions.

use std::io;
use std::path::{Path, PathBuf};

/// Why the socket cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("{} is not a folder only its owner can enter (owner {owner}, mode {mode:o}): the keeper's socket is not served there", path.display())]
    UnsafeFolder {
        path: PathBuf,
        owner: u32,
        mode: u32,
    },
    #[error("cannot serve the keeper's socket {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl EndpointError {
    pub fn code(&self) -> &'static str {
        match self {
            EndpointError::UnsafeFolder { .. } => "socket_folder_unsafe",
            EndpointError::Io { .. } => "socket_io",
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> EndpointError + '_ {
    move |source| EndpointError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(unix)]
pub use unix::*;

#[cfg(unix)]
mod unix {
    use std::fs;
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    use std::path::Path;
    use std::time::Duration;

    use super::{EndpointError, io_err};

    /// A connection the server reads and writes.
    pub type ServerStream = tokio::net::UnixStream;
    /// A connection a client reads and writes (blocking, with timeouts).
    pub type ClientStream = std::os::unix::net::UnixStream;

    /// The bound socket (its owner removes the file on a clean exit).
    #[derive(Debug)]
    pub struct Listener {
        inner: tokio::net::UnixListener,
    }

    impl Listener {
        pub async fn accept(&self) -> std::io::Result<ServerStream> {
            self.inner.accept().await.map(|(s, _)| s)
        }
    }

    /// Binds `path` for the keeper that holds the lock: `owner` is the uid
    /// the folder must belong to (that of the lock file this process
    /// created). A file left at `path` (a keeper that was killed) is
    /// replaced: only the lock holder binds.
    pub fn bind(path: &Path, owner: u32) -> Result<Listener, EndpointError> {
        let folder = path.parent().unwrap_or(Path::new("."));
        let meta = fs::metadata(folder).map_err(io_err(folder))?;
        let mode = meta.permissions().mode() & 0o7777;
        if !meta.is_dir() || meta.uid() != owner || mode & 0o077 != 0 {
            return Err(EndpointError::UnsafeFolder {
                path: folder.to_owned(),
                owner: meta.uid(),
                mode,
            });
        }
        match fs::remove_file(path) {
            Ok(()) => tracing::info!(path = %path.display(), "replaced a stale keeper socket"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(path)(e)),
        }
        let inner = tokio::net::UnixListener::bind(path).map_err(io_err(path))?;
        if let Err(e) = fs::set_permissions(path, fs::Permissions::from_mode(0o600)) {
            let _ = fs::remove_file(path);
            return Err(io_err(path)(e));
        }
        Ok(Listener { inner })
    }

    /// The uid owning `path`.
    pub fn owner_of(path: &Path) -> Result<u32, EndpointError> {
        fs::metadata(path).map(|m| m.uid()).map_err(io_err(path))
    }

    /// Connects to `path`, reads and writes bounded by `timeout`.
    pub fn connect(path: &Path, timeout: Duration) -> std::io::Result<ClientStream> {
        let stream = ClientStream::connect(path)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(stream)
    }
}

#[cfg(not(unix))]
pub use other::*;

#[cfg(not(unix))]
mod other {
    //! No socket yet on this platform: the keeper runs without one and the
    //! commands act alone.
    use std::path::Path;
    use std::time::Duration;

    use super::{EndpointError, io_err};

    pub type ServerStream = tokio::io::DuplexStream;
    pub type ClientStream = std::net::TcpStream;

    #[derive(Debug)]
    pub struct Listener;

    impl Listener {
        pub async fn accept(&self) -> std::io::Result<ServerStream> {
            std::future::pending().await
        }
    }

    fn unsupported() -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "no keeper socket on this platform",
        )
    }

    pub fn bind(path: &Path, _owner: u32) -> Result<Listener, EndpointError> {
        Err(io_err(path)(unsupported()))
    }

    pub fn owner_of(_path: &Path) -> Result<u32, EndpointError> {
        Ok(0)
    }

    pub fn connect(_path: &Path, _timeout: Duration) -> std::io::Result<ClientStream> {
        Err(unsupported())
    }
}
