//! Leasekeeper's host: the real adapters the shells share. The engine decides;
//! this crate touches the operating system for it.
//!
//! - [`aws_files`] reads a person's AWS files into the engine's
//!   [`leasekeeper_engine::load::LoadInput`].
//! - [`locked_edit`] is how every file is written: a plan function run
//!   under the file's sidecar lock ([`lock`]), the file re-checked and
//!   replaced atomically and owner-only ([`atomic`]); [`store::FileStore`]
//!   is the engine's `Store` port on its [`locked_edit::Locked`], over the
//!   SSO token cache and our [`state_dir`].
//! - [`loopback`] is the PKCE redirect listener, [`browser`] opens URLs,
//!   [`handoff`] gives the browser a secret URL through a one-shot redirect,
//!   [`clock`] holds the real clock and randomness, [`logging`] the stderr
//!   logger, and [`signin`] puts them together for a shell from its
//!   environment.
//! - [`credential_process`] gives one profile's keys to an SDK's
//!   `credential_process` without a keeper; [`config_file`] adds the
//!   profile that runs it to `~/.aws/config`.
//! - [`keeper`] runs the engine's keeper loop: files watched, renewals
//!   carried out, the credentials file written, one keeper per AWS home;
//!   [`socket`] is its local socket, which the commands talk to.
//! - [`notify`] shows the keeper's events as desktop notifications;
//!   [`sleep`] brings logind's sleep and resume signals to the loop.

pub mod atomic;
pub mod aws_files;
pub mod browser;
pub mod clock;
pub mod config_file;
pub mod credential_process;
pub mod endpoint;
pub mod handoff;
pub mod issued;
pub mod keeper;
pub mod lock;
pub mod locked_edit;
pub mod logging;
pub mod loopback;
pub mod notify;
pub mod procs;
pub mod signin;
pub mod sleep;
pub mod socket;
pub mod state_dir;
pub mod store;
