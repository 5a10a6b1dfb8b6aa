//! `leasekeeper sandbox`: serve the local AWS world (see crates/sandbox and
//! docs/SANDBOX.md). Prints the `export`/`unset` lines that point AWS clients
//! at it on stdout once it is ready (nothing else goes to stdout, so
//! `eval "$(…)"` and tests can read them), talks to people on stderr, and
//! runs until SIGINT or SIGTERM.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_sandbox::{Faults, Sandbox, SandboxConfig, World};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Write DIR/config, DIR/credentials and DIR/home for the world and print
    /// the lines that use them
    #[arg(long, value_name = "DIR")]
    write_config: Option<PathBuf>,
    /// The world to serve (TOML, or JSON by its .json extension); default: the built-in world
    #[arg(long, value_name = "FILE")]
    world: Option<PathBuf>,
    /// Print the built-in world as TOML and exit (a starting point for --world)
    #[arg(long, conflicts_with_all = ["world", "write_config"])]
    print_world: bool,
    /// Make every lifetime the sandbox grants pass N times faster
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    speed: f64,
    /// Approve every sign-in at once instead of waiting on the approval page
    #[arg(long)]
    auto_approve: bool,
    /// Serve HTTPS with a certificate from a CA written to DIR (needs --write-config)
    #[arg(long, requires = "write_config")]
    tls: bool,
    /// Share of API requests answered with a throttling error (0 to 1)
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    throttle_rate: f64,
    /// Share of API requests answered with a 500 error (0 to 1)
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    error_rate: f64,
    /// Share of API connections closed without an answer (0 to 1)
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    drop_rate: f64,
    /// Milliseconds added before every API answer
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// Seconds the sandbox's clock is off (negative: behind)
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    date_skew_secs: i64,
    /// The access portal's rate limit in calls per second (0: the world
    /// file's, else none); past it the portal answers 429
    /// TooManyRequestsException
    #[arg(long, value_name = "N", default_value_t = 0)]
    portal_calls_per_second: u32,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.print_world {
        print!("{}", World::default().to_toml());
        return Ok(ExitCode::SUCCESS);
    }
    let world = match &args.world {
        Some(path) => World::from_file(path)?,
        None => World::default(),
    };
    let config = SandboxConfig {
        world,
        port: args.port,
        speed: args.speed,
        auto_approve: args.auto_approve,
        faults: Faults {
            throttle_rate: args.throttle_rate,
            error_rate: args.error_rate,
            drop_rate: args.drop_rate,
            latency_ms: args.latency_ms,
            date_skew_secs: args.date_skew_secs,
            portal_calls_per_second: args.portal_calls_per_second,
        },
        tls: args.tls,
        ..SandboxConfig::default()
    };
    // The sandbox serves on its own runtime; two worker threads match the
    // machines it is benchmarked on and leave room for the clients.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(config, args.write_config))
}

async fn serve(config: SandboxConfig, dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    // The SDKs ignore every AWS_ENDPOINT_URL_* variable when this is true and
    // would call real AWS; the printed lines unset it, but say so too.
    if std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        eprintln!(
            "leasekeeper sandbox: warning: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true makes AWS clients ignore the sandbox and call real AWS; the lines below unset it"
        );
    }
    // Listen for SIGINT and SIGTERM before anything else, so a stop request
    // that comes early still ends the sandbox cleanly.
    use tokio::signal::unix::{SignalKind, signal};
    let int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    let term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let running = Sandbox::start(config).await?;
    let lines = match &dir {
        Some(dir) => running
            .write_config(dir)
            .with_context(|| format!("cannot write the sandbox's files to {}", dir.display()))?,
        None => leasekeeper_sandbox::endpoint_lines(running.base_url()),
    };
    let mut out = std::io::stdout().lock();
    for line in &lines {
        writeln!(out, "{line}").context("cannot write to stdout")?;
    }
    out.flush().context("cannot write to stdout")?;
    drop(out);
    eprintln!(
        "leasekeeper sandbox: serving {} (approval page: {}/_sandbox/)",
        running.base_url(),
        running.base_url()
    );
    if let Some(dir) = &dir {
        eprintln!(
            "leasekeeper sandbox: profiles are in {}; load the lines above into a shell (for example, start the sandbox with `> sandbox.env &` and run `. ./sandbox.env`), then try `leasekeeper status` or `aws sts get-caller-identity --profile alice`",
            dir.join("config").display()
        );
    }
    eprintln!("leasekeeper sandbox: stop with Ctrl-C");
    wait_for_signal(int, term).await?;
    eprintln!("leasekeeper sandbox: stopping");
    running.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal(
    mut int: tokio::signal::unix::Signal,
    mut term: tokio::signal::unix::Signal,
) -> anyhow::Result<()> {
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
    Ok(())
}
