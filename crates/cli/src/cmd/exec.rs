//! `leasekeeper exec --profile P -- COMMAND [ARGS…]`: runs COMMAND with
//! keys that renew themselves. The command gets a local
//! container-credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`,
//! 127.0.0.1, and a token made for this run, in
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN` or with `--token-file` in a 0600
//! file), which every AWS SDK fetches its keys from and fetches again as
//! they near their end; the keys come from the running keeper, or from
//! this process under the same locks. Nothing that would win over the
//! endpoint reaches the command (`ops::serve::SHADOWING`); a `[default]`
//! profile with credentials of its own is refused, naming its line.
//!
//! The command's exit code is `exec`'s (128+N when signal N ended it).
//! Ctrl-C reaches it from the terminal (they share its process group), so
//! `exec` waits for it rather than passing the signal on; SIGTERM and SIGHUP
//! sent to `exec` are passed on. No key is ever in the command's
//! environment, its arguments or a log; the token is void once `exec` ends.

use std::ffi::OsString;
use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_host::state_dir::state_dir;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::serve::{self, TokenPlace};

use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose keys the command gets
    #[arg(long, short = 'p', value_name = "P")]
    profile: String,
    /// Hand the token over in a 0600 file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)
    /// instead of a variable
    #[arg(long)]
    token_file: bool,
    /// The command to run, and its arguments
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<OsString>,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let runtime = crate::runtime::runtime()?;
    runtime.block_on(exec(args, home))
}

async fn exec(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let env = Environment::process();
    let prepared = match serve::prepare(&home.paths, &env, &args.profile, 0).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            let code = match e {
                serve::ServeError::UnknownProfile(_) => exit::USAGE,
                serve::ServeError::DefaultShadows { .. } => exit::PROFILE_ERROR,
                serve::ServeError::Bind { .. } => exit::FAILURE,
            };
            return Ok(exit::code(code));
        }
    };
    let url = prepared.endpoint.url();
    let token = prepared.endpoint.token().expose().to_owned();
    let place = if args.token_file {
        let dir = state_dir(|n| std::env::var_os(n))
            .context("no state folder for the token file: set HOME or LEASEKEEPER_STATE_DIR")?;
        let path = dir
            .join("exec")
            .join(format!("{}.token", std::process::id()));
        serve::write_token(&path, &token)
            .with_context(|| format!("cannot write {}", path.display()))?;
        TokenPlace::File(path)
    } else {
        TokenPlace::Variable
    };
    let child_env = serve::child_env(&url, &token, &place, prepared.region.as_deref());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(prepared.endpoint.serve(prepared.source, async move {
        let _ = stopped.await;
    }));

    let (program, rest) = args.command.split_first().context("no command to run")?;
    let mut command = tokio::process::Command::new(program);
    command.args(rest);
    for name in &child_env.remove {
        command.env_remove(name);
    }
    for (name, value) in &child_env.set {
        command.env(name, value);
    }
    let outcome = match command.spawn() {
        Ok(child) => wait(child).await.map(status_code),
        Err(e) => {
            let code = if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            };
            eprintln!("leasekeeper: cannot run {}: {e}", program.to_string_lossy());
            Ok(code)
        }
    };
    let _ = stop.send(());
    let _ = server.await;
    if let TokenPlace::File(path) = &place {
        let _ = std::fs::remove_file(path);
    }
    Ok(ExitCode::from(outcome?))
}

/// Waits for the child, passing SIGTERM and SIGHUP on; SIGINT is the
/// terminal's to deliver (the child has it already).
#[cfg(unix)]
async fn wait(mut child: tokio::process::Child) -> anyhow::Result<std::process::ExitStatus> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut hup = signal(SignalKind::hangup()).context("cannot watch SIGHUP")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
    let pid = child.id();
    loop {
        tokio::select! {
            status = child.wait() => return status.context("cannot wait for the command"),
            _ = term.recv() => pass_on(pid, rustix::process::Signal::TERM),
            _ = hup.recv() => pass_on(pid, rustix::process::Signal::HUP),
            // The terminal sent it to the child too: wait for the child.
            _ = int.recv() => {}
        }
    }
}

#[cfg(not(unix))]
async fn wait(mut child: tokio::process::Child) -> anyhow::Result<std::process::ExitStatus> {
    child.wait().await.context("cannot wait for the command")
}

/// Sends `signal` to our child `pid` (not yet waited for, so the pid is
/// still its own).
#[cfg(unix)]
fn pass_on(pid: Option<u32>, signal: rustix::process::Signal) {
    let Some(pid) = pid
        .and_then(|p| i32::try_from(p).ok())
        .and_then(rustix::process::Pid::from_raw)
    else {
        return;
    };
    if let Err(e) = rustix::process::kill_process(pid, signal) {
        tracing::debug!(error = %e, "the signal could not be passed on");
    }
}

/// The shell's convention: the code, or 128+N for signal N.
fn status_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(1);
        }
    }
    1
}
