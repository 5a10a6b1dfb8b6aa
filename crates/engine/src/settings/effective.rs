//! The settings in effect and where each value came from: the settings
//! file (with its line), the environment (the `[aws]` keys' variables), or
//! the default. `leasekeeper settings` prints this list.

use serde::Serialize;

use super::{AwsKey, Parsed, Settings, format_duration};

/// Where a value in effect came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// The settings file, at this 1-based line.
    File { line: u32 },
    /// This environment variable (an `[aws]` key the file leaves unset).
    Environment { variable: &'static str },
    /// Nothing set it.
    Default,
}

/// One setting in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Effective {
    /// The key as the file spells it: `renew.concurrency`,
    /// `profiles.dev.section`; `sso_sessions.*.session_length` is the
    /// length of every sso-session the file does not name.
    pub key: String,
    /// The value as the file would spell it (`true`, `4`, `"12h"`,
    /// `["15m", "5m"]`, `"~/.aws/config"`), or `none`. A proxy is shown
    /// without its user and password.
    pub value: String,
    pub source: Source,
}

/// Every setting in effect, in the file's order of tables, with where its
/// value came from. `env` reads an environment variable: an `[aws]` key
/// the file leaves unset shows its variable's value, as the tray app uses
/// it (the `leasekeeper` command itself always follows the environment).
pub fn effective(parsed: &Parsed, env: impl Fn(&str) -> Option<String>) -> Vec<Effective> {
    let s = &parsed.settings;
    // `raw` is the field as the reader names it (table names unquoted).
    let entry = |raw: &str, key: String, value: String, unset: Source| {
        let source = parsed
            .lines
            .get(raw)
            .map_or(unset, |&line| Source::File { line });
        Effective { key, value, source }
    };
    let plain = |key: &str, value: String| entry(key, key.to_owned(), value, Source::Default);
    let leads: Vec<String> = s
        .warnings
        .leads
        .iter()
        .map(|d| quoted(&format_duration(*d)))
        .collect();
    let mut out = vec![
        plain("renew.silent", s.renew.silent.to_string()),
        plain("renew.static_keys", s.renew.static_keys.to_string()),
        plain("renew.concurrency", s.renew.concurrency.to_string()),
        plain("renew.remove_on_exit", s.renew.remove_on_exit.to_string()),
        plain(
            "mfa.session_duration",
            quoted(&format_duration(s.mfa.session_duration)),
        ),
        plain("mfa.persist", s.mfa.persist.to_string()),
        plain("warnings.leads", format!("[{}]", leads.join(", "))),
        plain("notifications.enabled", s.notifications.enabled.to_string()),
        plain(
            "notifications.after_sleep",
            s.notifications.after_sleep.to_string(),
        ),
        plain(
            "notifications.processes",
            s.notifications.processes.to_string(),
        ),
        plain(
            "portal.calls_per_second",
            s.portal.calls_per_second.to_string(),
        ),
        plain(
            "portal.check_every",
            quoted(&format_duration(s.portal.check_every)),
        ),
    ];
    for (name, session) in &s.sso_sessions {
        out.push(entry(
            &format!("sso_sessions.{name}.session_length"),
            format!("sso_sessions.{}.session_length", table_key(name)),
            quoted(&format_duration(session.session_length)),
            Source::Default,
        ));
        out.push(entry(
            &format!("sso_sessions.{name}.auto_sync"),
            format!("sso_sessions.{}.auto_sync", table_key(name)),
            session.auto_sync.to_string(),
            Source::Default,
        ));
    }
    out.push(plain(
        "sso_sessions.*.session_length",
        quoted(&format_duration(Settings::default().session_length("*"))),
    ));
    for (name, p) in &s.profiles {
        let field = |field: &str, value: String| {
            entry(
                &format!("profiles.{name}.{field}"),
                format!("profiles.{}.{field}", table_key(name)),
                value,
                Source::Default,
            )
        };
        if let Some(renew) = p.renew {
            out.push(field("renew", renew.to_string()));
        }
        if let Some(section) = &p.section {
            out.push(field("section", quoted(section)));
        }
        if parsed
            .lines
            .contains_key(&format!("profiles.{name}.take_over"))
        {
            out.push(field("take_over", p.take_over.to_string()));
        }
    }
    for aws_key in AwsKey::ALL {
        let name = aws_key.setting();
        let key = format!("aws.{name}");
        let in_file = aws_key.value_in(&s.aws);
        let (variables, fallback) = (aws_key.variables(), aws_key.fallback());
        let shown = |v: &str| {
            if name == "https_proxy" {
                quoted(&crate::proxy::shown(v))
            } else {
                quoted(v)
            }
        };
        let from_env = variables
            .iter()
            .find_map(|&var| env(var).filter(|v| !v.is_empty()).map(|v| (var, v)));
        out.push(match (in_file, from_env) {
            (Some(v), _) => plain(&key, shown(v)),
            (None, Some((variable, v))) => Effective {
                key,
                value: shown(&v),
                source: Source::Environment { variable },
            },
            (None, None) => Effective {
                key,
                value: fallback.map_or_else(|| "none".to_owned(), quoted),
                source: Source::Default,
            },
        });
    }
    out
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A table name as a TOML key: bare when it can be, else quoted
/// (`"https://corp.awsapps.com/start"`).
fn table_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { name.to_owned() } else { quoted(name) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn find<'a>(list: &'a [Effective], key: &str) -> &'a Effective {
        list.iter()
            .find(|e| e.key == key)
            .unwrap_or_else(|| panic!("no {key} in {list:?}"))
    }

    #[test]
    fn an_empty_file_is_every_default() {
        let list = effective(&Settings::parse_traced(""), env(&[]));
        assert!(list.iter().all(|e| e.source == Source::Default), "{list:?}");
        assert_eq!(find(&list, "renew.concurrency").value, "4");
        assert_eq!(find(&list, "mfa.session_duration").value, "\"12h\"");
        assert_eq!(find(&list, "warnings.leads").value, "[\"15m\", \"5m\"]");
        assert_eq!(find(&list, "aws.config_file").value, "\"~/.aws/config\"");
        assert_eq!(find(&list, "aws.ca_bundle").value, "none");
        assert_eq!(find(&list, "sso_sessions.*.session_length").value, "\"8h\"");
    }

    #[test]
    fn each_value_names_its_line_the_environment_or_the_default() {
        let text = "\
[renew]
concurrency = 8
silent = \"yes\"
mfa_session = \"6h\"

[warnings]
leads = [\"5m\", \"30m\"]

[sso_sessions.corp]
session_length = \"4h\"

[sso_sessions.\"https://old.awsapps.com/start\"]
session_length = \"1d\"

[profiles.dev]
section = \"dev-keys\"

[aws]
ca_bundle = \"/etc/ssl/corp.pem\"
https_proxy = \"http://me:secret@proxy.corp:3128\"
";
        let parsed = Settings::parse_traced(text);
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        let list = effective(
            &parsed,
            env(&[
                ("AWS_CONFIG_FILE", "/srv/aws/config"),
                ("AWS_CA_BUNDLE", "/env/ca.pem"),
                ("no_proxy", "localhost"),
            ]),
        );
        let at = |key: &str| {
            (
                find(&list, key).value.clone(),
                find(&list, key).source.clone(),
            )
        };
        assert_eq!(
            at("renew.concurrency"),
            ("8".into(), Source::File { line: 2 })
        );
        // A value the file gets wrong keeps its default, and says so.
        assert_eq!(at("renew.silent"), ("true".into(), Source::Default));
        // The older name sets the newer key.
        assert_eq!(
            at("mfa.session_duration"),
            ("\"6h\"".into(), Source::File { line: 4 })
        );
        assert_eq!(
            at("warnings.leads"),
            ("[\"30m\", \"5m\"]".into(), Source::File { line: 7 })
        );
        assert_eq!(
            at("sso_sessions.corp.session_length"),
            ("\"4h\"".into(), Source::File { line: 10 })
        );
        assert_eq!(
            at("sso_sessions.\"https://old.awsapps.com/start\".session_length"),
            ("\"1d\"".into(), Source::File { line: 13 })
        );
        assert_eq!(
            at("profiles.dev.section"),
            ("\"dev-keys\"".into(), Source::File { line: 16 })
        );
        // The file wins over the variable; the variable over the default.
        assert_eq!(
            at("aws.ca_bundle"),
            ("\"/etc/ssl/corp.pem\"".into(), Source::File { line: 19 })
        );
        assert_eq!(
            at("aws.config_file"),
            (
                "\"/srv/aws/config\"".into(),
                Source::Environment {
                    variable: "AWS_CONFIG_FILE"
                }
            )
        );
        assert_eq!(
            at("aws.no_proxy"),
            (
                "\"localhost\"".into(),
                Source::Environment {
                    variable: "no_proxy"
                }
            )
        );
        // Never the proxy's password.
        assert_eq!(
            find(&list, "aws.https_proxy").value,
            "\"http://proxy.corp:3128\""
        );
        assert!(!format!("{list:?}").contains("secret"));
    }

    #[test]
    fn all_proxy_is_the_https_proxy_when_https_proxy_is_not_set() {
        let parsed = Settings::parse_traced("");
        let proxy = |vars: &'static [(&'static str, &'static str)]| {
            find(&effective(&parsed, env(vars)), "aws.https_proxy").clone()
        };
        let e = proxy(&[("ALL_PROXY", "http://u:pw@all:1")]);
        assert_eq!(e.value, "\"http://all:1\"");
        assert_eq!(
            e.source,
            Source::Environment {
                variable: "ALL_PROXY"
            }
        );
        let e = proxy(&[
            ("all_proxy", "http://all:1"),
            ("HTTPS_PROXY", "http://https:2"),
        ]);
        assert_eq!(e.value, "\"http://https:2\"");
    }

    #[test]
    fn names_that_are_not_bare_keys_are_quoted_as_toml_reads_them() {
        assert_eq!(table_key("corp-1_a"), "corp-1_a");
        assert_eq!(table_key("a.b"), "\"a.b\"");
        assert_eq!(table_key(""), "\"\"");
        assert_eq!(quoted("a\"b\\c\u{7}"), "\"a\\\"b\\\\c\\u0007\"");
    }
}
