//! "Open console" from the tray menu: `ops::console` on a thread of its own
//! (it may wait on the keeper's socket, a file lock or the browser), and a
//! notification with what the person should know, or what to do when it
//! could not open. The sign-in URL goes only to the browser, through the
//! one-shot loopback redirect.

use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::browser::SystemBrowser;
use leasekeeper_host::notify::Notifications;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::console::{self, ConsoleRequest};

/// Opens the console as `profile`; says so in a notification either way.
pub fn open(
    profile: String,
    paths: AwsPaths,
    env: Environment,
    notices: Notifications,
    runtime: tokio::runtime::Handle,
) {
    let spawned = std::thread::Builder::new()
        .name("console".into())
        .spawn(move || {
            let req = ConsoleRequest {
                profile: profile.clone(),
                ..Default::default()
            };
            let browser = SystemBrowser::from_env(env.lookup());
            let result = runtime.block_on(console::open_as(&paths, &env, &req, &browser));
            let key = format!("console:{profile}");
            match result {
                Ok(login) => {
                    let mut body = vec![format!("Signed in as {}.", login.arn)];
                    body.extend(login.notes.iter().map(|n| format!("Note: {}.", n.message())));
                    notices.plain(Some(&key), format!("Console opened as {profile}"), body.join("\n"));
                }
                Err(e) => {
                    tracing::warn!(profile = %profile, code = e.code(), error = %e, "cannot open the console");
                    notices.plain(
                        Some(&key),
                        format!("Cannot open the console as {profile}"),
                        e.to_string(),
                    );
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start opening the console");
    }
}
