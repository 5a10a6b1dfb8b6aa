//! STS answers in the query protocol's XML: `<{Action}Response>` with a
//! `<{Action}Result>` and `<ResponseMetadata>`, and errors as
//! `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`
//! (STS API Reference, "Common Errors"; the shape botocore's
//! `tests/unit/response_parsing/xml/errors/sts-get-session-token.xml` parses).

use http::{Response, StatusCode};

use crate::wire::{Body, escape, respond};

/// The STS API namespace.
pub(crate) const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An STS error: HTTP status, code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl StsError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// `AccessDenied`, 403.
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// `ValidationError`, 400.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationError", message)
    }

    /// `InvalidClientTokenId`, 403: an access key or token the service does not know.
    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    }

    /// `Throttling`, 400 "Rate exceeded".
    pub fn throttling() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Throttling", "Rate exceeded")
    }

    /// `InternalFailure`, 500 (Common Errors).
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }

    /// The XML answer.
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        // `Type` is Sender for the caller's faults and Receiver for the service's.
        let kind = if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        };
        let body = format!(
            "<ErrorResponse xmlns=\"{XMLNS}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
            self.code,
            escape(&self.message),
            escape(request_id),
        );
        respond(self.status, "text/xml", body, request_id)
    }
}

/// A success answer; `result` is the inner XML of `<{action}Result>`.
pub(crate) fn success(action: &str, result: &str, request_id: &str) -> Response<Body> {
    let body = format!(
        "<{action}Response xmlns=\"{XMLNS}\">\n  <{action}Result>\n{result}  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
        escape(request_id)
    );
    respond(StatusCode::OK, "text/xml", body, request_id)
}

/// One `<Name>value</Name>` line at the given indent.
pub(crate) fn element(indent: usize, name: &str, value: &str) -> String {
    format!("{:indent$}<{name}>{}</{name}>\n", "", escape(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn errors_have_the_query_protocol_shape() {
        let r = StsError::new(
            StatusCode::FORBIDDEN,
            "ExpiredToken",
            "The security token included in the request is expired",
        )
        .into_response("rid-1");
        assert_eq!(r.status(), 403);
        let body = r.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.contains("<Type>Sender</Type>"));
        assert!(text.contains("<Code>ExpiredToken</Code>"));
        assert!(text.contains("<RequestId>rid-1</RequestId>"));
    }
}
