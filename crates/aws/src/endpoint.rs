//! The OIDC endpoint, resolved as the SDK resolves it, and the browser's
//! authorize URL on it.
//!
//! The endpoint URL setting is looked up exactly as
//! `aws_sdk_ssooidc::Config::from(&SdkConfig)` does (an explicit endpoint,
//! else the service's `AWS_ENDPOINT_URL_SSO_OIDC` / `[services]` /
//! `AWS_ENDPOINT_URL` / profile `endpoint_url` through aws-config's service
//! configuration), then handed with the region, FIPS and dual-stack flags
//! to the SDK's own endpoint resolver — no string guessing of
//! `oidc.REGION.amazonaws.com`.

use aws_config::SdkConfig;
use aws_sdk_ssooidc::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_types::service_config::ServiceConfigKey;
use leasekeeper_engine::console::url_encode;
use leasekeeper_engine::ports::{AuthorizeRequest, AwsError, Service};

/// The endpoint URL configured for a service (`SSO OIDC`, `signin`), if
/// any: its `AWS_ENDPOINT_URL_<ID>`, `[services]` entry, `AWS_ENDPOINT_URL`
/// or the profile's `endpoint_url`, as aws-config reads them (and ignores
/// them all under `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`).
pub(crate) fn configured_url(sdk: &SdkConfig, service_id: &str) -> Option<String> {
    if sdk.get_origin("endpoint_url").is_client_config() {
        return sdk.endpoint_url().map(str::to_owned);
    }
    let key = ServiceConfigKey::builder()
        .service_id(service_id)
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .ok()?;
    sdk.service_config()
        .and_then(|c| c.load_config(key))
        .or_else(|| sdk.endpoint_url().map(str::to_owned))
}

/// The OIDC endpoint for `sdk`'s region and settings, from the SDK's resolver.
pub async fn oidc_endpoint(sdk: &SdkConfig) -> Result<String, AwsError> {
    let setup = |detail: String| AwsError::Setup {
        service: Service::SsoOidc,
        detail,
    };
    let params = Params::builder()
        .set_region(sdk.region().map(|r| r.to_string()))
        .use_fips(sdk.use_fips().unwrap_or(false))
        .use_dual_stack(sdk.use_dual_stack().unwrap_or(false))
        .set_endpoint(configured_url(sdk, "SSO OIDC"))
        .build()
        .map_err(|e| setup(e.to_string()))?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map_err(|e| setup(format!("cannot resolve the endpoint: {e}")))?;
    Ok(endpoint.url().trim_end_matches('/').to_owned())
}

/// The STS endpoint for `sdk`'s region and settings, from the STS SDK's
/// own resolver (partitions, FIPS, an endpoint setting).
pub async fn sts_endpoint(sdk: &SdkConfig) -> Result<String, AwsError> {
    use aws_sdk_sts::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    let setup = |detail: String| AwsError::Setup {
        service: Service::Sts,
        detail,
    };
    let params = Params::builder()
        .set_region(sdk.region().map(|r| r.to_string()))
        .use_fips(sdk.use_fips().unwrap_or(false))
        .use_dual_stack(sdk.use_dual_stack().unwrap_or(false))
        .set_endpoint(configured_url(sdk, "STS"))
        .build()
        .map_err(|e| setup(e.to_string()))?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map_err(|e| setup(format!("cannot resolve the endpoint: {e}")))?;
    Ok(endpoint.url().trim_end_matches('/').to_owned())
}

/// `<endpoint>/authorize?response_type=code&client_id=…&redirect_uri=…&state=…&code_challenge_method=S256&scopes=…&code_challenge=…`.
pub fn authorize_url(endpoint: &str, r: &AuthorizeRequest<'_>) -> String {
    let mut pairs = vec![
        ("response_type", "code".to_owned()),
        ("client_id", r.client_id.to_owned()),
        ("redirect_uri", r.redirect_uri.to_owned()),
        ("state", r.state.to_owned()),
        ("code_challenge_method", "S256".to_owned()),
    ];
    if !r.scopes.is_empty() {
        pairs.push(("scopes", r.scopes.join(",")));
    }
    pairs.push(("code_challenge", r.code_challenge.to_owned()));
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    format!("{endpoint}/authorize?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::Region;

    #[tokio::test]
    async fn the_sdk_resolver_gives_the_regional_endpoint_and_honours_an_override() {
        let sdk = SdkConfig::builder()
            .region(Region::new("eu-west-1"))
            .build();
        assert_eq!(
            oidc_endpoint(&sdk).await.unwrap(),
            "https://oidc.eu-west-1.amazonaws.com"
        );
        let sdk = SdkConfig::builder()
            .region(Region::new("eu-west-1"))
            .use_fips(true)
            .build();
        assert_eq!(
            oidc_endpoint(&sdk).await.unwrap(),
            "https://oidc-fips.eu-west-1.amazonaws.com"
        );
        let sdk = SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:4000/")
            .build();
        assert_eq!(oidc_endpoint(&sdk).await.unwrap(), "http://127.0.0.1:4000");
    }

    #[test]
    fn the_authorize_url_encodes_every_value() {
        let scopes = ["sso:account:access".to_owned()];
        let url = authorize_url(
            "http://127.0.0.1:4000",
            &AuthorizeRequest {
                client_id: "c id",
                redirect_uri: "http://127.0.0.1:5555/oauth/callback",
                state: "st_4-te",
                code_challenge: "abc",
                scopes: &scopes,
            },
        );
        assert_eq!(
            url,
            "http://127.0.0.1:4000/authorize?response_type=code&client_id=c%20id&redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Foauth%2Fcallback&state=st_4-te&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=abc"
        );
    }
}
