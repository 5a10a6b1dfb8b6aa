//! `leasekeeper sandbox`: serve the local AWS world (see crates/sandbox).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the sandbox is not available in this build")
}
