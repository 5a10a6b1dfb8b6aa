//! The files at a moment, as the shells show them: the parsed AWS files
//! plus Leasekeeper's sign-in records and the session-length estimates
//! from the settings, so an SSO lease ends at the estimated end of its
//! sign-in rather than at the client registration's expiry.

use leasekeeper_engine::load;
use leasekeeper_engine::settings::Settings;
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::signin::SignInEnv;

use crate::Environment;

/// Reads the files at `paths` now, with the sign-in records from the state
/// folder `env` names and the session lengths divided by `scale` (the time
/// scale the shell's other leads are divided by). Reading the token cache
/// records when each sign-in was first seen (the estimate of a sign-in
/// another tool made counts from then). Without a state folder the
/// registration's expiry is an upper bound; with an unreadable settings
/// file the default session length is used.
pub fn snapshot_now(paths: &AwsPaths, env: &Environment, scale: f64) -> Snapshot {
    let mut snapshot = load::snapshot(&aws_files::read(paths));
    let Ok(signin) = SignInEnv::from_env(env.lookup(), paths) else {
        return snapshot;
    };
    let text = settings_path(env.lookup()).and_then(|p| std::fs::read_to_string(p).ok());
    let settings = Settings::parse(text.as_deref().unwrap_or("")).0;
    let now = leasekeeper_engine::ports::Clock::now(&leasekeeper_host::clock::SystemClock);
    snapshot.sign_ins = signin.sign_ins(&snapshot, &settings, now, true, scale);
    snapshot
}
