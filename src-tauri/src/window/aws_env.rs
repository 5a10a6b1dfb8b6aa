//! The settings that stand for a shell's AWS variables (`[aws]`, see
//! [`leasekeeper_service::ops::settings::tray`]): what the window shows of
//! them. A new value is checked where it is written
//! ([`leasekeeper_service::ops::settings::check`]); a proxy address is
//! shown without its user and password.

use std::path::PathBuf;

use leasekeeper_engine::proxy::{self, Proxy};
use leasekeeper_engine::settings::AwsEnvSettings;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::settings::tray::Home;

use super::dto::{AwsFieldDto, AwsKey, AwsSource};

/// Each field as the window shows it: in force in `home`, set in `file`
/// (the settings file now), and what `base` (the app's environment) says.
pub fn fields(base: &Environment, home: &Home, file: &AwsEnvSettings) -> Vec<AwsFieldDto> {
    AwsKey::ALL
        .into_iter()
        .map(|key| {
            let var = |names: &[&str]| -> Option<String> {
                names
                    .iter()
                    .find_map(|n| base.var(n))
                    .filter(|v| !v.is_empty())
                    .map(|v| v.to_string_lossy().into_owned())
            };
            let set = value(&home.aws, key);
            // The proxy for HTTPS calls: `ALL_PROXY` too, as the clients read it.
            let from_env = var(key.variables());
            let source = if set.is_some() {
                AwsSource::Settings
            } else if from_env.is_some() {
                AwsSource::Environment
            } else if matches!(key, AwsKey::ConfigFile | AwsKey::CredentialsFile) {
                AwsSource::Default
            } else {
                AwsSource::Unset
            };
            let in_effect = match key {
                AwsKey::ConfigFile => Some(home.paths.config.display().to_string()),
                AwsKey::CredentialsFile => Some(home.paths.credentials.display().to_string()),
                AwsKey::CaBundle => home
                    .env
                    .var("AWS_CA_BUNDLE")
                    .filter(|v| !v.is_empty())
                    .map(|v| PathBuf::from(v).display().to_string()),
                AwsKey::HttpsProxy => match home.env.proxy() {
                    Proxy::Https { url, .. } => Some(proxy::shown(url)),
                    Proxy::Environment => from_env.as_deref().map(proxy::shown),
                },
                AwsKey::NoProxy => match home.env.proxy() {
                    Proxy::Https { no_proxy, .. } => no_proxy.clone(),
                    Proxy::Environment => set.or(from_env),
                },
            };
            let setting = value(file, key).unwrap_or_default();
            AwsFieldDto {
                key,
                variable: key.variable().to_owned(),
                in_effect,
                source,
                setting: if key == AwsKey::HttpsProxy {
                    proxy::shown(&setting)
                } else {
                    setting
                },
            }
        })
        .collect()
}

fn value(aws: &AwsEnvSettings, key: AwsKey) -> Option<String> {
    key.value_in(aws).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_say_what_is_in_force_and_where_it_comes_from() {
        let mut base = Environment::process();
        base.set("HOME", "/home/me");
        base.set("AWS_CONFIG_FILE", "/shell/config");
        base.unset("AWS_SHARED_CREDENTIALS_FILE");
        base.unset("AWS_CA_BUNDLE");
        base.set("HTTPS_PROXY", "http://u:secret@shell-proxy:1");
        base.unset("https_proxy");
        base.unset("NO_PROXY");
        base.unset("no_proxy");
        let aws = AwsEnvSettings {
            ca_bundle: Some("/etc/corp.pem".into()),
            ..AwsEnvSettings::default()
        };
        let home = leasekeeper_service::ops::settings::tray::home(&base, &aws).unwrap();
        let f = fields(&base, &home, &aws);
        let by = |k| f.iter().find(|x| x.key == k).unwrap().clone();
        assert_eq!(by(AwsKey::ConfigFile).source, AwsSource::Environment);
        assert_eq!(
            by(AwsKey::ConfigFile).in_effect.as_deref(),
            Some("/shell/config")
        );
        assert_eq!(by(AwsKey::CredentialsFile).source, AwsSource::Default);
        assert_eq!(
            by(AwsKey::CredentialsFile).in_effect.as_deref(),
            Some("/home/me/.aws/credentials")
        );
        assert_eq!(by(AwsKey::CaBundle).source, AwsSource::Settings);
        assert_eq!(by(AwsKey::CaBundle).setting, "/etc/corp.pem");
        let proxy = by(AwsKey::HttpsProxy);
        assert_eq!(proxy.source, AwsSource::Environment);
        assert_eq!(proxy.in_effect.as_deref(), Some("http://shell-proxy:1"));
        assert_eq!(by(AwsKey::NoProxy).source, AwsSource::Unset);
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("secret"), "{json}");
    }
}
