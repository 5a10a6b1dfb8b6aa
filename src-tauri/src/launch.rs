//! Opening the window from the tray: it runs in a process of its own
//! (`leasekeeper-tray --window`, this same program, with the tray's
//! environment), so the tray never starts a webview and closing the window
//! gives its memory back. The window process keeps itself single: started
//! while one is open, it raises that one and ends. Each started process is
//! waited for on a thread of its own (no zombie is left), and Quit ends
//! the ones still open.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use leasekeeper_service::Environment;

/// The flag that makes this program the window process.
pub const WINDOW_FLAG: &str = "--window";
/// The window's flag to open on a session's roles.
pub const ADD_PROFILES_FLAG: &str = "--add-profiles";

/// The window processes this tray started and that still run.
#[derive(Debug, Clone)]
pub struct Windows {
    env: Environment,
    running: Arc<Mutex<BTreeSet<u32>>>,
}

impl Windows {
    /// Window processes started with `env` (the tray's own environment).
    pub fn new(env: Environment) -> Windows {
        Windows {
            env,
            running: Arc::default(),
        }
    }

    /// Starts the window process (which raises the open window if there
    /// is one).
    pub fn open(&self) -> anyhow::Result<u32> {
        self.open_to(None)
    }

    /// The same, on the roles `add_profiles` gives (an sso-session name)
    /// to choose from.
    pub fn open_to(&self, add_profiles: Option<&str>) -> anyhow::Result<u32> {
        let mut command = Command::new(this_program()?);
        command
            .arg(WINDOW_FLAG)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if let Some(session) = add_profiles {
            command.arg(format!("{ADD_PROFILES_FLAG}={session}"));
        }
        self.env.apply(&mut command);
        let mut child = command.spawn().context("cannot start the window process")?;
        let pid = child.id();
        tracing::info!(pid, "window process started");
        self.set().insert(pid);
        let running = self.running.clone();
        std::thread::Builder::new()
            .name("window-wait".into())
            .spawn(move || {
                match child.wait() {
                    Ok(status) => tracing::info!(pid, %status, "window process ended"),
                    Err(e) => tracing::warn!(pid, error = %e, "cannot wait for the window process"),
                }
                running
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&pid);
            })
            .context("cannot wait for the window process")?;
        Ok(pid)
    }

    /// Asks every window process still open to end (SIGTERM), as Quit does.
    pub fn close_all(&self) {
        let pids: Vec<u32> = self.set().iter().copied().collect();
        for pid in pids {
            let sent = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            if !sent.is_ok_and(|s| s.success()) {
                tracing::debug!(pid, "the window process had ended already");
            }
        }
    }

    fn set(&self) -> std::sync::MutexGuard<'_, BTreeSet<u32>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// This program's path: after an upgrade replaced the binary, Linux names
/// the running one `… (deleted)`; the window is then started from the new
/// binary at the same path.
fn this_program() -> anyhow::Result<std::path::PathBuf> {
    let exe = std::env::current_exe().context("cannot find this program")?;
    if exe.exists() {
        return Ok(exe);
    }
    let name = exe
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.strip_suffix(" (deleted)") {
        Some(original) => Ok(exe.with_file_name(original)),
        None => Ok(exe),
    }
}
