//! `leasekeeper daemon`'s desktop notifications: a private session bus
//! (its own `dbus-daemon`) with a small notification server in this process
//! that records every `Notify` call; the sandbox failing every request
//! makes a renewal fail and the recorded notification says so, with no key
//! or token in its text.

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leasekeeper_sandbox::Faults;

use super::daemon_sandbox::{config_dir, signed_in_world_at, stop_daemon};
use super::login_harness::{Running, World};

/// A private D-Bus daemon of `kind` (`session` or `system`), stopped on
/// drop, and a runtime for the services this test serves on it.
pub(super) struct Bus {
    pub address: String,
    pid: u32,
    _dir: tempfile::TempDir,
    pub rt: tokio::runtime::Runtime,
}

impl Bus {
    pub fn start(kind: &str) -> Bus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{kind}</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#
            ),
        )
        .unwrap();
        let out = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--fork", "--print-address=1", "--print-pid=1"])
            .output()
            .expect("dbus-daemon runs (the dbus-daemon package)");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        let address = lines.next().expect("address").trim().to_owned();
        let pid = lines.next().expect("pid").trim().parse().expect("pid");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        Bus {
            address,
            pid,
            _dir: dir,
            rt,
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
    }
}

/// One recorded `Notify` call.
#[derive(Debug, Clone)]
pub(super) struct Shown {
    /// The id answered: a replaced notification keeps its id.
    pub id: u32,
    pub app: String,
    pub summary: String,
    pub body: String,
    /// Action keys and labels, in pairs as sent.
    pub actions: Vec<(String, String)>,
}

/// `org.freedesktop.Notifications`, recording what it is asked to show
/// and to close; with `actions`, it says it shows buttons.
struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
    closed: Arc<Mutex<Vec<u32>>>,
    actions: bool,
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
        let mut shown = self.shown.lock().unwrap();
        let id = if replaces_id == 0 {
            shown.len() as u32 + 1
        } else {
            replaces_id
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
        if self.actions {
            vec!["body".into(), "actions".into()]
        } else {
            vec!["body".into()]
        }
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "recorder".into(),
            "leasekeeper".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, id: u32) {
        self.closed.lock().unwrap().push(id);
    }
}

/// Serves the recorder on `bus` (no actions); the connection lives as
/// long as the runtime.
pub(super) fn serve_notifications(bus: &Bus) -> Arc<Mutex<Vec<Shown>>> {
    let served = Served::start(bus, false);
    std::mem::forget(served.conn);
    served.shown
}

/// A recording notification server that can be clicked.
pub(super) struct Served {
    pub shown: Arc<Mutex<Vec<Shown>>>,
    pub closed: Arc<Mutex<Vec<u32>>>,
    conn: zbus::Connection,
}

impl Served {
    /// Serves on `bus`; with `actions`, it advertises buttons.
    pub fn start(bus: &Bus, actions: bool) -> Served {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Mutex::new(Vec::new()));
        let server = Server {
            shown: shown.clone(),
            closed: closed.clone(),
            actions,
        };
        let conn = bus
            .rt
            .block_on(async {
                zbus::connection::Builder::address(bus.address.as_str())
                    .name("org.freedesktop.Notifications")
                    .serve_at("/org/freedesktop/Notifications", server)
                    .build()
                    .await
            })
            .expect("the notification server starts");
        Served {
            shown,
            closed,
            conn,
        }
    }

    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().unwrap().clone()
    }

    /// A click on button `key` of notification `id`, as a server tells it.
    pub fn invoke(&self, bus: &Bus, id: u32, key: &str) {
        let path = "/org/freedesktop/Notifications";
        let iface = "org.freedesktop.Notifications";
        bus.rt
            .block_on(async {
                self.conn
                    .emit_signal(None::<&str>, path, iface, "ActionInvoked", &(id, key))
                    .await?;
                self.conn
                    .emit_signal(None::<&str>, path, iface, "NotificationClosed", &(id, 2u32))
                    .await
            })
            .expect("the click's signals are sent");
    }
}

/// `leasekeeper daemon` with `extra` environment, once it has written
/// `[dev-admin]`.
pub(super) fn start_daemon_with(w: &World, extra: &[(&str, &str)]) -> Running {
    let cfg = config_dir(w);
    let mut env = vec![
        ("LEASEKEEPER_CONFIG_DIR", cfg.as_str()),
        ("LEASEKEEPER_LOG", "info"),
    ];
    env.extend_from_slice(extra);
    let mut daemon = w.spawn(&["daemon"], &env);
    daemon.wait_line(60, |l| {
        l.contains("wrote section") && l.contains("section=dev-admin")
    });
    daemon
}

/// Every value of `key` in the credentials file.
fn file_values(w: &World, key: &str) -> Vec<String> {
    let path = w.var("AWS_SHARED_CREDENTIALS_FILE").unwrap();
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

#[test]
fn a_failing_renewal_becomes_a_desktop_notification_without_secrets() {
    // An hour lives 15 s: the first renewals come about 7 s after the writes.
    let w = signed_in_world_at(240.0);
    let bus = Bus::start("session");
    let shown = serve_notifications(&bus);
    let daemon = start_daemon_with(&w, &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())]);
    let mut secrets = file_values(&w, "aws_secret_access_key");
    secrets.extend(file_values(&w, "aws_session_token"));
    assert!(!secrets.is_empty());
    w.sb.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    })
    .expect("faults");

    let deadline = Instant::now() + Duration::from_secs(30);
    let failed = loop {
        let found = shown
            .lock()
            .unwrap()
            .iter()
            .find(|n| n.summary.starts_with("Renewal failed: "))
            .cloned();
        if let Some(n) = found {
            break n;
        }
        assert!(
            Instant::now() < deadline,
            "no renewal-failed notification; shown: {:?}",
            shown.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(failed.app, "Leasekeeper");
    assert!(
        failed.summary.len() > "Renewal failed: ".len(),
        "it names the leases: {failed:?}"
    );
    assert!(
        failed.body.ends_with("Leasekeeper keeps trying."),
        "{failed:?}"
    );
    for n in shown.lock().unwrap().iter() {
        for secret in &secrets {
            assert!(!n.body.contains(secret.as_str()), "a secret in {n:?}");
        }
    }
    w.sb.set_faults(Faults::default()).expect("faults cleared");
    stop_daemon(daemon);
}
