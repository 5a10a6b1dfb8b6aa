//! SDK errors to the engine's [`AwsError`]: by the service's error code
//! (`x-amzn-ErrorType` for OIDC and the portal, the XML `Code` for STS) and
//! the HTTP status; no answer at all is `network`.

use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use leasekeeper_engine::ports::{AwsError, Service};

/// Maps one failed call of `service`.
pub fn map<E>(service: Service, err: &SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::ServiceError(ctx) => {
            let message = match ctx.err().message() {
                Some(m) if !m.is_empty() => m.to_owned(),
                // IAM Identity Center's OIDC answers in the OAuth shape:
                // its words are in `error_description`, not `message`.
                _ => description_of(ctx.raw()).unwrap_or_default(),
            };
            from_code(
                service,
                ctx.raw().status().as_u16(),
                ctx.err().code().unwrap_or_default(),
                &message,
            )
        }
        SdkError::TimeoutError(_) => AwsError::Network {
            service,
            detail: "timed out".to_owned(),
        },
        SdkError::ResponseError(ctx) if ctx.raw().status().as_u16() >= 500 => {
            AwsError::ServerError {
                service,
                code: ctx.raw().status().as_u16().to_string(),
            }
        }
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => AwsError::Network {
            service,
            detail: network_detail(err),
        },
        _ => AwsError::Setup {
            service,
            detail: DisplayErrorContext(err).to_string(),
        },
    }
}

/// The `error_description` of an OAuth-shaped error answer, when the body
/// was read and holds one.
fn description_of(raw: &HttpResponse) -> Option<String> {
    let body = raw.body().bytes()?;
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value
        .get("error_description")?
        .as_str()
        .map(|d| d.chars().filter(|c| !c.is_control()).collect())
}

/// The innermost cause: "Connection refused (os error 111)" rather than
/// "dispatch failure".
fn network_detail(err: &dyn std::error::Error) -> String {
    let mut source: &dyn std::error::Error = err;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// The engine's error for a service's answer.
pub fn from_code(service: Service, status: u16, code: &str, message: &str) -> AwsError {
    let message = message.to_owned();
    match code {
        "AuthorizationPendingException" => AwsError::AuthorizationPending,
        "SlowDownException" => AwsError::SlowDown,
        "ExpiredTokenException" => AwsError::ExpiredToken,
        "AccessDeniedException" if service == Service::SsoOidc => AwsError::AccessDenied,
        "InvalidGrantException" => AwsError::InvalidGrant {
            description: message,
        },
        "InvalidClientException" => AwsError::InvalidClient {
            description: message,
        },
        "UnauthorizedException" => AwsError::Unauthorized,
        "ForbiddenException" | "AccessDenied" | "AccessDeniedException" => {
            AwsError::Forbidden { service, message }
        }
        "ExpiredToken" => AwsError::ExpiredCredentials { message },
        "InvalidClientTokenId" | "SignatureDoesNotMatch" => {
            AwsError::InvalidCredentials { message }
        }
        "ValidationError" | "InvalidRequestException" => AwsError::Validation { service, message },
        "Throttling" | "ThrottlingException" | "TooManyRequestsException" => {
            AwsError::Throttled { service }
        }
        _ if status == 401 && service == Service::SsoPortal => AwsError::Unauthorized,
        _ if status == 429 => AwsError::Throttled { service },
        _ if status >= 500 => AwsError::ServerError {
            service,
            code: if code.is_empty() {
                status.to_string()
            } else {
                code.to_owned()
            },
        },
        _ => AwsError::Other {
            service,
            code: if code.is_empty() {
                format!("HTTP {status}")
            } else {
                code.to_owned()
            },
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_the_engines_errors() {
        let oidc = |c: &str| from_code(Service::SsoOidc, 400, c, "m").code();
        assert_eq!(
            oidc("AuthorizationPendingException"),
            "authorization_pending"
        );
        assert_eq!(oidc("SlowDownException"), "slow_down");
        assert_eq!(oidc("ExpiredTokenException"), "expired_token");
        assert_eq!(oidc("AccessDeniedException"), "access_denied");
        assert_eq!(oidc("InvalidGrantException"), "invalid_grant");
        assert_eq!(
            from_code(Service::SsoOidc, 401, "InvalidClientException", "").code(),
            "invalid_client"
        );
        let portal = |s: u16, c: &str| from_code(Service::SsoPortal, s, c, "").code();
        assert_eq!(portal(401, "UnauthorizedException"), "unauthorized");
        assert_eq!(portal(401, ""), "unauthorized");
        assert_eq!(portal(403, "ForbiddenException"), "forbidden");
        assert_eq!(portal(429, "TooManyRequestsException"), "throttled");
        assert_eq!(portal(500, "InternalServerException"), "server_error");
        let sts = |s: u16, c: &str| from_code(Service::Sts, s, c, "").code();
        assert_eq!(sts(403, "ExpiredToken"), "expired_credentials");
        assert_eq!(sts(403, "AccessDenied"), "forbidden");
        assert_eq!(sts(400, "Throttling"), "throttled");
        assert_eq!(sts(403, "SignatureDoesNotMatch"), "invalid_credentials");
        assert_eq!(sts(400, "ValidationError"), "validation");
    }
}
