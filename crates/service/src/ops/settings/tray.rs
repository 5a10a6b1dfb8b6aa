//! The AWS home the tray looks after. A desktop starts the tray without a
//! shell's `AWS_CONFIG_FILE`, `AWS_CA_BUNDLE` or `HTTPS_PROXY`, so the
//! settings' `[aws]` table stands for them: a key that is set wins over
//! its variable, an unset one leaves the variable (else the default) in
//! force. The demo ignores `[aws]`: it looks after its own files only.
//! [`tray_environment`] reads the settings and lays them over the tray's
//! environment; every part of the tray takes its home from here.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use leasekeeper_engine::profiles::locations::LocationError;
use leasekeeper_engine::profiles::locations::expand_home;
use leasekeeper_engine::settings::{AwsEnvSettings, AwsKey, Settings};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::signin::{EnvError, SignInEnv};

use crate::Environment;
use crate::demo::DEMO_ENV;

/// The files and the environment the keeper and the sign-ins use.
#[derive(Debug, Clone)]
pub struct Home {
    pub paths: AwsPaths,
    pub env: Environment,
    /// The `[aws]` settings in force (none in the demo).
    pub aws: AwsEnvSettings,
}

impl Home {
    /// The sign-in surroundings of this home (its browser, state folder,
    /// proxy).
    pub fn sign_in_env(&self) -> Result<SignInEnv, EnvError> {
        crate::sign_in_env(&self.env, &self.paths)
    }

    /// Whether `self` and `other` reach AWS the same way: the same files,
    /// CA bundle and proxy (a change of spelling alone, `~/x` for
    /// `/home/me/x`, is none).
    pub fn same_connection(&self, other: &Home) -> bool {
        self.paths == other.paths
            && self.env.var("AWS_CA_BUNDLE") == other.env.var("AWS_CA_BUNDLE")
            && self.env.proxy() == other.env.proxy()
    }
}

/// Why the tray's home could not be found.
#[derive(Debug, thiserror::Error)]
#[error("cannot find the AWS files: {0}")]
pub struct HomeError(#[from] LocationError);

impl HomeError {
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

/// Whether `base` is the demo's environment.
pub fn is_demo(base: &Environment) -> bool {
    base.var(DEMO_ENV).is_some()
}

/// The home folder a leading `~` stands for.
pub fn home_dir(base: &Environment) -> Option<PathBuf> {
    base.var("HOME")
        .filter(|h: &OsString| !h.is_empty())
        .map(PathBuf::from)
}

/// The tray's environment: `base` (the tray's own) with the `[aws]`
/// settings the settings file holds now laid over it. `Ok(None)` when the
/// file cannot be read, a line of it does not parse, or an `[aws]` value is
/// refused: the caller keeps the home in use rather than moving to the
/// defaults while the person is mid-edit.
pub fn tray_environment(base: &Environment) -> Result<Option<Home>, HomeError> {
    match aws_settings(base) {
        Some(aws) => home(base, &aws).map(Some),
        None => Ok(None),
    }
}

/// The `[aws]` settings as the settings file says now: a missing file (or
/// the demo's) says none. `None` when the file cannot be read, a line of it
/// does not parse, or an `[aws]` value is refused.
pub fn aws_settings(base: &Environment) -> Option<AwsEnvSettings> {
    if is_demo(base) {
        return Some(AwsEnvSettings::default());
    }
    let Some(path) = settings_path(base.lookup()) else {
        return Some(AwsEnvSettings::default());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(AwsEnvSettings::default());
        }
        Err(_) => return None,
    };
    let (settings, errors) = Settings::parse(&text);
    let unsure = errors.iter().any(|e| {
        !e.is_warning()
            && e.field()
                .is_none_or(|f| f == "aws" || f.starts_with("aws."))
    });
    (!unsure).then_some(settings.aws)
}

/// The home `base` describes with `aws` laid over it.
pub fn home(base: &Environment, aws: &AwsEnvSettings) -> Result<Home, HomeError> {
    let mut env = base.clone();
    let home_dir = home_dir(base);
    let expand = |value: &str| match &home_dir {
        Some(h) => expand_home(Path::new(value), h).display().to_string(),
        None => value.to_owned(),
    };
    if let Some(v) = &aws.config_file {
        env.set("AWS_CONFIG_FILE", expand(v));
    }
    if let Some(v) = &aws.credentials_file {
        env.set("AWS_SHARED_CREDENTIALS_FILE", expand(v));
    }
    if let Some(v) = &aws.ca_bundle {
        env.set("AWS_CA_BUNDLE", expand(v));
    }
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| base.var(n))
            .filter(|v| !v.is_empty())
            .map(|v| v.to_string_lossy().into_owned())
    };
    // A no-proxy list alone applies to the environment's proxy.
    let url = aws.https_proxy.clone().or_else(|| {
        aws.no_proxy
            .as_ref()
            .and(var(AwsKey::HttpsProxy.variables()))
    });
    if let Some(url) = url {
        let no_proxy = aws
            .no_proxy
            .clone()
            .or_else(|| var(&["NO_PROXY", "no_proxy"]));
        env.set_https_proxy(&url, no_proxy.as_deref());
    } else if let Some(rules) = &aws.no_proxy {
        // No proxy at all: nothing to bypass; shells started from here see it.
        env.set("NO_PROXY", rules);
        env.set("no_proxy", rules);
    }
    let paths = AwsPaths::from_env(env.lookup())?;
    Ok(Home {
        paths,
        env,
        aws: aws.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasekeeper_engine::proxy::Proxy;

    #[test]
    fn a_setting_wins_over_its_variable_and_an_unset_one_leaves_it() {
        let mut base = Environment::process();
        base.set("HOME", "/home/me");
        base.set("AWS_CONFIG_FILE", "/from/shell/config");
        base.set("AWS_SHARED_CREDENTIALS_FILE", "/from/shell/credentials");
        base.unset("AWS_CA_BUNDLE");
        base.set("NO_PROXY", "localhost");
        let aws = AwsEnvSettings {
            config_file: Some("~/work/config".into()),
            ca_bundle: Some("~/corp.pem".into()),
            https_proxy: Some("http://proxy.corp:3128".into()),
            ..AwsEnvSettings::default()
        };
        let h = home(&base, &aws).unwrap();
        assert_eq!(h.paths.config, Path::new("/home/me/work/config"));
        assert_eq!(
            h.paths.credentials,
            Path::new("/from/shell/credentials"),
            "unset: the variable"
        );
        assert_eq!(
            h.env.var("AWS_CA_BUNDLE").unwrap(),
            OsString::from("/home/me/corp.pem")
        );
        assert_eq!(
            *h.env.proxy(),
            Proxy::Https {
                url: "http://proxy.corp:3128".into(),
                no_proxy: Some("localhost".into()),
            },
            "NO_PROXY of the environment still applies"
        );

        let h = home(&base, &AwsEnvSettings::default()).unwrap();
        assert_eq!(h.paths.config, Path::new("/from/shell/config"));
        assert_eq!(*h.env.proxy(), Proxy::Environment);
    }

    #[test]
    fn the_demo_ignores_the_aws_table() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("settings.toml"),
            "[aws]\nconfig_file = \"/elsewhere/config\"\n",
        )
        .unwrap();
        let mut base = Environment::process();
        base.set("LEASEKEEPER_CONFIG_DIR", dir.path());
        base.unset(DEMO_ENV);
        assert_eq!(
            aws_settings(&base).unwrap().config_file.as_deref(),
            Some("/elsewhere/config")
        );
        let home = tray_environment(&base).unwrap().unwrap();
        assert_eq!(home.paths.config, Path::new("/elsewhere/config"));
        base.set(DEMO_ENV, "1");
        assert_eq!(aws_settings(&base), Some(AwsEnvSettings::default()));
    }

    #[test]
    fn a_file_mid_edit_keeps_the_files_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.toml");
        let mut base = Environment::process();
        base.set("LEASEKEEPER_CONFIG_DIR", dir.path());
        base.unset(DEMO_ENV);
        assert_eq!(
            aws_settings(&base),
            Some(AwsEnvSettings::default()),
            "no file"
        );
        std::fs::write(&file, "[aws]\nconfig_file = \"/x/config\"\n[renew\n").unwrap();
        assert_eq!(aws_settings(&base), None, "a line that does not parse");
        assert!(tray_environment(&base).unwrap().is_none());
        std::fs::write(
            &file,
            "[aws]\nconfig_file = \"/x/config\"\nhttps_proxy = \"proxy:1\"\n",
        )
        .unwrap();
        assert_eq!(aws_settings(&base), None, "a refused [aws] value");
        std::fs::write(
            &file,
            "[aws]\nconfig_file = \"/x/config\"\n[renew]\nconcurrency = 0\n",
        )
        .unwrap();
        assert_eq!(
            aws_settings(&base).unwrap().config_file.as_deref(),
            Some("/x/config"),
            "a bad value elsewhere does not matter here"
        );
    }

    #[test]
    fn a_no_proxy_list_alone_applies_to_the_environments_proxy() {
        let mut base = Environment::process();
        for name in [
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_CA_BUNDLE",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            base.unset(name);
        }
        base.set("HOME", "/home/me");
        base.set("HTTPS_PROXY", "http://shell-proxy:3128");
        let aws = AwsEnvSettings {
            no_proxy: Some(".corp".into()),
            ..AwsEnvSettings::default()
        };
        let h = home(&base, &aws).unwrap();
        assert_eq!(
            *h.env.proxy(),
            Proxy::Https {
                url: "http://shell-proxy:3128".into(),
                no_proxy: Some(".corp".into()),
            }
        );
        let same = home(&base, &AwsEnvSettings::default()).unwrap();
        assert!(!h.same_connection(&same));
        let spelled = AwsEnvSettings {
            config_file: Some("~/.aws/config".into()),
            ..AwsEnvSettings::default()
        };
        assert!(
            home(&base, &spelled).unwrap().same_connection(&same),
            "the default, spelled out, is no change"
        );

        // ALL_PROXY is the HTTPS proxy when HTTPS_PROXY is not set.
        base.unset("HTTPS_PROXY");
        base.set("ALL_PROXY", "http://all-proxy:8080");
        let h = home(&base, &aws).unwrap();
        assert_eq!(
            *h.env.proxy(),
            Proxy::Https {
                url: "http://all-proxy:8080".into(),
                no_proxy: Some(".corp".into()),
            }
        );
    }
}
