//! Exit codes, documented in the README; scripts branch on them.

use std::process::ExitCode;

/// Everything selected is usable (or renews by itself).
pub const OK: u8 = 0;
/// Leasekeeper itself failed (a file it must write, a network error, …).
pub const FAILURE: u8 = 1;
/// The command line is wrong, or names a profile that does not exist.
pub const USAGE: u8 = 2;
/// A selected profile is expired or needs a sign-in: the person must act.
pub const ACTION_NEEDED: u8 = 3;
/// A selected profile cannot be used as written (see its errors).
pub const PROFILE_ERROR: u8 = 4;

pub fn code(value: u8) -> ExitCode {
    ExitCode::from(value)
}
