//! One file per subcommand.

pub mod demo;
pub mod login;
pub mod logout;
pub mod sandbox;
pub mod status;
