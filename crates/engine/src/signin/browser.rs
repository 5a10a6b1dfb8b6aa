//! The browser flow: authorization code with PKCE through a loopback
//! listener on 127.0.0.1 (the AWS CLI's default for sso-session profiles).
//!
//! Random `state` and verifier, the authorize URL on the OIDC endpoint the
//! SDK resolves, the browser opened (or the URL shown with `--no-browser`),
//! a bounded wait for the redirect, then CreateToken with the code.

use crate::ports::AuthorizeRequest;
use crate::ports::{
    ClientRegistration, Interaction, Loopback, Random, SsoOidc, TokenGrant, TokenResponse,
};

use super::error::SignInError;
use super::pkce::{Pkce, STATE_BYTES, VERIFIER_BYTES, state_from_random};
use super::policy::BROWSER_WAIT;
use super::target::SsoTarget;

/// How a browser sign-in ended before any token.
#[derive(Debug)]
pub enum BrowserOutcome {
    Token(TokenResponse),
    /// The browser could not be opened: the caller falls back to the device code.
    NoBrowser(String),
}

/// Runs the browser flow on `listener`. With `open_browser` false the URL is
/// shown for the person to open.
#[allow(clippy::too_many_arguments)]
pub async fn browser_sign_in<O: SsoOidc, I: Interaction, R: Random, L: Loopback>(
    oidc: &O,
    ui: &I,
    random: &R,
    target: &SsoTarget,
    client: &ClientRegistration,
    listener: &L,
    open_browser: bool,
) -> Result<BrowserOutcome, SignInError> {
    let mut verifier_bytes = [0u8; VERIFIER_BYTES];
    let mut state_bytes = [0u8; STATE_BYTES];
    random
        .fill(&mut verifier_bytes)
        .map_err(SignInError::Random)?;
    random.fill(&mut state_bytes).map_err(SignInError::Random)?;
    let pkce = Pkce::from_random(&verifier_bytes);
    let state = state_from_random(&state_bytes);
    let redirect_uri = listener.redirect_uri().to_owned();
    let scopes = target.registration_scopes();
    let url = oidc.authorize_url(&AuthorizeRequest {
        client_id: &client.client_id,
        redirect_uri: &redirect_uri,
        state: &state,
        code_challenge: &pkce.challenge,
        scopes: &scopes,
    })?;
    if open_browser {
        if let Err(reason) = ui.open_url(&url) {
            return Ok(BrowserOutcome::NoBrowser(reason));
        }
        ui.continue_in_browser(target.name(), &url);
    } else {
        ui.show_sign_in_url(target.name(), &url);
    }
    let code = listener
        .wait_for_code(&state, BROWSER_WAIT)
        .await
        .map_err(|e| match e {
            crate::ports::LoopbackError::Denied { .. } => SignInError::Denied {
                target: target.name().to_owned(),
            },
            other => SignInError::Loopback(other),
        })?;
    let token = oidc
        .create_token(
            client,
            TokenGrant::AuthorizationCode {
                code: &code,
                code_verifier: &pkce.verifier,
                redirect_uri: &redirect_uri,
            },
        )
        .await?;
    Ok(BrowserOutcome::Token(token.value))
}
