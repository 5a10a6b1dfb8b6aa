//! The browser half of the authorization code flow: `GET /authorize`
//! (OAuth 2.0, RFC 6749 section 4.1.1, with PKCE per RFC 7636) and the page
//! that follows a browser sign-in until a person approves or denies it, then
//! sends the browser to the client's loopback redirect URI with `code` (or
//! `error`) and `state`.

use http::{Response, StatusCode};

use super::state::{AuthRequest, CODE_LIFETIME_SECS, Status};
use crate::admin::page;
use crate::ids;
use crate::state::{Shared, lock};
use crate::wire::{Body, Req, html, redirect};

/// `(scheme, host, port, rest)` of an http(s) URL.
fn split_url(url: &str) -> Option<(&str, &str, Option<&str>, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(cut);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    Some((scheme, host, port, tail))
}

fn is_loopback(host: &str) -> bool {
    host == "127.0.0.1" || host == "::1" || host.eq_ignore_ascii_case("localhost")
}

/// Does `asked` match a registered redirect URI? A loopback URI matches
/// whatever its port (RFC 8252 section 7.3, which IAM Identity Center follows:
/// the CLI registers `http://127.0.0.1/oauth/callback` without a port).
pub(crate) fn redirect_matches(registered: &str, asked: &str) -> bool {
    if registered == asked {
        return true;
    }
    match (split_url(registered), split_url(asked)) {
        (Some((s1, h1, _, t1)), Some((s2, h2, _, t2))) => {
            s1 == "http" && s1 == s2 && is_loopback(h1) && h1 == h2 && t1 == t2
        }
        _ => false,
    }
}

fn error_page(status: StatusCode, message: &str, request_id: &str) -> Response<Body> {
    html(status, page::error_page(message), request_id)
}

/// `GET /authorize`.
pub(crate) fn authorize(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    let q = |name: &str| req.query_param(name);
    let Some(client_id) = q("client_id") else {
        return error_page(StatusCode::BAD_REQUEST, "client_id is required", request_id);
    };
    let now = shared.now_unix();
    let client = lock(&shared.oidc)
        .clients
        .get(&client_id)
        .filter(|c| now < c.expires)
        .cloned();
    let Some(client) = client else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "unknown or expired client",
            request_id,
        );
    };
    let Some(redirect_uri) = q("redirect_uri") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "redirect_uri is required",
            request_id,
        );
    };
    // Without a registered redirect URI nothing may be redirected to
    // (RFC 6749 section 4.1.2.1): the error is shown here instead.
    if !client
        .redirect_uris
        .iter()
        .any(|r| redirect_matches(r, &redirect_uri))
    {
        return error_page(
            StatusCode::BAD_REQUEST,
            "redirect_uri does not match the client's registration",
            request_id,
        );
    }
    let state = q("state");
    let fail = |error: &str, description: &str| {
        let mut pairs = vec![("error", error), ("error_description", description)];
        if let Some(s) = &state {
            pairs.push(("state", s));
        }
        let sep = if redirect_uri.contains('?') { '&' } else { '?' };
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::wire::query_encode(v)))
            .collect();
        redirect(
            StatusCode::FOUND,
            &format!("{redirect_uri}{sep}{}", query.join("&")),
            request_id,
        )
    };
    if q("response_type").as_deref() != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    if !client.may_use("authorization_code") {
        return fail(
            "unauthorized_client",
            "the client is not registered for authorization_code",
        );
    }
    // PKCE is required, and only S256 is accepted.
    let Some(challenge) = q("code_challenge").filter(|c| (43..=128).contains(&c.len())) else {
        return fail("invalid_request", "code_challenge is required");
    };
    if q("code_challenge_method").as_deref() != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    let id = ids::opaque("req-", 12);
    let mut st = lock(&shared.oidc);
    st.requests.insert(
        id.clone(),
        AuthRequest {
            client_id,
            redirect_uri,
            state,
            challenge,
            expires: now + CODE_LIFETIME_SECS,
            status: Status::Pending,
        },
    );
    if shared.auto_approve {
        let length = shared.scaled_secs(shared.world.identity_center.session_duration_secs);
        if let Some(to) = st.decide(&id, true, now, length).and_then(|d| d.redirect) {
            return redirect(StatusCode::FOUND, &to, request_id);
        }
    }
    drop(st);
    redirect(
        StatusCode::FOUND,
        &format!("/_sandbox/sign-in/{id}"),
        request_id,
    )
}

/// `GET /_sandbox/sign-in/{id}`: the sign-in's own page. Once decided it
/// sends the browser on; while pending it shows Approve and Deny and
/// reloads itself every few seconds.
pub(crate) fn sign_in_page(shared: &Shared, id: &str, request_id: &str) -> Response<Body> {
    let now = shared.now_unix();
    let st = lock(&shared.oidc);
    if let Some(to) = st.redirect_for(id) {
        return redirect(StatusCode::FOUND, &to, request_id);
    }
    let Some(r) = st.requests.get(id).filter(|r| now < r.expires) else {
        return error_page(
            StatusCode::NOT_FOUND,
            "no such sign-in, or it has lapsed",
            request_id,
        );
    };
    let client_name = st
        .clients
        .get(&r.client_id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let body = page::sign_in(id, &client_name, r.expires.saturating_sub(now));
    html(StatusCode::OK, body, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_whatever_their_port() {
        let reg = "http://127.0.0.1/oauth/callback";
        assert!(redirect_matches(
            reg,
            "http://127.0.0.1:54321/oauth/callback"
        ));
        assert!(redirect_matches(reg, reg));
        assert!(!redirect_matches(reg, "http://127.0.0.1:54321/other"));
        assert!(!redirect_matches(
            reg,
            "http://evil.example:54321/oauth/callback"
        ));
        assert!(!redirect_matches(
            "https://app.example/cb",
            "https://app.example:8443/cb"
        ));
        assert!(redirect_matches("http://[::1]/cb", "http://[::1]:9000/cb"));
    }
}
