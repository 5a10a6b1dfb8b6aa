//! Starting and stopping the sandbox: [`Sandbox::start`] binds 127.0.0.1
//! (never another address), optionally wraps connections in TLS, and serves
//! until [`RunningSandbox::shutdown`] (or the handle is dropped). The handle
//! changes faults, approves or denies sign-ins and ends sessions while the
//! server runs.

mod http;
mod tls;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::admin;
use crate::clock::Clock;
use crate::config_file::{self, ConfigTarget};
use crate::creds::TokenKey;
use crate::error::SandboxError;
use crate::faults::Faults;
use crate::oidc::state::{Decision, OidcState, PendingSignIn, SessionInfo};
use crate::state::{Shared, lock};
use crate::world::World;

pub(crate) use http::MAX_BODY;

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The world to serve.
    pub world: World,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Lifetimes the sandbox grants pass this many times faster (1 = real time).
    pub speed: f64,
    /// Approve every sign-in at once, for scripts.
    pub auto_approve: bool,
    /// Faults in force from the start.
    pub faults: Faults,
    /// The wall clock.
    pub clock: Clock,
    /// Serve HTTPS with a certificate from a CA made at start.
    pub tls: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            world: World::default(),
            port: 0,
            speed: 1.0,
            auto_approve: false,
            faults: Faults::default(),
            clock: Clock::system(),
            tls: false,
        }
    }
}

/// The sandbox server.
#[derive(Debug)]
pub struct Sandbox;

/// A running sandbox: its address, and the controls a test or the CLI uses.
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    base_url: String,
    ca_pem: Option<String>,
    speed: f64,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// The fastest speed accepted: a day passes in under a second.
pub const MAX_SPEED: f64 = 100_000.0;

impl Sandbox {
    /// Checks the configuration, binds 127.0.0.1 and starts serving on the
    /// current tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
        config.world.validate()?;
        if !(config.speed.is_finite() && config.speed > 0.0 && config.speed <= MAX_SPEED) {
            return Err(SandboxError::Setting {
                name: "speed",
                message: format!(
                    "must be above 0 and at most {MAX_SPEED}, got {}",
                    config.speed
                ),
            });
        }
        let mut faults = config.faults;
        if faults.portal_calls_per_second == 0 {
            // The world's own limit, unless the faults set one.
            faults.portal_calls_per_second = config.world.identity_center.portal_calls_per_second;
        }
        faults.validate().map_err(|message| SandboxError::Setting {
            name: "faults",
            message,
        })?;
        let wanted = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
        let listener = TcpListener::bind(wanted)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: wanted.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: wanted.to_string(),
            source,
        })?;
        let tls = if config.tls {
            Some(tls::setup()?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");
        let shared = Arc::new(Shared {
            world: config.world,
            clock: config.clock,
            speed: config.speed,
            auto_approve: config.auto_approve,
            base_url: base_url.clone(),
            faults: Mutex::new(faults),
            oidc: Mutex::new(OidcState::default()),
            used_codes: Mutex::new(Default::default()),
            sts_calls: Mutex::new(Default::default()),
            tokens: TokenKey::random(),
            portal_bucket: Mutex::new(Default::default()),
        });
        let (stop, stopped) = watch::channel(false);
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let task = tokio::spawn(accept_loop(
            listener,
            Arc::clone(&shared),
            tls.map(|t| t.acceptor),
            stopped,
        ));
        Ok(RunningSandbox {
            addr,
            base_url,
            ca_pem,
            speed: config.speed,
            shared,
            stop,
            task: Some(task),
        })
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // Stop on a shutdown signal, or when the handle is gone.
            changed = stopped.changed() => {
                if changed.is_err() || *stopped.borrow() {
                    break;
                }
            }
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or similar: wait a moment, go on.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                };
                // Small answers go out at once rather than waiting for more.
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!(error = %e, "cannot set TCP_NODELAY");
                }
                let shared = Arc::clone(&shared);
                match &tls {
                    None => {
                        connections.spawn(http::serve(stream, shared));
                    }
                    Some(acceptor) => {
                        let acceptor = acceptor.clone();
                        connections.spawn(async move {
                            let handshake = tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(stream)).await;
                            if let Ok(Ok(stream)) = handshake {
                                http::serve(stream, shared).await;
                            }
                        });
                    }
                }
            }
            // Reap finished connections so the set stays small.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

impl RunningSandbox {
    /// The bound address (always on 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (or `https://` with TLS), the endpoint of every service.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The PEM of the CA that signed the server certificate, with TLS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The speed factor.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The world served.
    pub fn world(&self) -> &World {
        &self.shared.world
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Replaces the faults; the next request sees them.
    pub fn set_faults(&self, faults: Faults) -> Result<(), SandboxError> {
        faults.validate().map_err(|message| SandboxError::Setting {
            name: "faults",
            message,
        })?;
        *lock(&self.shared.faults) = faults;
        Ok(())
    }

    /// Sign-ins waiting for a person.
    pub fn pending_sign_ins(&self) -> Vec<PendingSignIn> {
        admin::pending(&self.shared)
    }

    /// Approves a pending sign-in by user code (device) or request id
    /// (browser); `None` when no such sign-in is waiting. For a browser
    /// sign-in the decision carries the URL the browser goes to next.
    pub fn approve(&self, id: &str) -> Option<Decision> {
        admin::decide(&self.shared, id, true)
    }

    /// Denies a pending sign-in, like [`RunningSandbox::approve`].
    pub fn deny(&self, id: &str) -> Option<Decision> {
        admin::decide(&self.shared, id, false)
    }

    /// How many STS requests for `action` (`AssumeRole`, `GetSessionToken`,
    /// `GetCallerIdentity`) passed authentication so far, answered or refused.
    pub fn sts_calls(&self, action: &str) -> u64 {
        lock(&self.shared.sts_calls)
            .get(action)
            .copied()
            .unwrap_or(0)
    }

    /// Every sign-in session so far.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        admin::sessions(&self.shared)
    }

    /// Ends a sign-in session ("sign-in session ended": its refresh fails with
    /// `invalid_grant`, the portal answers its tokens with 401). False when
    /// there is no such live session.
    pub fn end_session(&self, id: &str) -> bool {
        lock(&self.shared.oidc).end_sessions(Some(id)) > 0
    }

    /// Ends every sign-in session; how many were live.
    pub fn end_all_sessions(&self) -> usize {
        lock(&self.shared.oidc).end_sessions(None)
    }

    /// Writes `DIR/config`, `DIR/credentials` (and the CA with TLS), creates
    /// `DIR/home`, and returns the shell lines that point clients here.
    pub fn write_config(&self, dir: &Path) -> Result<Vec<String>, SandboxError> {
        config_file::write_config(
            dir,
            &ConfigTarget {
                world: &self.shared.world,
                base_url: &self.base_url,
                ca_pem: self.ca_pem.as_deref(),
                speed: self.speed,
            },
        )
    }

    /// Stops accepting, closes every connection and waits for the server to end.
    pub async fn shutdown(mut self) {
        // The receiver may already be gone if the loop ended; nothing to tell then.
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                tracing::debug!(error = %e, "sandbox server task ended abnormally");
            }
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        // Ends the accept loop if `shutdown` was not called.
        let _ = self.stop.send(true);
    }
}
