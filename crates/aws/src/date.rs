//! The server's `Date` header, captured from every answer (success or
//! error) by an interceptor, so the engine can measure clock skew.

use std::sync::{Arc, Mutex};

use aws_sdk_sts::config::ConfigBag;
use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use time::OffsetDateTime;

/// Holds the `Date` of the last answer of one call.
#[derive(Debug, Clone, Default)]
pub struct DateCapture(Arc<Mutex<Option<OffsetDateTime>>>);

impl DateCapture {
    /// The captured date, if the answer had a readable one.
    pub fn get(&self) -> Option<OffsetDateTime> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_http_date(text: &str) -> Option<OffsetDateTime> {
    let t = DateTime::from_str(text.trim(), DateTimeFormat::HttpDate).ok()?;
    OffsetDateTime::from_unix_timestamp(t.secs()).ok()
}

impl Intercept for DateCapture {
    fn name(&self) -> &'static str {
        "DateCapture"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let date = context
            .response()
            .headers()
            .get("date")
            .and_then(parse_http_date);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = date;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_read() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t.unix_timestamp(), 784_111_777);
        assert!(parse_http_date("yesterday").is_none());
    }
}
