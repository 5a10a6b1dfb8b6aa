//! One file per subcommand.

pub mod sandbox;
