//! The real `leasekeeper` binary on temporary homes, one module per command.

mod cli {
    mod daemon_sandbox;
    mod demo;
    pub mod harness;
    mod login_browser;
    mod login_device;
    pub mod login_harness;
    mod login_interop;
    mod logout_cli;
    mod sandbox_command;
    mod status_example;
    mod status_files;
}
