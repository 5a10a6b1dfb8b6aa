//! [`AwsError`]: every way an AWS call through a port can fail, each with a
//! stable [`AwsError::code`] the flows and the shells branch on (never the
//! message text).

/// Which AWS service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    SsoOidc,
    SsoPortal,
    Sts,
    /// The console's federation endpoint (`signin.aws.amazon.com`).
    Signin,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::SsoOidc => "IAM Identity Center (OIDC)",
            Service::SsoPortal => "the SSO portal",
            Service::Sts => "STS",
            Service::Signin => "the console's federation endpoint",
        }
    }
}

/// A failed AWS call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    /// Device code: nobody has approved it yet.
    #[error("the sign-in has not been approved yet")]
    AuthorizationPending,
    /// Device code: polling too fast; add 5 seconds to the interval.
    #[error("IAM Identity Center asks to poll more slowly")]
    SlowDown,
    /// Device code: it lapsed before anyone approved it.
    #[error("the sign-in code expired before it was approved")]
    ExpiredToken,
    /// The person refused the sign-in.
    #[error("the sign-in was denied")]
    AccessDenied,
    /// A refresh token or code the service no longer honours: for a refresh,
    /// the sign-in session is over.
    #[error("IAM Identity Center refused the grant: {description}")]
    InvalidGrant { description: String },
    /// The client registration is unknown or expired.
    #[error("IAM Identity Center refused the client registration: {description}")]
    InvalidClient { description: String },
    /// The portal refused the access token (401): the session is over,
    /// whatever the cache file claims.
    #[error("the SSO portal refused the access token (session token not found or invalid)")]
    Unauthorized,
    /// Not allowed: an unassigned role, a policy, a wrong MFA code.
    #[error("{} refused the request: {message}", service.as_str())]
    Forbidden { service: Service, message: String },
    /// Temporary keys past their expiry (STS `ExpiredToken`).
    #[error("the credentials have expired: {message}")]
    ExpiredCredentials { message: String },
    /// Unknown keys or a wrong secret (STS `InvalidClientTokenId`,
    /// `SignatureDoesNotMatch`).
    #[error("the credentials were refused: {message}")]
    InvalidCredentials { message: String },
    /// A parameter out of range (STS `ValidationError`).
    #[error("{} refused a parameter: {message}", service.as_str())]
    Validation { service: Service, message: String },
    #[error("{} is throttling requests", service.as_str())]
    Throttled { service: Service },
    /// No answer: connection refused or dropped, DNS, TLS, a timeout.
    #[error("cannot reach {}: {detail}", service.as_str())]
    Network { service: Service, detail: String },
    /// A 5xx from the service.
    #[error("{} failed ({code})", service.as_str())]
    ServerError { service: Service, code: String },
    /// Anything else the service answered.
    #[error("{} answered {code}: {message}", service.as_str())]
    Other {
        service: Service,
        code: String,
        message: String,
    },
    /// The call could not even be made (bad configuration).
    #[error("cannot call {}: {detail}", service.as_str())]
    Setup { service: Service, detail: String },
}

impl AwsError {
    /// A stable identifier for scripts, the UI and the flows.
    pub fn code(&self) -> &'static str {
        match self {
            AwsError::AuthorizationPending => "authorization_pending",
            AwsError::SlowDown => "slow_down",
            AwsError::ExpiredToken => "expired_token",
            AwsError::AccessDenied => "access_denied",
            AwsError::InvalidGrant { .. } => "invalid_grant",
            AwsError::InvalidClient { .. } => "invalid_client",
            AwsError::Unauthorized => "unauthorized",
            AwsError::Forbidden { .. } => "forbidden",
            AwsError::ExpiredCredentials { .. } => "expired_credentials",
            AwsError::InvalidCredentials { .. } => "invalid_credentials",
            AwsError::Validation { .. } => "validation",
            AwsError::Throttled { .. } => "throttled",
            AwsError::Network { .. } => "network",
            AwsError::ServerError { .. } => "server_error",
            AwsError::Other { .. } => "aws_error",
            AwsError::Setup { .. } => "aws_setup",
        }
    }

    /// Whether trying again later may succeed: no answer, throttling, a 5xx.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            AwsError::Network { .. } | AwsError::Throttled { .. } | AwsError::ServerError { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_transient_errors_are_told_apart() {
        let net = AwsError::Network {
            service: Service::SsoOidc,
            detail: "connection reset".into(),
        };
        assert_eq!(net.code(), "network");
        assert!(net.is_transient());
        assert_eq!(
            net.to_string(),
            "cannot reach IAM Identity Center (OIDC): connection reset"
        );
        assert!(!AwsError::Unauthorized.is_transient());
        assert_eq!(AwsError::Unauthorized.code(), "unauthorized");
        assert_eq!(AwsError::SlowDown.code(), "slow_down");
    }
}
