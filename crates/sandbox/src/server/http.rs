//! One connection: HTTP/1.1 through hyper, every request routed by method and
//! path to STS, SSO OIDC, the portal or the sandbox's own pages. Bodies over
//! [`MAX_BODY`] are refused with the service's error shape; faults are
//! applied to the AWS APIs here; every answer gets a `Date` from the
//! sandbox's clock and an `x-amzn-RequestId`. A connection's failure (garbage
//! bytes, a reset) ends that connection only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::state::{Shared, http_date, lock};
use crate::wire::{Body, Req, json_error, redirect};
use crate::{admin, ids, oidc, portal, signin, sts};

/// Request bodies above 1 MiB are refused.
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// A client has this long to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Sts,
    Oidc,
    Authorize,
    Portal,
    Signin,
    Admin,
    Home,
    Unknown,
}

impl Route {
    fn of(method: &Method, path: &str, query: Option<&str>) -> Route {
        match (method, path) {
            (&Method::GET, "/") if query.is_none_or(str::is_empty) => Route::Home,
            (&Method::POST | &Method::GET, "/") => Route::Sts,
            (&Method::POST, "/client/register" | "/device_authorization" | "/token") => Route::Oidc,
            (&Method::GET, "/authorize") => Route::Authorize,
            (
                &Method::GET,
                "/federation/credentials" | "/assignment/accounts" | "/assignment/roles",
            ) => Route::Portal,
            (&Method::POST, "/logout") => Route::Portal,
            (&Method::GET, "/federation" | "/console") => Route::Signin,
            (_, p) if p == "/_sandbox" || p.starts_with("/_sandbox/") => Route::Admin,
            _ => Route::Unknown,
        }
    }

    fn is_api(self) -> bool {
        matches!(
            self,
            Route::Sts | Route::Oidc | Route::Portal | Route::Signin
        )
    }
}

/// Returned to hyper to close a connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

/// Serves one connection until it closes.
pub(crate) async fn serve<I>(io: I, shared: Arc<Shared>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let shared = Arc::clone(&shared);
        async move { handle(&shared, req).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    // A connection that fails (bad bytes, a reset, a deliberate drop) ends
    // here; the listener keeps serving everyone else.
    if let Err(e) = builder.serve_connection(TokioIo::new(io), service).await {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

fn too_large(route: Route, request_id: &str) -> Response<Body> {
    let message = format!("Request body is larger than {MAX_BODY} bytes");
    match route {
        Route::Sts => sts::StsError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            message,
        )
        .into_response(request_id),
        _ => json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLargeException",
            "sandbox",
            &json!({"message": message}),
            request_id,
        ),
    }
}

fn throttled(route: Route, request_id: &str) -> Response<Body> {
    match route {
        Route::Sts => sts::StsError::throttling().into_response(request_id),
        Route::Oidc => oidc::OidcError::throttling().into_response(request_id),
        _ => portal::PortalError::throttling().into_response(request_id),
    }
}

fn failed(route: Route, request_id: &str) -> Response<Body> {
    match route {
        Route::Sts => sts::StsError::internal().into_response(request_id),
        Route::Oidc => oidc::OidcError::internal().into_response(request_id),
        _ => portal::PortalError::internal().into_response(request_id),
    }
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let request_id = ids::request_id();
    let route = Route::of(req.method(), req.uri().path(), req.uri().query());
    let mut response = answer(shared, req, route, &request_id).await?;
    if let Ok(v) = HeaderValue::from_str(&http_date(shared.now())) {
        response.headers_mut().insert(header::DATE, v);
    }
    Ok(response)
}

async fn answer(
    shared: &Shared,
    req: Request<Incoming>,
    route: Route,
    request_id: &str,
) -> Result<Response<Body>, Dropped> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Ok(too_large(route, request_id));
    }
    let (parts, body) = req.into_parts();
    let body: Bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => c.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Ok(too_large(route, request_id));
        }
        // The client went away mid-body: nobody to answer.
        Err(_) => return Err(Dropped),
    };
    if route.is_api() {
        let f = shared.faults();
        if f.drop_rate > 0.0 && ids::unit() < f.drop_rate {
            return Err(Dropped);
        }
        if f.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(f.latency_ms)).await;
        }
        if f.throttle_rate > 0.0 && ids::unit() < f.throttle_rate {
            return Ok(throttled(route, request_id));
        }
        if route == Route::Portal
            && f.portal_calls_per_second > 0
            && !lock(&shared.portal_bucket).take(f.portal_calls_per_second, Instant::now())
        {
            return Ok(throttled(route, request_id));
        }
        if f.error_rate > 0.0 && ids::unit() < f.error_rate {
            return Ok(failed(route, request_id));
        }
    }
    let req = Req {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
    };
    Ok(match route {
        Route::Sts => sts::handle(shared, &req, request_id),
        Route::Oidc => oidc::handle(shared, &req, request_id),
        Route::Authorize => oidc::authorize(shared, &req, request_id),
        Route::Portal => portal::handle(shared, &req, request_id),
        Route::Signin => signin::handle(shared, &req, request_id),
        Route::Admin => admin::handle(shared, &req, request_id),
        Route::Home => redirect(StatusCode::FOUND, "/_sandbox/", request_id),
        Route::Unknown => json_error(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            "sandbox",
            &json!({"message": format!("No operation at {} {}", req.method, req.path)}),
            request_id,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_each_service_paths() {
        assert_eq!(Route::of(&Method::POST, "/", None), Route::Sts);
        assert_eq!(
            Route::of(&Method::GET, "/", Some("Action=GetCallerIdentity")),
            Route::Sts
        );
        assert_eq!(Route::of(&Method::GET, "/", None), Route::Home);
        assert_eq!(Route::of(&Method::POST, "/token", None), Route::Oidc);
        assert_eq!(Route::of(&Method::GET, "/token", None), Route::Unknown);
        assert_eq!(
            Route::of(&Method::GET, "/assignment/roles", Some("account_id=1")),
            Route::Portal
        );
        assert_eq!(Route::of(&Method::POST, "/logout", None), Route::Portal);
        assert_eq!(Route::of(&Method::GET, "/_sandbox/", None), Route::Admin);
        assert_eq!(Route::of(&Method::GET, "/_sandboxed", None), Route::Unknown);
    }
}
