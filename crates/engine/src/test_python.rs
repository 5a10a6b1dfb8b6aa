//! The Python interpreter whose botocore the engine's tests check their
//! claims against: `LEASEKEEPER_PYTHON`, else the project's `.venv`.

use std::path::PathBuf;

/// The interpreter; fails the test, saying how to get one, when it is missing.
#[allow(
    clippy::disallowed_methods,
    reason = "a test picks its interpreter from the environment"
)]
pub(crate) fn python(why: &str) -> PathBuf {
    let python = std::env::var_os("LEASEKEEPER_PYTHON").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../.venv/bin/python"
            ))
        },
        PathBuf::from,
    );
    assert!(
        python.exists(),
        "{} not found: botocore is needed to {why}, run scripts/setup.sh",
        python.display()
    );
    python
}
