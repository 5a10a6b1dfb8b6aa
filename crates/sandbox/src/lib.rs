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
//! [`RunningSandbox`] (address, faults, approvals, shutdown), [`Faults`],
//! [`write_config`] for the AWS config files and `export` lines, and
//! [`totp`] for MFA codes.

mod clock;
mod error;
mod ids;
mod secret;
pub mod totp;
mod world;

pub use clock::Clock;
pub use error::SandboxError;
pub use secret::Secret;
pub use world::{
    Account, IdentityCenter, MfaDevice, PermissionSet, Role, User, World, principal_matches,
    sso_role_name,
};
