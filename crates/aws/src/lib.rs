//! Leasekeeper's AWS port: the engine's [`leasekeeper_engine::ports`] for
//! SSO OIDC ([`SsoOidc`]), the SSO portal ([`SsoPortal`]) and STS ([`Sts`])
//! on the AWS SDK for Rust.
//!
//! [`Aws::load`] builds the SDK clients from aws-config's loader, so the
//! standard endpoint settings apply exactly as for every AWS SDK
//! (`AWS_ENDPOINT_URL_SSO_OIDC`, `_SSO`, `_STS`, `AWS_ENDPOINT_URL`,
//! `[services]` sections, a profile's `endpoint_url`), with the region of
//! the sso-session. Every call goes through our own HTTP client ([`http`]):
//! extra root certificates from `AWS_CA_BUNDLE` or the profile's
//! `ca_bundle` (which aws-sdk-rust does not read by itself), and
//! `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` or a proxy the settings name. The PKCE authorize URL is built
//! on the OIDC endpoint the SDK's own resolver gives ([`endpoint`]). SDK
//! errors become the engine's [`leasekeeper_engine::ports::AwsError`]s
//! ([`errors`]), and every answer carries the server's `Date` ([`date`]).
//!
//! [`SsoOidc`]: leasekeeper_engine::ports::SsoOidc
//! [`SsoPortal`]: leasekeeper_engine::ports::SsoPortal
//! [`Sts`]: leasekeeper_engine::ports::Sts

pub mod date;
pub mod endpoint;
pub mod errors;
mod federation;
pub mod http;
mod oidc;
mod portal;
mod sts;

use std::path::PathBuf;
use std::time::Duration;

// aws-config's own names for the loader's file types (the new names live in
// aws-runtime, which is not a direct dependency).
#[allow(deprecated)]
use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::timeout::TimeoutConfig;

pub use http::SetupError;
pub use leasekeeper_engine::proxy::Proxy;

/// Connecting gives up after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// One attempt of a call gives up after this long.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the clients are built for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// The sso-session's region (`sso_region`).
    pub region: String,
    /// The profile whose settings apply (`endpoint_url`, `[services]`);
    /// `None`: `AWS_PROFILE` or `default`, as for any SDK.
    pub profile: Option<String>,
    /// Extra root certificates (PEM), from `AWS_CA_BUNDLE` or `ca_bundle`.
    pub ca_bundle: Option<PathBuf>,
    /// The proxy the calls go through.
    pub proxy: Proxy,
    /// The config and credentials files to read, when they are not the
    /// SDK's defaults (`--home`, tests): the SDK then reads exactly the
    /// files Leasekeeper read.
    pub files: Option<(PathBuf, PathBuf)>,
}

/// The AWS clients for one region.
#[derive(Debug, Clone)]
pub struct Aws {
    sdk: SdkConfig,
    oidc: aws_sdk_ssooidc::Client,
    portal: aws_sdk_sso::Client,
    /// The OIDC endpoint the SDK resolves, for the authorize URL.
    oidc_endpoint: String,
    /// Calls outside the SDK: the console's federation endpoint.
    plain: aws_smithy_runtime_api::client::http::SharedHttpConnector,
}

impl Aws {
    /// Loads the configuration the way every SDK does and builds the clients.
    #[allow(deprecated)] // see the import of `ProfileFiles`
    pub async fn load(settings: &AwsSettings) -> Result<Aws, SetupError> {
        let http = http::http_client(settings.ca_bundle.as_deref(), &settings.proxy)?;
        let plain = http::plain_connector(settings.ca_bundle.as_deref(), &settings.proxy)?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .no_credentials()
            .http_client(http)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .build(),
            );
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        if let Some((config, credentials)) = &settings.files {
            // A file named but missing is an error to aws-config, while a
            // missing file is normal for the SDKs: name only those that exist.
            let present: Vec<_> = [
                (ProfileFileKind::Config, config),
                (ProfileFileKind::Credentials, credentials),
            ]
            .into_iter()
            .filter(|(_, path)| path.is_file())
            .collect();
            let mut files = ProfileFiles::builder();
            for (kind, path) in &present {
                files = files.with_file(*kind, path);
            }
            if present.is_empty() {
                files = files
                    .include_default_config_file(false)
                    .include_default_credentials_file(false);
            }
            loader = loader.profile_files(files.build());
        }
        let sdk = loader.load().await;
        let oidc_endpoint = endpoint::oidc_endpoint(&sdk).await?;
        tracing::debug!(endpoint = %oidc_endpoint, region = %settings.region, "AWS clients ready");
        Ok(Aws {
            oidc: aws_sdk_ssooidc::Client::new(&sdk),
            portal: aws_sdk_sso::Client::new(&sdk),
            sdk,
            oidc_endpoint,
            plain,
        })
    }

    /// The OIDC endpoint in use (`https://oidc.REGION.amazonaws.com` unless
    /// configured otherwise).
    pub fn oidc_endpoint(&self) -> &str {
        &self.oidc_endpoint
    }
}
