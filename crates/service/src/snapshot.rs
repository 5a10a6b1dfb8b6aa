//! The files at a moment, as the tray shows them: [`crate::ops::snapshot`]
//! with the session lengths scaled as the tray's other leads are.

use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::AwsPaths;

use crate::Environment;
use crate::ops::snapshot::{Moment, snapshot};

/// Reads the files at `paths` now, with the sign-in records from the state
/// folder `env` names and the session lengths divided by `scale` (the time
/// scale the shell's other leads are divided by).
pub fn snapshot_now(paths: &AwsPaths, env: &Environment, scale: f64) -> Snapshot {
    snapshot(paths, env, Moment::scaled(scale)).snapshot
}
