//! A profile's keys for any AWS SDK, without a profile or a binary of ours
//! on its side: the local container-credentials endpoint
//! (`host::endpoint`) serving what [`super::credential_process`] gives
//! (from the running keeper, which renews at half life; else resolved here
//! under the same locks and cache, so AWS sees the scheduled renewals, not
//! one call per request). `exec` runs a command on it, `serve` keeps it
//! for processes started elsewhere, `env` prints the keys once.
//!
//! [`prepare`] checks the profile, that nothing in the person's files
//! would win over the endpoint in an SDK's chain (a `[default]` with
//! credentials of its own), and binds the endpoint; [`child_env`] is what a
//! child's environment gets and loses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use leasekeeper_engine::load;
use leasekeeper_engine::profiles::{FileKind, Profile};
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::endpoint::{Answer, Endpoint, KeySource, Served};

use super::credential_process::{self, Outcome};
use crate::Environment;

/// Variables removed from a child's environment: each would win over the
/// endpoint in some SDK's chain.
pub const SHADOWING: [&str; 10] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
];

/// Keys of a `[default]` profile that make it yield credentials of its own.
const CREDENTIAL_KEYS: [&str; 7] = [
    "aws_access_key_id",
    "sso_session",
    "sso_start_url",
    "credential_process",
    "role_arn",
    "web_identity_token_file",
    "credential_source",
];

/// Why nothing is served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("no profile named {0:?} in the AWS config or credentials file")]
    UnknownProfile(String),
    #[error(
        "the [default] profile{} has credentials of its own (`{key}`), and every AWS SDK uses them before the endpoint: run with `--profile default`, or move them to a profile of another name",
        origin.as_ref().map(|(p, l)| format!(" in {} (line {l})", p.display())).unwrap_or_default()
    )]
    DefaultShadows {
        key: String,
        origin: Option<(PathBuf, u32)>,
    },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

impl ServeError {
    pub fn code(&self) -> &'static str {
        match self {
            ServeError::UnknownProfile(_) => "unknown_profile",
            ServeError::DefaultShadows { .. } => "default_shadows",
            ServeError::Bind { .. } => "bind_failed",
        }
    }
}

/// The keys of one profile, fetched for each request.
#[derive(Debug)]
pub struct ProfileKeys {
    paths: AwsPaths,
    env: Environment,
    profile: String,
    account_id: Option<String>,
    /// One request resolves at a time: the others wait here, without
    /// holding a worker thread on the cache's file lock, and then read the
    /// keys it left in the cache.
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl KeySource for ProfileKeys {
    async fn keys(&self) -> Answer {
        let _turn = self.one_at_a_time.lock().await;
        match credential_process::credential_process(&self.paths, &self.env, &self.profile).await {
            Ok(Outcome::Keys(k)) => Answer::Keys(Served {
                access_key_id: k.access_key_id,
                secret_access_key: k.secret_access_key,
                session_token: k.session_token,
                expiration: k.expiration,
                account_id: self.account_id.clone(),
            }),
            Ok(Outcome::MustAct(m)) => Answer::MustAct {
                code: m.reason.code().to_owned(),
                message: m.message,
            },
            Err(e) => Answer::Failed {
                code: e.code().to_owned(),
                message: e.to_string(),
            },
        }
    }
}

/// An endpoint ready to serve a profile.
#[derive(Debug)]
pub struct Prepared {
    pub endpoint: Endpoint,
    pub source: Arc<ProfileKeys>,
    /// The profile's `region`, for `AWS_REGION` and `AWS_DEFAULT_REGION`.
    pub region: Option<String>,
}

/// Checks `profile` and what would shadow the endpoint, and binds it on
/// 127.0.0.1:`port` (0: any free port).
pub async fn prepare(
    paths: &AwsPaths,
    env: &Environment,
    profile: &str,
    port: u16,
) -> Result<Prepared, ServeError> {
    let snapshot = load::snapshot(&aws_files::read(paths));
    let p = snapshot
        .set
        .profile(profile)
        .ok_or_else(|| ServeError::UnknownProfile(profile.to_owned()))?;
    if profile != "default" {
        if let Some(default) = snapshot.set.profile("default") {
            if let Some(key) = CREDENTIAL_KEYS
                .iter()
                .find(|k| default.get_nonempty(k).is_some())
            {
                let origin = default
                    .props
                    .get(*key)
                    .and_then(|p| p.origin)
                    .or(default.origin)
                    .map(|o| {
                        let file = match o.file {
                            FileKind::Config => paths.config.clone(),
                            FileKind::Credentials => paths.credentials.clone(),
                        };
                        (file, o.line)
                    });
                return Err(ServeError::DefaultShadows {
                    key: (*key).to_owned(),
                    origin,
                });
            }
        }
    }
    let endpoint = Endpoint::bind(port)
        .await
        .map_err(|source| ServeError::Bind { port, source })?;
    Ok(Prepared {
        endpoint,
        source: Arc::new(ProfileKeys {
            paths: paths.clone(),
            env: env.clone(),
            profile: profile.to_owned(),
            account_id: account_of(p),
            one_at_a_time: tokio::sync::Mutex::new(()),
        }),
        region: p.get_nonempty("region").map(str::to_owned),
    })
}

/// The account the profile's keys belong to, when the files say.
fn account_of(p: &Profile) -> Option<String> {
    if let Some(id) = p.get_nonempty("sso_account_id") {
        return Some(id.to_owned());
    }
    // arn:aws:iam::111122223333:role/Name
    let arn = p.get_nonempty("role_arn")?;
    let id = arn.split(':').nth(4)?;
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_owned())
}

/// How a child gets the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPlace {
    /// In `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    Variable,
    /// In this 0600 file, named by `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    File(PathBuf),
}

/// What a child's environment loses (`remove`) and gets (`set`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildEnv {
    pub remove: Vec<&'static str>,
    pub set: Vec<(&'static str, String)>,
}

/// The endpoint at `url` with `token`, placed as `place`, and the
/// profile's `region`.
pub fn child_env(url: &str, token: &str, place: &TokenPlace, region: Option<&str>) -> ChildEnv {
    let mut set = vec![("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.to_owned())];
    let mut remove: Vec<&'static str> = SHADOWING.to_vec();
    match place {
        TokenPlace::Variable => set.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN", token.to_owned())),
        TokenPlace::File(path) => {
            remove.push("AWS_CONTAINER_AUTHORIZATION_TOKEN");
            remove.retain(|v| *v != "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
            set.push((
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                path.display().to_string(),
            ));
        }
    }
    if let Some(region) = region {
        set.push(("AWS_REGION", region.to_owned()));
        set.push(("AWS_DEFAULT_REGION", region.to_owned()));
    }
    ChildEnv { remove, set }
}

/// Writes `token` to a new 0600 file `path` (its folder made 0700).
pub fn write_token(path: &Path, token: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        leasekeeper_host::atomic::create_private_dir(dir)?;
    }
    leasekeeper_host::atomic::write_atomic_mode(path, token.as_bytes(), 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_loses_what_would_win_over_the_endpoint_and_gets_it_and_the_region() {
        let e = child_env(
            "http://127.0.0.1:4/p",
            "tok",
            &TokenPlace::Variable,
            Some("eu-west-1"),
        );
        for v in [
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            "AWS_ROLE_ARN",
        ] {
            assert!(e.remove.contains(&v), "{v}");
        }
        assert!(
            e.set
                .contains(&("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok".into()))
        );
        assert!(e.set.contains(&("AWS_DEFAULT_REGION", "eu-west-1".into())));
        let f = child_env("u", "tok", &TokenPlace::File("/t".into()), None);
        assert!(f.remove.contains(&"AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        assert!(!f.remove.contains(&"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
        assert!(
            f.set
                .contains(&("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t".into()))
        );
        assert!(!f.set.iter().any(|(k, _)| k.contains("REGION")));
    }
}
