//! One file per subcommand.

pub mod sandbox;
pub mod status;
