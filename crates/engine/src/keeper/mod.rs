//! The keeper's pure core: deciding what to renew, when, and what to warn
//! about. The host runs a thin loop around [`step`]; everything it decides
//! comes back as [`Action`]s, so the decisions are tested with a manual
//! clock and no I/O.
//!
//! - [`graph`]: the renewal graph built from a snapshot and the settings —
//!   one node per source of credentials, shared by every profile over it.
//! - [`policy`]: every timing constant, divided by the time scale.
//! - [`step`]: renew at half life on AWS's clock, parents first, one call in
//!   flight per node, at most `concurrency` at once, retries with backoff and
//!   jitter, sleep and clock jumps noticed within a tick, warnings at each
//!   lead, our credentials-file sections written and removed.
//! - [`Input`], [`Action`], [`EngineEvent`]: what goes in, what comes out.
//! - [`ProfileRenewal`]: how each managed profile's renewal stands.
//! - [`PersonNeed`]: a client of the keeper (`credential-process`) asking it
//!   to tell the person, de-duplicated with the keeper's own announcements.
//!
//! The host holds the keys it obtains by [`NodeId`]; the engine never sees
//! them. Nothing here opens a browser or asks for a sign-in by itself: a
//! session that needs one is told ([`EngineEvent::LoginNeeded`]) and its
//! profiles wait.

mod action;
mod announce;
mod asked;
mod clock;
mod event;
pub mod graph;
mod input;
mod mfa;
mod outcome;
pub mod policy;
mod schedule;
mod sections;
pub mod signature;
mod state;
mod status;
mod step;
mod wake;
mod warn;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use action::{Action, Call, RemoveReason};
pub use announce::{Announce, Announcer, Notice, NoticeAction, Topic};
pub use asked::{PersonNeed, REASK_AFTER};
pub use event::{EngineEvent, WakeSummary, Warning, WarningKind};
pub use graph::{Graph, ManagedProfile, NodeId, NodeKind, Skip};
pub use input::{Command, Failure, Files, Finished, Input, MFA_CODE_NEEDED, Outcome, WriteFailure};
pub use mfa::{MFA_CODE_REUSE_STEPS, MFA_CODE_STEP, MfaCode};
pub use policy::Policy;
pub use state::KeeperState;
pub use status::{ProfileRenewal, RenewalState};
pub use step::{StepOutput, step};
