//! Leasekeeper's engine: the domain, pure.
//!
//! Data flows load ([`profiles`]) → resolve → lease. The engine reads no clock,
//! no environment and no network: "now", the environment and file contents are
//! arguments, so every decision is testable with a manual clock.

pub mod available;
pub mod console;
pub mod doctor;
pub mod ini;
pub mod keeper;
pub mod lease;
pub mod load;
pub mod menu;
pub mod ports;
pub mod profiles;
pub mod proxy;
pub mod pyjson;
pub mod report;
pub mod resolve;
pub mod secret;
pub mod settings;
pub mod signin;
pub mod snapshot;
pub mod timefmt;

#[cfg(test)]
mod test_python;
pub mod write;

pub use secret::Secret;
