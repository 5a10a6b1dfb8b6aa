//! Which AWS files this run looks at: the person's own (from `HOME`,
//! `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`), or those under the home
//! folder given with `--home`.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context;
use leasekeeper_engine::lease;
use leasekeeper_engine::load;
use leasekeeper_engine::report::StatusReport;
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::{self, AwsPaths};
use time::OffsetDateTime;

/// The AWS home a command works on.
#[derive(Debug, Clone)]
pub struct Home {
    pub paths: AwsPaths,
}

impl Home {
    /// From the process environment, with `HOME` replaced by `home_override`
    /// when given.
    pub fn from_env(home_override: Option<PathBuf>) -> anyhow::Result<Home> {
        let env = |name: &str| -> Option<OsString> {
            if name == "HOME" {
                if let Some(home) = &home_override {
                    return Some(home.clone().into_os_string());
                }
            }
            std::env::var_os(name)
        };
        let paths = AwsPaths::from_env(env).context("cannot find the AWS files")?;
        Ok(Home { paths })
    }

    /// A home whose files are given explicitly (the demo's).
    pub fn at(home: PathBuf, config: PathBuf, credentials: PathBuf) -> Home {
        Home {
            paths: AwsPaths {
                sso_cache: home.join(".aws/sso/cache"),
                cli_cache: home.join(".aws/cli/cache"),
                home,
                config,
                credentials,
            },
        }
    }

    /// Every lease at `now`, most urgent first.
    pub fn status(&self, now: OffsetDateTime) -> StatusReport {
        let snapshot = self.snapshot();
        let mut leases = lease::leases(&snapshot, now);
        lease::urgency::sort(&mut leases);
        StatusReport::new(leases, snapshot.problems, now)
    }

    /// Reads and parses everything now.
    pub fn snapshot(&self) -> Snapshot {
        load::snapshot(&aws_files::read(&self.paths))
    }
}
