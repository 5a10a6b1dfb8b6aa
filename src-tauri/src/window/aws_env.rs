//! The settings that stand for a shell's AWS variables (`[aws]`, see
//! [`crate::home`]): what the window shows of them and the checks a new
//! value passes before it is written. A path is checked where it points; a
//! CA bundle must hold a certificate; a proxy address is shown and named in
//! errors without its user and password.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use leasekeeper_engine::profiles::locations::expand_home;
use leasekeeper_engine::proxy::{self, Proxy};
use leasekeeper_engine::settings::AwsEnvSettings;
use leasekeeper_service::Environment;

use super::dto::{AwsFieldDto, AwsKey, AwsSource};
use super::error::WindowError;
use crate::home::Home;

/// Each field as the window shows it: in force in `home`, set in `file`
/// (the settings file now), and what `base` (the app's environment) says.
pub fn fields(base: &Environment, home: &Home, file: &AwsEnvSettings) -> Vec<AwsFieldDto> {
    AwsKey::ALL
        .into_iter()
        .map(|key| {
            let var = |name: &str| -> Option<String> {
                [name.to_owned(), name.to_ascii_lowercase()]
                    .iter()
                    .find_map(|n| base.var(n))
                    .filter(|v| !v.is_empty())
                    .map(|v| v.to_string_lossy().into_owned())
            };
            let set = value(&home.aws, key);
            let from_env = var(key.variable());
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
    match key {
        AwsKey::ConfigFile => aws.config_file.clone(),
        AwsKey::CredentialsFile => aws.credentials_file.clone(),
        AwsKey::CaBundle => aws.ca_bundle.clone(),
        AwsKey::HttpsProxy => aws.https_proxy.clone(),
        AwsKey::NoProxy => aws.no_proxy.clone(),
    }
}

/// The value to write for `key`, checked; `None` to remove the key (an
/// empty value: the variable applies again). `home_dir` expands a leading `~`.
pub fn check(
    key: AwsKey,
    value: &str,
    home_dir: Option<&Path>,
) -> Result<Option<String>, WindowError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let field = key.setting();
    let bad = |message: String| WindowError::BadValue {
        field: field.to_owned(),
        message,
    };
    if value.chars().any(char::is_control) {
        return Err(bad("it holds a line break or a control character".into()));
    }
    let full = |v: &str| -> Result<PathBuf, WindowError> {
        let p = match home_dir {
            Some(h) => expand_home(Path::new(v), h),
            None => PathBuf::from(v),
        };
        if p.is_absolute() {
            Ok(p)
        } else {
            Err(bad(format!(
                "{v:?} is not a full path (such as ~/.aws/config or /etc/ssl/corp.pem)"
            )))
        }
    };
    match key {
        AwsKey::ConfigFile | AwsKey::CredentialsFile => {
            let path = full(value)?;
            if path.is_dir() {
                return Err(bad(format!("{} is a folder, not a file", path.display())));
            }
            let parent = path.parent().unwrap_or(Path::new("/"));
            if !parent.is_dir() {
                return Err(bad(format!(
                    "the folder {} does not exist",
                    parent.display()
                )));
            }
        }
        AwsKey::CaBundle => {
            let path = full(value)?;
            let pem = std::fs::read(&path)
                .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
            let marker = b"-----BEGIN CERTIFICATE-----";
            if !pem.windows(marker.len()).any(|w| w == marker) {
                return Err(bad(format!("{} holds no PEM certificate", path.display())));
            }
        }
        AwsKey::HttpsProxy => proxy::check_url(value).map_err(|e| bad(e.to_string()))?,
        AwsKey::NoProxy => {}
    }
    Ok(Some(value.to_owned()))
}

/// The home folder a leading `~` stands for.
pub fn home_dir(base: &Environment) -> Option<PathBuf> {
    base.var("HOME")
        .filter(|h: &OsString| !h.is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_where_they_point_and_errors_name_them() {
        let dir = tempfile::tempdir().unwrap();
        let home = Some(dir.path());
        let ok = |k, v: &str| check(k, v, home).unwrap();
        let err = |k, v: &str| check(k, v, home).unwrap_err().to_string();
        assert_eq!(ok(AwsKey::ConfigFile, "  "), None, "empty: the variable");
        assert_eq!(
            ok(AwsKey::ConfigFile, "~/config"),
            Some("~/config".into()),
            "written as typed, ~ and all"
        );
        assert!(err(AwsKey::ConfigFile, "config").contains("not a full path"));
        assert!(err(AwsKey::ConfigFile, "~/nope/config").contains("does not exist"));
        assert!(err(AwsKey::CredentialsFile, "~").contains("is a folder"));

        let pem = dir.path().join("ca.pem");
        std::fs::write(&pem, "not a certificate").unwrap();
        let e = err(AwsKey::CaBundle, "~/ca.pem");
        assert!(e.contains("ca.pem holds no PEM certificate"), "{e}");
        assert!(err(AwsKey::CaBundle, "~/missing.pem").contains("cannot read"));
        std::fs::write(
            &pem,
            "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(ok(AwsKey::CaBundle, "~/ca.pem").is_some());

        assert!(ok(AwsKey::HttpsProxy, "http://me:pw@proxy.corp:3128").is_some());
        let e = err(AwsKey::HttpsProxy, "ftp://me:hunter2@proxy.corp");
        assert!(e.contains("http://") && !e.contains("hunter2"), "{e}");
        assert!(err(AwsKey::NoProxy, "a\nb").contains("line break"));
    }

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
        let home = crate::home::home(&base, &aws).unwrap();
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
