//! A desktop for one test: the world, a private session bus with a test
//! notification server and (optionally) a StatusNotifierWatcher, and the
//! tray app running on it. Dropped in field order: the app first, the bus
//! and the sandbox last.

use super::app::{App, World};
use super::bus::Bus;
use super::dbusmenu::{Menu, Row};
use super::notifications::Notifications;
use super::watcher::{Registration, Watcher};

/// What stands in for a panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// No StatusNotifierWatcher at all (stock GNOME).
    None,
    /// A watcher, but no host registered with it.
    WatcherOnly,
    /// A watcher with a host: a panel that shows tray items.
    WithHost,
}

pub struct Desk {
    pub app: App,
    pub notes: Notifications,
    pub watcher: Option<Watcher>,
    pub bus: Bus,
    pub world: World,
}

impl Desk {
    /// The tray on `world` with `panel`, and `extra` environment.
    pub fn start(world: World, panel: Panel, extra: &[(&str, &str)]) -> Desk {
        Desk::start_on(world, Bus::start(), panel, extra)
    }

    /// The same on a bus that already exists.
    pub fn start_on(world: World, bus: Bus, panel: Panel, extra: &[(&str, &str)]) -> Desk {
        let notes = Notifications::serve(&bus);
        let watcher = match panel {
            Panel::None => None,
            Panel::WatcherOnly => Some(Watcher::serve(&bus)),
            Panel::WithHost => Some(Watcher::serve_with_host(&bus)),
        };
        let app = world.tray(&bus, &[], extra);
        Desk {
            app,
            notes,
            watcher,
            bus,
            world,
        }
    }

    /// The app's own registration with the watcher, waiting at most `secs`.
    pub fn item(&self, secs: u64) -> Registration {
        item_of(self, &self.app, secs)
    }

    /// The app's menu, once its item registered.
    pub fn menu(&self) -> Menu<'_> {
        Menu::of(&self.bus, &self.item(40))
    }
}

/// `app`'s registration with the desk's watcher (the sender is a bus
/// connection of `app`'s process).
pub fn item_of(desk: &Desk, app: &App, secs: u64) -> Registration {
    let watcher = desk
        .watcher
        .as_ref()
        .expect("this desk has a StatusNotifierWatcher");
    let conn = desk.bus.connect(None);
    let pid = app.pid();
    watcher.wait_item(secs, |r| desk.bus.pid_of(&conn, &r.sender) == Some(pid))
}

/// A lease line `<profile> — <left>` split in two.
pub fn lease_line(label: &str) -> Option<(&str, &str)> {
    label.split_once(" \u{2014} ")
}

/// Whether `left` is a time in the menu's format: `42m`, `1h 05m`, `<1m`,
/// and from a day on `1d 11h`; an estimate adds ` (est.)`; an upper bound
/// reads `≤ 89d` (its largest unit only).
pub fn is_time(left: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(bound) = left.strip_prefix("\u{2264} ") {
        return bound == "<1m"
            || ["d", "h", "m"]
                .iter()
                .any(|u| bound.strip_suffix(u).is_some_and(digits));
    }
    let left = left.strip_suffix(" (est.)").unwrap_or(left);
    if left == "<1m" {
        return true;
    }
    if let Some((d, h)) = left.split_once("d ") {
        return digits(d) && h.len() == 3 && h.ends_with('h') && digits(&h[..2]);
    }
    if let Some((h, m)) = left.split_once("h ") {
        return digits(h) && m.len() == 3 && m.ends_with('m') && digits(&m[..2]);
    }
    left.strip_suffix('m').is_some_and(digits)
}

/// The `<left>` of `profile`'s lease line, if the menu lists it.
pub fn left_of<'r>(rows: &'r [Row], profile: &str) -> Option<&'r str> {
    rows.iter()
        .filter(|r| r.visible)
        .filter_map(|r| lease_line(&r.label))
        .find(|(p, _)| *p == profile)
        .map(|(_, left)| left)
}

/// Whether `label` is a summary line: `All 6 leases fresh`,
/// `1 needs you · 6 leases`, `2 expiring · 6 leases`.
pub fn is_summary(label: &str) -> bool {
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(n) = label
        .strip_prefix("All ")
        .and_then(|r| r.strip_suffix(" leases fresh"))
    {
        return number(n);
    }
    let Some((what, total)) = label.split_once(" \u{b7} ") else {
        return false;
    };
    let total_ok = total
        .strip_suffix(" leases")
        .or_else(|| total.strip_suffix(" lease"))
        .is_some_and(number);
    let what_ok = what
        .strip_suffix(" needs you")
        .or_else(|| what.strip_suffix(" need you"))
        .or_else(|| what.strip_suffix(" expiring"))
        .is_some_and(number);
    total_ok && what_ok
}

#[test]
fn menu_formats_are_recognised() {
    assert!(is_time("42m") && is_time("1h 05m") && is_time("<1m") && is_time("35h 59m"));
    assert!(is_time("1d 11h") && is_time("89d 04h") && !is_time("1d 4h"));
    assert!(is_time("7h 59m (est.)") && is_time("\u{2264} 89d") && is_time("\u{2264} 5h"));
    assert!(!is_time("\u{2264} 5h 04m") && !is_time("(est.)"));
    assert!(!is_time("sign in") && !is_time("1h 5m") && !is_time("m") && !is_time("expired"));
    assert!(is_summary("All 6 leases fresh"));
    assert!(is_summary("1 needs you \u{b7} 6 leases"));
    assert!(is_summary("2 expiring \u{b7} 6 leases"));
    assert!(!is_summary("Refresh all"));
    assert_eq!(
        lease_line("dev-admin \u{2014} 1h 05m"),
        Some(("dev-admin", "1h 05m"))
    );
}
