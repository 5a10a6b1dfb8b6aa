//! The keeper as the shells run it: [`SdkConnect`] (the engine's AWS ports
//! on the real SDK clients, built per region with the home's files),
//! [`keeper_for`] / [`keeper_in`] (a keeper for one AWS home with its
//! sign-in surroundings, from the process [`Environment`] or one with
//! overrides), [`take_lock`] (one keeper per home) and [`serve_socket`]
//! (the local socket other processes talk to). `leasekeeper daemon` and
//! the tray app both assemble their keeper here, so they behave the same.
//!
//! Both shells also share [`signin`] (the AWS clients for a sign-in, and
//! telling a running keeper about it) and [`demo`] (the embedded sandbox
//! in a temporary world).

mod assemble;
mod connect;
pub mod demo;
mod env;
pub mod signin;
mod snapshot;

pub use assemble::{
    KeeperSocket, keeper_for, keeper_in, log_event, serve_socket, sign_in_env, take_lock,
};
pub use connect::SdkConnect;
pub use env::Environment;
pub use snapshot::snapshot_now;
