//! Signing in to IAM Identity Center, keeping the token fresh, fetching SSO
//! role credentials and signing out — the flows, written against the ports
//! in [`crate::ports`] so every step is tested with fakes and a manual clock.
//!
//! - [`target`]: what to sign in to ([`SsoTarget`]) and how the command line
//!   picks it.
//! - [`login`]: one sign-in (browser with PKCE by default for sso-sessions,
//!   the device code when asked, for legacy profiles, or when no browser can
//!   be opened), at most one per session across processes.
//! - [`refresh`]: silent refresh ahead of every other tool's window
//!   ([`policy`] holds the constants and the decision).
//! - [`role`]: GetRoleCredentials, with the portal's 401 handled.
//! - [`logout`]: the portal Logout call and the token file removed.
//! - [`token_file`]: the token cache file exactly as the AWS CLI writes it;
//!   [`records`]: our own state files.

pub mod browser;
pub mod device;
pub mod error;
pub mod login;
pub mod logout;
pub mod pkce;
pub mod policy;
pub mod records;
pub mod refresh;
pub mod registration;
pub mod role;
pub mod sighting;
pub mod target;
pub mod token_file;

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod sighting_tests;
#[cfg(test)]
pub(crate) mod testkit;

pub use error::{SessionOver, SignInError};
pub use login::{Flow, LoginOptions, SignedIn, login};
pub use logout::{SignedOut, logout};
pub use policy::TimeScale;
pub use refresh::{Refresh, refresh_if_due};
pub use role::role_credentials;
pub use target::{SsoTarget, TargetError};

use crate::ports::{Clock, SsoOidc, Store};

/// The ports every flow needs, and the time scale.
#[derive(Debug)]
pub struct SignInPorts<'a, O: SsoOidc, C: Clock, S: Store> {
    pub oidc: &'a O,
    pub clock: &'a C,
    pub store: &'a S,
    pub scale: TimeScale,
}
