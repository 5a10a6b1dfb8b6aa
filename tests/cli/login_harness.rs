//! Plumbing for the sign-in tests: a sandbox in this process (on its own
//! runtime), its files in a temporary folder, `leasekeeper` runs with only
//! the sandbox's environment (so no real AWS and no real `~/.aws` can be
//! reached), stderr read line by line while the command runs, and a tiny
//! HTTP client that plays the browser.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use leasekeeper_sandbox::{RunningSandbox, Sandbox, SandboxConfig};

use super::harness::bin;

/// A sandbox, its files and the environment its lines describe.
pub struct World {
    pub sb: RunningSandbox,
    pub dir: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
    rt: tokio::runtime::Runtime,
}

impl World {
    pub fn start(adjust: impl FnOnce(&mut SandboxConfig)) -> World {
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
        vars.push((
            "LEASEKEEPER_STATE_DIR".into(),
            dir.path().join("state").display().to_string(),
        ));
        World { sb, dir, vars, rt }
    }

    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn home(&self) -> PathBuf {
        PathBuf::from(self.var("HOME").expect("HOME exported"))
    }

    /// `~/.aws/sso/cache/<sha1(name)>.json` of the sandbox home.
    pub fn token_path(&self, session: &str) -> PathBuf {
        self.home().join(".aws/sso/cache").join(format!(
            "{}.json",
            leasekeeper_engine::profiles::sso_cache::cache_key(session)
        ))
    }

    pub fn token_json(&self) -> serde_json::Value {
        let bytes = std::fs::read(self.token_path("sandbox")).expect("token file");
        serde_json::from_slice(&bytes).expect("token file is JSON")
    }

    /// `leasekeeper ARGS` with only the sandbox's environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    }

    /// Starts `leasekeeper ARGS`, stderr read as it comes.
    pub fn spawn(&self, args: &[&str], extra: &[(&str, &str)]) -> Running {
        let mut cmd = self.command(args);
        cmd.envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("leasekeeper runs");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// Runs a future on the sandbox's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The Python with botocore: `LEASEKEEPER_PYTHON`, else the workspace's `.venv`.
    pub fn python() -> PathBuf {
        if let Some(p) = std::env::var_os("LEASEKEEPER_PYTHON") {
            return p.into();
        }
        let p = super::harness::repo_root().join(".venv/bin/python");
        assert!(
            p.exists(),
            "no Python with botocore at {}: run scripts/setup.sh (or set LEASEKEEPER_PYTHON)",
            p.display()
        );
        p
    }

    /// Runs Python `code` with the sandbox's environment; (ok, stdout, stderr).
    pub fn python_run(&self, code: &str, args: &[&str]) -> (bool, String, String) {
        let out = Command::new(World::python())
            .arg("-c")
            .arg(code)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("python runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// A running `leasekeeper`.
pub struct Running {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Running {
    /// The first stderr line (from now on) matching `pred`, waiting at most `secs`.
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
                    "no such line within {secs} s; stderr so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// The device code the command printed.
    pub fn device_code(&mut self) -> String {
        let line = self.wait_line(30, |l| l.contains("and enter the code "));
        line.rsplit(' ').next().expect("a code").to_owned()
    }

    /// The address printed for the browser sign-in (`--no-browser`).
    pub fn sign_in_url(&mut self) -> String {
        self.wait_line(30, |l| l.starts_with("  http"))
            .trim()
            .to_owned()
    }

    /// Waits for the exit; (code, all of stderr, stdout).
    pub fn finish(mut self, secs: u64) -> (i32, String, String) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if Instant::now() > deadline {
                // Ours to stop: the child this test started.
                let _ = self.child.kill();
                panic!(
                    "leasekeeper did not finish; stderr:\n{}",
                    self.seen.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(line);
        }
        let mut out = String::new();
        if let Some(mut o) = self.child.stdout.take() {
            o.read_to_string(&mut out).expect("stdout");
        }
        (status.code().unwrap_or(-1), self.seen.join("\n"), out)
    }
}

/// One HTTP/1.1 GET of an `http://` URL; (status, location, body).
pub fn http_get(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut s = TcpStream::connect(authority).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "GET {} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n",
        if path.is_empty() { "/" } else { path }
    )
    .expect("send");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("answer");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let location = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("location")
            .then(|| v.trim().to_owned())
    });
    (status, location, body.to_owned())
}

/// Plays the browser up to the sign-in page: GET the authorize URL, which
/// redirects to `/_sandbox/sign-in/ID`; returns the sign-in id.
pub fn open_authorize(url: &str) -> String {
    let (status, location, body) = http_get(url);
    assert_eq!(status, 302, "{body}");
    let location = location.expect("a redirect");
    location
        .strip_prefix("/_sandbox/sign-in/")
        .unwrap_or_else(|| panic!("redirected to the sign-in page, not {location}"))
        .to_owned()
}

/// A file's permission bits.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}
