//! Opening a URL in the person's browser, behind a small trait so the shells
//! and tests choose how: `LEASEKEEPER_BROWSER` (a command; the URL is
//! appended as its last argument), else `BROWSER`, else the platform's
//! opener (`xdg-open` on Linux, `open` on macOS). On Linux without a
//! graphical session (no `DISPLAY`, no `WAYLAND_DISPLAY`) there is no
//! browser, and the sign-in says so and goes on without one.

use std::ffi::OsString;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A command that opens URLs, for tests and unusual setups.
pub const BROWSER_ENV: &str = "LEASEKEEPER_BROWSER";
/// A failing opener usually fails within this time; one still running is
/// taken to have opened the page.
const EXIT_WAIT: Duration = Duration::from_millis(1500);

/// Opens URLs.
pub trait Browser: Send + Sync {
    /// `Err` with a reason a person understands when no browser opened.
    fn open(&self, url: &str) -> Result<(), String>;
}

/// The browser of this machine, as the environment describes it.
#[derive(Debug, Clone)]
pub struct SystemBrowser {
    command: Option<Vec<String>>,
    graphical: bool,
}

impl SystemBrowser {
    /// From an environment lookup (`|n| std::env::var_os(n)` in a shell).
    pub fn from_env(env: impl Fn(&str) -> Option<OsString>) -> SystemBrowser {
        let text = |n: &str| {
            env(n)
                .map(|v| v.to_string_lossy().trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let command = text(BROWSER_ENV)
            .or_else(|| text("BROWSER"))
            .map(|c| c.split_whitespace().map(str::to_owned).collect());
        let graphical = cfg!(not(target_os = "linux"))
            || text("DISPLAY").is_some()
            || text("WAYLAND_DISPLAY").is_some();
        SystemBrowser { command, graphical }
    }

    fn command(&self) -> Result<Vec<String>, String> {
        if let Some(c) = &self.command {
            return Ok(c.clone());
        }
        if !self.graphical {
            return Err("no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)".to_owned());
        }
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        Ok(vec![opener.to_owned()])
    }
}

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        let command = self.command()?;
        let Some((program, args)) = command.split_first() else {
            return Err("the browser command is empty".to_owned());
        };
        let mut child = Command::new(program)
            .args(args)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        let start = Instant::now();
        while start.elapsed() < EXIT_WAIT {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("{program} failed ({status})")),
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("cannot watch {program}: {e}")),
            }
        }
        // Still running: a browser in the foreground. Reap it when it ends.
        std::thread::spawn(move || {
            // Nothing to report once the sign-in has moved on.
            let _ = child.wait();
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn the_command_gets_the_url_and_its_failure_is_reported() {
        assert!(
            SystemBrowser::from_env(env(&[(BROWSER_ENV, "true")]))
                .open("http://x")
                .is_ok()
        );
        let e = SystemBrowser::from_env(env(&[(BROWSER_ENV, "false --flag")]))
            .open("http://x")
            .unwrap_err();
        assert!(e.starts_with("false failed"), "{e}");
        let e = SystemBrowser::from_env(env(&[(BROWSER_ENV, "/nonexistent/browser")]))
            .open("http://x")
            .unwrap_err();
        assert!(e.starts_with("cannot run /nonexistent/browser"), "{e}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn without_a_graphical_session_there_is_no_browser() {
        let e = SystemBrowser::from_env(env(&[]))
            .open("http://x")
            .unwrap_err();
        assert!(e.contains("no graphical session"), "{e}");
    }
}
