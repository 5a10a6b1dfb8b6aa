//! The async runtime of one command.

use anyhow::Context as _;

/// A runtime for one command: two workers leave room for the browser.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
