//! [`SdkConnect`]: the keeper's AWS clients, one per region, built on the
//! AWS SDK for Rust with the home's config and credentials files and the
//! CA bundle and proxy the environment names.

use std::path::PathBuf;

use leasekeeper_aws::{Aws, AwsSettings, Proxy};
use leasekeeper_host::keeper::Connect;

/// The SDK clients, built per region with this home's files.
#[derive(Debug, Clone)]
pub struct SdkConnect {
    pub(crate) files: (PathBuf, PathBuf),
    pub(crate) ca_bundle: Option<PathBuf>,
    pub(crate) proxy: Proxy,
}

impl Connect for SdkConnect {
    type Client = Aws;

    async fn connect(&self, region: &str) -> Result<Aws, String> {
        let settings = AwsSettings {
            region: region.to_owned(),
            profile: None,
            ca_bundle: self.ca_bundle.clone(),
            proxy: self.proxy.clone(),
            files: Some(self.files.clone()),
        };
        Aws::load(&settings).await.map_err(|e| e.to_string())
    }
}
