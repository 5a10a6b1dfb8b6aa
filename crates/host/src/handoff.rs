//! Handing a secret URL (a console sign-in) to the browser without putting
//! it on any command line, where every local user can read it in
//! `/proc/*/cmdline`: a one-shot redirect on 127.0.0.1. The browser is
//! given `http://127.0.0.1:PORT/<256-bit token>`, and one `GET` of exactly
//! that path, from a connection of this user (on Linux the peer socket's
//! owner, from `/proc/net/tcp`), is answered `302` to the secret URL with
//! `Cache-Control: no-store` and `Referrer-Policy: no-referrer`; then the
//! listener closes, and a later connection is refused. Anything else
//! before that (another path, another user) gets a plain refusal and
//! changes nothing. Connections are answered side by side, so one that
//! sends nothing (a browser's preconnect) delays no other. Elsewhere than
//! Linux no table names a socket's owner: the token in the path is then the
//! only guard.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use leasekeeper_engine::Secret;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A request line and headers larger than this are refused.
const MAX_REQUEST: usize = 8 * 1024;
/// A connection has this long to send its request.
const REQUEST_WAIT: Duration = Duration::from_secs(5);

/// Who owns the other end of a loopback connection.
pub trait PeerOwner: Send + Sync {
    /// The uid owning the socket at `peer` connected to `local`; `None`
    /// when it cannot be told (then the peer is refused).
    fn uid(&self, local: SocketAddr, peer: SocketAddr) -> Option<u32>;
    /// This process's uid.
    fn me(&self) -> Option<u32>;
}

/// Linux: the socket tables in `/proc/net/tcp` name each socket's owner.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcNet;

/// The check this platform has.
#[cfg(target_os = "linux")]
pub fn system_owner() -> ProcNet {
    ProcNet
}

/// Elsewhere no table names a socket's owner: every local peer is taken as
/// this user's (the token in the path is then the only guard).
#[cfg(not(target_os = "linux"))]
pub fn system_owner() -> AnyLocal {
    AnyLocal
}

/// Takes every loopback peer as this user's.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyLocal;

impl PeerOwner for AnyLocal {
    fn uid(&self, _local: SocketAddr, _peer: SocketAddr) -> Option<u32> {
        Some(0)
    }

    fn me(&self) -> Option<u32> {
        Some(0)
    }
}

impl PeerOwner for ProcNet {
    fn uid(&self, local: SocketAddr, peer: SocketAddr) -> Option<u32> {
        let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
        socket_owner(&table, peer.port(), local.port())
    }

    #[cfg(unix)]
    fn me(&self) -> Option<u32> {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata("/proc/self").ok().map(|m| m.uid())
    }

    #[cfg(not(unix))]
    fn me(&self) -> Option<u32> {
        None
    }
}

/// The uid column of the `/proc/net/tcp` row whose local port is `port`
/// and remote port `remote_port` (both written as 4 hex digits).
fn socket_owner(table: &str, port: u16, remote_port: u16) -> Option<u32> {
    let local = format!(":{port:04X}");
    let remote = format!(":{remote_port:04X}");
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (l, r, uid) = (fields.get(1)?, fields.get(2)?, fields.get(7)?);
        (l.ends_with(&local) && r.ends_with(&remote))
            .then(|| uid.parse().ok())
            .flatten()
    })
}

/// Why the browser was not handed the URL.
#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("cannot listen on 127.0.0.1")]
    Bind(#[source] std::io::Error),
    #[error(
        "the browser did not come for the page within {} s (`leasekeeper console --print` writes the sign-in URL to stdout instead)",
        .0.as_secs()
    )]
    NotFetched(Duration),
}

impl HandoffError {
    pub fn code(&self) -> &'static str {
        match self {
            HandoffError::Bind(_) => "loopback_unavailable",
            HandoffError::NotFetched(_) => "browser_did_not_come",
        }
    }
}

/// A bound one-shot redirect.
pub struct Handoff {
    listener: TcpListener,
    addr: SocketAddr,
    token: String,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Handoff {
    /// Binds 127.0.0.1 on a free port.
    pub async fn bind() -> Result<Handoff, HandoffError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(HandoffError::Bind)?;
        let addr = listener.local_addr().map_err(HandoffError::Bind)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| HandoffError::Bind(std::io::Error::other(e.to_string())))?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Handoff {
            listener,
            addr,
            token,
        })
    }

    /// The address to give the browser: it holds nothing secret once used.
    pub fn local_url(&self) -> String {
        format!("http://{}/{}", self.addr, self.token)
    }

    /// Waits up to `wait` for the one request of this user, answers it
    /// with a redirect to `url`, and ends.
    pub async fn serve(
        self,
        url: &Secret,
        owner: &dyn PeerOwner,
        wait: Duration,
    ) -> Result<(), HandoffError> {
        let path = std::sync::Arc::new(format!("/{}", self.token));
        let url = std::sync::Arc::new(url.clone());
        // Set by the one answer that redirects: a second never does.
        let served = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let serving = async {
            let mut answering = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = self.listener.accept() => {
                        let Ok((stream, peer)) = accepted else {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        };
                        let same_user = match (owner.uid(self.addr, peer), owner.me()) {
                            (Some(theirs), Some(mine)) => theirs == mine,
                            _ => false,
                        };
                        let (path, url, served) = (path.clone(), url.clone(), served.clone());
                        answering.spawn(async move {
                            answer(stream, &path, same_user, &url, &served).await
                        });
                    }
                    Some(done) = answering.join_next(), if !answering.is_empty() => {
                        if matches!(done, Ok(true)) {
                            return;
                        }
                    }
                }
            }
        };
        tokio::time::timeout(wait, serving)
            .await
            .map_err(|_| HandoffError::NotFetched(wait))
    }
}

/// Reads one request and answers it; true when it was the redirect.
async fn answer(
    mut stream: TcpStream,
    path: &str,
    same_user: bool,
    url: &Secret,
    served: &std::sync::atomic::AtomicBool,
) -> bool {
    let request = tokio::time::timeout(REQUEST_WAIT, read_head(&mut stream)).await;
    let Ok(Some(head)) = request else {
        return false;
    };
    let wanted = head
        .lines()
        .next()
        .is_some_and(|line| line.split(' ').take(2).eq(["GET", path]));
    let first = || !served.swap(true, std::sync::atomic::Ordering::SeqCst);
    let (reply, redirected) = match (wanted, same_user) {
        (true, true) if first() => (
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {}\r\nCache-Control: no-store\r\n\
                 Referrer-Policy: no-referrer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                url.expose()
            ),
            true,
        ),
        (true, true) => (refusal("410 Gone"), false),
        (true, false) => (refusal("403 Forbidden"), false),
        (false, _) => (refusal("404 Not Found"), false),
    };
    // A peer that went away has nothing to read; the result is the same.
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
    redirected
}

fn refusal(status: &str) -> String {
    format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

/// The request line and headers, as text; `None` past [`MAX_REQUEST`] or
/// when the peer stops early.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() + n > MAX_REQUEST {
            return None;
        }
        buf.extend_from_slice(chunk.get(..n)?);
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests;
