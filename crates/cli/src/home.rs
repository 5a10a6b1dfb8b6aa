//! Which AWS files this run looks at: the person's own (from `HOME`,
//! `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`), or those under the home
//! folder given with `--home`.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context;
use leasekeeper_host::aws_files::AwsPaths;

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
}
