//! A test `org.kde.StatusNotifierWatcher`: what a panel's tray host runs.
//! It records every item and host that registers; the tests find the app's
//! StatusNotifierItem (and through it the menu) from its registration,
//! exactly as a real panel does. A host is registered with a real
//! `RegisterStatusNotifierHost` call from a second connection.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::object_server::SignalEmitter;

use super::bus::Bus;

/// One `RegisterStatusNotifierItem` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The caller's unique bus name.
    pub sender: String,
    /// The argument as given: an object path (libayatana) or a bus name.
    pub argument: String,
}

impl Registration {
    /// The bus name serving the item.
    pub fn service(&self) -> &str {
        if self.argument.starts_with('/') {
            &self.sender
        } else {
            &self.argument
        }
    }

    /// The item's object path (the specification's default for a bus name).
    pub fn path(&self) -> &str {
        if self.argument.starts_with('/') {
            &self.argument
        } else {
            "/StatusNotifierItem"
        }
    }
}

#[derive(Debug, Default)]
struct Registry {
    items: Vec<Registration>,
    hosts: Vec<String>,
}

struct WatcherIface {
    registry: Arc<Mutex<Registry>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl WatcherIface {
    async fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<()> {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        let reg = Registration {
            sender,
            argument: service,
        };
        let full = format!("{}{}", reg.service(), reg.path());
        self.registry.lock().expect("registry").items.push(reg);
        Self::status_notifier_item_registered(&emitter, &full).await?;
        Ok(())
    }

    async fn register_status_notifier_host(
        &self,
        service: String,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> zbus::fdo::Result<()> {
        self.registry.lock().expect("registry").hosts.push(service);
        Self::status_notifier_host_registered(&emitter).await?;
        self.is_status_notifier_host_registered_changed(&emitter)
            .await?;
        Ok(())
    }

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        let reg = self.registry.lock().expect("registry");
        reg.items
            .iter()
            .map(|r| format!("{}{}", r.service(), r.path()))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        !self.registry.lock().expect("registry").hosts.is_empty()
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(signal)]
    async fn status_notifier_item_registered(
        emitter: &SignalEmitter<'_>,
        service: &str,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn status_notifier_host_registered(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
}

/// The watcher, served on a test bus for as long as it lives.
pub struct Watcher {
    registry: Arc<Mutex<Registry>>,
    _conn: zbus::Connection,
    _host: Option<zbus::Connection>,
}

impl Watcher {
    /// Owns `org.kde.StatusNotifierWatcher` on `bus`, with no host yet.
    pub fn serve(bus: &Bus) -> Watcher {
        let registry = Arc::new(Mutex::new(Registry::default()));
        let iface = WatcherIface {
            registry: registry.clone(),
        };
        let conn = bus
            .rt
            .block_on(
                zbus::connection::Builder::address(bus.address.as_str())
                    .name("org.kde.StatusNotifierWatcher")
                    .serve_at("/StatusNotifierWatcher", iface)
                    .build(),
            )
            .expect("the test watcher owns org.kde.StatusNotifierWatcher");
        Watcher {
            registry,
            _conn: conn,
            _host: None,
        }
    }

    /// Owns the watcher's name and registers a host, as a panel does.
    pub fn serve_with_host(bus: &Bus) -> Watcher {
        let mut w = Watcher::serve(bus);
        let name = format!("org.kde.StatusNotifierHost-{}-1", std::process::id());
        let host = bus.connect(Some(&name));
        bus.rt
            .block_on(host.call_method(
                Some("org.kde.StatusNotifierWatcher"),
                "/StatusNotifierWatcher",
                Some("org.kde.StatusNotifierWatcher"),
                "RegisterStatusNotifierHost",
                &(name.as_str(),),
            ))
            .expect("the host registers");
        assert!(w.host_registered());
        w._host = Some(host);
        w
    }

    pub fn host_registered(&self) -> bool {
        !self.registry.lock().expect("registry").hosts.is_empty()
    }

    /// Every item registration so far.
    pub fn items(&self) -> Vec<Registration> {
        self.registry.lock().expect("registry").items.clone()
    }

    /// The first item registration whose sender `accept`s, waiting at most `secs`.
    pub fn wait_item(&self, secs: u64, accept: impl Fn(&Registration) -> bool) -> Registration {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(r) = self.items().into_iter().find(|r| accept(r)) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "no StatusNotifierItem registered within {secs} s; registrations: {:?}",
                self.items()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
