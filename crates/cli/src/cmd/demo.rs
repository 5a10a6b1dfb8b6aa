//! `leasekeeper demo`: the whole product against the sandbox, with no AWS
//! account. A temporary folder holds the sandbox's config, credentials and
//! home, so the person's real `~/.aws` is never touched; it is removed when
//! the demo stops.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_sandbox::{Sandbox, SandboxConfig};
use time::OffsetDateTime;

use crate::home::Home;
use crate::render::table::{self, Palette};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Make every lifetime pass N times faster, so leases visibly count down
    #[arg(long, value_name = "N", default_value_t = 60.0)]
    speed: f64,
    /// Show the status once and stop, instead of serving until Ctrl-C
    #[arg(long)]
    once: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let dir = tempfile::Builder::new()
        .prefix("leasekeeper-demo-")
        .tempdir()
        .context("cannot create the demo's temporary folder")?;
    runtime.block_on(demo(&args, dir.path()))
}

async fn demo(args: &Args, dir: &Path) -> anyhow::Result<ExitCode> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let running = Sandbox::start(SandboxConfig {
        speed: args.speed,
        ..SandboxConfig::default()
    })
    .await?;
    let lines = running
        .write_config(dir)
        .with_context(|| format!("cannot write the demo's files to {}", dir.display()))?;
    let home = Home::at(
        dir.join("home"),
        dir.join("config"),
        dir.join("credentials"),
    );
    let env_file = dir.join("demo.env");
    // Leasekeeper's own state goes into the demo's folder too, whatever
    // XDG_STATE_HOME says.
    let mut lines = lines;
    lines.push(format!(
        "export LEASEKEEPER_STATE_DIR={}",
        dir.join("state").display()
    ));
    std::fs::write(&env_file, lines.join("\n") + "\n")
        .with_context(|| format!("cannot write {}", env_file.display()))?;

    println!(
        "Leasekeeper demo: a local IAM Identity Center and STS at {} (time runs {}x faster).",
        running.base_url(),
        args.speed
    );
    println!(
        "Its AWS files are in {}; your ~/.aws is not touched.\n",
        dir.display()
    );
    let report = home.status(OffsetDateTime::now_utc());
    print!("{}", table::render(&report, Palette::auto()));
    if args.once {
        running.shutdown().await;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "\nTry it from another terminal while this runs:\n  . {}\n  leasekeeper login        # sign in to the sandbox's Identity Center\n  leasekeeper status       # watch the leases count down\n  aws sts get-caller-identity --profile alice\nSign-ins wait for your approval at {}/_sandbox/\nStop with Ctrl-C (the demo's files are removed).",
        env_file.display(),
        running.base_url()
    );
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
    running.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
