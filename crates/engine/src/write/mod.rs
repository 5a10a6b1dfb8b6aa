//! Computing the new bytes of files Leasekeeper writes into. Pure: the
//! current bytes come in, the new bytes and a report of what changed go out;
//! the host does the locking, the re-check and the atomic replace.
//!
//! - [`config`]: a new profile appended to `~/.aws/config`, every other
//!   byte kept.
//! - [`credentials`]: our sections of `~/.aws/credentials`, written so that
//!   every byte outside them stays as it was.

pub mod config;
pub mod credentials;
