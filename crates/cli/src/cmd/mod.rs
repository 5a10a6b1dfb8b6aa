//! One file per subcommand.

pub mod demo;
pub mod sandbox;
pub mod status;
