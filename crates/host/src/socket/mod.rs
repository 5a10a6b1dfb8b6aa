//! The keeper's local socket: `keeper-<hash>.sock` in the state folder,
//! beside the keeper lock (same hash), owner-only (mode 0600 in a folder
//! only its owner can enter). JSON lines: one request, one response, and
//! `subscribe`, which streams the engine's events until the client hangs
//! up. What crosses it is renewal states, times, error codes and the
//! engine's events, and one answer only carries keys: `credentials`, for
//! `credential-process`, never logged on either side.
//!
//! - [`protocol`]: the requests, responses and events, typed alike on
//!   both sides; the protocol version every line carries; the line limits.
//! - [`line`]: reading a line without holding more than its limit.
//! - [`keys`]: the keys' wire form (secrets redacted in `Debug`) and what
//!   the keeper publishes per profile ([`served`] computes it).
//! - [`credentials`]: the server's answers for `credential-process`.
//! - [`server`]: serves the keeper's view and passes commands to its loop
//!   without ever blocking it.
//! - [`client`]: what `status`, `refresh`, `login` and `logout` use, with
//!   short timeouts so a wedged keeper never hangs them.
//! - [`endpoint`]: the platform part (a Unix domain socket; a named pipe
//!   would take its place on Windows).

pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod keys;
pub mod line;
pub mod protocol;
pub mod served;
pub mod server;

use std::path::{Path, PathBuf};

use leasekeeper_engine::keeper::{EngineEvent, Input};
use tokio::sync::{broadcast, mpsc, watch};

use crate::aws_files::AwsPaths;
use crate::credential_process::REUSE_MARGIN;
use crate::keeper::home_lock::keeper_base;
use crate::keeper::{Connect, Keeper, KeeperClock};

pub use client::{Client, ClientError};
pub use keys::{Served, ServedMap, WireKeys};
pub use protocol::{
    KeeperView, LineError, PROTOCOL, ProfileState, ProfileView, ProtocolVersion, Request, Response,
    WireEvent,
};
pub use server::{Server, ServerError};

/// `<state>/keeper-<hash>.sock`, beside the keeper lock of `paths`.
pub fn socket_path(state_dir: &Path, paths: &AwsPaths) -> PathBuf {
    keeper_base(state_dir, paths).with_extension("sock")
}

/// Events kept for a subscriber that reads slowly before it is told it
/// missed some.
pub const EVENT_BACKLOG: usize = 256;

/// Where the loop sends its events for subscribers.
pub type EventSender = broadcast::Sender<EngineEvent>;

/// Serves the socket of the keeper that holds the lock of `paths`: its
/// view published by `keeper`, commands sent into `commands` (the loop's
/// input channel). The loop sends every event into the returned sender.
/// Must be called inside a Tokio runtime, after the keeper lock is taken.
pub fn serve_keeper<C: Connect, K: KeeperClock>(
    keeper: &mut Keeper<C, K>,
    state_dir: &Path,
    paths: &AwsPaths,
    commands: mpsc::UnboundedSender<Input>,
) -> Result<(Server, EventSender), ServerError> {
    let (view_tx, view) = watch::channel(Vec::new());
    let (served_tx, served) = watch::channel(ServedMap::new());
    let (events, _) = broadcast::channel(EVENT_BACKLOG);
    let base = keeper_base(state_dir, paths);
    let wiring = server::Wiring {
        commands,
        view,
        events: events.clone(),
        refresh_wait: leasekeeper_engine::keeper::policy::REFRESH_WAIT,
        served,
        reuse_margin: keeper.scale().apply(REUSE_MARGIN),
    };
    let server = Server::start(
        &base.with_extension("sock"),
        &base.with_extension("lock"),
        wiring,
    )?;
    keeper.publish_renewals(view_tx);
    keeper.publish_served(served_tx);
    Ok((server, events))
}

#[cfg(test)]
mod tests;
