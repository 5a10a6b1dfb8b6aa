//! The sandbox against clients we did not write: aws-sdk-rust's STS, SSO
//! and SSO OIDC clients in process, botocore and AWS CLI v1 from the
//! project's virtualenv, and raw sockets for hostile input. One test binary,
//! one module per topic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

#[path = "sandbox/aws_config.rs"]
mod aws_config;
#[path = "sandbox/common.rs"]
mod common;
#[path = "sandbox/federation.rs"]
mod federation;
#[path = "sandbox/mfa.rs"]
mod mfa;
#[path = "sandbox/pkce.rs"]
mod pkce;
#[path = "sandbox/python.rs"]
mod python;
#[path = "sandbox/robust.rs"]
mod robust;
#[path = "sandbox/sign_in.rs"]
mod sign_in;
#[path = "sandbox/sts.rs"]
mod sts;
#[path = "sandbox/tls.rs"]
mod tls;
