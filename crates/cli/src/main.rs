//! `leasekeeper`: the command line. Definition and glue only; the work is in
//! the library crates.

mod cmd;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "leasekeeper", version, about = "Keeps AWS credential leases alive")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a local IAM Identity Center and STS for demos and tests
    Sandbox(cmd::sandbox::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sandbox(args) => cmd::sandbox::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("leasekeeper: {err:#}");
            std::process::ExitCode::from(1)
        }
    }
}
