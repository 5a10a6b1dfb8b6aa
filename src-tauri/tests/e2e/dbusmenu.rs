//! Reading and clicking a tray menu over `com.canonical.dbusmenu`, as a
//! panel does: `GetLayout` parsed into rows (id, label, enabled), and
//! `Event(id, "clicked", <int32 0>, 0)`. The item's `Menu` property names
//! the menu's object path.

use std::time::{Duration, Instant};

use zbus::Variant;

use super::bus::Bus;
use super::watcher::Registration;

const IFACE: &str = "com.canonical.dbusmenu";

/// One menu entry, in menu order (submenus flattened after their parent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i32,
    /// The label as shown (GTK mnemonic underscores removed).
    pub label: String,
    pub enabled: bool,
    pub visible: bool,
    /// `separator` for separators, else `standard`.
    pub kind: String,
}

/// A tray item's menu on a test bus.
pub struct Menu<'b> {
    bus: &'b Bus,
    conn: zbus::Connection,
    service: String,
    path: String,
}

impl<'b> Menu<'b> {
    /// The menu of the item `reg` registered with the watcher.
    pub fn of(bus: &'b Bus, reg: &Registration) -> Menu<'b> {
        let conn = bus.connect(None);
        let service = reg.service().to_owned();
        let path = bus
            .rt
            .block_on(async {
                let item = zbus::Proxy::new(
                    &conn,
                    service.as_str(),
                    reg.path(),
                    "org.kde.StatusNotifierItem",
                )
                .await?;
                let menu: zbus::OwnedObjectPath = item.get_property("Menu").await?;
                Ok::<_, zbus::Error>(menu.to_string())
            })
            .unwrap_or_else(|e| {
                panic!(
                    "the item {}{} has no Menu property: {e}",
                    reg.service(),
                    reg.path()
                )
            });
        Menu {
            bus,
            conn,
            service,
            path,
        }
    }

    /// The object path of the menu.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Every entry now: `GetLayout(0, -1, [])`.
    pub fn rows(&self) -> Vec<Row> {
        let reply = self
            .bus
            .rt
            .block_on(self.conn.call_method(
                Some(self.service.as_str()),
                self.path.as_str(),
                Some(IFACE),
                "GetLayout",
                &(0i32, -1i32, Vec::<&str>::new()),
            ))
            .unwrap_or_else(|e| panic!("GetLayout on {} failed: {e}", self.path));
        let body = reply.body();
        let layout: zbus::Structure<'_> = body.deserialize().expect("GetLayout's (u(ia{sv}av))");
        let root = layout.fields().get(1).expect("a layout after the revision");
        let mut rows = Vec::new();
        collect(root, true, &mut rows);
        rows
    }

    /// Polls the menu until `accept` holds for its rows, at most `secs`.
    pub fn wait(&self, secs: u64, what: &str, accept: impl Fn(&[Row]) -> bool) -> Vec<Row> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let rows = self.rows();
            if accept(&rows) {
                return rows;
            }
            assert!(
                Instant::now() < deadline,
                "the menu did not show {what} within {secs} s; it shows:\n{}",
                render(&rows)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Clicks entry `id`.
    fn try_click(&self, id: i32) -> zbus::Result<zbus::Message> {
        self.bus.rt.block_on(self.conn.call_method(
            Some(self.service.as_str()),
            self.path.as_str(),
            Some(IFACE),
            "Event",
            &(id, "clicked", Variant::from(0i32), 0u32),
        ))
    }

    /// Clicks the visible, enabled entry labelled exactly `label`. A menu
    /// rebuilt between reading it and the click (a lease appeared) gives
    /// its entries new ids: read again and click again, as a person would.
    pub fn click_label(&self, label: &str) {
        for _ in 0..5 {
            let rows = self.rows();
            let row = rows
                .iter()
                .find(|r| r.visible && r.enabled && r.label == label)
                .unwrap_or_else(|| {
                    panic!(
                        "no enabled menu entry {label:?}; the menu shows:\n{}",
                        render(&rows)
                    )
                });
            match self.try_click(row.id) {
                Ok(_) => return,
                Err(e) if e.to_string().contains("does not refer to a menu item") => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("clicking menu entry {label:?} failed: {e}"),
            }
        }
        panic!("the menu kept changing under the click on {label:?}");
    }
}

/// The rows one per line, for failure messages.
pub fn render(rows: &[Row]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "  [{}] {}{}{}",
                r.id,
                r.label,
                if r.enabled { "" } else { "  (disabled)" },
                if r.visible { "" } else { "  (hidden)" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// GTK's mnemonic markers removed: `__` is a literal underscore, a lone `_`
/// marks the access key.
fn unmnemonic(label: &str) -> String {
    let mut out = String::new();
    let mut chars = label.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '_' {
            if chars.peek() == Some(&'_') {
                chars.next();
                out.push('_');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Appends `node` (an `(ia{sv}av)`, possibly in a variant) and its
/// children; the root (id 0) is the menu itself, not a row.
fn collect(node: &Variant<'_>, root: bool, rows: &mut Vec<Row>) {
    let node = match node {
        Variant::Variant(inner) => inner.as_ref(),
        other => other,
    };
    let Variant::Structure(s) = node else {
        panic!("a dbusmenu layout node is a structure, got {node:?}");
    };
    let fields = s.fields();
    let Some(Variant::I32(id)) = fields.first() else {
        panic!("a layout node starts with its id: {node:?}");
    };
    let mut row = Row {
        id: *id,
        label: String::new(),
        enabled: true,
        visible: true,
        kind: "standard".into(),
    };
    if let Some(Variant::Dict(props)) = fields.get(1) {
        for (k, v) in props.iter() {
            let Variant::Str(k) = k else { continue };
            let v = match v {
                Variant::Variant(inner) => inner.as_ref(),
                other => other,
            };
            match (k.as_str(), v) {
                ("label", Variant::Str(s)) => row.label = unmnemonic(s.as_str()),
                ("enabled", Variant::Bool(b)) => row.enabled = *b,
                ("visible", Variant::Bool(b)) => row.visible = *b,
                ("type", Variant::Str(s)) => row.kind = s.as_str().to_owned(),
                _ => {}
            }
        }
    }
    if !root {
        rows.push(row);
    }
    if let Some(Variant::Array(children)) = fields.get(2) {
        for child in children.inner() {
            collect(child, false, rows);
        }
    }
}

#[test]
fn mnemonic_markers_are_removed_and_doubled_underscores_kept() {
    assert_eq!(unmnemonic("_Quit"), "Quit");
    assert_eq!(unmnemonic("dev__admin — 42m"), "dev_admin — 42m");
    assert_eq!(unmnemonic("Sign in to corp…"), "Sign in to corp…");
}
