//! A test notification server: owns `org.freedesktop.Notifications` on a
//! test bus, records every `Notify` call (with its actions), advertises
//! `actions` and `body`, and emits `ActionInvoked` and
//! `NotificationClosed` as a person's click on a notification would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::bus::Bus;

const PATH: &str = "/org/freedesktop/Notifications";
const IFACE: &str = "org.freedesktop.Notifications";

/// One recorded `Notify` call.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The id the server answered.
    pub id: u32,
    pub app: String,
    pub summary: String,
    pub body: String,
    /// Action keys and labels, in pairs as sent.
    pub actions: Vec<(String, String)>,
}

struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
    closed: Arc<Mutex<Vec<u32>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().expect("shown");
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            shown.len() as u32 + 1
        };
        shown.push(Shown {
            id,
            app: app_name,
            summary,
            body,
            actions: actions
                .chunks(2)
                .map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default()))
                .collect(),
        });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "recorder".into(),
            "leasekeeper-tests".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, id: u32) {
        self.closed.lock().expect("closed").push(id);
    }
}

/// The server, served for as long as it lives.
pub struct Notifications {
    shown: Arc<Mutex<Vec<Shown>>>,
    closed: Arc<Mutex<Vec<u32>>>,
    conn: zbus::Connection,
    rt: tokio::runtime::Handle,
}

impl Notifications {
    pub fn serve(bus: &Bus) -> Notifications {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Mutex::new(Vec::new()));
        let server = Server {
            shown: shown.clone(),
            closed: closed.clone(),
        };
        let conn = bus
            .rt
            .block_on(
                zbus::connection::Builder::address(bus.address.as_str())
                    .name(IFACE)
                    .serve_at(PATH, server)
                    .build(),
            )
            .expect("the notification server owns its name");
        Notifications {
            shown,
            closed,
            conn,
            rt: bus.rt.handle().clone(),
        }
    }

    /// Everything shown so far.
    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().expect("shown").clone()
    }

    /// The ids the app withdrew (`CloseNotification`), in order.
    pub fn closed(&self) -> Vec<u32> {
        self.closed.lock().expect("closed").clone()
    }

    /// The first notification (from the start) that `accept`s, waiting at most `secs`.
    pub fn wait(&self, secs: u64, what: &str, accept: impl Fn(&Shown) -> bool) -> Shown {
        self.wait_from(0, secs, what, accept)
    }

    /// The same among the notifications after the first `from`.
    pub fn wait_from(
        &self,
        from: usize,
        secs: u64,
        what: &str,
        accept: impl Fn(&Shown) -> bool,
    ) -> Shown {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(n) = self.shown().into_iter().skip(from).find(|n| accept(n)) {
                return n;
            }
            assert!(
                Instant::now() < deadline,
                "no notification {what} within {secs} s; shown: {:#?}",
                self.shown()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A click on the action `key` of notification `id`: `ActionInvoked`,
    /// then `NotificationClosed` (reason 2, dismissed by the user), as
    /// notification daemons send them.
    pub fn invoke_action(&self, id: u32, key: &str) {
        let conn = &self.conn;
        self.rt
            .block_on(async {
                conn.emit_signal(None::<&str>, PATH, IFACE, "ActionInvoked", &(id, key))
                    .await?;
                conn.emit_signal(None::<&str>, PATH, IFACE, "NotificationClosed", &(id, 2u32))
                    .await
            })
            .unwrap_or_else(|e| panic!("cannot emit the action's signals: {e}"));
    }
}
