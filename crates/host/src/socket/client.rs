//! The commands' side of the socket: blocking, one request at a time, every
//! connect, write and read bounded by a timeout so a wedged keeper never
//! hangs a command, and every answer line bounded by
//! [`MAX_ANSWER_LINE`] so a wild one never fills the memory.

use std::io::{self, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::endpoint::{self, ClientStream};
use super::line::{self, TooLong};
use super::protocol::{
    self, KeeperView, LineError, MAX_ANSWER_LINE, ProtocolVersion, Request, Response,
};

/// The bound on everything but a refresh's wait (the keeper policy's
/// [`SOCKET_TIMEOUT`](leasekeeper_engine::keeper::policy::SOCKET_TIMEOUT)).
pub use leasekeeper_engine::keeper::policy::SOCKET_TIMEOUT as SHORT_TIMEOUT;

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
    /// An answer line longer than [`MAX_ANSWER_LINE`]: refused unread.
    #[error("the keeper's answer on {} is longer than {limit} bytes", path.display())]
    AnswerTooLarge { path: PathBuf, limit: usize },
    #[error("the keeper refused: {message} [{code}]")]
    Refused { code: String, message: String },
    #[error(
        "the keeper on {} speaks protocol {theirs}; this leasekeeper speaks {ours}: restart the keeper with this version",
        path.display()
    )]
    Incompatible {
        path: PathBuf,
        theirs: ProtocolVersion,
        ours: ProtocolVersion,
    },
}

impl ClientError {
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::TimedOut { .. } => "keeper_timed_out",
            ClientError::Io { .. } => "socket_io",
            ClientError::BadAnswer { .. } => "keeper_bad_answer",
            ClientError::AnswerTooLarge { .. } => "keeper_answer_too_large",
            ClientError::Refused { .. } => "keeper_refused",
            ClientError::Incompatible { .. } => "keeper_protocol_incompatible",
        }
    }
}

/// `line`, an answer of the keeper at `path`, typed (see
/// [`protocol::decode`]): also what a subscriber reads each event line with.
pub fn answer_of(path: &Path, line: &[u8]) -> Result<Response, ClientError> {
    protocol::decode(line).map_err(|e| match e {
        LineError::Malformed(message) => ClientError::BadAnswer {
            path: path.to_owned(),
            message,
        },
        LineError::Incompatible { theirs, ours } => ClientError::Incompatible {
            path: path.to_owned(),
            theirs,
            ours,
        },
    })
}

/// An answer line of the keeper at `path` that passed its limit.
pub fn too_large(path: &Path, TooLong { limit }: TooLong) -> ClientError {
    ClientError::AnswerTooLarge {
        path: path.to_owned(),
        limit,
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
    /// answer becomes [`ClientError::Refused`], one longer than
    /// [`MAX_ANSWER_LINE`] [`ClientError::AnswerTooLarge`] (the connection
    /// is then shut: the rest of that line is never read).
    pub fn ask(&mut self, request: &Request, timeout: Duration) -> Result<Response, ClientError> {
        self.set_timeout(timeout)?;
        let stream = self.reader.get_mut();
        stream
            .write_all(&protocol::encode(request))
            .map_err(|e| self.fail(e))?;
        let line = match line::read_line_blocking(&mut self.reader, MAX_ANSWER_LINE) {
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(too_long))) => {
                let _ = self.reader.get_ref().shutdown(std::net::Shutdown::Both);
                return Err(too_large(&self.path, too_long));
            }
            Ok(None) => return Err(self.fail(io::ErrorKind::UnexpectedEof.into())),
            Err(e) => return Err(self.fail(e)),
        };
        match self.read_answer(line.trim_ascii_end())? {
            Response::Error { code, message } => Err(ClientError::Refused { code, message }),
            response => Ok(response),
        }
    }

    /// One answer line, typed; a keeper of another major version is
    /// [`ClientError::Incompatible`].
    pub fn read_answer(&self, line: &[u8]) -> Result<Response, ClientError> {
        answer_of(&self.path, line)
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
