//! CreateToken (`POST /token`) for its three grants: device code (RFC 8628
//! section 3.4-3.5), authorization code with PKCE (RFC 7636 section 4.6,
//! S256 only) and refresh token (RFC 6749 section 6; refresh tokens rotate on
//! every use and come only to clients registered with `sso:account:access`).

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::state::{Client, Grant, OidcState, Status};
use super::{DEVICE_GRANT, OidcError, body_json, client, required, string};
use crate::ids;
use crate::state::{Shared, lock};

fn pending() -> OidcError {
    OidcError::new(
        "AuthorizationPendingException",
        "authorization_pending",
        "Authorization is still pending",
    )
}

/// Issues an access token (and a refresh token to refreshable clients) for a session.
fn issue(
    st: &mut OidcState,
    shared: &Shared,
    client_id: &str,
    client: &Client,
    session: &str,
    now: u64,
) -> Result<Value, OidcError> {
    let ends = st
        .sessions
        .get(session)
        .filter(|s| !s.ended && now < s.ends)
        .map(|s| s.ends)
        .ok_or_else(|| OidcError::invalid_grant("The sign-in session has ended"))?;
    let left = ends - now;
    // A refreshable token lasts the instance's access-token lifetime; one
    // that cannot be refreshed lasts as long as the session.
    let life = if client.refreshable() {
        shared
            .scaled_secs(shared.world.identity_center.access_token_secs)
            .min(left)
    } else {
        left
    }
    .max(1);
    let access = ids::opaque("aoa", 64);
    st.access.insert(
        access.clone(),
        Grant {
            session: session.to_owned(),
            client_id: client_id.to_owned(),
            expires: now + life,
        },
    );
    let mut out = json!({"accessToken": access, "tokenType": "Bearer", "expiresIn": life});
    if client.refreshable() {
        let refresh = ids::opaque("aor", 64);
        st.refresh.insert(
            refresh.clone(),
            Grant {
                session: session.to_owned(),
                client_id: client_id.to_owned(),
                expires: ends,
            },
        );
        if let Some(obj) = out.as_object_mut() {
            obj.insert("refreshToken".into(), Value::String(refresh));
        }
    }
    Ok(out)
}

pub(super) fn create_token(shared: &Shared, req: &crate::wire::Req) -> Result<Value, OidcError> {
    let m = body_json(req)?;
    let client_id = required(&m, "clientId")?;
    let secret = required(&m, "clientSecret")?;
    let grant = required(&m, "grantType")?;
    let c = client(shared, &client_id, &secret)?;
    if !["authorization_code", "refresh_token", DEVICE_GRANT].contains(&grant.as_str()) {
        return Err(OidcError::new(
            "UnsupportedGrantTypeException",
            "unsupported_grant_type",
            format!("Unsupported grant type {grant}"),
        ));
    }
    if !c.may_use(&grant) {
        return Err(OidcError::new(
            "UnauthorizedClientException",
            "unauthorized_client",
            format!("Client is not authorized for {grant}"),
        ));
    }
    let now = shared.now_unix();
    let now_ms = shared
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let mut st = lock(&shared.oidc);
    match grant.as_str() {
        DEVICE_GRANT => {
            let code = required(&m, "deviceCode")?;
            let device = st
                .devices
                .get_mut(&code)
                .filter(|d| d.client_id == client_id)
                .ok_or_else(|| OidcError::invalid_grant("Invalid device code provided"))?;
            if now >= device.expires {
                return Err(OidcError::new(
                    "ExpiredTokenException",
                    "expired_token",
                    "Device code has expired",
                ));
            }
            let last = device.last_poll_ms.replace(now_ms);
            match device.status.clone() {
                Status::Denied => Err(OidcError::new(
                    "AccessDeniedException",
                    "access_denied",
                    "The user denied the authorization request",
                )),
                Status::Used => Err(OidcError::invalid_grant(
                    "Device code has already been used",
                )),
                // RFC 8628 section 3.5: polling faster than the interval is
                // answered with slow_down (half the interval is tolerated, for
                // timer jitter).
                Status::Pending if last.is_some_and(|l| now_ms.saturating_sub(l) < 500) => {
                    Err(OidcError::new(
                        "SlowDownException",
                        "slow_down",
                        "Client is polling too quickly",
                    ))
                }
                Status::Pending => Err(pending()),
                Status::Approved(session) => {
                    device.status = Status::Used;
                    issue(&mut st, shared, &client_id, &c, &session, now)
                }
            }
        }
        "authorization_code" => {
            let code = required(&m, "code")?;
            let redirect = string(&m, "redirectUri")?;
            let verifier = string(&m, "codeVerifier")?
                .ok_or_else(|| OidcError::invalid_request("codeVerifier is required"))?;
            // A code works once, for the client and redirect URI it was issued to.
            let ac = st
                .codes
                .remove(&code)
                .filter(|a| a.client_id == client_id && now < a.expires)
                .ok_or_else(|| OidcError::invalid_grant("Invalid authorization code provided"))?;
            if redirect.as_deref() != Some(ac.redirect_uri.as_str()) {
                return Err(OidcError::invalid_grant(
                    "The redirect URI does not match the authorization request",
                ));
            }
            // RFC 7636 section 4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()));
            if computed != ac.challenge {
                return Err(OidcError::invalid_grant(
                    "The code verifier does not match the code challenge",
                ));
            }
            issue(&mut st, shared, &client_id, &c, &ac.session, now)
        }
        _ => {
            let token = required(&m, "refreshToken")?;
            // Rotation: the old refresh token is gone once used.
            let g = st
                .refresh
                .remove(&token)
                .filter(|g| g.client_id == client_id)
                .ok_or_else(|| OidcError::invalid_grant("Invalid refresh token provided"))?;
            if !st.session_alive(&g.session, now) {
                return Err(OidcError::invalid_grant("Refresh token has expired"));
            }
            issue(&mut st, shared, &client_id, &c, &g.session, now)
        }
    }
}
