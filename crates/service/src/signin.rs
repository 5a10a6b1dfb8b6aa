//! What every shell's sign-in needs around the engine's flow: the AWS
//! clients for an SSO target ([`aws_for`]) and telling a running keeper
//! that a session was signed in to ([`tell_keeper`]), so the profiles
//! waiting on it renew at once.

use leasekeeper_aws::{Aws, AwsSettings, SetupError};
use leasekeeper_engine::signin::SsoTarget;
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{self, Client, Request};

/// The AWS clients for `target`: its region, and the endpoint and CA
/// settings of `profile` (the profile asked for, else the active one).
pub async fn aws_for(
    paths: &AwsPaths,
    env: &SignInEnv,
    snapshot: &Snapshot,
    target: &SsoTarget,
    profile: &str,
) -> Result<Aws, SetupError> {
    let known = snapshot.set.profile(profile);
    let settings = AwsSettings {
        region: target.region.clone(),
        profile: known.map(|_| profile.to_owned()),
        ca_bundle: env.ca_bundle(known),
        proxy: env.proxy.clone(),
        files: Some((paths.config.clone(), paths.credentials.clone())),
    };
    Aws::load(&settings).await
}

/// Tells the keeper of `paths`, if one runs, that `session` was signed in
/// to; without one, or when it does not answer, nothing is lost (a keeper
/// re-reads the token file within a tick anyway).
pub fn tell_keeper(env: &SignInEnv, paths: &AwsPaths, session: &str) {
    let path = socket::socket_path(&env.state_dir, paths);
    if let Ok(Some(mut client)) = Client::connect(&path) {
        let request = Request::SignedIn {
            session: session.to_owned(),
        };
        if let Err(e) = client.ask(&request, SHORT_TIMEOUT) {
            tracing::debug!(error = %e, "the keeper was not told about the sign-in");
        }
    }
}
