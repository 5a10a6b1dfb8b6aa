//! The real `leasekeeper` binary on temporary homes, one module per command.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

mod cli {
    mod console;
    mod credential_process_keeper;
    mod credential_process_notify;
    mod credential_process_sandbox;
    mod daemon_clock;
    mod daemon_late;
    mod daemon_new_roles;
    mod daemon_notify;
    mod daemon_reader;
    mod daemon_sandbox;
    mod daemon_skew;
    mod daemon_sleep;
    mod daemon_socket;
    mod daemon_wake;
    mod demo;
    mod doctor;
    mod exec_endpoint;
    pub mod harness;
    mod hostile_homes;
    mod login_browser;
    mod login_device;
    pub mod login_harness;
    mod login_interop;
    mod logout_cli;
    mod mfa_sandbox;
    mod mfa_terminal;
    mod profiles_add_session;
    mod profiles_available;
    mod profiles_prune;
    mod profiles_sync;
    mod sandbox_command;
    mod settings_command;
    mod setup_process_config;
    mod status_estimate;
    mod status_example;
    mod status_files;
    mod status_first_seen;
}
