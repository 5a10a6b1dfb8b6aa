//! [`Demo`]: the whole product against the embedded sandbox, with no AWS
//! account. A temporary folder holds the sandbox's config and credentials
//! files, an AWS home, Leasekeeper's state and settings; the person's real
//! `~/.aws` and settings are never touched, and the folder is removed when
//! the demo is dropped. Time runs `speed` times faster in the sandbox and,
//! through `LEASEKEEPER_TIME_SCALE`, in the keeper. The folder itself is
//! the temporary folder's (a new name, removed with all in it), the AWS
//! files in it the sandbox's; the one file the demo writes, `demo.env`, is
//! a [`locked_edit`] like every file Leasekeeper writes.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::settings_file::CONFIG_DIR_ENV;
use leasekeeper_host::locked_edit::{self, EditError, Planned};
use leasekeeper_host::signin::TIME_SCALE_ENV;
use leasekeeper_host::state_dir::STATE_DIR_ENV;
use leasekeeper_sandbox::{RunningSandbox, Sandbox, SandboxConfig};

use crate::env::Environment;

/// The speed a demo runs at unless told otherwise: an hour in a minute.
pub const DEFAULT_SPEED: f64 = 60.0;

/// Set in the demo's environment: its processes look after the demo's
/// files only, whatever a settings file names.
pub const DEMO_ENV: &str = "LEASEKEEPER_DEMO";

/// The endpoint variables every SDK honours, pointed at the sandbox.
pub const ENDPOINT_VARS: [&str; 4] = [
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_SIGNIN",
];

/// The person's AWS settings that would lead the demo elsewhere.
pub const UNSET_VARS: [&str; 7] = [
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
];

/// Why the demo cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot create the demo's temporary folder")]
    TempDir(#[source] std::io::Error),
    #[error("cannot start the sandbox")]
    Sandbox(#[source] leasekeeper_sandbox::SandboxError),
    #[error("cannot write the demo's files to {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the demo's files to {}", path.display())]
    Edit {
        path: PathBuf,
        #[source]
        source: EditError<Infallible>,
    },
}

impl DemoError {
    pub fn code(&self) -> &'static str {
        match self {
            DemoError::TempDir(_) => "demo_temp_dir",
            DemoError::Sandbox(_) => "demo_sandbox",
            DemoError::Write { .. } | DemoError::Edit { .. } => "demo_write",
        }
    }
}

/// A running demo: the sandbox and its temporary world.
#[derive(Debug)]
pub struct Demo {
    sandbox: RunningSandbox,
    /// The demo's AWS files.
    pub paths: AwsPaths,
    /// The process environment with the demo's files, folders, endpoints
    /// and time scale: what a process working on the demo runs with.
    pub env: Environment,
    /// `export …` lines that point a shell at the demo.
    pub env_file: PathBuf,
    pub speed: f64,
    // Last: removed after everything that points into it.
    dir: tempfile::TempDir,
}

impl Demo {
    /// Starts the sandbox (on a free loopback port) and writes its world
    /// into a new temporary folder. Must be called inside a Tokio runtime.
    pub async fn start(speed: f64) -> Result<Demo, DemoError> {
        let dir = tempfile::Builder::new()
            .prefix("leasekeeper-demo-")
            .tempdir()
            .map_err(DemoError::TempDir)?;
        let sandbox = Sandbox::start(SandboxConfig {
            speed,
            ..SandboxConfig::default()
        })
        .await
        .map_err(DemoError::Sandbox)?;
        let mut lines = sandbox
            .write_config(dir.path())
            .map_err(DemoError::Sandbox)?;
        // Work on the canonical path, as the sandbox wrote its files there.
        let root = std::fs::canonicalize(dir.path()).map_err(|source| DemoError::Write {
            path: dir.path().to_owned(),
            source,
        })?;
        let home = root.join("home");
        let paths = AwsPaths {
            sso_cache: home.join(".aws/sso/cache"),
            cli_cache: home.join(".aws/cli/cache"),
            home: home.clone(),
            config: root.join("config"),
            credentials: root.join("credentials"),
        };
        let state = root.join("state");
        let settings = root.join("settings");
        let mut env = Environment::process();
        env.set("HOME", &home);
        env.set("AWS_CONFIG_FILE", &paths.config);
        env.set("AWS_SHARED_CREDENTIALS_FILE", &paths.credentials);
        env.set(STATE_DIR_ENV, &state);
        env.set(CONFIG_DIR_ENV, &settings);
        env.set(TIME_SCALE_ENV, speed.to_string());
        env.set(DEMO_ENV, "1");
        // What the sandbox's own `export`/`unset` lines say: its endpoints
        // for every AWS call, and nothing of the person's AWS settings.
        for name in ENDPOINT_VARS {
            env.set(name, sandbox.base_url());
        }
        for name in UNSET_VARS {
            env.unset(name);
        }
        lines.push(format!("export {STATE_DIR_ENV}={}", state.display()));
        lines.push(format!("export {CONFIG_DIR_ENV}={}", settings.display()));
        let env_file = root.join("demo.env");
        write(&env_file, &(lines.join("\n") + "\n"))?;
        Ok(Demo {
            sandbox,
            paths,
            env,
            env_file,
            speed,
            dir,
        })
    }

    /// The sandbox's address (its approval page is under `/_sandbox/`).
    pub fn base_url(&self) -> &str {
        self.sandbox.base_url()
    }

    /// The temporary folder everything is in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stops the sandbox; the folder goes when the demo is dropped.
    pub async fn shutdown(self) {
        let Demo { sandbox, dir, .. } = self;
        sandbox.shutdown().await;
        drop(dir);
    }
}

/// Writes the demo's file `path` (`text`, whatever it held).
fn write(path: &Path, text: &str) -> Result<(), DemoError> {
    locked_edit::edit(path, plan_text(text)).map_err(|source| DemoError::Edit {
        path: path.to_owned(),
        source,
    })
}

/// The plan of a file the demo writes: `text`, whatever the file held.
fn plan_text(text: &str) -> impl FnMut(Option<&[u8]>) -> Result<Planned<()>, Infallible> + '_ {
    move |current| {
        Ok(if current == Some(text.as_bytes()) {
            Planned::Unchanged(())
        } else {
            Planned::Replace(text.as_bytes().to_vec(), ())
        })
    }
}
