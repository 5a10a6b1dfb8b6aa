//! Following the keeper that runs for these AWS files from another process
//! (the tray app while a `leasekeeper daemon` holds the home's keeper
//! lock): whether one answers ([`Remote::running`]), its renewal view
//! ([`Remote::view`], as menu lines with [`lines`]) and its events as they
//! happen ([`Remote::subscribe`]). Every answer and event line is read
//! through the socket's bounded reader and typed by the socket client; a
//! line longer than [`MAX_ANSWER_LINE`] is refused unread and ends the
//! subscription. Renewing now through it is
//! [`refresh::by_keeper`](super::refresh::by_keeper).

use std::io;
use std::path::{Path, PathBuf};

use leasekeeper_engine::keeper::EngineEvent;
use leasekeeper_engine::menu::KeeperLine;
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::client::{SHORT_TIMEOUT, answer_of, too_large};
use leasekeeper_host::socket::line;
use leasekeeper_host::socket::protocol::{self, MAX_ANSWER_LINE};
use leasekeeper_host::socket::{
    self, Client, ClientError, KeeperView, ProfileView, Request, Response, WireEvent,
};
use tokio::io::{AsyncWriteExt as _, BufReader};

/// The keeper of one home as another process reaches it: its socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    socket: PathBuf,
}

/// A keeper that answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub pid: u32,
    pub version: String,
    /// The program that keeps the home (`leasekeeper`, `leasekeeper-tray`),
    /// when it says.
    pub program: Option<String>,
}

impl Remote {
    /// The keeper of the files at `paths`, with its socket in `env`'s state
    /// folder.
    pub fn of(env: &SignInEnv, paths: &AwsPaths) -> Remote {
        Remote {
            socket: socket::socket_path(&env.state_dir, paths),
        }
    }

    /// Whether a keeper answers for these files: `Ok(None)` when none
    /// listens (no socket, or one left by a keeper that is gone). Blocking,
    /// within the socket's short bounds.
    pub fn running(&self) -> Result<Option<Running>, ClientError> {
        let Some(mut client) = Client::connect(&self.socket)? else {
            return Ok(None);
        };
        match client.ask(&Request::Hello, SHORT_TIMEOUT)? {
            Response::Hello {
                pid,
                version,
                program,
            } => Ok(Some(Running {
                pid,
                version,
                program,
            })),
            other => Err(client.unexpected(&other)),
        }
    }

    /// The keeper's renewal view (its pid among it): `Ok(None)` when none
    /// listens. Blocking, within the socket's short bounds.
    pub fn view(&self) -> Result<Option<KeeperView>, ClientError> {
        Client::connect(&self.socket)?
            .map(|mut client| client.status())
            .transpose()
    }

    /// The keeper's events from now on: `Ok(None)` when none listens. The
    /// keeper answers `subscribed` within the socket's short bounds; the
    /// events come when they happen.
    pub async fn subscribe(&self) -> Result<Option<Events>, ClientError> {
        let path = self.socket.clone();
        let io_error = |source: io::Error| match source.kind() {
            io::ErrorKind::TimedOut => ClientError::TimedOut {
                path: path.clone(),
                timeout: SHORT_TIMEOUT,
            },
            _ => ClientError::Io {
                path: path.clone(),
                source,
            },
        };
        let mut stream = match connect(&path).await {
            Ok(stream) => stream,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound
                        | io::ErrorKind::ConnectionRefused
                        | io::ErrorKind::Unsupported
                ) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(io_error(e)),
        };
        within(stream.write_all(&protocol::encode(&Request::Subscribe)))
            .await
            .map_err(io_error)?;
        let mut events = Events {
            path: path.clone(),
            reader: BufReader::new(stream),
            done: false,
        };
        let first = within(events.read())
            .await
            .map_err(io_error)?
            .unwrap_or_else(|| Err(io_error(io::ErrorKind::UnexpectedEof.into())))?;
        match first {
            Response::Subscribed => Ok(Some(events)),
            Response::Error { code, message } => Err(ClientError::Refused { code, message }),
            other => Err(unexpected(&path, &other)),
        }
    }
}

/// The events of a keeper, as [`Remote::subscribe`] follows them. Dropping
/// it hangs up.
#[derive(Debug)]
pub struct Events {
    path: PathBuf,
    reader: BufReader<Stream>,
    /// The keeper hung up, or a line ended the subscription.
    done: bool,
}

impl Events {
    /// The next event: `None` once the keeper hung up. An event of a newer
    /// keeper is [`WireEvent::Newer`]; an error line (`events_missed`: this
    /// side read too slowly) is [`ClientError::Refused`], and the
    /// subscription goes on; a line that is not understood is
    /// [`ClientError::BadAnswer`], and the subscription goes on; a line of
    /// another major version of the protocol
    /// ([`ClientError::Incompatible`]), one too long
    /// ([`ClientError::AnswerTooLarge`]) or a lost socket
    /// ([`ClientError::Io`]) is the last.
    pub async fn next(&mut self) -> Option<Result<WireEvent, ClientError>> {
        if self.done {
            return None;
        }
        let read = match self.read().await {
            Ok(read) => read,
            Err(source) => {
                self.done = true;
                return Some(Err(ClientError::Io {
                    path: self.path.clone(),
                    source,
                }));
            }
        };
        let Some(answer) = read else {
            self.done = true;
            return None;
        };
        Some(match answer {
            Ok(Response::Event { event }) => Ok(event),
            Ok(Response::Error { code, message }) => Err(ClientError::Refused { code, message }),
            Ok(other) => Err(unexpected(&self.path, &other)),
            Err(e) => {
                if matches!(
                    e,
                    ClientError::Incompatible { .. } | ClientError::AnswerTooLarge { .. }
                ) {
                    self.done = true;
                }
                Err(e)
            }
        })
    }

    /// The next line, typed: `Ok(None)` at the end.
    async fn read(&mut self) -> io::Result<Option<Result<Response, ClientError>>> {
        Ok(
            match line::read_line(&mut self.reader, MAX_ANSWER_LINE).await? {
                None => None,
                Some(Ok(line)) => Some(answer_of(&self.path, line.trim_ascii_end())),
                Some(Err(too_long)) => Some(Err(too_large(&self.path, too_long))),
            },
        )
    }
}

/// The keeper's renewals as the menu takes them (a state this version
/// does not know is left out).
pub fn lines(profiles: &[ProfileView]) -> Vec<KeeperLine> {
    profiles.iter().filter_map(line_of_view).collect()
}

fn line_of_view(view: &ProfileView) -> Option<KeeperLine> {
    Some(KeeperLine {
        profile: view.profile.clone(),
        state: view.state.renewal()?,
        failing: view.last_error.is_some(),
        expires_at: view.expires_at,
        act_by: view.mfa_session_ends_at,
    })
}

/// The renewal a keeper's event announces, as the menu takes it (its own
/// keeper's events or a followed one's).
pub fn line_of_event(event: &EngineEvent) -> Option<KeeperLine> {
    match event {
        EngineEvent::LeaseChanged { renewal } => Some(KeeperLine {
            profile: renewal.profile.clone(),
            state: renewal.state,
            failing: renewal.last_error.is_some(),
            expires_at: renewal.expires_at,
            act_by: renewal.mfa_session_ends_at,
        }),
        _ => None,
    }
}

fn unexpected(path: &Path, answer: &Response) -> ClientError {
    ClientError::BadAnswer {
        path: path.to_owned(),
        message: format!("unexpected answer {answer:?}"),
    }
}

/// `step` within the socket's short bound.
async fn within<T>(step: impl Future<Output = io::Result<T>>) -> io::Result<T> {
    tokio::time::timeout(SHORT_TIMEOUT, step)
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
}

#[cfg(unix)]
type Stream = tokio::net::UnixStream;

#[cfg(unix)]
async fn connect(path: &Path) -> io::Result<Stream> {
    within(tokio::net::UnixStream::connect(path)).await
}

/// No keeper's socket here (a named pipe would take its place on Windows).
#[cfg(not(unix))]
type Stream = tokio::io::DuplexStream;

#[cfg(not(unix))]
async fn connect(_path: &Path) -> io::Result<Stream> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(all(test, unix))]
mod tests;
