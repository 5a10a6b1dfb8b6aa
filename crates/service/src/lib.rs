//! The keeper as the shells run it: [`SdkConnect`] (the engine's AWS ports
//! on the real SDK clients, built per region with the home's files),
//! [`keeper_for`] / [`keeper_in`] (a keeper for one AWS home with its
//! sign-in surroundings, from the process [`Environment`] or one with
//! overrides), [`take_lock`] (one keeper per home) and [`serve_socket`]
//! (the local socket other processes talk to). `leasekeeper daemon` and
//! the tray app both assemble their keeper here, and both run it through
//! [`run_keeper`] (keeper, lock, socket, sleep signals, the loop on the
//! system clock), so they behave the same.
//!
//! Every operation a person can ask for (the snapshot shown, sign-in,
//! sign-out, an MFA code, a refresh, the settings, the keys for
//! `credential_process` and setting up a profile for it) is performed in
//! [`ops`]; the shells only parse, call and render.
//!
//! Both shells also share [`demo`] (the embedded sandbox in a temporary
//! world).

mod assemble;
mod connect;
pub mod demo;
mod env;
pub mod ops;
mod run_keeper;
mod snapshot;

pub use assemble::{
    KeeperSocket, keeper_for, keeper_in, log_event, serve_socket, sign_in_env, take_lock,
};
pub use connect::SdkConnect;
pub use env::Environment;
pub use run_keeper::{KeeperShell, RunError, run_keeper};
pub use snapshot::snapshot_now;
