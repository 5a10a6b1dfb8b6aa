//! The commands' side of the socket: blocking, one request at a time, every
//! connect, write and read bounded by a timeout so a wedged keeper never
//! hangs a command.

use std::io::{self, BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::endpoint::{self, ClientStream};
use super::protocol::{self, KeeperView, Request, Response};

/// The bound on everything but a refresh's wait.
pub const SHORT_TIMEOUT: Duration = Duration::from_secs(3);

/// Why the keeper could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the keeper did not answer on {} within {} s", path.display(), timeout.as_secs())]
    TimedOut { path: PathBuf, timeout: Duration },
    #[error("lost the keeper's socket {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the keeper's answer on {} is not understood: {message}", path.display())]
    BadAnswer { path: PathBuf, message: String },
    #[error("the keeper refused: {message} [{code}]")]
    Refused { code: String, message: String },
}

impl ClientError {
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::TimedOut { .. } => "keeper_timed_out",
            ClientError::Io { .. } => "socket_io",
            ClientError::BadAnswer { .. } => "keeper_bad_answer",
            ClientError::Refused { .. } => "keeper_refused",
        }
    }
}

/// A connection to a running keeper.
#[derive(Debug)]
pub struct Client {
    path: PathBuf,
    reader: BufReader<ClientStream>,
    timeout: Duration,
}

impl Client {
    /// Connects to the keeper at `path`; `None` when none listens there
    /// (no socket file, or one left by a keeper that is gone).
    pub fn connect(path: &Path) -> Result<Option<Client>, ClientError> {
        Client::connect_within(path, SHORT_TIMEOUT)
    }

    /// [`Client::connect`] with `timeout` bounding the connection's reads
    /// and writes until a request sets its own.
    pub fn connect_within(path: &Path, timeout: Duration) -> Result<Option<Client>, ClientError> {
        match endpoint::connect(path, timeout) {
            Ok(stream) => Ok(Some(Client {
                path: path.to_owned(),
                reader: BufReader::new(stream),
                timeout,
            })),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound
                        | io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::Unsupported
                ) =>
            {
                Ok(None)
            }
            Err(source) => Err(ClientError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Sends `request` and reads its answer within `timeout`; an error
    /// answer becomes [`ClientError::Refused`].
    pub fn ask(&mut self, request: &Request, timeout: Duration) -> Result<Response, ClientError> {
        self.set_timeout(timeout)?;
        let stream = self.reader.get_mut();
        stream
            .write_all(&protocol::encode(request))
            .map_err(|e| self.fail(e))?;
        let mut line = String::new();
        let read = self.reader.read_line(&mut line).map_err(|e| self.fail(e))?;
        if read == 0 {
            return Err(self.fail(io::ErrorKind::UnexpectedEof.into()));
        }
        match serde_json::from_str::<Response>(&line) {
            Ok(Response::Error { code, message }) => Err(ClientError::Refused { code, message }),
            Ok(response) => Ok(response),
            Err(e) => Err(ClientError::BadAnswer {
                path: self.path.clone(),
                message: e.to_string(),
            }),
        }
    }

    /// The keeper's renewal view.
    pub fn status(&mut self) -> Result<KeeperView, ClientError> {
        match self.ask(&Request::Status, SHORT_TIMEOUT)? {
            Response::Status { keeper } => Ok(keeper),
            other => Err(self.unexpected(&other)),
        }
    }

    /// What the keeper gives for `profile`: [`Response::Credentials`] or
    /// [`Response::NeedsUser`]; `not_managed`, `not_renewed_yet` and the
    /// like come back as [`ClientError::Refused`].
    pub fn credentials(
        &mut self,
        profile: &str,
        timeout: Duration,
    ) -> Result<Response, ClientError> {
        let request = Request::Credentials {
            profile: profile.to_owned(),
        };
        match self.ask(&request, timeout)? {
            answer @ (Response::Credentials { .. } | Response::NeedsUser { .. }) => Ok(answer),
            other => Err(self.unexpected(&other)),
        }
    }

    fn set_timeout(&mut self, timeout: Duration) -> Result<(), ClientError> {
        self.timeout = timeout;
        let stream = self.reader.get_ref();
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|()| stream.set_write_timeout(Some(timeout)))
            .map_err(|e| self.fail(e))
    }

    fn fail(&self, source: io::Error) -> ClientError {
        match source.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ClientError::TimedOut {
                path: self.path.clone(),
                timeout: self.timeout,
            },
            _ => ClientError::Io {
                path: self.path.clone(),
                source,
            },
        }
    }

    /// An answer of the wrong kind.
    pub fn unexpected(&self, answer: &Response) -> ClientError {
        ClientError::BadAnswer {
            path: self.path.clone(),
            message: format!("unexpected answer {answer:?}"),
        }
    }
}
