//! The keeper's side of the socket. Each client is served by its own task:
//! commands reach the keeper's loop through its unbounded input channel,
//! the view comes from a watch the loop publishes after every step, events
//! from a broadcast the loop sends into. Nothing here can block the loop: a
//! slow client is dropped after [`SOCKET_WRITE_TIMEOUT`], a lagging
//! subscriber is told it missed events. Its timings are the keeper's
//! policy ([`leasekeeper_engine::keeper::policy`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use leasekeeper_engine::keeper::policy::{SOCKET_IDLE_TIMEOUT, SOCKET_WRITE_TIMEOUT};
use leasekeeper_engine::keeper::{Command, EngineEvent, Input};
use time::OffsetDateTime;
use tokio::io::{AsyncBufRead, AsyncBufReadExt as _, AsyncWrite, AsyncWriteExt as _, BufReader};
use tokio::sync::{Semaphore, broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use super::credentials;
use super::endpoint::{self, EndpointError, Listener, ServerStream};
use super::keys::ServedMap;
use super::line;
use super::protocol::{self, ErrorView, KeeperView, ProfileState, ProfileView, Request, Response};

/// Why the socket cannot be served.
pub type ServerError = EndpointError;

/// Clients served at once; more are told the keeper is busy.
pub const MAX_CLIENTS: usize = 32;

/// What the server is wired to.
#[derive(Debug, Clone)]
pub struct Wiring {
    /// The keeper loop's input channel.
    pub commands: mpsc::UnboundedSender<Input>,
    /// The renewals the loop publishes after every step.
    pub view: watch::Receiver<Vec<ProfileView>>,
    /// The engine's events as the loop tells them.
    pub events: broadcast::Sender<EngineEvent>,
    /// The bound on a `refresh`'s wait ([`REFRESH_WAIT`](leasekeeper_engine::keeper::policy::REFRESH_WAIT)).
    pub refresh_wait: Duration,
    /// What the keeper can give each profile, published after every step.
    pub served: watch::Receiver<ServedMap>,
    /// Keys are handed out only while more than this remains (the
    /// credential-process reuse margin, scaled).
    pub reuse_margin: time::Duration,
}

/// The served socket: stops serving and removes its file when dropped.
#[derive(Debug)]
pub struct Server {
    task: JoinHandle<()>,
    path: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Server {
    /// Serves `path` (see [`endpoint::bind`]); `lock_file` is the keeper
    /// lock this process holds, whose owner the folder must belong to.
    /// Must be called inside a Tokio runtime.
    pub fn start(path: &Path, lock_file: &Path, wiring: Wiring) -> Result<Server, ServerError> {
        let owner = endpoint::owner_of(lock_file)?;
        let listener = endpoint::bind(path, owner)?;
        let task = tokio::spawn(accept_loop(listener, Arc::new(wiring)));
        Ok(Server {
            task,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

async fn accept_loop(listener: Listener, wiring: Arc<Wiring>) {
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    // Every client's task lives in this set: when the server is dropped
    // (the keeper stops) this loop is aborted and the set with it, so no
    // client, a subscriber least of all, is left waiting on a keeper that
    // is gone.
    let mut clients = tokio::task::JoinSet::new();
    loop {
        while clients.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept a socket client");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let wiring = wiring.clone();
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                clients.spawn(async move {
                    serve(stream, &wiring).await;
                    drop(slot);
                });
            }
            Err(_) => {
                clients.spawn(async move {
                    let (_, mut wr) = tokio::io::split(stream);
                    let busy = Response::error("busy", "the keeper serves too many clients");
                    let _ = send(&mut wr, &busy).await;
                });
            }
        }
    }
}

/// One client: requests answered in order until it hangs up.
async fn serve(stream: ServerStream, wiring: &Wiring) {
    let (rd, mut wr) = tokio::io::split(stream);
    let mut rd = BufReader::new(rd);
    loop {
        let line = match tokio::time::timeout(SOCKET_IDLE_TIMEOUT, read_line(&mut rd)).await {
            Ok(Ok(Some(line))) => line,
            _ => return,
        };
        let answer = match line
            .map_err(|()| protocol::too_large())
            .and_then(|l| protocol::parse(&l))
        {
            Ok(Request::Subscribe) => {
                subscribe(rd, wr, wiring).await;
                return;
            }
            Ok(request) => answer(request, wiring).await,
            Err(error) => error,
        };
        if send(&mut wr, &answer).await.is_err() {
            return;
        }
    }
}

/// The next line: `Ok(None)` at the end, `Some(Err(()))` for a line over
/// the limit (skipped to its newline, never held whole).
async fn read_line<R: AsyncBufRead + Unpin>(
    rd: &mut R,
) -> std::io::Result<Option<Result<Vec<u8>, ()>>> {
    match line::read_line(rd, protocol::MAX_LINE).await? {
        None => Ok(None),
        Some(Ok(line)) => Ok(Some(Ok(line))),
        Some(Err(_)) if line::skip_line(rd).await? => Ok(Some(Err(()))),
        Some(Err(_)) => Ok(None),
    }
}

async fn send<W: AsyncWrite + Unpin>(wr: &mut W, response: &Response) -> Result<(), ()> {
    let line = protocol::encode(response);
    match tokio::time::timeout(SOCKET_WRITE_TIMEOUT, wr.write_all(&line)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

fn view_of(wiring: &Wiring) -> KeeperView {
    KeeperView {
        pid: std::process::id(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        profiles: wiring.view.borrow().clone(),
    }
}

async fn answer(request: Request, wiring: &Wiring) -> Response {
    let command = |c: Command| match wiring.commands.send(Input::Command(c)) {
        Ok(()) => Response::Accepted,
        Err(_) => Response::error("keeper_stopping", "the keeper is stopping"),
    };
    match request {
        Request::Hello => Response::Hello {
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            program: program(),
        },
        Request::Status => Response::Status {
            keeper: view_of(wiring),
        },
        Request::Refresh { profile, all } => refresh(profile, all, wiring).await,
        Request::SignedOut { session } => command(Command::SignedOut { session }),
        Request::SignedIn { session } => {
            tracing::info!(session = %session, "signed in: renewing the profiles waiting on it");
            let waiting: Vec<String> = wiring
                .view
                .borrow()
                .iter()
                .filter(|r| r.state == ProfileState::NeedsLogin)
                .map(|r| r.profile.clone())
                .collect();
            let mut answer = Response::Accepted;
            for profile in waiting {
                answer = command(Command::Refresh { profile });
            }
            answer
        }
        Request::Subscribe => Response::error("bad_request", "subscribe is answered by events"),
        Request::MfaCode { serial, code } => mfa_code(serial, (&code).into(), wiring).await,
        Request::Credentials { profile } => {
            credentials::answer(&profile, &wiring.served.borrow(), wiring.reuse_margin)
        }
        Request::NotifyNeedsUser {
            profile,
            code,
            session,
            mfa_serial,
        } => match credentials::person_needed(profile, &code, session, mfa_serial) {
            Ok(c) => command(c),
            Err(e) => e,
        },
    }
}

/// A code of an MFA device, handed to the loop; answered once the keeper
/// accepted or refused it (or the refresh bound ran out).
async fn mfa_code(serial: String, code: leasekeeper_engine::Secret, wiring: &Wiring) -> Response {
    use leasekeeper_engine::keeper::MfaCode;
    let serial = serial.trim().to_owned();
    let mut events = wiring.events.subscribe();
    // Each request's own number: another client's code of the same device
    // ends in its own event.
    static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let request = REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let given = MfaCode {
        serial: serial.clone(),
        code,
        request,
    };
    if wiring.commands.send(Input::MfaCode(given)).is_err() {
        return Response::error("keeper_stopping", "the keeper is stopping");
    }
    let deadline = tokio::time::Instant::now() + wiring.refresh_wait;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(EngineEvent::MfaCodeAccepted {
                serial: s,
                request: r,
                ..
            })) if s == serial && r == request => {
                return Response::Accepted;
            }
            Ok(Ok(EngineEvent::MfaCodeRefused {
                serial: s,
                request: r,
                code,
                message,
            })) if s == serial && r == request => return Response::error(&code, message),
            Ok(Ok(_) | Err(broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(broadcast::error::RecvError::Closed)) => {
                return Response::error("keeper_stopping", "the keeper is stopping");
            }
            Err(_) => {
                return Response::error(
                    "mfa_code_timed_out",
                    format!(
                        "AWS had not answered the code after {} s",
                        wiring.refresh_wait.as_secs()
                    ),
                );
            }
        }
    }
}

/// Where a profile stood when the refresh was asked for.
type Baseline = (Option<OffsetDateTime>, Option<ErrorView>);

async fn refresh(profile: Option<String>, all: bool, wiring: &Wiring) -> Response {
    let mut view = wiring.view.clone();
    let baseline: HashMap<String, Baseline> = view
        .borrow_and_update()
        .iter()
        .map(|r| (r.profile.clone(), (r.renewed_at, r.last_error.clone())))
        .collect();
    let (targets, command) = match (profile, all) {
        (Some(p), false) => {
            if !baseline.contains_key(&p) {
                return Response::error(
                    "not_managed",
                    format!("the keeper does not renew {p} (see the settings file)"),
                );
            }
            (vec![p.clone()], Command::Refresh { profile: p })
        }
        (None, true) => (baseline.keys().cloned().collect(), Command::RefreshAll),
        _ => return Response::error("bad_request", "refresh names a profile or `all`, not both"),
    };
    if wiring.commands.send(Input::Command(command)).is_err() {
        return Response::error("keeper_stopping", "the keeper is stopping");
    }
    let deadline = tokio::time::Instant::now() + wiring.refresh_wait;
    let mut seen_renewing = HashSet::new();
    loop {
        let ended = {
            let current = view.borrow_and_update();
            let mut renewed = Vec::new();
            let mut failed = Vec::new();
            let mut waiting = false;
            for p in &targets {
                let Some(r) = current.iter().find(|r| &r.profile == p) else {
                    continue;
                };
                let Some(base) = baseline.get(p) else {
                    continue;
                };
                match outcome(r, base, &mut seen_renewing) {
                    None => waiting = true,
                    Some(true) => renewed.push(r.clone()),
                    Some(false) => failed.push(r.clone()),
                }
            }
            (!waiting).then_some(Response::Refreshed { renewed, failed })
        };
        if let Some(done) = ended {
            return done;
        }
        match tokio::time::timeout_at(deadline, view.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Response::error("keeper_stopping", "the keeper is stopping"),
            Err(_) => {
                return Response::error(
                    "refresh_timed_out",
                    format!(
                        "the renewals had not ended after {} s",
                        wiring.refresh_wait.as_secs()
                    ),
                );
            }
        }
    }
}

/// `Some(renewed?)` once the profile's forced renewal is over.
fn outcome(r: &ProfileView, base: &Baseline, seen: &mut HashSet<String>) -> Option<bool> {
    if r.state == ProfileState::Renewing {
        seen.insert(r.profile.clone());
        return None;
    }
    if r.renewed_at != base.0 && r.renewed_at.is_some() {
        return Some(true);
    }
    let blocked = matches!(
        r.state,
        ProfileState::NeedsLogin | ProfileState::NeedsMfaCode
    );
    let new_error = r.last_error.is_some() && r.last_error != base.1;
    (blocked || new_error || seen.contains(&r.profile)).then_some(false)
}

async fn subscribe<R, W>(mut rd: R, mut wr: W, wiring: &Wiring)
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut events = wiring.events.subscribe();
    if send(&mut wr, &Response::Subscribed).await.is_err() {
        return;
    }
    loop {
        let response = tokio::select! {
            event = events.recv() => match event {
                Ok(event) => Response::Event {
                    event: event.into(),
                },
                Err(broadcast::error::RecvError::Lagged(n)) => Response::error(
                    "events_missed",
                    format!("{n} events were missed: the client read too slowly"),
                ),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            // Anything read (or the end) after subscribe: the client is done.
            _ = rd.fill_buf() => return,
        };
        if send(&mut wr, &response).await.is_err() {
            return;
        }
    }
}

/// This process's program name, as `hello` tells it (without the
/// ` (deleted)` Linux adds once the binary was replaced by an upgrade).
fn program() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let name = exe.file_name()?.to_string_lossy().into_owned();
    Some(
        name.strip_suffix(" (deleted)")
            .map_or(name.clone(), str::to_owned),
    )
}
