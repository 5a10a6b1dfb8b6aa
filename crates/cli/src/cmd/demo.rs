//! `leasekeeper demo`: the whole product against the sandbox, with no AWS
//! account. A temporary folder holds the sandbox's config, credentials,
//! home, state and settings ([`Demo`], shared with the tray app's demo), so
//! the person's real `~/.aws` is never touched; it is removed when the demo
//! stops.

use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_engine::report::StatusReport;
use leasekeeper_service::demo::Demo;
use leasekeeper_service::ops::snapshot::{self, Moment};

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
    runtime.block_on(demo(&args))
}

async fn demo(args: &Args) -> anyhow::Result<ExitCode> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let running = Demo::start(args.speed).await?;
    println!(
        "Leasekeeper demo: a local IAM Identity Center and STS at {} (time runs {}x faster).",
        running.base_url(),
        args.speed
    );
    println!(
        "Its AWS files are in {}; your ~/.aws is not touched.\n",
        running.dir().display()
    );
    let status = snapshot::status(&running.paths, &running.env, Moment::now(), &[])?;
    let report = StatusReport::new(status.leases, status.problems, status.now);
    print!("{}", table::render(&report, Palette::auto()));
    if args.once {
        running.shutdown().await;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "\nTry it from another terminal while this runs:\n  . {}\n  leasekeeper login        # sign in to the sandbox's Identity Center\n  leasekeeper status       # watch the leases count down\n  aws sts get-caller-identity --profile alice\nSign-ins wait for your approval at {}/_sandbox/\nStop with Ctrl-C (the demo's files are removed).",
        running.env_file.display(),
        running.base_url()
    );
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
    running.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
