//! The keeper running for real: the I/O around the engine's pure
//! [`leasekeeper_engine::keeper::step`].
//!
//! - [`run`]: the loop — wall time, monotonic time and sleeping from the
//!   [`KeeperClock`] it is given ([`clock`]: the system's in the shells,
//!   tokio's paused clock in tests), files re-stamped every
//!   tick ([`watch`]), the settings file ([`settings_file`]), sleeps of the
//!   engine's `next_wake` (never more than its tick), renewals as tasks
//!   ([`exec`], through the AWS ports), keys held in memory by node id
//!   (never logged), each step's writes applied as one plan ([`write`]).
//! - [`home_lock`]: one keeper per AWS home.
//!
//! Every renewal or token refresh started is reported back to the engine
//! exactly once, also when its task fails.

pub mod clock;
pub mod exec;
pub mod home_lock;
pub mod mfa_prompt;
pub mod mfa_store;
mod perform;
pub mod run;
pub mod settings_file;
pub mod watch;
pub mod write;

pub use clock::KeeperClock;
pub use exec::Connect;
pub use run::{Keeper, KeeperConfig, Mode, Report};
