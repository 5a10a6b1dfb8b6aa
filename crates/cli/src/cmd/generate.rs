//! `leasekeeper generate-files --out DIR` (hidden): the shell completions
//! and man pages the packages install, made from the command definitions of
//! `leasekeeper` and `leasekeeper-tray` so they never drift from them.
//!
//! Writes `DIR/completions/{bash,zsh,fish}/…` (for both programs) and
//! `DIR/man/*.1`: `leasekeeper.1`, one page per subcommand
//! (`leasekeeper-status.1`, …) and `leasekeeper-tray.1`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::exit;

/// The tray's command line, from the tray's own source.
#[allow(dead_code)]
#[path = "../../../../src-tauri/src/args.rs"]
mod tray_args;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write into (created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    for cmd in [crate::Cli::command(), tray_args::Args::command()] {
        completions(cmd.clone(), &args.out.join("completions"))?;
        let man = args.out.join("man");
        std::fs::create_dir_all(&man)
            .with_context(|| format!("cannot create {}", man.display()))?;
        clap_mangen::generate_to(cmd, &man)
            .with_context(|| format!("cannot write the man pages in {}", man.display()))?;
    }
    Ok(exit::code(exit::OK))
}

/// Writes `cmd`'s completion script for bash, zsh and fish under `dir`.
fn completions(mut cmd: clap::Command, dir: &Path) -> anyhow::Result<()> {
    let name = cmd.get_name().to_owned();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let to = dir.join(shell.to_string());
        std::fs::create_dir_all(&to).with_context(|| format!("cannot create {}", to.display()))?;
        clap_complete::generate_to(shell, &mut cmd, &name, &to)
            .with_context(|| format!("cannot write the {shell} completion in {}", to.display()))?;
    }
    Ok(())
}
