//! One tray, and one window, per user session. The first tray owns
//! `dev.leasekeeper.Tray` on the session bus and serves `Activate` at
//! `/dev/leasekeeper/Tray`; a second launch finds the name taken, calls
//! `Activate` (the first then opens its window) and ends. The window
//! process does the same with `dev.leasekeeper.Window` and `Raise`: a
//! second window process raises the first and ends (`Show(request)` when
//! it was asked for something: the roles of a session to add). Without a session bus
//! there is no one to hand over to: the process runs alone.

use std::sync::{Arc, OnceLock};

use zbus::fdo::{RequestNameFlags, RequestNameReply};

/// What a second launch's call does in the first, with what it asks for
/// (empty: only to be shown).
type OnCall = Arc<OnceLock<Box<dyn Fn(&str) + Send + Sync>>>;

/// A well-known name on the session bus and the one method a second
/// launch calls on it.
#[derive(Debug, Clone, Copy)]
pub struct Name {
    pub bus_name: &'static str,
    pub path: &'static str,
    pub interface: &'static str,
    pub method: &'static str,
}

/// The running tray: `Activate` opens its window.
pub const TRAY: Name = Name {
    bus_name: "dev.leasekeeper.Tray",
    path: "/dev/leasekeeper/Tray",
    interface: "dev.leasekeeper.Tray",
    method: "Activate",
};

/// The running window process: `Raise` brings its window to the front.
pub const WINDOW: Name = Name {
    bus_name: "dev.leasekeeper.Window",
    path: "/dev/leasekeeper/Window",
    interface: "dev.leasekeeper.Window",
    method: "Raise",
};

/// The tray's well-known name.
pub const BUS_NAME: &str = TRAY.bus_name;

/// The outcome of claiming the session.
#[derive(Debug)]
pub enum Claim {
    /// This is the session's one (`None`: no session bus, nothing to serve).
    Ours(Option<Instance>),
    /// Another one runs and was asked to show itself.
    HandedOver,
}

/// The name owned on the session bus, kept as long as the process runs.
pub struct Instance {
    _conn: zbus::Connection,
    on_call: OnCall,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance").finish_non_exhaustive()
    }
}

impl Instance {
    /// From now on a second launch's call runs `f`. Set once; a second
    /// call changes nothing.
    pub fn on_call(&self, f: impl Fn(&str) + Send + Sync + 'static) {
        let _ = self.on_call.set(Box::new(f));
    }
}

fn called(on_call: &OnCall, what: &str, request: &str) {
    tracing::info!("another launch asked this {what} to show itself");
    if let Some(f) = on_call.get() {
        f(request);
    }
}

/// The tray's object a second launch calls.
struct Tray(OnCall);

#[zbus::interface(name = "dev.leasekeeper.Tray")]
impl Tray {
    /// Show Leasekeeper: its window.
    fn activate(&self) {
        called(&self.0, "tray", "");
    }
}

/// The window process's object a second one calls.
struct Window(OnCall);

#[zbus::interface(name = "dev.leasekeeper.Window")]
impl Window {
    /// Bring the window to the front.
    fn raise(&self) {
        called(&self.0, "window", "");
    }

    /// Bring the window to the front on what `request` asks for (an
    /// sso-session whose roles to choose from).
    fn show(&self, request: String) {
        called(&self.0, "window", &request);
    }
}

/// Claims the session for this tray, or hands over to the one that has it.
pub async fn claim() -> anyhow::Result<Claim> {
    claim_as(TRAY, Tray, None).await
}

/// Claims the session for this window process, or raises the one that has
/// it.
pub async fn claim_window(request: Option<&str>) -> anyhow::Result<Claim> {
    claim_as(WINDOW, Window, request).await
}

async fn claim_as<I: zbus::object_server::Interface>(
    name: Name,
    object: impl FnOnce(OnCall) -> I,
    request: Option<&str>,
) -> anyhow::Result<Claim> {
    let conn = match zbus::Connection::session().await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::info!(error = %e, "no session bus: running without single-instance checks");
            return Ok(Claim::Ours(None));
        }
    };
    let on_call: OnCall = Arc::new(OnceLock::new());
    conn.object_server()
        .at(name.path, object(on_call.clone()))
        .await?;
    let reply = conn
        .request_name_with_flags(name.bus_name, RequestNameFlags::DO_NOT_QUEUE)
        .await;
    match reply {
        Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => {
            Ok(Claim::Ours(Some(Instance {
                _conn: conn,
                on_call,
            })))
        }
        Ok(RequestNameReply::Exists | RequestNameReply::InQueue) | Err(zbus::Error::NameTaken) => {
            let asked = match request {
                None => {
                    conn.call_method(
                        Some(name.bus_name),
                        name.path,
                        Some(name.interface),
                        name.method,
                        &(),
                    )
                    .await
                }
                Some(request) => {
                    conn.call_method(
                        Some(name.bus_name),
                        name.path,
                        Some(name.interface),
                        "Show",
                        &(request,),
                    )
                    .await
                }
            };
            if let Err(e) = asked {
                tracing::warn!(error = %e, "the running one did not answer {}", name.method);
            }
            Ok(Claim::HandedOver)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot own {}: running without single-instance checks", name.bus_name);
            Ok(Claim::Ours(None))
        }
    }
}
