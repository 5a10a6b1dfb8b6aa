//! The keeper as the shells run it: [`SdkConnect`] (the engine's AWS ports
//! on the real SDK clients, built per region with the home's files),
//! [`keeper_for`] (a keeper for one AWS home with its sign-in surroundings),
//! [`take_lock`] (one keeper per home) and [`serve_socket`] (the local
//! socket other processes talk to). `leasekeeper daemon` and the tray app
//! both assemble their keeper here, so they behave the same.

mod assemble;
mod connect;

pub use assemble::{KeeperSocket, keeper_for, log_event, serve_socket, take_lock};
pub use connect::SdkConnect;
