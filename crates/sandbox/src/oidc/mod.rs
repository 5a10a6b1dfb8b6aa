//! SSO OIDC (restJson): RegisterClient (`POST /client/register`),
//! StartDeviceAuthorization (`POST /device_authorization`) and CreateToken
//! (`POST /token`) for the device code, authorization code (PKCE) and
//! refresh token grants; `/authorize` lives in `authorize.rs`. Errors carry
//! the exception name in `x-amzn-ErrorType` and the OAuth body
//! `{"error", "error_description"}` (SSO OIDC API Reference, "Errors").

mod authorize;
pub(crate) mod state;
mod token;

use http::{Response, StatusCode};
use serde_json::{Value, json};

use crate::ids;
use crate::secret::Secret;
use crate::state::{Shared, lock};
use crate::wire::{Body, Req, json_error, json_ok};
pub(crate) use authorize::{authorize, sign_in_page};
use state::{CODE_LIFETIME_SECS, Client, DeviceAuth, REGISTRATION_SECS, Status};

/// The namespace AWS appends to `x-amzn-ErrorType` for this service.
const NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/";
/// The polling interval StartDeviceAuthorization returns.
const POLL_INTERVAL_SECS: u64 = 1;
/// The grant type of the device flow (RFC 8628 section 3.4).
pub(crate) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// An OIDC error: status, exception name, OAuth error code, description.
#[derive(Debug)]
pub(crate) struct OidcError {
    status: StatusCode,
    exception: &'static str,
    error: &'static str,
    description: String,
}

impl OidcError {
    fn new(exception: &'static str, error: &'static str, description: impl Into<String>) -> Self {
        // Statuses from the service model: InvalidClientException is 401,
        // InternalServerException 500, every other modelled error 400.
        let status = match exception {
            "InvalidClientException" => StatusCode::UNAUTHORIZED,
            "InternalServerException" => StatusCode::INTERNAL_SERVER_ERROR,
            "ThrottlingException" => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_REQUEST,
        };
        Self {
            status,
            exception,
            error,
            description: description.into(),
        }
    }
    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new("InvalidRequestException", "invalid_request", d)
    }
    pub fn invalid_client(d: impl Into<String>) -> Self {
        Self::new("InvalidClientException", "invalid_client", d)
    }
    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new("InvalidGrantException", "invalid_grant", d)
    }
    pub fn internal() -> Self {
        Self::new(
            "InternalServerException",
            "server_error",
            "An internal error occurred",
        )
    }
    pub fn throttling() -> Self {
        Self::new("ThrottlingException", "slow_down", "Rate exceeded")
    }
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let body = json!({"error": self.error, "error_description": self.description});
        json_error(self.status, self.exception, NAMESPACE, &body, request_id)
    }
}

/// The request body as a JSON object.
fn body_json(req: &Req) -> Result<serde_json::Map<String, Value>, OidcError> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(OidcError::invalid_request(
            "The request body must be a JSON object",
        )),
        Err(_) => Err(OidcError::invalid_request(
            "The request body is not valid JSON",
        )),
    }
}

fn string(m: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, OidcError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(OidcError::invalid_request(format!(
            "{key} must be a string"
        ))),
    }
}

fn required(m: &serde_json::Map<String, Value>, key: &str) -> Result<String, OidcError> {
    string(m, key)?.ok_or_else(|| OidcError::invalid_request(format!("{key} is required")))
}

fn strings(m: &serde_json::Map<String, Value>, key: &str) -> Result<Vec<String>, OidcError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    OidcError::invalid_request(format!("{key} must be a list of strings"))
                })
            })
            .collect(),
        Some(_) => Err(OidcError::invalid_request(format!(
            "{key} must be a list of strings"
        ))),
    }
}

/// Answers `POST /client/register`, `/device_authorization` and `/token`.
pub(crate) fn handle(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    let result = match req.path.as_str() {
        "/client/register" => register_client(shared, req),
        "/device_authorization" => start_device_authorization(shared, req),
        _ => token::create_token(shared, req),
    };
    match result {
        Ok(v) => json_ok(&v, request_id),
        Err(e) => e.into_response(request_id),
    }
}

/// The client named in a request, checked against its secret and expiry.
pub(crate) fn client(shared: &Shared, id: &str, secret: &str) -> Result<Client, OidcError> {
    let now = shared.now_unix();
    let st = lock(&shared.oidc);
    let c = st
        .clients
        .get(id)
        .filter(|c| c.secret.expose() == secret)
        .ok_or_else(|| OidcError::invalid_client("Invalid client provided"))?;
    if now >= c.expires {
        return Err(OidcError::invalid_client("Client registration has expired"));
    }
    Ok(c.clone())
}

fn register_client(shared: &Shared, req: &Req) -> Result<Value, OidcError> {
    let m = body_json(req)?;
    let name = required(&m, "clientName")?;
    let client_type = required(&m, "clientType")?;
    if client_type != "public" {
        return Err(OidcError::new(
            "InvalidClientMetadataException",
            "invalid_client_metadata",
            "clientType must be public",
        ));
    }
    let scopes = strings(&m, "scopes")?;
    let grant_types = strings(&m, "grantTypes")?;
    let redirect_uris = strings(&m, "redirectUris")?;
    for g in &grant_types {
        if !["authorization_code", "refresh_token", DEVICE_GRANT].contains(&g.as_str()) {
            return Err(OidcError::new(
                "UnsupportedGrantTypeException",
                "unsupported_grant_type",
                format!("Unsupported grant type {g}"),
            ));
        }
    }
    if grant_types.iter().any(|g| g == "authorization_code") && redirect_uris.is_empty() {
        return Err(OidcError::new(
            "InvalidRedirectUriException",
            "invalid_redirect_uri",
            "redirectUris are required for authorization_code",
        ));
    }
    if let Some(bad) = redirect_uris
        .iter()
        .find(|u| !(u.starts_with("http://") || u.starts_with("https://")))
    {
        return Err(OidcError::new(
            "InvalidRedirectUriException",
            "invalid_redirect_uri",
            format!("Invalid redirect URI {bad}"),
        ));
    }
    let now = shared.now_unix();
    let expires = now + shared.scaled_secs(REGISTRATION_SECS);
    let id = ids::opaque("", 16);
    let secret = Secret::new(ids::opaque("sbx", 96));
    let mut st = lock(&shared.oidc);
    st.prune(now);
    st.clients.insert(
        id.clone(),
        Client {
            secret: secret.clone(),
            name,
            scopes,
            grant_types,
            redirect_uris,
            expires,
        },
    );
    Ok(json!({
        "clientId": id,
        "clientSecret": secret.expose(),
        "clientIdIssuedAt": now,
        "clientSecretExpiresAt": expires,
    }))
}

fn start_device_authorization(shared: &Shared, req: &Req) -> Result<Value, OidcError> {
    let m = body_json(req)?;
    let client_id = required(&m, "clientId")?;
    let secret = required(&m, "clientSecret")?;
    let start_url = required(&m, "startUrl")?;
    let client = client(shared, &client_id, &secret)?;
    if !client.may_use(DEVICE_GRANT) {
        return Err(OidcError::new(
            "UnauthorizedClientException",
            "unauthorized_client",
            "Client is not authorized for the device code grant",
        ));
    }
    if start_url.trim_end_matches('/')
        != shared.world.identity_center.start_url.trim_end_matches('/')
    {
        return Err(OidcError::invalid_request(format!(
            "No IAM Identity Center instance has the start URL {start_url}"
        )));
    }
    let now = shared.now_unix();
    let device_code = ids::opaque("", 48);
    let user_code = ids::user_code();
    let mut st = lock(&shared.oidc);
    let status = if shared.auto_approve {
        Status::Approved(st.open_session(
            now,
            shared.scaled_secs(shared.world.identity_center.session_duration_secs),
        ))
    } else {
        Status::Pending
    };
    st.devices.insert(
        device_code.clone(),
        DeviceAuth {
            client_id,
            user_code: user_code.clone(),
            expires: now + CODE_LIFETIME_SECS,
            status,
            last_poll_ms: None,
        },
    );
    let verification = format!("{}/_sandbox/device", shared.base_url);
    Ok(json!({
        "deviceCode": device_code,
        "userCode": user_code,
        "verificationUri": verification,
        "verificationUriComplete": format!("{verification}?user_code={user_code}"),
        "expiresIn": CODE_LIFETIME_SECS,
        "interval": POLL_INTERVAL_SECS,
    }))
}
