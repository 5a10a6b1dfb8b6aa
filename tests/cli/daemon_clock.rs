//! The wall clock jumping under `leasekeeper daemon`, as after a suspend:
//! the sandbox (a `leasekeeper sandbox` process), the sign-in and the daemon
//! all run under libfaketime with one shared `FAKETIME_TIMESTAMP_FILE`
//! (monotonic time left alone), so writing `+N` into it moves every wall
//! clock at once while no timer fires.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::harness::bin;

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// A sandbox process and its home, every process on one fake clock.
pub(super) struct FakeWorld {
    pub dir: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
    clock: PathBuf,
    sandbox: Proc,
}

impl FakeWorld {
    /// `leasekeeper sandbox --speed SPEED --auto-approve`, then a device-code
    /// sign-in.
    pub fn start(speed: u32) -> FakeWorld {
        assert!(Path::new(LIBFAKETIME).exists(), "libfaketime is installed");
        let dir = tempfile::tempdir().unwrap();
        let clock = dir.path().join("faketime");
        std::fs::write(&clock, "+0\n").unwrap();
        let world = dir.path().join("world");
        let mut cmd = Command::new(bin());
        cmd.args(["sandbox", "--auto-approve", "--speed", &speed.to_string()])
            .arg("--write-config")
            .arg(&world)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        fake_clock(&mut cmd, &clock);
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut sandbox = Proc::new(child, true);
        let last = if speed == 1 {
            "export HOME="
        } else {
            "export LEASEKEEPER_TIME_SCALE="
        };
        let mut vars = Vec::new();
        loop {
            let line = sandbox.wait_line(30, |l| l.starts_with("export "));
            let kv = line.strip_prefix("export ").unwrap();
            let (k, v) = kv.split_once('=').unwrap();
            vars.push((k.to_owned(), v.trim_matches('\'').to_owned()));
            if line.starts_with(last) {
                break;
            }
        }
        vars.push((
            "LEASEKEEPER_STATE_DIR".into(),
            dir.path().join("state").display().to_string(),
        ));
        std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
        let w = FakeWorld {
            dir,
            vars,
            clock,
            sandbox,
        };
        let mut login = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
        let status = login.wait(60);
        assert!(status, "sign-in failed:\n{}", login.seen.join("\n"));
        w
    }

    /// Starts `leasekeeper ARGS` on the fake clock with the sandbox's environment.
    pub fn spawn(&self, args: &[&str], extra: &[(&str, &str)]) -> Proc {
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .env(
                "LEASEKEEPER_CONFIG_DIR",
                self.dir.path().join("cfg").display().to_string(),
            )
            .env("LEASEKEEPER_LOG", "info")
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra.iter().copied());
        fake_clock(&mut cmd, &self.clock);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Proc::new(child, false)
    }

    /// Moves every process's wall clock `secs` ahead of the real one.
    pub fn jump(&self, secs: u64) {
        std::fs::write(&self.clock, format!("+{secs}\n")).unwrap();
    }

    /// `x_security_token_expires` of `section`.
    pub fn expiry(&self, section: &str) -> Option<time::OffsetDateTime> {
        let path = self
            .vars
            .iter()
            .find(|(k, _)| k == "AWS_SHARED_CREDENTIALS_FILE")
            .map(|(_, v)| v.clone())?;
        file_expiry_at(&path, section)
    }
}

impl Drop for FakeWorld {
    fn drop(&mut self) {
        self.sandbox.stop();
    }
}

fn file_expiry_at(path: &str, section: &str) -> Option<time::OffsetDateTime> {
    let text = std::fs::read_to_string(path).ok()?;
    let body = text.split(&format!("[{section}]")).nth(1)?;
    let body = body.split("\n[").next()?;
    let value = body.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "x_security_token_expires").then(|| v.trim().to_owned())
    })?;
    time::OffsetDateTime::parse(&value, &time::format_description::well_known::Rfc3339).ok()
}

fn fake_clock(cmd: &mut Command, clock: &Path) {
    cmd.env("LD_PRELOAD", LIBFAKETIME)
        .env("FAKETIME_TIMESTAMP_FILE", clock)
        .env("FAKETIME_NO_CACHE", "1")
        .env("DONT_FAKE_MONOTONIC", "1");
}

/// A child process whose stdout or stderr is read line by line.
pub(super) struct Proc {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Proc {
    fn new(mut child: Child, stdout: bool) -> Proc {
        let (tx, rx) = mpsc::channel();
        let out: Box<dyn std::io::Read + Send> = if stdout {
            Box::new(child.stdout.take().unwrap())
        } else {
            Box::new(child.stderr.take().unwrap())
        };
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// The first line from now on matching `pred`, waiting at most `secs`.
    pub fn wait_line(&mut self, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no such line within {secs} s; so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// The lines that came within `wait`.
    pub fn lines_for(&mut self, wait: Duration) -> Vec<String> {
        let deadline = Instant::now() + wait;
        let mut got = Vec::new();
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line.clone());
            got.push(line);
        }
        got
    }

    /// Waits for the exit (at most `secs`); whether it succeeded.
    pub fn wait(&mut self, secs: u64) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                self.lines_for(Duration::from_millis(200));
                return s.success();
            }
            assert!(Instant::now() < deadline, "{}", self.seen.join("\n"));
            self.lines_for(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then waits for the exit; whether it was clean.
    pub fn stop(&mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.wait(20)
    }
}

impl Drop for Proc {
    /// A failed test leaves no process behind (the child is this test's own).
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The daemon on `w`, once it has written `[dev-admin]`.
pub(super) fn start_daemon(w: &FakeWorld, extra: &[(&str, &str)]) -> Proc {
    let mut daemon = w.spawn(&["daemon"], extra);
    daemon.wait_line(60, |l| {
        l.contains("wrote section") && l.contains("section=dev-admin")
    });
    daemon
}

/// Speed 4 (an hour lives 15 minutes, the tick is 7.5 s) keeps the test
/// short; the jump is the brief's 50 minutes scaled the same way: 750 s,
/// past the lease's half life (450 s) and short of its end.
#[test]
fn a_clock_jump_renews_and_tells_one_summary() {
    let w = FakeWorld::start(4);
    let mut daemon = start_daemon(&w, &[]);
    let before = w.expiry("dev-admin").expect("written");
    // Every first renewal lands before the jump (an answer dated before it
    // and read after it would look like a skewed clock), and the next step
    // is a tick away.
    daemon.lines_for(Duration::from_secs(2));
    w.jump(750);
    // Within a tick on the paused clock (`crates/host/tests/keeper_clock.rs`);
    // here, however busy the machine, renewed at all.
    daemon.wait_line(120, |l| {
        l.contains("wrote section") && l.contains("section=dev-admin")
    });
    let after = w.expiry("dev-admin").expect("still written");
    assert!(
        after > before + Duration::from_secs(600),
        "{before} then {after}"
    );
    // Two more ticks: still one summary.
    daemon.lines_for(Duration::from_secs(15));
    let summaries = daemon
        .seen
        .iter()
        .filter(|l| l.contains("woke_summary"))
        .count();
    assert_eq!(summaries, 1, "{}", daemon.seen.join("\n"));
    assert!(daemon.stop(), "{}", daemon.seen.join("\n"));
}
