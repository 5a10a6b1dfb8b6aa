//! A sandbox, a config file pointing a profile at it through `endpoint_url`
//! (no environment variable: tests share one process), the AWS clients,
//! the real file store, and a sign-in done through the engine.

#![allow(dead_code)]

use std::future::Future;
use std::sync::Mutex;

use leasekeeper_aws::{Aws, AwsSettings, Proxy};
use leasekeeper_engine::ports::{Clock, DeviceCodePrompt, Interaction, Notice};
use leasekeeper_engine::signin::{self, LoginOptions, SignInPorts, SignedIn, SsoTarget, TimeScale};
use leasekeeper_host::clock::{OsRandom, SystemClock};
use leasekeeper_host::loopback::LoopbackBinder;
use leasekeeper_host::store::FileStore;
use leasekeeper_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use time::{Duration, OffsetDateTime};

pub struct Env {
    pub sb: RunningSandbox,
    pub dir: tempfile::TempDir,
    pub aws: Aws,
    pub store: FileStore,
    pub target: SsoTarget,
}

/// A clock ahead of the real one by a settable amount.
#[derive(Debug, Default)]
pub struct AheadClock(pub Mutex<Duration>);

impl AheadClock {
    pub fn set(&self, ahead: Duration) {
        *self.0.lock().unwrap() = ahead;
    }
}

impl Clock for AheadClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + *self.0.lock().unwrap()
    }
    fn sleep(&self, d: Duration) -> impl Future<Output = ()> + Send {
        SystemClock.sleep(d)
    }
}

/// Records what a person would see.
#[derive(Debug, Default)]
pub struct Quiet(pub Mutex<Vec<String>>);

impl Interaction for Quiet {
    fn show_device_code(&self, p: &DeviceCodePrompt<'_>) {
        self.0.lock().unwrap().push(format!("code {}", p.user_code));
    }
    fn continue_in_browser(&self, _: &str, url: &str) {
        self.0.lock().unwrap().push(format!("continue {url}"));
    }
    fn show_sign_in_url(&self, _: &str, url: &str) {
        self.0.lock().unwrap().push(format!("url {url}"));
    }
    fn open_url(&self, _: &str) -> Result<(), String> {
        Err("no browser in tests".into())
    }
    fn notice(&self, n: &Notice) {
        self.0.lock().unwrap().push(format!("{n:?}"));
    }
}

pub async fn start(adjust: impl FnOnce(&mut SandboxConfig)) -> Env {
    let mut config = SandboxConfig::default();
    adjust(&mut config);
    let sb = Sandbox::start(config).await.expect("sandbox");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile sb]\nendpoint_url = {}\n\n[sso-session sandbox]\nsso_start_url = https://sandbox.awsapps.com/start\nsso_region = us-east-1\n\n[profile dev-admin]\nsso_session = sandbox\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = us-east-1\nendpoint_url = {}\n",
            sb.base_url(),
            sb.base_url()
        ),
    )
    .unwrap();
    let ca_bundle = sb.ca_pem().map(|pem| {
        let p = dir.path().join("ca.pem");
        std::fs::write(&p, pem).unwrap();
        p
    });
    let aws = Aws::load(&AwsSettings {
        region: "us-east-1".into(),
        profile: Some("sb".into()),
        ca_bundle,
        proxy: Proxy::Environment,
        files: Some((config, dir.path().join("credentials"))),
    })
    .await
    .expect("clients");
    let store = FileStore::new(
        dir.path().join("home/.aws/sso/cache"),
        dir.path().join("state"),
    );
    let target = SsoTarget {
        session: Some("sandbox".into()),
        start_url: "https://sandbox.awsapps.com/start".into(),
        region: "us-east-1".into(),
        configured_scopes: Vec::new(),
    };
    Env {
        sb,
        dir,
        aws,
        store,
        target,
    }
}

impl Env {
    pub fn ports<'a, C: Clock>(
        &'a self,
        clock: &'a C,
        scale: f64,
    ) -> SignInPorts<'a, Aws, C, FileStore> {
        SignInPorts {
            oidc: &self.aws,
            clock,
            store: &self.store,
            scale: TimeScale::new(scale).unwrap(),
        }
    }

    /// A device-code sign-in on a sandbox that approves at once.
    pub async fn sign_in(&self, scale: f64) -> SignedIn {
        signin::login(
            &self.ports(&SystemClock, scale),
            &Quiet::default(),
            &OsRandom,
            &LoopbackBinder,
            &self.target,
            &LoginOptions {
                use_device_code: true,
                open_browser: false,
                holder: "test".into(),
            },
        )
        .await
        .expect("signed in")
    }

    pub fn token_file(&self) -> std::path::PathBuf {
        self.dir
            .path()
            .join("home/.aws/sso/cache")
            .join(format!("{}.json", self.target.cache_key()))
    }

    pub fn token_json(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.token_file()).unwrap()).unwrap()
    }
}
