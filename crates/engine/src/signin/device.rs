//! The device code flow (RFC 8628): show the code and URL, open the browser
//! when allowed, and poll CreateToken at the service's interval — adding 5
//! seconds on `slow_down` (and on throttling), going on through network
//! trouble until the code expires, stopping on `access_denied` and
//! `expired_token`.

use time::{Duration, OffsetDateTime};

use crate::Secret;
use crate::ports::{
    AwsError, ClientRegistration, Clock, DeviceCodePrompt, Interaction, Notice, SsoOidc,
    TokenGrant, TokenResponse,
};

use super::error::SignInError;
use super::policy::{DEFAULT_POLL_INTERVAL, SLOW_DOWN_STEP};
use super::target::SsoTarget;

/// Starts a device authorization, shows it, and polls until it is decided.
pub async fn device_sign_in<O: SsoOidc, C: Clock, I: Interaction>(
    oidc: &O,
    clock: &C,
    ui: &I,
    target: &SsoTarget,
    client: &ClientRegistration,
    open_browser: bool,
    on_code: impl FnOnce(&str, &str),
) -> Result<TokenResponse, SignInError> {
    let auth = oidc
        .start_device_authorization(client, &target.start_url)
        .await?
        .value;
    let started = clock.now();
    let expires_at = started + auth.expires_in;
    on_code(&auth.user_code, &auth.verification_uri);
    ui.show_device_code(&DeviceCodePrompt {
        target: target.name(),
        user_code: &auth.user_code,
        verification_uri: &auth.verification_uri,
        verification_uri_complete: auth.verification_uri_complete.as_deref(),
        expires_at,
    });
    if open_browser {
        let url = auth
            .verification_uri_complete
            .as_deref()
            .unwrap_or(&auth.verification_uri);
        if let Err(reason) = ui.open_url(url) {
            ui.notice(&Notice::BrowserFailed { reason });
        }
    }
    let interval = auth
        .interval
        .filter(|i| i.is_positive())
        .unwrap_or(DEFAULT_POLL_INTERVAL);
    poll(
        oidc,
        clock,
        ui,
        target,
        client,
        &auth.device_code,
        interval,
        expires_at,
    )
    .await
}

/// Polls CreateToken for `device_code` until it yields a token, is refused,
/// or `expires_at` passes.
#[allow(clippy::too_many_arguments)]
pub async fn poll<O: SsoOidc, C: Clock, I: Interaction>(
    oidc: &O,
    clock: &C,
    ui: &I,
    target: &SsoTarget,
    client: &ClientRegistration,
    device_code: &Secret,
    mut interval: Duration,
    expires_at: OffsetDateTime,
) -> Result<TokenResponse, SignInError> {
    let expired = || SignInError::CodeExpired {
        target: target.name().to_owned(),
    };
    loop {
        clock.sleep(interval).await;
        if clock.now() >= expires_at {
            return Err(expired());
        }
        match oidc
            .create_token(client, TokenGrant::DeviceCode { device_code })
            .await
        {
            Ok(token) => return Ok(token.value),
            Err(AwsError::AuthorizationPending) => {}
            Err(AwsError::SlowDown | AwsError::Throttled { .. }) => interval += SLOW_DOWN_STEP,
            Err(AwsError::ExpiredToken) => return Err(expired()),
            Err(AwsError::AccessDenied) => {
                return Err(SignInError::Denied {
                    target: target.name().to_owned(),
                });
            }
            // The network may come back before the code lapses.
            Err(e) if e.is_transient() => ui.notice(&Notice::StillWaiting {
                error_code: e.code().to_owned(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
}
