//! [`Proxy`]: which HTTP proxy Leasekeeper's own AWS calls go through, and
//! the checks a proxy address set in the settings must pass. A proxy URL
//! may hold a user name and password: [`Proxy`]'s `Debug` and
//! [`shown`] never print them.

/// The proxy for AWS calls.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Proxy {
    /// What the process environment says (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY`, `NO_PROXY`, upper or lower case), read as each
    /// connection pool is made.
    #[default]
    Environment,
    /// This proxy for every HTTPS call (every AWS endpoint), except for the
    /// hosts `no_proxy` lists (`NO_PROXY`'s syntax).
    Https {
        url: String,
        no_proxy: Option<String>,
    },
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Proxy::Environment => f.write_str("Environment"),
            Proxy::Https { url, no_proxy } => f
                .debug_struct("Https")
                .field("url", &shown(url))
                .field("no_proxy", no_proxy)
                .finish(),
        }
    }
}

/// A proxy URL without its user and password: `http://user:pw@host:3128`
/// becomes `http://host:3128`.
pub fn shown(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, None), |(a, p)| (a, Some(p)));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let mut out = if scheme.is_empty() {
        host.to_owned()
    } else {
        format!("{scheme}://{host}")
    };
    if let Some(path) = path {
        out.push('/');
        out.push_str(path);
    }
    out
}

/// Why a proxy address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyUrlError {
    #[error("{shown:?} must start with http:// or https://")]
    Scheme { shown: String },
    #[error("{shown:?} names no host")]
    NoHost { shown: String },
    #[error("{shown:?} has a port that is not a number from 1 to 65535")]
    Port { shown: String },
    #[error("{shown:?} holds a space or a control character")]
    Characters { shown: String },
}

/// Checks a proxy address as `HTTPS_PROXY` takes it:
/// `http[s]://[user:password@]host[:port][/]`.
pub fn check_url(url: &str) -> Result<(), ProxyUrlError> {
    let shown = shown(url);
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ProxyUrlError::Characters { shown });
    }
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return Err(ProxyUrlError::Scheme { shown });
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if host_port.starts_with('[') {
        // [::1]:3128
        match host_port.split_once(']') {
            Some((h, p)) => (&h[1..], p.strip_prefix(':')),
            None => return Err(ProxyUrlError::NoHost { shown }),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err(ProxyUrlError::NoHost { shown });
    }
    if let Some(port) = port {
        if !matches!(port.parse::<u16>(), Ok(p) if p > 0) {
            return Err(ProxyUrlError::Port { shown });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_is_shown_without_its_password() {
        assert_eq!(
            shown("http://me:s3cret@proxy.corp:3128"),
            "http://proxy.corp:3128"
        );
        assert_eq!(
            shown("http://me:p@ss@proxy.corp:3128/"),
            "http://proxy.corp:3128/"
        );
        assert_eq!(shown("proxy.corp:3128"), "proxy.corp:3128");
        let p = Proxy::Https {
            url: "https://u:hunter2@p.corp".into(),
            no_proxy: None,
        };
        assert!(!format!("{p:?}").contains("hunter2"), "{p:?}");
    }

    #[test]
    fn proxy_addresses_are_checked_as_https_proxy_takes_them() {
        for good in [
            "http://proxy.corp:3128",
            "https://proxy.corp",
            "http://me:pw@10.0.0.1:8080/",
            "http://[::1]:3128",
        ] {
            assert_eq!(check_url(good), Ok(()), "{good}");
        }
        let bad = |u: &str| check_url(u).unwrap_err();
        assert!(matches!(
            bad("proxy.corp:3128"),
            ProxyUrlError::Scheme { .. }
        ));
        assert!(matches!(bad("socks5://p:1"), ProxyUrlError::Scheme { .. }));
        assert!(matches!(bad("http://:3128"), ProxyUrlError::NoHost { .. }));
        assert!(matches!(bad("http://p:99999"), ProxyUrlError::Port { .. }));
        assert!(matches!(bad("http://p:0"), ProxyUrlError::Port { .. }));
        assert!(matches!(
            bad("http://p corp"),
            ProxyUrlError::Characters { .. }
        ));
        let e = bad("ftp://me:hunter2@p");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
