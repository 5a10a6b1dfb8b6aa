//! A sign-in a notification's "Sign in" button (or the tray's menu)
//! started, its progress told in notifications: the same in the daemon and
//! the tray. The person clicked, so the browser may open now; where none
//! can, the device code or the address is shown instead. One sign-in per
//! session at a time: a second click while one runs does nothing.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use leasekeeper_engine::ports::{DeviceCodePrompt, Notice};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::notify::Notifications;

use super::Target;
use super::sign_in::{SignInError, SignInRequest, SignInShell, sign_in};
use crate::Environment;

/// Tells a sign-in's progress in notifications: one for the sign-in, each
/// step replacing the one before, and its end replacing the last.
#[derive(Debug)]
pub struct Notified<'a> {
    pub notifications: &'a Notifications,
    /// What the sign-in is to, as the person asked (the notifications' key).
    pub name: &'a str,
}

impl Notified<'_> {
    fn tell(&self, _target: &str, summary: String, body: String) {
        self.notifications
            .plain(Some(&progress_key(self.name)), summary, body);
    }
}

/// The key of a sign-in's progress notifications.
fn progress_key(name: &str) -> String {
    format!("sign-in:{name}")
}

impl SignInShell for Notified<'_> {
    fn show_device_code(&self, p: &DeviceCodePrompt<'_>) {
        self.tell(
            p.target,
            format!("Sign in to {}", p.target),
            format!(
                "Open {} and enter the code {}",
                p.verification_uri, p.user_code
            ),
        );
    }

    fn continue_in_browser(&self, target: &str, _url: &str) {
        self.tell(
            target,
            format!("Sign in to {target}"),
            "Continue in your browser".to_owned(),
        );
    }

    fn show_sign_in_url(&self, target: &str, url: &str) {
        self.tell(
            target,
            format!("Sign in to {target}"),
            format!("Open this address in a browser on this machine: {url}"),
        );
    }

    fn notice(&self, notice: &Notice) {
        let body = match notice {
            Notice::BrowserFailed { reason } => format!("Could not open a browser ({reason})"),
            Notice::UsingDeviceCode { reason } => {
                format!("Using a device code instead of the browser ({reason})")
            }
            Notice::StillWaiting { error_code } => {
                format!("Lost contact with IAM Identity Center ({error_code}); still waiting")
            }
            Notice::JoiningOther { target, holder, .. } => {
                format!("A sign-in to {target} already runs in {holder}; waiting for it")
            }
        };
        self.tell(self.name, format!("Signing in to {}", self.name), body);
    }
}

/// The sessions being signed in to from here.
#[derive(Debug, Clone, Default)]
pub struct Running(Arc<Mutex<BTreeSet<String>>>);

impl Running {
    /// Takes `name` for a sign-in; `false` when one already runs.
    pub fn begin(&self, name: &str) -> bool {
        self.0
            .lock()
            .map(|mut s| s.insert(name.to_owned()))
            .unwrap_or(false)
    }

    pub fn end(&self, name: &str) {
        if let Ok(mut s) = self.0.lock() {
            s.remove(name);
        }
    }
}

/// Signs in to `target` in the browser (PKCE; a device code where no
/// browser can be used), telling its progress and its end in
/// notifications. `holder` names this process to others. Returns the
/// session signed in to, or why not (for logs).
pub async fn sign_in_notified(
    target: Target,
    paths: &AwsPaths,
    env: &Environment,
    notifications: &Notifications,
    holder: String,
) -> Result<String, String> {
    let name = match &target {
        Target::Session(n) | Target::Profile(n) | Target::Named(n) => n.clone(),
        Target::Default => "the sign-in session".to_owned(),
    };
    let request = SignInRequest {
        target,
        use_device_code: false,
        open_browser: true,
        holder,
    };
    let shell = Notified {
        notifications,
        name: &name,
    };
    let done = sign_in(paths, env, &request, &shell, std::future::pending())
        .await
        .map_err(|e| match e {
            e @ (SignInError::Target(_) | SignInError::Environment(_)) => e.to_string(),
            e => format!("{e} [{}]", e.code()),
        });
    let key = progress_key(&name);
    match &done {
        Ok(d) => {
            notifications.signed_in(&d.session);
            notifications.plain(
                Some(&key),
                format!("Signed in to {}", d.signed.target),
                "Its profiles renew from now on.",
            );
        }
        Err(why) => {
            notifications.plain(Some(&key), format!("Cannot sign in to {name}"), why.clone())
        }
    }
    done.map(|d| d.signed.target)
}
