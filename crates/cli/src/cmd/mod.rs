//! One file per subcommand.

pub mod daemon;
pub mod demo;
pub mod login;
pub mod logout;
pub mod refresh;
pub mod sandbox;
pub mod status;
