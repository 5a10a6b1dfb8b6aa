//! The HTTP client every AWS call uses: rustls with the platform's roots
//! plus the certificates of a custom CA bundle (`AWS_CA_BUNDLE` or a
//! profile's `ca_bundle`; aws-sdk-rust reads neither by itself), and the
//! proxy of the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`,
//! `NO_PROXY`, upper or lower case) or the one the settings name, through
//! aws-smithy-http-client's proxy support (HTTPS goes through a CONNECT
//! tunnel).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use aws_smithy_http_client::Connector;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use leasekeeper_engine::proxy::{self, Proxy};

/// Why the clients cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read the CA bundle {}", path.display())]
    CaBundleUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the CA bundle {} holds no PEM certificate", path.display())]
    CaBundleEmpty { path: PathBuf },
    #[error("cannot use the CA bundle {}: {reason}", path.display())]
    CaBundleInvalid { path: PathBuf, reason: String },
    /// `shown` is the address without its user and password.
    #[error("cannot use the proxy {shown}: {reason}")]
    BadProxy { shown: String, reason: String },
    #[error(transparent)]
    Endpoint(#[from] leasekeeper_engine::ports::AwsError),
}

impl SetupError {
    pub fn code(&self) -> &'static str {
        match self {
            SetupError::CaBundleUnreadable { .. }
            | SetupError::CaBundleEmpty { .. }
            | SetupError::CaBundleInvalid { .. } => "bad_ca_bundle",
            SetupError::BadProxy { .. } => "bad_proxy",
            SetupError::Endpoint(e) => e.code(),
        }
    }
}

/// Connectors made so far, by their settings (a connector holds the
/// connection pool, so it is made once per distinct setting).
struct Client {
    tls: TlsContext,
    /// Checked when the client was made; its `Debug` hides a password
    /// (the SDK prints the client at trace level).
    proxy: Proxy,
    cache: Mutex<Vec<(String, SharedHttpConnector)>>,
}

/// Names the proxy without its password; the connectors (whose proxy
/// settings hold it) are only counted.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let connectors = self.cache.lock().map_or(0, |c| c.len());
        f.debug_struct("Client")
            .field("proxy", &self.proxy)
            .field("connectors", &connectors)
            .finish_non_exhaustive()
    }
}

impl HttpClient for Client {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = format!("{settings:?}");
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = cache.iter().find(|(k, _)| *k == key) {
            return c.clone();
        }
        let mut builder = Connector::builder().connector_settings(settings.clone());
        builder.set_sleep_impl(components.sleep_impl());
        let connector = builder
            // From the environment: read now, as every connector is made.
            .proxy_config(proxy_config(&self.proxy).unwrap_or_else(|_| ProxyConfig::disabled()))
            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(self.tls.clone())
            .build();
        let shared = SharedHttpConnector::new(connector);
        cache.push((key, shared.clone()));
        shared
    }
}

/// The client, trusting the platform's roots and `ca_bundle`'s
/// certificates, through `proxy`.
pub fn http_client(
    ca_bundle: Option<&Path>,
    proxy: &Proxy,
) -> Result<SharedHttpClient, SetupError> {
    proxy_config(proxy)?;
    Ok(SharedHttpClient::new(Client {
        tls: tls_context(ca_bundle)?,
        proxy: proxy.clone(),
        cache: Mutex::new(Vec::new()),
    }))
}

/// A connector for calls outside the SDK (the console's federation
/// endpoint), with the same roots and proxy as the SDK's calls.
pub fn plain_connector(
    ca_bundle: Option<&Path>,
    proxy: &Proxy,
) -> Result<SharedHttpConnector, SetupError> {
    let connector = Connector::builder()
        .proxy_config(proxy_config(proxy)?)
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls_context(ca_bundle)?)
        .build();
    Ok(SharedHttpConnector::new(connector))
}

fn tls_context(ca_bundle: Option<&Path>) -> Result<TlsContext, SetupError> {
    let mut trust = TrustStore::default();
    if let Some(path) = ca_bundle {
        let pem = std::fs::read(path).map_err(|source| SetupError::CaBundleUnreadable {
            path: path.to_owned(),
            source,
        })?;
        if !pem
            .windows(b"-----BEGIN CERTIFICATE-----".len())
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        {
            return Err(SetupError::CaBundleEmpty {
                path: path.to_owned(),
            });
        }
        trust = trust.with_pem_certificate(pem);
    }
    TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| SetupError::CaBundleInvalid {
            path: ca_bundle.map(Path::to_owned).unwrap_or_default(),
            reason: e.to_string(),
        })
}

fn proxy_config(proxy: &Proxy) -> Result<ProxyConfig, SetupError> {
    match proxy {
        Proxy::Environment => Ok(ProxyConfig::from_env()),
        Proxy::Https { url, no_proxy } => {
            let bad = |reason: String| SetupError::BadProxy {
                shown: proxy::shown(url),
                reason,
            };
            proxy::check_url(url).map_err(|e| bad(e.to_string()))?;
            // The user and password go as basic authentication: the URL
            // the connector is given would drop them.
            let parts = proxy::split(url);
            let address = format!("{}://{}", parts.scheme, parts.rest);
            // The error of the URL parser may quote the address: not shown.
            let mut config = ProxyConfig::https(address.as_str())
                .map_err(|_| bad("it is not a valid address".to_owned()))?;
            if let Some((user, password)) = parts.credentials {
                config = config.with_basic_auth(user, password);
            }
            Ok(match no_proxy {
                Some(rules) => config.no_proxy(rules),
                None => config,
            })
        }
    }
}
