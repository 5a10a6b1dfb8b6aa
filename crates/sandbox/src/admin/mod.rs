//! Everything under `/_sandbox/`, a path no AWS client uses: the approval
//! pages for people (`page.rs`) and JSON endpoints for scripts: faults,
//! pending sign-ins, approve and deny, sessions and "sign-in session ended".
//! The table of routes is in docs/SANDBOX.md.

pub(crate) mod page;

use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::faults::FaultsPatch;
use crate::oidc::state::{Decision, PendingSignIn, SessionInfo, SignInKind};
use crate::state::{Shared, lock};
use crate::wire::{Body, Req, html, json_ok, parse_form, redirect, respond};

/// Approves or denies a pending sign-in.
pub(crate) fn decide(shared: &Shared, id: &str, allow: bool) -> Option<Decision> {
    let now = shared.now_unix();
    let length = shared.scaled_secs(shared.world.identity_center.session_duration_secs);
    lock(&shared.oidc).decide(id, allow, now, length)
}

/// Sign-ins waiting for a person.
pub(crate) fn pending(shared: &Shared) -> Vec<PendingSignIn> {
    lock(&shared.oidc).pending(shared.now_unix())
}

/// Every sign-in session, oldest first.
pub(crate) fn sessions(shared: &Shared) -> Vec<SessionInfo> {
    let st = lock(&shared.oidc);
    let mut v: Vec<SessionInfo> = st
        .sessions
        .iter()
        .map(|(id, s)| SessionInfo {
            id: id.clone(),
            started: s.started,
            ends: s.ends,
            ended: s.ended,
        })
        .collect();
    v.sort_by(|a, b| a.started.cmp(&b.started).then_with(|| a.id.cmp(&b.id)));
    v
}

fn json_status(status: StatusCode, v: &Value, request_id: &str) -> Response<Body> {
    respond(status, "application/json", v.to_string(), request_id)
}

fn bad(message: &str, request_id: &str) -> Response<Body> {
    json_status(
        StatusCode::BAD_REQUEST,
        &json!({"message": message}),
        request_id,
    )
}

/// The body as JSON when it is JSON, else as a form.
fn fields(req: &Req) -> Option<serde_json::Map<String, Value>> {
    let is_form = req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        return Some(
            parse_form(&req.body)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        );
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Some(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn pending_json(p: &PendingSignIn) -> Value {
    json!({
        "id": p.id,
        "kind": match p.kind { SignInKind::DeviceCode => "device_code", SignInKind::AuthorizationCode => "authorization_code" },
        "client_name": p.client_name,
        "expires_in_secs": p.expires_in_secs,
    })
}

/// Answers one `/_sandbox/…` request.
pub(crate) fn handle(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    let path = req.path.trim_end_matches('/');
    let from_form = req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    match (&req.method, path) {
        (&Method::GET, "/_sandbox") => {
            let body = page::index(
                &shared.world.identity_center.start_url,
                &pending(shared),
                &sessions(shared),
                shared.now_unix(),
                None,
            );
            html(StatusCode::OK, body, request_id)
        }
        (&Method::GET, "/_sandbox/health") => {
            respond(StatusCode::OK, "text/plain", "ok\n", request_id)
        }
        (&Method::GET, "/_sandbox/device") => {
            let code = req
                .query_param("user_code")
                .filter(|c| !c.trim().is_empty());
            let waiting = code.as_deref().is_some_and(|c| {
                pending(shared).iter().any(|p| {
                    p.kind == SignInKind::DeviceCode && p.id.eq_ignore_ascii_case(c.trim())
                })
            });
            html(
                StatusCode::OK,
                page::device(code.as_deref(), waiting),
                request_id,
            )
        }
        (&Method::GET, p) if p.starts_with("/_sandbox/sign-in/") => {
            let session = p.strip_prefix("/_sandbox/sign-in/").unwrap_or_default();
            crate::oidc::sign_in_page(shared, session, request_id)
        }
        (&Method::POST, "/_sandbox/approve" | "/_sandbox/deny") => {
            let allow = path.ends_with("approve");
            let Some(f) = fields(req) else {
                return bad("the body must be a JSON object or a form", request_id);
            };
            let Some(id) = f.get("id").and_then(Value::as_str) else {
                return bad("id is required", request_id);
            };
            let decision = decide(shared, id, allow);
            match (decision, from_form) {
                (Some(Decision { redirect: Some(to) }), true) => {
                    redirect(StatusCode::SEE_OTHER, &to, request_id)
                }
                (Some(_), true) => html(StatusCode::OK, page::decided(allow), request_id),
                (None, true) => html(
                    StatusCode::NOT_FOUND,
                    page::error_page("no such sign-in is waiting"),
                    request_id,
                ),
                (Some(d), false) => json_ok(&json!({"redirect": d.redirect}), request_id),
                (None, false) => json_status(
                    StatusCode::NOT_FOUND,
                    &json!({"message": "no such sign-in is waiting"}),
                    request_id,
                ),
            }
        }
        (&Method::GET, "/_sandbox/pending") => {
            let list: Vec<Value> = pending(shared).iter().map(pending_json).collect();
            json_ok(&Value::Array(list), request_id)
        }
        (&Method::GET, "/_sandbox/sessions") => json_ok(&json!(sessions(shared)), request_id),
        (&Method::POST, "/_sandbox/end-session") => {
            let Some(f) = fields(req) else {
                return bad("the body must be a JSON object", request_id);
            };
            let id = f.get("session_id").and_then(Value::as_str);
            let ended = lock(&shared.oidc).end_sessions(id);
            json_ok(&json!({ "ended": ended }), request_id)
        }
        (&Method::GET, "/_sandbox/faults") => json_ok(&json!(shared.faults()), request_id),
        (&Method::PUT | &Method::POST, "/_sandbox/faults") => {
            let patch: FaultsPatch = match serde_json::from_slice(&req.body) {
                Ok(p) => p,
                Err(e) => return bad(&format!("cannot read faults: {e}"), request_id),
            };
            let mut faults = lock(&shared.faults);
            let next = faults.patched(&patch);
            if let Err(e) = next.validate() {
                return bad(&e, request_id);
            }
            *faults = next.clone();
            json_ok(&json!(next), request_id)
        }
        _ => json_status(
            StatusCode::NOT_FOUND,
            &json!({"message": format!("no sandbox endpoint {} {}", req.method, req.path)}),
            request_id,
        ),
    }
}
