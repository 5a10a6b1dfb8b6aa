//! Is there a tray to show an icon in? On Linux a tray host (a panel, or
//! GNOME's AppIndicator extension) registers with the
//! StatusNotifierWatcher (`org.kde.StatusNotifierWatcher` on the session
//! bus). Stock GNOME has neither: the app then says so in a notification
//! (and will open its window, once it exists).

use zbus::Connection;

/// The watcher's name, object and interface.
pub const WATCHER_NAME: &str = "org.kde.StatusNotifierWatcher";
pub const WATCHER_PATH: &str = "/StatusNotifierWatcher";

/// The summary of the notification shown without a tray host.
pub const NO_TRAY_SUMMARY: &str = "Leasekeeper has no tray here";

/// What the session offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayHost {
    /// A watcher runs and a host is registered with it.
    Present,
    /// No StatusNotifierWatcher on the session bus.
    NoWatcher,
    /// A watcher, but no host registered with it.
    NoHost,
    /// No session bus: nothing can be told.
    Unknown,
}

impl TrayHost {
    /// Whether the icon can be seen.
    pub fn missing(self) -> bool {
        matches!(self, TrayHost::NoWatcher | TrayHost::NoHost)
    }
}

/// Looks for a tray host on the session bus.
pub async fn detect() -> TrayHost {
    let Ok(conn) = Connection::session().await else {
        return TrayHost::Unknown;
    };
    detect_on(&conn).await
}

/// Looks for a tray host on `conn`'s bus.
pub async fn detect_on(conn: &Connection) -> TrayHost {
    let Ok(dbus) = zbus::fdo::DBusProxy::new(conn).await else {
        return TrayHost::Unknown;
    };
    let Ok(name) = WATCHER_NAME.try_into() else {
        return TrayHost::Unknown;
    };
    match dbus.name_has_owner(name).await {
        Ok(true) => {}
        Ok(false) => return TrayHost::NoWatcher,
        Err(_) => return TrayHost::Unknown,
    }
    let built = zbus::proxy::Builder::<zbus::Proxy<'_>>::new(conn)
        .destination(WATCHER_NAME)
        .path(WATCHER_PATH)
        .interface(WATCHER_NAME)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await;
    let Ok(proxy) = built else {
        return TrayHost::NoWatcher;
    };
    match proxy
        .get_property::<bool>("IsStatusNotifierHostRegistered")
        .await
    {
        Ok(true) => TrayHost::Present,
        Ok(false) => TrayHost::NoHost,
        // A watcher that cannot say: take its word for nothing.
        Err(_) => TrayHost::NoHost,
    }
}
