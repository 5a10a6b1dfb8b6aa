//! The AWS port against the sandbox over real HTTP(S): the SDK clients as
//! Leasekeeper builds them, driven by the engine's flows with the real
//! file store, and aws-sdk-rust's own SSO provider reading our token file.

mod aws {
    pub mod common;
    mod flows;
    mod rust_sdk;
    mod transport;
}
