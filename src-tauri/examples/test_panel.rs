//! A stand-in desktop panel on the session bus, for scripts/bench-tray.sh:
//! it owns `org.kde.StatusNotifierWatcher` (with a host, so tray apps show
//! their item) and `org.freedesktop.Notifications` (so notifications are
//! answered, not auto-started elsewhere), and prints one line per item
//! registered (`registered <bus name><path>`) and per notification
//! (`notification <summary>`).
//!
//! `cargo run -p leasekeeper-tray --example test_panel` (under `dbus-run-session`)

use std::collections::HashMap;

struct Watcher {
    items: Vec<String>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &mut self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let item = if service.starts_with('/') {
            let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
            format!("{sender}{service}")
        } else {
            service
        };
        println!("registered {item}");
        self.items.push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

struct Notifications {
    last_id: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        _body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        println!("notification {summary}");
        self.last_id += 1;
        self.last_id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "test-panel".into(),
            "leasekeeper".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> zbus::Result<()> {
    let _conn = zbus::connection::Builder::session()
        .name("org.kde.StatusNotifierWatcher")
        .name("org.freedesktop.Notifications")
        .serve_at("/StatusNotifierWatcher", Watcher { items: Vec::new() })
        .serve_at(
            "/org/freedesktop/Notifications",
            Notifications { last_id: 0 },
        )
        .build()
        .await?;
    println!("ready");
    std::future::pending::<()>().await;
    Ok(())
}
