//! Where a person's AWS files are, from an environment handed in by the
//! caller (the engine never reads the process environment itself).
//!
//! The rules are the SDKs' on Linux and macOS: the home folder is `HOME`; the
//! config file is `AWS_CONFIG_FILE` or `~/.aws/config`; the credentials file
//! is `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`; a `~` as the
//! first component of those variables is the home folder (`~user` is not
//! expanded, as in aws-sdk-rust). A variable set to the empty string names no
//! file, as in both botocore and aws-sdk-rust, so it reads as a missing file.
//! The SSO token cache and the AWS CLI cache have no variable: they follow
//! the home folder.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// Names the config file instead of `~/.aws/config`.
pub const CONFIG_FILE_ENV: &str = "AWS_CONFIG_FILE";
/// Names the credentials file instead of `~/.aws/credentials`.
pub const CREDENTIALS_FILE_ENV: &str = "AWS_SHARED_CREDENTIALS_FILE";
/// The home folder.
pub const HOME_ENV: &str = "HOME";
/// The profile SDKs use when none is named.
pub const PROFILE_ENV: &str = "AWS_PROFILE";

/// The profile an SDK uses when a command names none: `AWS_PROFILE`, else
/// `default`.
pub fn active_profile(env: impl Fn(&str) -> Option<OsString>) -> String {
    env(PROFILE_ENV)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "default".to_owned())
}

/// Every AWS path Leasekeeper reads or writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsPaths {
    pub home: PathBuf,
    pub config: PathBuf,
    pub credentials: PathBuf,
    /// `<home>/.aws/sso/cache`: SSO tokens, `<sha1>.json` each.
    pub sso_cache: PathBuf,
    /// `<home>/.aws/cli/cache`: the AWS CLI's role credentials.
    pub cli_cache: PathBuf,
}

/// Why the paths cannot be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    /// Without a home folder there is no `~/.aws`.
    #[error("cannot find the home folder: HOME is not set")]
    NoHome,
}

impl LocationError {
    /// A stable identifier for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            LocationError::NoHome => "no_home",
        }
    }
}

impl AwsPaths {
    /// The paths for the environment `env` (a lookup such as
    /// `|name| std::env::var_os(name)` in a shell, a map in tests).
    pub fn from_env(env: impl Fn(&str) -> Option<OsString>) -> Result<AwsPaths, LocationError> {
        let home = env(HOME_ENV)
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .ok_or(LocationError::NoHome)?;
        let aws = home.join(".aws");
        let file = |var: &str, default: &str| match env(var) {
            Some(path) => expand_home(Path::new(&path), &home),
            None => aws.join(default),
        };
        Ok(AwsPaths {
            config: file(CONFIG_FILE_ENV, "config"),
            credentials: file(CREDENTIALS_FILE_ENV, "credentials"),
            sso_cache: aws.join("sso").join("cache"),
            cli_cache: aws.join("cli").join("cache"),
            home,
        })
    }
}

/// `path` with a leading `~` component replaced by `home`.
pub fn expand_home(path: &Path, home: &Path) -> PathBuf {
    let mut components = path.components();
    match components.next() {
        Some(Component::Normal(first)) if first == "~" => {
            let rest = components.as_path();
            if rest.as_os_str().is_empty() {
                home.to_path_buf()
            } else {
                home.join(rest)
            }
        }
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(vars: &[(&str, &str)]) -> Result<AwsPaths, LocationError> {
        AwsPaths::from_env(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn tilde_in_a_variable_is_the_home_folder() {
        let p = paths(&[("HOME", "/home/u"), (CONFIG_FILE_ENV, "~/cfg/aws")]).unwrap();
        assert_eq!(p.config, Path::new("/home/u/cfg/aws"));
        let p = paths(&[("HOME", "/home/u"), (CREDENTIALS_FILE_ENV, "~")]).unwrap();
        assert_eq!(p.credentials, Path::new("/home/u"));
        let p = paths(&[("HOME", "/home/u"), (CONFIG_FILE_ENV, "~other/config")]).unwrap();
        assert_eq!(p.config, Path::new("~other/config"));
    }

    #[test]
    fn caches_follow_home_whatever_the_file_variables_say() {
        let p = paths(&[("HOME", "/h"), (CONFIG_FILE_ENV, "/etc/aws/config")]).unwrap();
        assert_eq!(p.sso_cache, Path::new("/h/.aws/sso/cache"));
        assert_eq!(p.cli_cache, Path::new("/h/.aws/cli/cache"));
    }

    #[test]
    fn an_empty_variable_names_no_file_and_an_empty_home_is_none() {
        let p = paths(&[("HOME", "/h"), (CONFIG_FILE_ENV, "")]).unwrap();
        assert_eq!(p.config, Path::new(""));
        assert_eq!(paths(&[("HOME", "")]), Err(LocationError::NoHome));
        assert_eq!(
            paths(&[]).unwrap_err().to_string(),
            "cannot find the home folder: HOME is not set"
        );
    }
}
