//! [`SandboxError`]: what can go wrong starting the sandbox or writing its
//! files. Each variant names the thing (file, line, field) and has a stable
//! [`SandboxError::code`] for callers that branch on it.
//!
//! Errors a client causes on the wire are not here: those are AWS-shaped
//! responses (see `sts::xml` and `wire`), and the server keeps serving.

use std::path::PathBuf;

/// An error from loading a world, starting the server or writing files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The world file could not be read.
    #[error("cannot read world file {path}")]
    WorldRead {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The world file is not valid TOML or JSON.
    #[error("cannot parse world file {path} line {line}: {message}")]
    WorldParse {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// The parser's words.
        message: String,
    },
    /// The world parses but says something impossible.
    #[error("invalid world{}: {field}: {message}", path.as_ref().map(|p| format!(" file {}", p.display())).unwrap_or_default())]
    WorldInvalid {
        /// The file, when the world came from one.
        path: Option<PathBuf>,
        /// Where in the world, e.g. `roles[2].max_session_duration_secs`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The certificate authority or the TLS server could not be set up.
    #[error("cannot set up tls: {message}")]
    Tls {
        /// What failed.
        message: String,
    },
    /// A configuration file could not be written.
    #[error("cannot write {path}")]
    WriteConfig {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A setting given to the sandbox is out of range.
    #[error("invalid setting {name}: {message}")]
    Setting {
        /// The setting, e.g. `speed`.
        name: &'static str,
        /// What is wrong with it.
        message: String,
    },
}

impl SandboxError {
    /// A stable identifier for the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WorldRead { .. } => "world_read",
            Self::WorldParse { .. } => "world_parse",
            Self::WorldInvalid { .. } => "world_invalid",
            Self::Bind { .. } => "bind",
            Self::Tls { .. } => "tls",
            Self::WriteConfig { .. } => "write_config",
            Self::Setting { .. } => "setting",
        }
    }
}
