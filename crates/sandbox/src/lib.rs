//! A local IAM Identity Center and STS.
//!
//! `leasekeeper-sandbox` serves, on 127.0.0.1, the wire protocols of AWS STS
//! (query protocol, XML, SigV4-verified), SSO OIDC and the SSO portal
//! (restJson) closely enough that botocore, the AWS CLI and aws-sdk-rust
//! cannot tell it from AWS for the calls Leasekeeper makes. It is the demo
//! world a newcomer runs with no AWS account and the ground truth of the
//! project's tests. Its behaviour is written from AWS's documents (each rule
//! names its source) and it depends on no other crate of the project.
//!
//! Main types: [`World`] (accounts, roles, users, the Identity Center
//! instance), [`SandboxConfig`] and [`Sandbox::start`] returning a
//! [`RunningSandbox`] (address, faults, approvals, sessions, shutdown),
//! [`Faults`], [`write_config`] for the AWS files and `export` lines, and
//! [`totp`] for MFA codes. docs/SANDBOX.md describes the world file, the
//! admin endpoints, faults and speed.

mod admin;
mod clock;
mod config_file;
mod creds;
mod error;
mod faults;
mod ids;
mod oidc;
mod portal;
mod proxy;
mod secret;
mod server;
mod signin;
mod state;
mod sts;
pub mod totp;
mod wire;
mod world;

pub use clock::Clock;
pub use config_file::{
    ConfigTarget, ProfileSpec, SERVICES_SECTION, config_text, credentials_text, endpoint_lines,
    profiles, sso_profile_name, write_config,
};
pub use error::SandboxError;
pub use faults::Faults;
pub use oidc::state::{Decision, PendingSignIn, SessionInfo, SignInKind};
pub use proxy::ConnectProxy;
pub use secret::Secret;
pub use server::{MAX_SPEED, RunningSandbox, Sandbox, SandboxConfig};
pub use world::default::{
    ALICE_ACCESS_KEY_ID, ALICE_MFA_SERIAL, ALICE_SECRET_ACCESS_KEY, ALICE_TOTP_SECRET, DEV_ACCOUNT,
    PROD_ACCOUNT, VENDOR_EXTERNAL_ID,
};
pub use world::{
    Account, IdentityCenter, MfaDevice, PermissionSet, Role, User, World, principal_matches,
    sso_role_name,
};

/// Request bodies larger than this many bytes are refused.
pub const MAX_BODY_BYTES: usize = server::MAX_BODY;
