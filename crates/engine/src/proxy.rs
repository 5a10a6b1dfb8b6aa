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
/// becomes `http://host:3128`. Everything up to the last `@` is the user
/// and password, whatever they hold (a `/` included).
pub fn shown(url: &str) -> String {
    let parts = split(url);
    if parts.scheme.is_empty() {
        parts.rest.to_owned()
    } else {
        format!("{}://{}", parts.scheme, parts.rest)
    }
}

/// A proxy address in its parts.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyParts<'a> {
    /// `http` or `https` (empty when the address names none).
    pub scheme: &'a str,
    /// What was before the last `@`, percent-decoded: user and password.
    pub credentials: Option<(String, String)>,
    /// `host[:port][/path]`.
    pub rest: &'a str,
}

impl std::fmt::Debug for ProxyParts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyParts")
            .field("scheme", &self.scheme)
            .field("credentials", &self.credentials.as_ref().map(|_| "…"))
            .field("rest", &self.rest)
            .finish()
    }
}

/// Splits a proxy address into its scheme, user and password, and the rest.
pub fn split(url: &str) -> ProxyParts<'_> {
    let (scheme, after) = url.split_once("://").unwrap_or(("", url));
    let (credentials, rest) = match after.rsplit_once('@') {
        Some((userinfo, rest)) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            (Some((decode(user), decode(password))), rest)
        }
        None => (None, after),
    };
    ProxyParts {
        scheme,
        credentials,
        rest,
    }
}

/// `%XX` escapes decoded (what a URL's user and password may hold).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let hex = |b: u8| (b as char).to_digit(16);
    let mut rest = bytes;
    while let Some((&first, tail)) = rest.split_first() {
        if let (b'%', &[hi, lo, ..]) = (first, tail) {
            if let (Some(h), Some(l)) = (hex(hi), hex(lo)) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                rest = tail.get(2..).unwrap_or_default();
                continue;
            }
        }
        out.push(first);
        rest = tail;
    }
    String::from_utf8_lossy(&out).into_owned()
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
    let parts = split(url);
    if !matches!(parts.scheme, "http" | "https") {
        return Err(ProxyUrlError::Scheme { shown });
    }
    let host_port = parts.rest.split('/').next().unwrap_or("");
    let (host, port) = if host_port.starts_with('[') {
        // [::1]:3128
        match host_port.split_once(']') {
            Some((h, p)) => (h.strip_prefix('[').unwrap_or(h), p.strip_prefix(':')),
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
        assert_eq!(
            shown("http://u:pa/ss@proxy.corp:3128"),
            "http://proxy.corp:3128",
            "a slash in the password"
        );
        let parts = split("http://me%40corp:pa%2Fss@proxy.corp:3128/");
        assert_eq!(
            parts.credentials,
            Some(("me@corp".to_owned(), "pa/ss".to_owned()))
        );
        assert_eq!(parts.rest, "proxy.corp:3128/");
        assert!(!format!("{parts:?}").contains("pa/ss"));
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
        let e = bad("http://me:hun/ter2@p:99999");
        assert!(!e.to_string().contains("ter2"), "{e}");
    }
}
