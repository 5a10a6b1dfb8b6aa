//! The command line: `leasekeeper-tray [--demo [--speed N]] [--open-window]`,
//! or `leasekeeper-tray --window` for the window process.

use clap::Parser;
use leasekeeper_service::demo::DEFAULT_SPEED;

/// This build: the version and the commit it was built from
/// (`--version`, the window's About).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("LEASEKEEPER_COMMIT"),
    ")"
);

/// Leasekeeper in the tray: every AWS lease at a glance, one-click sign-in.
#[derive(Debug, Clone, Parser)]
#[command(name = "leasekeeper-tray", version = VERSION)]
pub struct Args {
    /// Run against a local IAM Identity Center and STS (no AWS account
    /// needed) in a temporary AWS home; your ~/.aws is never touched
    #[arg(long)]
    pub demo: bool,
    /// With --demo: make every lifetime pass N times faster
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SPEED, requires = "demo")]
    pub speed: f64,
    /// Open the window at start
    #[arg(long, conflicts_with = "window")]
    pub open_window: bool,
    /// Run as the window process alone (the tray starts it on "Open
    /// Leasekeeper"): it follows the keeper of your AWS files over its
    /// socket and ends when the window closes
    #[arg(long, conflicts_with = "demo")]
    pub window: bool,
    /// With --window: open on the roles this sign-in session gives, to add
    /// profiles for them
    #[arg(long, value_name = "SESSION", requires = "window")]
    pub add_profiles: Option<String>,
}
