//! Leasekeeper's host: the real adapters the shells share. The engine decides;
//! this crate touches the operating system for it.
//!
//! [`aws_files`] reads a person's AWS files into the engine's
//! [`leasekeeper_engine::load::LoadInput`].

pub mod aws_files;
