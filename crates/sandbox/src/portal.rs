//! The SSO portal (restJson, SSO API Reference): GetRoleCredentials
//! (`GET /federation/credentials`), ListAccounts (`GET /assignment/accounts`),
//! ListAccountRoles (`GET /assignment/roles`) and Logout (`POST /logout`),
//! each authorised by the access token in `x-amz-sso_bearer_token`. An
//! unknown, expired or ended token gets the portal's real 401 body.

use http::{Response, StatusCode};
use serde_json::{Value, json};

use crate::creds::{Claims, Principal};
use crate::state::{Shared, lock};
use crate::wire::{Body, Req, json_error, json_ok};
use crate::world::sso_role_name;

const NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/";

/// A portal error: status, exception name and message.
#[derive(Debug)]
pub(crate) struct PortalError {
    status: StatusCode,
    exception: &'static str,
    message: String,
}

impl PortalError {
    fn new(status: StatusCode, exception: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            exception,
            message: message.into(),
        }
    }
    fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedException",
            "Session token not found or invalid",
        )
    }
    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidRequestException", message)
    }
    pub fn throttling() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequestsException",
            "Rate exceeded",
        )
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerException",
            "An internal error occurred",
        )
    }
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let body = json!({
            "message": self.message,
            "__type": format!("com.amazonaws.switchboard.portal#{}", self.exception),
        });
        json_error(self.status, self.exception, NAMESPACE, &body, request_id)
    }
}

/// The session behind the bearer token, if it is alive.
fn authorize(shared: &Shared, req: &Req) -> Result<String, PortalError> {
    let token = req
        .header("x-amz-sso_bearer_token")
        .ok_or_else(PortalError::unauthorized)?;
    let now = shared.now_unix();
    let st = lock(&shared.oidc);
    let grant = st
        .access
        .get(token)
        .filter(|g| now < g.expires)
        .ok_or_else(PortalError::unauthorized)?;
    if !st.session_alive(&grant.session, now) {
        return Err(PortalError::unauthorized());
    }
    Ok(grant.session.clone())
}

/// `max_result` (1..100) and `next_token` (an offset this portal issued).
fn page(req: &Req) -> Result<(usize, usize), PortalError> {
    let max = match req.query_param("max_result") {
        None => 100,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(PortalError::invalid(format!(
                    "max_result must be between 1 and 100, got {v}"
                )));
            }
        },
    };
    let start = match req.query_param("next_token") {
        None => 0,
        Some(t) => t
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| PortalError::invalid("Invalid next token"))?,
    };
    Ok((start, max))
}

fn paged(items: &[Value], start: usize, max: usize, key: &str) -> Value {
    let end = (start + max).min(items.len());
    let slice: Vec<Value> = items
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut out = json!({ key: slice });
    if end < items.len() {
        if let Some(obj) = out.as_object_mut() {
            obj.insert("nextToken".into(), Value::String(format!("page-{end}")));
        }
    }
    out
}

/// Answers one portal request.
pub(crate) fn handle(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    match answer(shared, req) {
        Ok(Some(v)) => json_ok(&v, request_id),
        Ok(None) => crate::wire::respond(StatusCode::OK, "application/json", "", request_id),
        Err(e) => e.into_response(request_id),
    }
}

fn answer(shared: &Shared, req: &Req) -> Result<Option<Value>, PortalError> {
    let session = authorize(shared, req)?;
    let world = &shared.world;
    match req.path.as_str() {
        "/federation/credentials" => {
            let role = req
                .query_param("role_name")
                .ok_or_else(|| PortalError::invalid("role_name is required"))?;
            let account_id = req
                .query_param("account_id")
                .ok_or_else(|| PortalError::invalid("account_id is required"))?;
            let ps = world
                .account(&account_id)
                .and_then(|a| a.permission_sets.iter().find(|p| p.name == role))
                .ok_or_else(|| {
                    PortalError::new(StatusCode::FORBIDDEN, "ForbiddenException", "No access")
                })?;
            // Role credentials last the permission set's session duration.
            let expires = shared.now_unix() + shared.scaled_secs(ps.session_duration_secs);
            let issued = shared.tokens.issue(Claims {
                key_id: String::new(),
                account: account_id.clone(),
                principal: Principal::Role {
                    name: sso_role_name(&account_id, &ps.name),
                    session: world.identity_center.user_name.clone(),
                },
                mfa: false,
                chained: false,
                expires,
            });
            Ok(Some(json!({"roleCredentials": {
                "accessKeyId": issued.access_key_id,
                "secretAccessKey": issued.secret_access_key.expose(),
                "sessionToken": issued.session_token.expose(),
                // The portal gives the expiry in epoch milliseconds.
                "expiration": expires * 1000,
            }})))
        }
        "/assignment/accounts" => {
            let (start, max) = page(req)?;
            let items: Vec<Value> = world
                .accounts
                .iter()
                .filter(|a| !a.permission_sets.is_empty())
                .map(|a| json!({"accountId": a.id, "accountName": a.name, "emailAddress": a.email}))
                .collect();
            Ok(Some(paged(&items, start, max, "accountList")))
        }
        "/assignment/roles" => {
            let account_id = req
                .query_param("account_id")
                .ok_or_else(|| PortalError::invalid("account_id is required"))?;
            let (start, max) = page(req)?;
            let items: Vec<Value> = world
                .account(&account_id)
                .map(|a| {
                    a.permission_sets
                        .iter()
                        .map(|p| json!({"roleName": p.name, "accountId": a.id}))
                        .collect()
                })
                .unwrap_or_default();
            Ok(Some(paged(&items, start, max, "roleList")))
        }
        _ => {
            // Logout ends the sign-in session server-side (SSO API Reference, Logout).
            lock(&shared.oidc).end_sessions(Some(&session));
            Ok(None)
        }
    }
}
