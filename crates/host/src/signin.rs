//! What a shell needs for the sign-in flows, from its environment: the time
//! scale (`LEASEKEEPER_TIME_SCALE`), the state folder, the browser, the
//! custom CA bundle (`AWS_CA_BUNDLE`, else the profile's `ca_bundle`), and
//! the [`FileStore`] over the SSO token cache and the state folder, and the
//! recorded sign-ins a status estimates sign-in ends from
//! ([`SignInEnv::sign_ins`]).

use std::ffi::OsString;
use std::path::PathBuf;

use leasekeeper_engine::ports::{Store, StoreFile};
use leasekeeper_engine::profiles::Profile;
use leasekeeper_engine::profiles::locations::{AwsPaths, expand_home};
use leasekeeper_engine::settings::Settings;
use leasekeeper_engine::signin::TimeScale;
use leasekeeper_engine::signin::records::SessionRecord;
use leasekeeper_engine::snapshot::{SignIns, Snapshot};

use crate::browser::SystemBrowser;
use leasekeeper_engine::proxy::Proxy;

use crate::state_dir::{STATE_DIR_ENV, state_dir};
use crate::store::FileStore;

/// Divides every policy constant (tests and demos set the sandbox's speed).
pub const TIME_SCALE_ENV: &str = "LEASEKEEPER_TIME_SCALE";
/// A PEM bundle of extra root certificates for every AWS call.
pub const CA_BUNDLE_ENV: &str = "AWS_CA_BUNDLE";

/// Why the environment cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error("{TIME_SCALE_ENV} must be a number above 0, got `{0}`")]
    BadTimeScale(String),
    #[error("cannot find the state folder: set {STATE_DIR_ENV}, XDG_STATE_HOME or HOME")]
    NoStateDir,
}

impl EnvError {
    pub fn code(&self) -> &'static str {
        match self {
            EnvError::BadTimeScale(_) => "bad_time_scale",
            EnvError::NoStateDir => "no_state_dir",
        }
    }
}

/// The sign-in's surroundings.
#[derive(Debug, Clone)]
pub struct SignInEnv {
    pub scale: TimeScale,
    pub state_dir: PathBuf,
    pub browser: SystemBrowser,
    /// The proxy for AWS calls: the environment's, unless the shell says
    /// otherwise (the tray app's settings).
    pub proxy: Proxy,
    ca_bundle_env: Option<PathBuf>,
    home: PathBuf,
    sso_cache: PathBuf,
}

impl SignInEnv {
    /// From an environment lookup and the AWS paths in use.
    pub fn from_env(
        env: impl Fn(&str) -> Option<OsString>,
        paths: &AwsPaths,
    ) -> Result<SignInEnv, EnvError> {
        let scale = match env(TIME_SCALE_ENV) {
            None => TimeScale::default(),
            Some(v) => {
                let text = v.to_string_lossy().into_owned();
                TimeScale::parse(&text).ok_or(EnvError::BadTimeScale(text))?
            }
        };
        let state_dir = state_dir(&env).ok_or(EnvError::NoStateDir)?;
        Ok(SignInEnv {
            scale,
            state_dir,
            browser: SystemBrowser::from_env(&env),
            proxy: Proxy::Environment,
            ca_bundle_env: env(CA_BUNDLE_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            home: paths.home.clone(),
            sso_cache: paths.sso_cache.clone(),
        })
    }

    /// The token cache and state files.
    pub fn store(&self) -> FileStore {
        FileStore::new(self.sso_cache.clone(), self.state_dir.clone())
    }

    /// Our sign-in records for the tokens in `snapshot` and the session
    /// lengths `settings` estimate, unscaled (as the status's other leads).
    /// A record that cannot be read counts as absent.
    pub fn sign_ins(&self, snapshot: &Snapshot, settings: &Settings) -> SignIns {
        let store = self.store();
        let records = snapshot
            .sso_tokens
            .keys()
            .filter_map(|key| {
                let bytes = store.read(&StoreFile::Session(key.clone())).ok()??;
                SessionRecord::parse(&bytes).map(|r| (key.clone(), r))
            })
            .collect();
        let lengths = settings
            .sso_sessions
            .iter()
            .map(|(name, s)| (name.clone(), s.session_length))
            .collect();
        SignIns {
            records,
            lengths,
            default_length: None,
        }
    }

    /// The CA bundle for AWS calls: `AWS_CA_BUNDLE`, else the profile's
    /// `ca_bundle` (a leading `~` is the home folder), as botocore reads them.
    pub fn ca_bundle(&self, profile: Option<&Profile>) -> Option<PathBuf> {
        self.ca_bundle_env.clone().or_else(|| {
            profile
                .and_then(|p| p.get_nonempty("ca_bundle"))
                .map(|p| expand_home(std::path::Path::new(p), &self.home))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn paths() -> AwsPaths {
        AwsPaths::from_env(|n| (n == "HOME").then(|| OsString::from("/h"))).unwrap()
    }

    #[test]
    fn the_environment_sets_scale_state_and_ca_bundle() {
        let vars = [
            (TIME_SCALE_ENV, "60"),
            (STATE_DIR_ENV, "/s"),
            (CA_BUNDLE_ENV, "/ca.pem"),
        ];
        let env = |n: &str| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| OsString::from(v))
        };
        let e = SignInEnv::from_env(env, &paths()).unwrap();
        assert_eq!(e.scale.factor(), 60.0);
        assert_eq!(e.state_dir, Path::new("/s"));
        let profile = Profile::from_pairs("p", [("ca_bundle", "~/corp.pem")]);
        assert_eq!(e.ca_bundle(Some(&profile)).unwrap(), Path::new("/ca.pem"));

        let env = |n: &str| (n == "HOME").then(|| OsString::from("/h"));
        let e = SignInEnv::from_env(env, &paths()).unwrap();
        assert_eq!(
            e.ca_bundle(Some(&profile)).unwrap(),
            Path::new("/h/corp.pem")
        );
        assert_eq!(e.ca_bundle(None), None);
        assert_eq!(e.state_dir, Path::new("/h/.local/state/leasekeeper"));

        let env = |n: &str| (n == TIME_SCALE_ENV).then(|| OsString::from("0"));
        let err = SignInEnv::from_env(env, &paths()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "LEASEKEEPER_TIME_SCALE must be a number above 0, got `0`"
        );
    }
}
