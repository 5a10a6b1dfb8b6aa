//! `--demo`: the tray over the embedded sandbox in a temporary world (see
//! [`leasekeeper_service::demo::Demo`]); the person's real AWS files and
//! settings are never touched. This process serves the sandbox and starts
//! the tray itself as a second process whose environment points at the
//! demo's world (files, endpoints, state, settings, time scale), exactly
//! as a person's shell would after sourcing the demo's `demo.env`: the AWS
//! SDK reads its endpoints from the environment, which a running process
//! must not change. SIGINT and SIGTERM are passed on; when the tray ends,
//! the sandbox stops and the folder is removed.

use std::ffi::OsString;
use std::process::{Command, ExitCode, ExitStatus};

use anyhow::Context as _;
use leasekeeper_service::demo::Demo;
use tokio::signal::unix::{SignalKind, signal};

/// This process's arguments for the tray it starts: all but `--demo` and
/// `--speed N`.
pub fn tray_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--demo" || arg.to_string_lossy().starts_with("--speed=") {
            continue;
        }
        if arg == "--speed" {
            args.next();
            continue;
        }
        out.push(arg);
    }
    out
}

/// Runs the demo until the tray it starts ends; its exit code is the tray's.
pub fn run(speed: f64) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let demo = Demo::start(speed).await.context("cannot start the demo")?;
        announce(&demo);
        let status = serve(&demo).await;
        demo.shutdown().await;
        let status = status?;
        Ok(match status.code() {
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            // Ended by a signal: not a clean stop.
            None => ExitCode::FAILURE,
        })
    })
}

fn announce(demo: &Demo) {
    tracing::info!(
        sandbox = demo.base_url(),
        folder = %demo.dir().display(),
        speed = demo.speed,
        "demo: a local IAM Identity Center and STS; your ~/.aws is not touched"
    );
    eprintln!(
        "Leasekeeper demo: a local IAM Identity Center and STS at {url} (time runs {speed}x faster).\n\
         Sign-ins wait for your approval at {url}/_sandbox/\n\
         Its AWS files are in {dir}; your ~/.aws is not touched.\n\
         To use them from a shell: . {env}",
        url = demo.base_url(),
        speed = demo.speed,
        dir = demo.dir().display(),
        env = demo.env_file.display()
    );
}

/// Starts the tray on the demo's world and waits for it.
async fn serve(demo: &Demo) -> anyhow::Result<ExitStatus> {
    let exe = std::env::current_exe().context("cannot find this program")?;
    let mut command = Command::new(exe);
    command.args(tray_args(std::env::args_os().skip(1)));
    demo.env.apply(&mut command);
    let mut child = tokio::process::Command::from(command)
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the tray")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    loop {
        tokio::select! {
            status = child.wait() => return status.context("cannot wait for the tray"),
            // Ctrl-C in a terminal reaches the whole process group, the tray too.
            _ = int.recv() => {}
            _ = term.recv() => {
                if let Some(pid) = child.id() {
                    stop(pid).await;
                }
            }
        }
    }
}

/// Asks the tray to stop as SIGTERM does (it quits as from its menu).
async fn stop(pid: u32) {
    let sent = tokio::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await;
    if !sent.is_ok_and(|s| s.success()) {
        tracing::warn!(pid, "cannot pass SIGTERM on to the tray");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_gets_every_argument_but_the_demos_own() {
        let given = ["--demo", "--speed", "120", "--open-window", "--speed=5"];
        let passed = tray_args(given.iter().map(OsString::from));
        assert_eq!(passed, [OsString::from("--open-window")]);
    }
}
