//! One file per subcommand.

pub mod console;
pub mod credential_process;
pub mod daemon;
pub mod demo;
pub mod doctor;
pub mod env;
pub mod exec;
pub mod generate;
pub mod login;
pub mod logout;
pub mod mfa;
pub mod profiles;
pub mod refresh;
pub mod sandbox;
pub mod serve;
pub mod settings;
pub mod setup_process;
pub mod status;
