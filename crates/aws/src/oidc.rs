//! [`SsoOidc`] on aws-sdk-ssooidc: RegisterClient, StartDeviceAuthorization,
//! CreateToken for the three grants, and the authorize URL.

use std::future::Future;

use aws_sdk_ssooidc::operation::RequestId as _;
use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::{
    AuthorizeRequest, AwsError, ClientRegistration, Dated, DeviceAuthorization,
    RegisterClientRequest, RegistrationKind, Service, SsoOidc, TokenGrant, TokenResponse,
};
use time::{Duration, OffsetDateTime};

use crate::date::DateCapture;
use crate::{Aws, endpoint, errors};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn err<E>(
    e: &aws_sdk_ssooidc::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> AwsError
where
    E: aws_sdk_ssooidc::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let mapped = errors::map(Service::SsoOidc, e);
    tracing::debug!(code = mapped.code(), request_id = ?e.request_id(), "sso-oidc call failed");
    mapped
}

fn missing(field: &str) -> AwsError {
    AwsError::Other {
        service: Service::SsoOidc,
        code: "incomplete_answer".to_owned(),
        message: format!("the answer has no {field}"),
    }
}

impl SsoOidc for Aws {
    fn register_client(
        &self,
        request: &RegisterClientRequest,
    ) -> impl Future<Output = Result<Dated<ClientRegistration>, AwsError>> + Send {
        let date = DateCapture::default();
        let mut call = self
            .oidc
            .register_client()
            .client_name(&request.client_name)
            .client_type("public")
            .set_scopes((!request.scopes.is_empty()).then(|| request.scopes.clone()));
        if request.kind == RegistrationKind::AuthorizationCode {
            call = call
                .grant_types("authorization_code")
                .grant_types("refresh_token")
                .set_redirect_uris(request.redirect_uri.clone().map(|u| vec![u]))
                .set_issuer_url(request.issuer_url.clone());
        }
        async move {
            let out = call
                .customize()
                .interceptor(date.clone())
                .send()
                .await
                .map_err(|e| err(&e))?;
            let expires_at = OffsetDateTime::from_unix_timestamp(out.client_secret_expires_at)
                .map_err(|_| missing("valid clientSecretExpiresAt"))?;
            Ok(Dated {
                value: ClientRegistration {
                    client_id: out.client_id.ok_or_else(|| missing("clientId"))?,
                    client_secret: Secret::new(
                        out.client_secret.ok_or_else(|| missing("clientSecret"))?,
                    ),
                    expires_at,
                },
                server_date: date.get(),
            })
        }
    }

    fn start_device_authorization(
        &self,
        client: &ClientRegistration,
        start_url: &str,
    ) -> impl Future<Output = Result<Dated<DeviceAuthorization>, AwsError>> + Send {
        let date = DateCapture::default();
        let call = self
            .oidc
            .start_device_authorization()
            .client_id(&client.client_id)
            .client_secret(client.client_secret.expose())
            .start_url(start_url);
        async move {
            let out = call
                .customize()
                .interceptor(date.clone())
                .send()
                .await
                .map_err(|e| err(&e))?;
            Ok(Dated {
                value: DeviceAuthorization {
                    device_code: Secret::new(out.device_code.ok_or_else(|| missing("deviceCode"))?),
                    user_code: out.user_code.ok_or_else(|| missing("userCode"))?,
                    verification_uri: out
                        .verification_uri
                        .ok_or_else(|| missing("verificationUri"))?,
                    verification_uri_complete: out.verification_uri_complete,
                    expires_in: Duration::seconds(i64::from(out.expires_in)),
                    interval: (out.interval > 0)
                        .then(|| Duration::seconds(i64::from(out.interval))),
                },
                server_date: date.get(),
            })
        }
    }

    fn create_token(
        &self,
        client: &ClientRegistration,
        grant: TokenGrant<'_>,
    ) -> impl Future<Output = Result<Dated<TokenResponse>, AwsError>> + Send {
        let date = DateCapture::default();
        let call = self
            .oidc
            .create_token()
            .client_id(&client.client_id)
            .client_secret(client.client_secret.expose());
        let call = match grant {
            TokenGrant::DeviceCode { device_code } => call
                .grant_type(DEVICE_GRANT)
                .device_code(device_code.expose()),
            TokenGrant::AuthorizationCode {
                code,
                code_verifier,
                redirect_uri,
            } => call
                .grant_type("authorization_code")
                .code(code.expose())
                .code_verifier(code_verifier.expose())
                .redirect_uri(redirect_uri),
            TokenGrant::RefreshToken { refresh_token } => call
                .grant_type("refresh_token")
                .refresh_token(refresh_token.expose()),
        };
        async move {
            let out = call
                .customize()
                .interceptor(date.clone())
                .send()
                .await
                .map_err(|e| err(&e))?;
            Ok(Dated {
                value: TokenResponse {
                    access_token: Secret::new(
                        out.access_token.ok_or_else(|| missing("accessToken"))?,
                    ),
                    refresh_token: out.refresh_token.map(Secret::new),
                    expires_in: Duration::seconds(i64::from(out.expires_in)),
                },
                server_date: date.get(),
            })
        }
    }

    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> Result<String, AwsError> {
        Ok(endpoint::authorize_url(&self.oidc_endpoint, request))
    }
}
