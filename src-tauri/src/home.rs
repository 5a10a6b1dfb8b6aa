//! The AWS home the app looks after. A desktop starts the app without a
//! shell's `AWS_CONFIG_FILE`, `AWS_CA_BUNDLE` or `HTTPS_PROXY`, so the
//! settings' `[aws]` table stands for them: a key that is set wins over
//! its variable, an unset one leaves the variable (else the default) in
//! force. The demo ignores `[aws]`: it looks after its own files only.

use std::path::Path;

use leasekeeper_engine::profiles::locations::expand_home;
use leasekeeper_engine::settings::{AwsEnvSettings, Settings};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_service::Environment;
use leasekeeper_service::demo::DEMO_ENV;

/// The files and the environment the keeper and the sign-ins use.
#[derive(Debug, Clone)]
pub struct Home {
    pub paths: AwsPaths,
    pub env: Environment,
    /// The `[aws]` settings in force (none in the demo).
    pub aws: AwsEnvSettings,
}

/// Whether `base` is the demo's environment.
pub fn is_demo(base: &Environment) -> bool {
    base.var(DEMO_ENV).is_some()
}

/// The `[aws]` settings as the settings file says now (a missing or
/// unreadable file says nothing; the demo's never count).
pub fn aws_settings(base: &Environment) -> AwsEnvSettings {
    if is_demo(base) {
        return AwsEnvSettings::default();
    }
    settings_path(base.lookup())
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|text| Settings::parse(&text).0.aws)
        .unwrap_or_default()
}

/// The home `base` describes with `aws` laid over it.
pub fn home(base: &Environment, aws: &AwsEnvSettings) -> anyhow::Result<Home> {
    let mut env = base.clone();
    let home_dir = base.var("HOME").map(std::path::PathBuf::from);
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
    if let Some(url) = &aws.https_proxy {
        let no_proxy = aws.no_proxy.clone().or_else(|| {
            ["NO_PROXY", "no_proxy"]
                .into_iter()
                .find_map(|n| base.var(n))
                .map(|v| v.to_string_lossy().into_owned())
        });
        env.set_https_proxy(url, no_proxy.as_deref());
    } else if let Some(rules) = &aws.no_proxy {
        env.set("NO_PROXY", rules);
        env.set("no_proxy", rules);
    }
    let paths = AwsPaths::from_env(env.lookup())
        .map_err(|e| anyhow::anyhow!("cannot find the AWS files: {e}"))?;
    Ok(Home {
        paths,
        env,
        aws: aws.clone(),
    })
}

/// The home at start: `base` and the settings file.
pub fn at_start(base: &Environment) -> anyhow::Result<Home> {
    home(base, &aws_settings(base))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            std::ffi::OsString::from("/home/me/corp.pem")
        );
        assert_eq!(
            *h.env.proxy(),
            leasekeeper_engine::proxy::Proxy::Https {
                url: "http://proxy.corp:3128".into(),
                no_proxy: Some("localhost".into()),
            },
            "NO_PROXY of the environment still applies"
        );

        let h = home(&base, &AwsEnvSettings::default()).unwrap();
        assert_eq!(h.paths.config, Path::new("/from/shell/config"));
        assert_eq!(
            *h.env.proxy(),
            leasekeeper_engine::proxy::Proxy::Environment
        );
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
        assert_eq!(
            aws_settings(&base).config_file.as_deref(),
            Some("/elsewhere/config")
        );
        base.set(DEMO_ENV, "1");
        assert_eq!(aws_settings(&base), AwsEnvSettings::default());
    }
}
