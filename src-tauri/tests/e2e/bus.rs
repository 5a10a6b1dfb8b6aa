//! A private session bus per test: its own `dbus-daemon` (stopped on drop)
//! and a tokio runtime for the services the test serves on it, so nothing
//! a test does reaches the desktop's real bus.

use std::process::Command;

/// A running `dbus-daemon` of type `session`.
pub struct Bus {
    pub address: String,
    pid: u32,
    _dir: tempfile::TempDir,
    pub rt: tokio::runtime::Runtime,
}

impl Bus {
    pub fn start() -> Bus {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("session.conf");
        std::fs::write(
            &config,
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        )
        .expect("bus config");
        let out = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--fork", "--print-address=1", "--print-pid=1"])
            .output()
            .expect("dbus-daemon runs (the dbus-daemon package)");
        assert!(out.status.success(), "dbus-daemon failed: {out:?}");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let mut lines = text.lines();
        let address = lines.next().expect("address").trim().to_owned();
        let pid = lines.next().expect("pid").trim().parse().expect("pid");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        Bus {
            address,
            pid,
            _dir: dir,
            rt,
        }
    }

    /// A new connection to this bus, owning `name` when given.
    pub fn connect(&self, name: Option<&str>) -> zbus::Connection {
        self.rt
            .block_on(async {
                let mut b = zbus::connection::Builder::address(self.address.as_str());
                if let Some(name) = name {
                    b = b.name(name);
                }
                b.build().await
            })
            .unwrap_or_else(|e| panic!("cannot connect to the test bus as {name:?}: {e}"))
    }

    /// The pid of the connection owning `name` (unique or well-known), if any.
    pub fn pid_of(&self, conn: &zbus::Connection, name: &str) -> Option<u32> {
        self.rt.block_on(async {
            let reply = conn
                .call_method(
                    Some("org.freedesktop.DBus"),
                    "/org/freedesktop/DBus",
                    Some("org.freedesktop.DBus"),
                    "GetConnectionUnixProcessID",
                    &(name,),
                )
                .await
                .ok()?;
            reply.body().deserialize::<u32>().ok()
        })
    }
}

impl Bus {
    /// Waits at most `secs` until a connection of process `pid` listens
    /// for signals named `member` (a match rule the bus holds for it, read
    /// through dbus-daemon's `Debug.Stats`): a signal emitted before that
    /// reaches nobody.
    pub fn wait_listening(&self, pid: u32, member: &str, secs: u64) {
        let conn = self.connect(None);
        let wanted = format!("member='{member}'");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let rules: std::collections::HashMap<String, Vec<String>> = self
                .rt
                .block_on(async {
                    let reply = conn
                        .call_method(
                            Some("org.freedesktop.DBus"),
                            "/org/freedesktop/DBus",
                            Some("org.freedesktop.DBus.Debug.Stats"),
                            "GetAllMatchRules",
                            &(),
                        )
                        .await?;
                    reply.body().deserialize()
                })
                .expect("the test bus lists its match rules (Debug.Stats)");
            let listening = rules.iter().any(|(name, rules)| {
                rules.iter().any(|r| r.contains(&wanted)) && self.pid_of(&conn, name) == Some(pid)
            });
            if listening {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "process {pid} did not listen for {member} within {secs} s; rules: {rules:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        // Ours to stop: the daemon this test forked. Already gone is fine.
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
    }
}
