//! Computing the new bytes of files Leasekeeper writes into. Pure: the
//! current bytes come in, the new bytes and a report of what changed go out;
//! the host does the locking, the re-check and the atomic replace.
//!
//! - [`config`]: a new profile appended to `~/.aws/config`, every other
//!   byte kept.
//! - [`credentials`]: our sections of `~/.aws/credentials`, written so that
//!   every byte outside them stays as it was.
//! - [`sync`]: profiles generated from what a sign-in session gives, added
//!   and (when asked) pruned, every other byte kept.

pub mod config;
pub mod credentials;
pub mod sync;
