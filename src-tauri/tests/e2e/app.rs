//! The world a test runs the tray in: the sandbox in this process (its own
//! runtime), its AWS files and a temporary home, settings and state folders,
//! and the real `leasekeeper-tray` binary started with only that world's
//! environment plus the display and a private session bus, so the person's
//! real `~/.aws`, desktop and bus are never reached. The app is stopped on
//! drop (SIGTERM, then SIGKILL after a grace).
//!
//! The tests run one at a time (a process-wide lock): each starts a whole
//! desktop app, and a loaded 2-core machine must still meet their deadlines.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use leasekeeper_sandbox::{RunningSandbox, Sandbox, SandboxConfig};

use super::bus::Bus;

/// The binary under test.
pub const TRAY: &str = env!("CARGO_BIN_EXE_leasekeeper-tray");

/// How long a stopped app may take to exit before it is killed.
const GRACE: Duration = Duration::from_secs(5);

static SERIAL: Mutex<()> = Mutex::new(());

/// The `leasekeeper` CLI built beside the tray binary.
pub fn cli_binary() -> PathBuf {
    let path = Path::new(TRAY).with_file_name("leasekeeper");
    assert!(
        path.exists(),
        "{} is missing: build the CLI into the same target folder first \
         (`cargo build -p leasekeeper`, as scripts/test.sh does)",
        path.display()
    );
    path
}

/// The display the app draws on; the tests run under `xvfb-run -a`.
fn display() -> String {
    std::env::var("DISPLAY").unwrap_or_else(|_| {
        panic!(
            "DISPLAY is not set: the tray tests start a real GTK app; run them through \
             scripts/test.sh (which wraps them in `xvfb-run -a`)"
        )
    })
}

/// A sandbox, its files, and the environment pointing at them.
pub struct World {
    pub sb: RunningSandbox,
    pub dir: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
    /// The sandbox serves on this runtime for as long as the world lives.
    _rt: tokio::runtime::Runtime,
    _serial: MutexGuard<'static, ()>,
}

impl World {
    /// A sandbox at `speed` approving every sign-in at once, with
    /// `settings` as the keeper's settings file.
    pub fn start(speed: f64, settings: &str) -> World {
        World::start_with(settings, |c| {
            c.speed = speed;
            c.auto_approve = true;
        })
    }

    pub fn start_with(settings: &str, adjust: impl FnOnce(&mut SandboxConfig)) -> World {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        display();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let mut config = SandboxConfig::default();
        adjust(&mut config);
        let sb = rt.block_on(Sandbox::start(config)).expect("sandbox starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let lines = sb.write_config(dir.path()).expect("sandbox files");
        let mut vars: Vec<(String, String)> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
            .collect();
        // Owner-only, as the keeper's socket requires of its folder.
        let sub = |name: &str| {
            let p = dir.path().join(name);
            std::fs::create_dir_all(&p).expect("mkdir");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700))
                    .expect("chmod");
            }
            p.display().to_string()
        };
        vars.push(("LEASEKEEPER_STATE_DIR".into(), sub("state")));
        vars.push(("LEASEKEEPER_CONFIG_DIR".into(), sub("cfg")));
        vars.push(("XDG_RUNTIME_DIR".into(), sub("run")));
        std::fs::write(dir.path().join("cfg/settings.toml"), settings).expect("settings");
        World {
            sb,
            dir,
            vars,
            _rt: rt,
            _serial: serial,
        }
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name} is not in the world's environment"))
    }

    /// The credentials file's text.
    pub fn credentials(&self) -> String {
        std::fs::read_to_string(self.var("AWS_SHARED_CREDENTIALS_FILE")).expect("credentials")
    }

    /// `program` with only this world's environment, the display and `bus`.
    pub fn command(&self, program: &Path, bus: &Bus) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .env("DISPLAY", display())
            // No accessibility bus on the private session bus: GTK would wait for it.
            .env("NO_AT_BRIDGE", "1")
            .env("LEASEKEEPER_LOG", "info")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if let Some(xauth) = std::env::var_os("XAUTHORITY") {
            cmd.env("XAUTHORITY", xauth);
        }
        cmd
    }

    /// Starts the tray app with `extra` environment and `args`.
    pub fn tray(&self, bus: &Bus, args: &[&str], extra: &[(&str, &str)]) -> App {
        let mut cmd = self.command(Path::new(TRAY), bus);
        cmd.args(args).envs(extra.iter().copied());
        App::spawn(cmd, "leasekeeper-tray")
    }

    /// Starts `leasekeeper ARGS` (the CLI built beside the tray).
    pub fn cli(&self, bus: &Bus, args: &[&str]) -> App {
        let mut cmd = self.command(&cli_binary(), bus);
        cmd.args(args);
        App::spawn(cmd, "leasekeeper")
    }

    /// A "browser" for `LEASEKEEPER_BROWSER`: it appends each URL it is given
    /// to `browser.log` in the world's folder and, when `follow`, fetches it
    /// following every redirect (with `auto_approve`, through the sign-in
    /// back to the app's loopback listener).
    pub fn browser(&self, follow: bool) -> String {
        let script = self.dir.path().join("browser.py");
        let log = self.browser_log();
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("python3 is installed (scripts/setup.sh)");
        let fetch = if follow {
            "urllib.request.urlopen(sys.argv[1], timeout=30).read()\n"
        } else {
            ""
        };
        std::fs::write(
            &script,
            format!(
                "#!{python}\nimport sys, urllib.request\n\
                 open({log:?}, 'a').write(sys.argv[1] + '\\n')\n{fetch}"
            ),
        )
        .expect("browser script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        script.display().to_string()
    }

    /// The URLs the browser was given so far.
    pub fn browser_urls(&self) -> Vec<String> {
        std::fs::read_to_string(self.browser_log())
            .map(|t| t.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    fn browser_log(&self) -> PathBuf {
        self.dir.path().join("browser.log")
    }
}

/// A running process of ours, its stderr collected as it comes.
pub struct App {
    child: Child,
    name: &'static str,
    stderr: Arc<Mutex<Vec<String>>>,
    exit: Option<i32>,
}

impl App {
    fn spawn(mut cmd: Command, name: &'static str) -> App {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start: {e}"));
        let pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                sink.lock().expect("stderr").push(line);
            }
        });
        App {
            child,
            name,
            stderr,
            exit: None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything it wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").join("\n")
    }

    /// Its exit code, if it has exited (-1 for a signal).
    pub fn exited(&mut self) -> Option<i32> {
        if self.exit.is_none() {
            if let Some(status) = self.child.try_wait().expect("wait") {
                self.exit = Some(status.code().unwrap_or(-1));
            }
        }
        self.exit
    }

    /// Waits for the exit, at most `secs`; the exit code.
    pub fn wait_exit(&mut self, secs: u64) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(code) = self.exited() {
                return code;
            }
            assert!(
                Instant::now() < deadline,
                "{} (pid {}) did not exit within {secs} s; stderr:\n{}",
                self.name,
                self.pid(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Asserts it still runs.
    pub fn assert_running(&mut self, when: &str) {
        if let Some(code) = self.exited() {
            panic!(
                "{} exited ({code}) {when}; stderr:\n{}",
                self.name,
                self.stderr()
            );
        }
    }

    /// The first stderr line `accept`ed, waiting at most `secs`.
    pub fn wait_line(&mut self, secs: u64, what: &str, accept: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(l) = self
                .stderr
                .lock()
                .expect("stderr")
                .iter()
                .find(|l| accept(l))
            {
                return l.clone();
            }
            self.assert_running(&format!("while waiting for {what}"));
            assert!(
                Instant::now() < deadline,
                "{} printed no {what} within {secs} s; stderr:\n{}",
                self.name,
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited after the grace.
    pub fn stop(&mut self) -> Option<i32> {
        if self.exited().is_none() {
            // Ours to stop: the child this test started.
            let _ = Command::new("kill")
                .args(["-TERM", &self.pid().to_string()])
                .status();
            let deadline = Instant::now() + GRACE;
            while self.exited().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if self.exited().is_none() {
                // Still running after the grace: ours to kill.
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
        }
        self.exit
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!(
                "--- {} (pid {}) stderr ---\n{}",
                self.name,
                self.pid(),
                self.stderr()
            );
        }
    }
}
