//! The real `leasekeeper-tray` end to end, as a desktop sees it: under Xvfb
//! (`xvfb-run -a`, through scripts/test.sh), each test on a private session
//! bus with a test StatusNotifierWatcher (the panel) and a test notification
//! server, the sandbox in this process as its AWS, and a temporary home.
//! The menu is read and clicked over dbusmenu, notifications are recorded
//! and their actions invoked over D-Bus.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

mod e2e {
    pub mod app;
    pub mod bus;
    pub mod dbusmenu;
    pub mod desk;
    pub mod notifications;
    pub mod procs;
    pub mod watcher;
    pub mod window_driver;

    mod console;
    mod host;
    mod instance;
    mod menu;
    mod processes;
    mod renewal;
    mod signin;
    mod wake;
    mod window_aws;
    mod window_cancel;
    mod window_console;
    mod window_doctor;
    mod window_leases;
    mod window_lifecycle;
    mod window_mfa;
    mod window_portal;
    mod window_scale;
    mod window_settings;
}
