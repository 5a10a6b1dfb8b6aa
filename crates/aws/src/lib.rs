//! Leasekeeper's AWS port: the engine's [`leasekeeper_engine::ports`] for
//! SSO OIDC, the SSO portal and STS, on the AWS SDK for Rust.
