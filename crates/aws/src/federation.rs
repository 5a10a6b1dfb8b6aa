//! What the console sign-in and `doctor` need from AWS beyond the
//! engine's ports: GetFederationToken with long-term keys, the federation
//! endpoint's address (`AWS_ENDPOINT_URL_SIGNIN` or a `[services]` `signin`
//! entry only: the global `AWS_ENDPOINT_URL` and a profile's `endpoint_url`
//! point at some other service and would be handed the secret key; `https`,
//! or `http` on a loopback host; else `None`, and the partition's host is
//! used), one GET of it through the same HTTP client as every AWS call (the
//! CA bundle and the proxy apply), and AWS's clock from one unsigned STS
//! request. The URL of the federation GET holds the secret key: it is taken
//! as a [`Secret`] and never logged, and the answer's body is handed back
//! bounded, unread.

use std::time::Duration;

use aws_smithy_runtime_api::client::http::HttpConnector as _;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt as _;
use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::{AwsError, Credentials, Dated, Service};

use crate::date::{DateCapture, parse_http_date};
use crate::{Aws, endpoint, errors};

/// The federation endpoint answers within this time, or not at all.
const FEDERATION_TIMEOUT: Duration = Duration::from_secs(30);
/// Its answer is a small JSON object: more is not read.
const MAX_ANSWER: usize = 64 * 1024;

/// The federation endpoint's answer: its status and (bounded) body.
#[derive(Debug)]
pub struct FederationAnswer {
    pub status: u16,
    /// Held as a secret: a successful body is a sign-in token.
    pub body: Secret,
    pub server_date: Option<time::OffsetDateTime>,
}

impl Aws {
    /// The federation endpoint configured for these clients, if any: its
    /// own setting only, `https` or `http` on a loopback host.
    pub fn signin_endpoint(&self) -> Result<Option<String>, AwsError> {
        let Some(url) = endpoint::configured_url(&self.sdk, "signin") else {
            return Ok(None);
        };
        // The global endpoint (AWS_ENDPOINT_URL, a profile's endpoint_url)
        // is another service's: never the console's.
        if self.sdk.endpoint_url() == Some(url.as_str()) {
            return Ok(None);
        }
        let url = url.trim_end_matches('/').to_owned();
        if secure_or_local(&url) {
            Ok(Some(url))
        } else if after_scheme(&url, "http://").is_none() {
            Err(AwsError::Setup {
                service: Service::Signin,
                detail: "the configured sign-in endpoint (AWS_ENDPOINT_URL_SIGNIN or a [services] \
                         signin entry) is not an https:// URL"
                    .to_owned(),
            })
        } else {
            Err(AwsError::Setup {
                service: Service::Signin,
                detail: "the configured sign-in endpoint is neither https nor on a loopback \
                         address: the secret key would cross the network in the clear"
                    .to_owned(),
            })
        }
    }

    /// GetFederationToken with long-term keys: the federated user's keys
    /// and ARN.
    pub async fn get_federation_token(
        &self,
        keys: &Credentials,
        name: &str,
        policy: &str,
        duration_seconds: u32,
    ) -> Result<Dated<(Credentials, String)>, AwsError> {
        crate::sts::signable(keys)?;
        let date = DateCapture::default();
        let out = self
            .sts_with(keys)
            .get_federation_token()
            .name(name)
            .policy(policy)
            .duration_seconds(i32::try_from(duration_seconds).unwrap_or(i32::MAX))
            .customize()
            .interceptor(date.clone())
            .send()
            .await
            .map_err(|e| errors::map(Service::Sts, &e))?;
        let arn = out
            .federated_user
            .map(|u| u.arn)
            .unwrap_or_else(|| format!("federated-user/{name}"));
        Ok(Dated {
            value: (crate::sts::credentials(out.credentials)?, arn),
            server_date: date.get(),
        })
    }

    /// One GET of `url` (a federation endpoint URL). Errors name the
    /// endpoint's trouble, never the URL.
    pub async fn federation_get(&self, url: &Secret) -> Result<FederationAnswer, AwsError> {
        self.plain_get(url, Service::Signin).await
    }

    /// AWS's clock: the `Date` of STS's answer to one unsigned request (any
    /// answer has one), for the clock-skew check. `None` without a `Date`.
    pub async fn sts_server_date(&self) -> Result<Option<time::OffsetDateTime>, AwsError> {
        let base = endpoint::sts_endpoint(&self.sdk).await?;
        let url = Secret::new(format!("{}/", base.trim_end_matches('/')));
        Ok(self.plain_get(&url, Service::Sts).await?.server_date)
    }

    async fn plain_get(
        &self,
        url: &Secret,
        service: Service,
    ) -> Result<FederationAnswer, AwsError> {
        let network = |detail: String| AwsError::Network { service, detail };
        let request = HttpRequest::get(url.expose()).map_err(|_| AwsError::Setup {
            service,
            detail: "the endpoint's address is not a valid URL".to_owned(),
        })?;
        let call = async {
            let response = self
                .plain
                .call(request)
                .await
                .map_err(|e| network(format!("cannot reach it: {}", connector_error(&e))))?;
            let status = response.status().as_u16();
            let server_date = response.headers().get("date").and_then(parse_http_date);
            let body = read_bounded(response.into_body()).await.map_err(network)?;
            Ok(FederationAnswer {
                status,
                body: Secret::new(String::from_utf8_lossy(&body).into_owned()),
                server_date,
            })
        };
        tokio::time::timeout(FEDERATION_TIMEOUT, call)
            .await
            .map_err(|_| network("no answer within 30 seconds".to_owned()))?
    }
}

/// `rest` of `url` after `scheme` (`https://`), in any case.
fn after_scheme<'a>(url: &'a str, scheme: &str) -> Option<&'a str> {
    let head = url.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| url.get(scheme.len()..))
        .flatten()
}

/// `https://…`, or `http://` on 127.0.0.1, `localhost` or `[::1]`.
fn secure_or_local(url: &str) -> bool {
    if after_scheme(url, "https://").is_some() {
        return true;
    }
    let Some(rest) = after_scheme(url, "http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if !h.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// The kind of a connection failure, without the request it came from.
fn connector_error(e: &aws_smithy_runtime_api::client::result::ConnectorError) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_io() {
        "the connection failed"
    } else {
        "the request failed"
    }
}

async fn read_bounded(mut body: SdkBody) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| "the answer broke off".to_owned())?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > MAX_ANSWER {
                return Err("the answer is larger than expected".to_owned());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_endpoints_are_handed_the_secret_key() {
        for ok in [
            "https://signin.aws.amazon.com",
            "https://proxy.corp.example:8443/x",
            "http://127.0.0.1:4566",
            "http://localhost",
            "http://[::1]:9/",
            "HTTPS://signin.aws.amazon.com",
            "Http://127.0.0.1:4566",
        ] {
            assert!(secure_or_local(ok), "{ok}");
        }
        for bad in [
            "http://localstack.corp:4566",
            "http://127.0.0.1.evil.example/",
            "http://localhost@evil.example/",
            "ftp://127.0.0.1",
            "",
            "h",
            "é://x",
            "HTTP://example.com",
        ] {
            assert!(!secure_or_local(bad), "{bad}");
        }
    }
}
