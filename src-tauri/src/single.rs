//! One tray per user session. The first launch owns `dev.leasekeeper.Tray`
//! on the session bus and serves `Activate` at `/dev/leasekeeper/Tray`; a
//! second launch finds the name taken, calls `Activate` (the first then
//! shows itself: its window once that exists, its status until then) and
//! ends. Without a session bus there is no one to hand over to: the app
//! runs alone.

use std::sync::{Arc, OnceLock};

use tokio::sync::mpsc::UnboundedSender;
use zbus::fdo::{RequestNameFlags, RequestNameReply};

use crate::controller::Msg;

/// The well-known name the running tray owns.
pub const BUS_NAME: &str = "dev.leasekeeper.Tray";
/// Its object.
pub const OBJECT_PATH: &str = "/dev/leasekeeper/Tray";
/// Its interface.
pub const INTERFACE: &str = "dev.leasekeeper.Tray";

/// The outcome of claiming the session.
#[derive(Debug)]
pub enum Claim {
    /// This is the session's tray (`None`: no session bus, nothing to serve).
    Ours(Option<Instance>),
    /// Another tray runs and was asked to show itself.
    HandedOver,
}

/// The name owned on the session bus, kept as long as the app runs.
#[derive(Debug)]
pub struct Instance {
    _conn: zbus::Connection,
    controller: Arc<OnceLock<UnboundedSender<Msg>>>,
}

impl Instance {
    /// From now on `Activate` reaches the controller.
    pub fn attach(&self, controller: UnboundedSender<Msg>) {
        // Set once; a second call changes nothing.
        let _ = self.controller.set(controller);
    }
}

/// The object a second launch calls.
struct Tray {
    controller: Arc<OnceLock<UnboundedSender<Msg>>>,
}

#[zbus::interface(name = "dev.leasekeeper.Tray")]
impl Tray {
    /// Show Leasekeeper (its window, or its status until the window exists).
    fn activate(&self) {
        tracing::info!("another launch asked this tray to show itself");
        if let Some(tx) = self.controller.get() {
            // The controller ends only with the app.
            let _ = tx.send(Msg::Activate);
        }
    }
}

/// Claims the session for this tray, or hands over to the one that has it.
pub async fn claim() -> anyhow::Result<Claim> {
    let conn = match zbus::Connection::session().await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::info!(error = %e, "no session bus: running without single-instance checks");
            return Ok(Claim::Ours(None));
        }
    };
    let controller = Arc::new(OnceLock::new());
    conn.object_server()
        .at(
            OBJECT_PATH,
            Tray {
                controller: controller.clone(),
            },
        )
        .await?;
    let reply = conn
        .request_name_with_flags(BUS_NAME, RequestNameFlags::DO_NOT_QUEUE)
        .await;
    match reply {
        Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => {
            Ok(Claim::Ours(Some(Instance {
                _conn: conn,
                controller,
            })))
        }
        Ok(RequestNameReply::Exists | RequestNameReply::InQueue) | Err(zbus::Error::NameTaken) => {
            let activated = conn
                .call_method(
                    Some(BUS_NAME),
                    OBJECT_PATH,
                    Some(INTERFACE),
                    "Activate",
                    &(),
                )
                .await;
            if let Err(e) = activated {
                tracing::warn!(error = %e, "the running tray did not answer Activate");
            }
            Ok(Claim::HandedOver)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot own {BUS_NAME}: running without single-instance checks");
            Ok(Claim::Ours(None))
        }
    }
}
