//! Adding a sign-in session: `[sso-session NAME]` with the access portal's
//! start URL, its region and the scope that lets the session renew
//! (`sso:account:access`, so IAM Identity Center hands out a refresh token),
//! appended to the config file through the lossless, locked, atomic writer.
//! A name or start URL the file already configures is refused with its
//! line; the name, URL and region are checked before anything is read.

use std::path::PathBuf;

use leasekeeper_engine::profiles::merge::is_identifier;
use leasekeeper_engine::write::config::{NewProfile, SectionKind};
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::config_file::{self, ConfigFileError};

/// The scope every session Leasekeeper adds asks for.
pub const SCOPES: &str = "sso:account:access";

/// The session to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// `[sso-session NAME]`.
    pub name: String,
    /// The AWS access portal URL, e.g. `https://my-company.awsapps.com/start`.
    pub start_url: String,
    /// The IAM Identity Center instance's region, e.g. `eu-west-1`.
    pub region: String,
}

/// The session added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub name: String,
    /// The config file it is in.
    pub config: PathBuf,
}

/// Why no session was added.
#[derive(Debug, thiserror::Error)]
pub enum AddSessionError {
    #[error(
        "the session name `{}` is not usable: use letters, digits and `_-/.%@:+` only",
        .0.escape_debug()
    )]
    BadName(String),
    #[error(
        "`{}` is not an AWS access portal URL: expected one such as \
         https://my-company.awsapps.com/start ({reason})",
        .url.escape_debug()
    )]
    BadUrl { url: String, reason: &'static str },
    #[error(
        "`{}` is not an AWS region: expected one such as us-east-1 or eu-west-1",
        .0.escape_debug()
    )]
    BadRegion(String),
    #[error(transparent)]
    Write(#[from] ConfigFileError),
}

impl AddSessionError {
    pub fn code(&self) -> &'static str {
        match self {
            AddSessionError::BadName(_) => "bad_session_name",
            AddSessionError::BadUrl { .. } => "bad_start_url",
            AddSessionError::BadRegion(_) => "bad_region",
            AddSessionError::Write(e) => e.code(),
        }
    }

    /// Whether the request itself was wrong (a usage error), rather than
    /// the file or the system.
    pub fn is_usage(&self) -> bool {
        match self {
            AddSessionError::Write(e) => {
                matches!(e.code(), "sso_session_exists" | "start_url_exists")
            }
            _ => true,
        }
    }
}

/// Adds `session` to the config file of `paths`.
pub fn add_session(paths: &AwsPaths, session: &NewSession) -> Result<Added, AddSessionError> {
    if session.name.is_empty() || !is_identifier(&session.name) {
        return Err(AddSessionError::BadName(session.name.clone()));
    }
    check_url(&session.start_url)?;
    if !is_region(&session.region) {
        return Err(AddSessionError::BadRegion(session.region.clone()));
    }
    let section = NewProfile {
        kind: SectionKind::SsoSession,
        name: session.name.clone(),
        settings: vec![
            ("sso_start_url".into(), session.start_url.clone()),
            ("sso_region".into(), session.region.clone()),
            ("sso_registration_scopes".into(), SCOPES.into()),
        ],
    };
    config_file::add_profile(&paths.config, &section)?;
    Ok(Added {
        name: session.name.clone(),
        config: paths.config.clone(),
    })
}

/// An `https://` address with a host name and nothing a config value cannot
/// hold (white space, control characters, `#` or `;` that readers take for
/// a comment).
fn check_url(url: &str) -> Result<(), AddSessionError> {
    let bad = |reason| {
        Err(AddSessionError::BadUrl {
            url: url.to_owned(),
            reason,
        })
    };
    // The scheme and host are read in any letter case, as URLs are.
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://") else {
        return bad("it must start with https://");
    };
    if url.chars().any(char::is_control) {
        return bad("it holds a control character");
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c == '#' || c == ';')
    {
        return bad("it holds white space, `#` or `;`");
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return bad("it holds a user name");
    }
    let (name, port) = match authority.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (authority, None),
    };
    let labels_ok = name.split('.').count() >= 2
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if !labels_ok {
        return bad("its host is not a domain name such as my-company.awsapps.com");
    }
    if port.is_some_and(|p| !p.parse::<u16>().is_ok_and(|p| p > 0)) {
        return bad("its port is not a number from 1 to 65535");
    }
    Ok(())
}

/// `us-east-1`, `eu-west-1`, `us-gov-west-1`, `cn-north-1`,
/// `ap-southeast-5`: two letters, words, a number, joined by `-`.
pub fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    first.len() == 2
        && first.chars().all(|c| c.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
        && !last.is_empty()
        && last.len() <= 2
        && last.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_urls_and_regions_are_checked_for_their_shape() {
        for good in [
            "https://my-company.awsapps.com/start",
            "https://d-1234567890.awsapps.com/start/",
            "https://ssoins-1234.portal.us-east-1.app.aws",
            "https://127.0.0.1:8443/start",
            "HTTPS://Corp.AwsApps.com/start",
            "https://corp.awsapps.com/start?x=a@b",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://my-company.awsapps.com/start",
            "my-company.awsapps.com/start",
            "https://",
            "https:///start",
            "https://localhost/start",
            "https://a b.awsapps.com/start",
            "https://corp.awsapps.com/start#x",
            "https://me@corp.awsapps.com/start",
            "https://-x.awsapps.com/start",
            "https://x.awsapps.com:abc/start",
            "https://x.awsapps.com:99999/start",
            "https://corp.awsapps.com/start\u{7}",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        for good in ["us-east-1", "eu-west-1", "us-gov-west-1", "ap-southeast-5"] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "useast1",
            "u-east-1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }
}
