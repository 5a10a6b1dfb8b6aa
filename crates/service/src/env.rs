//! [`Environment`]: the variables a shell reads, as the process has them
//! with some replaced or removed. The demo describes its world this way
//! without changing the process environment (which other threads may be
//! reading), and hands it to the process it starts ([`Environment::apply`]).

use std::collections::HashMap;
use std::ffi::OsString;

use leasekeeper_engine::proxy::Proxy;

/// The process environment, with overrides.
#[derive(Clone, Default)]
pub struct Environment {
    overrides: HashMap<String, Option<OsString>>,
    proxy: Proxy,
}

/// The overrides, a proxy address (which may hold a password) shown
/// without its user and password.
impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let overrides: std::collections::BTreeMap<&str, Option<String>> = self
            .overrides
            .iter()
            .map(|(name, value)| {
                let text = value.as_ref().map(|v| v.to_string_lossy().into_owned());
                let shown = if name.to_ascii_uppercase().contains("PROXY") {
                    text.map(|t| leasekeeper_engine::proxy::shown(&t))
                } else {
                    text
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("Environment")
            .field("overrides", &overrides)
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl Environment {
    /// The process environment as it is.
    pub fn process() -> Environment {
        Environment::default()
    }

    /// `name` reads as `value` from now on.
    pub fn set(&mut self, name: &str, value: impl Into<OsString>) {
        self.overrides.insert(name.to_owned(), Some(value.into()));
    }

    /// `name` reads as unset from now on.
    pub fn unset(&mut self, name: &str) {
        self.overrides.insert(name.to_owned(), None);
    }

    /// AWS calls go through `url` (for HTTPS), except for the hosts
    /// `no_proxy` lists. The proxy variables read the same from now on, for
    /// the processes started with this environment.
    pub fn set_https_proxy(&mut self, url: &str, no_proxy: Option<&str>) {
        for name in ["HTTPS_PROXY", "https_proxy"] {
            self.set(name, url);
        }
        for name in ["NO_PROXY", "no_proxy"] {
            match no_proxy {
                Some(rules) => self.set(name, rules),
                None => self.unset(name),
            }
        }
        self.proxy = Proxy::Https {
            url: url.to_owned(),
            no_proxy: no_proxy.map(str::to_owned),
        };
    }

    /// The proxy for AWS calls: the process environment's unless
    /// [`Environment::set_https_proxy`] said otherwise.
    pub fn proxy(&self) -> &Proxy {
        &self.proxy
    }

    /// Gives a process to be started this environment.
    pub fn apply(&self, command: &mut std::process::Command) {
        for (name, value) in &self.overrides {
            match value {
                Some(v) => command.env(name, v),
                None => command.env_remove(name),
            };
        }
    }

    /// The value of `name`: an override, else the process's.
    pub fn var(&self, name: &str) -> Option<OsString> {
        match self.overrides.get(name) {
            Some(v) => v.clone(),
            None => std::env::var_os(name),
        }
    }

    /// A lookup for the functions that take one.
    pub fn lookup(&self) -> impl Fn(&str) -> Option<OsString> + '_ {
        move |name| self.var(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_and_the_rest_comes_from_the_process() {
        let mut env = Environment::process();
        env.set("LEASEKEEPER_STATE_DIR", "/demo/state");
        assert_eq!(
            env.var("LEASEKEEPER_STATE_DIR"),
            Some(OsString::from("/demo/state"))
        );
        assert_eq!(env.var("PATH"), std::env::var_os("PATH"));
        assert_eq!(
            env.lookup()("LEASEKEEPER_STATE_DIR"),
            env.var("LEASEKEEPER_STATE_DIR")
        );
    }

    #[test]
    fn a_proxy_password_is_never_in_debug_output() {
        let mut env = Environment::process();
        env.set_https_proxy("http://me:s3cret@proxy.corp:3128", Some("localhost"));
        env.set("ALL_PROXY", "http://u:hunter2@other:1");
        let shown = format!("{env:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(shown.contains("http://proxy.corp:3128"), "{shown}");
        assert_eq!(
            env.var("HTTPS_PROXY"),
            Some(OsString::from("http://me:s3cret@proxy.corp:3128")),
            "the value itself is kept"
        );
    }
}
