//! The AWS port against the sandbox over real HTTP(S): the SDK clients as
//! Leasekeeper builds them, driven by the engine's flows with the real
//! file store, and aws-sdk-rust's own SSO provider reading our token file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

mod aws {
    pub mod common;
    mod flows;
    mod rust_sdk;
    mod transport;
}
