//! [`login`]: one sign-in to one target, at most one per target at a time
//! across processes.
//!
//! The sign-in marker's lock is held for the whole flow; a second `login`
//! for the same target finds it taken, reports the running sign-in (with its
//! device code, if it has one) and waits for it to finish instead of opening
//! another browser tab. The token file is written only at the end, in one
//! atomic replace under its lock, so a flow stopped half-way (Ctrl-C)
//! leaves no partial file behind.

use time::{Duration, OffsetDateTime};

use crate::ports::{
    ClientRegistration, Clock, Interaction, LoopbackFactory, Notice, Random, RegistrationKind,
    SsoOidc, Store, StoreFile, TokenResponse,
};
use crate::profiles::sso_cache::SsoToken;
use crate::timefmt::format_z;

use super::SignInPorts;
use super::browser::{BrowserOutcome, browser_sign_in};
use super::device::device_sign_in;
use super::error::SignInError;
use super::policy::{JOIN_CHECK_INTERVAL, JOIN_WAIT};
use super::records::{SessionRecord, SignInMarker};
use super::registration::registration;
use super::target::SsoTarget;
use super::token_file;

/// How the person asked to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOptions {
    /// The device code even where the browser flow is possible.
    pub use_device_code: bool,
    /// Open a browser (the person's own command asked for the sign-in).
    pub open_browser: bool,
    /// How other processes name this one (`leasekeeper (pid 4242)`).
    pub holder: String,
}

/// Which ceremony signed the person in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Browser,
    DeviceCode,
}

/// A successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub target: String,
    pub token_expires_at: OffsetDateTime,
    /// A refresh token came with it: it renews silently.
    pub refreshable: bool,
    /// How; `None` when another process signed in and this one waited.
    pub flow: Option<Flow>,
    /// The other process whose sign-in this one joined.
    pub joined: Option<String>,
}

/// Signs in to `target`, or joins the sign-in already running for it.
pub async fn login<O, C, S, I, R, F>(
    ports: &SignInPorts<'_, O, C, S>,
    ui: &I,
    random: &R,
    loopback: &F,
    target: &SsoTarget,
    options: &LoginOptions,
) -> Result<SignedIn, SignInError>
where
    O: SsoOidc,
    C: Clock,
    S: Store,
    I: Interaction,
    R: Random,
    F: LoopbackFactory,
{
    let marker_file = StoreFile::SignIn(target.cache_key());
    let Some(marker_lock) = ports.store.try_lock(&marker_file)? else {
        return join(ports, ui, target).await;
    };
    let marker = SignInMarker {
        holder: options.holder.clone(),
        flow: "starting".to_owned(),
        started_at: format_z(ports.clock.now()),
        user_code: None,
        verification_uri: None,
    };
    ports.store.write(&marker_lock, &marker.to_json())?;
    let result = sign_in(
        ports,
        ui,
        random,
        loopback,
        target,
        options,
        &marker_lock,
        marker,
    )
    .await;
    // A marker left behind is harmless (the lock tells whether a sign-in
    // runs), so failing to remove it must not hide the sign-in's result.
    let _ = ports.store.remove(&marker_lock);
    result
}

#[allow(clippy::too_many_arguments)]
async fn sign_in<O, C, S, I, R, F>(
    ports: &SignInPorts<'_, O, C, S>,
    ui: &I,
    random: &R,
    loopback: &F,
    target: &SsoTarget,
    options: &LoginOptions,
    marker_lock: &S::Lock,
    mut marker: SignInMarker,
) -> Result<SignedIn, SignInError>
where
    O: SsoOidc,
    C: Clock,
    S: Store,
    I: Interaction,
    R: Random,
    F: LoopbackFactory,
{
    let base_marker = marker.clone();
    let device = |open_browser: bool| {
        let mut marker = base_marker.clone();
        async move {
            let client = registration(ports, target, RegistrationKind::DeviceCode).await?;
            marker.flow = RegistrationKind::DeviceCode.as_str().to_owned();
            let record_code = |code: &str, uri: &str| {
                marker.user_code = Some(code.to_owned());
                marker.verification_uri = Some(uri.to_owned());
                // Only a second `login` reads the marker, to show the code.
                let _ = ports.store.write(marker_lock, &marker.to_json());
            };
            let token = device_sign_in(
                ports.oidc,
                ports.clock,
                ui,
                target,
                &client,
                open_browser,
                record_code,
            )
            .await?;
            Ok::<_, SignInError>((token, client, Flow::DeviceCode))
        }
    };
    let use_browser = !target.is_legacy() && !options.use_device_code;
    let (response, client, flow) = if !use_browser {
        device(options.open_browser).await?
    } else {
        match loopback.bind().await {
            Err(e) => {
                ui.notice(&Notice::UsingDeviceCode {
                    reason: e.to_string(),
                });
                device(options.open_browser).await?
            }
            Ok(listener) => {
                let client =
                    registration(ports, target, RegistrationKind::AuthorizationCode).await?;
                marker.flow = RegistrationKind::AuthorizationCode.as_str().to_owned();
                ports.store.write(marker_lock, &marker.to_json())?;
                match browser_sign_in(
                    ports.oidc,
                    ui,
                    random,
                    target,
                    &client,
                    &listener,
                    options.open_browser,
                )
                .await?
                {
                    BrowserOutcome::Token(t) => (t, client, Flow::Browser),
                    BrowserOutcome::NoBrowser(reason) => {
                        ui.notice(&Notice::UsingDeviceCode { reason });
                        device(false).await?
                    }
                }
            }
        }
    };
    let token = store_token(ports, target, &response, &client)?;
    Ok(SignedIn {
        target: target.name().to_owned(),
        token_expires_at: token.expires_at,
        refreshable: token.refresh_token.is_some(),
        flow: Some(flow),
        joined: None,
    })
}

/// Writes the new token (replacing whatever was there, a corrupt file
/// included) and our record of it.
fn store_token<O: SsoOidc, C: Clock, S: Store>(
    ports: &SignInPorts<'_, O, C, S>,
    target: &SsoTarget,
    response: &TokenResponse,
    client: &ClientRegistration,
) -> Result<SsoToken, SignInError> {
    let now = ports.clock.now();
    let token = token_file::signed_in(
        &target.start_url,
        &target.region,
        response,
        &client.client_id,
        &client.client_secret,
        client.expires_at,
        now,
    );
    let key = target.cache_key();
    let token_lock = ports.store.lock(&StoreFile::SsoToken(key.clone()))?;
    let session_lock = ports.store.lock(&StoreFile::Session(key))?;
    ports
        .store
        .write(&token_lock, &token_file::to_cli_json(&token))?;
    let mut record = SessionRecord::obtained(&token.access_token, now, response.expires_in);
    record.signed_in_at = Some(now);
    ports.store.write(&session_lock, &record.to_json())?;
    Ok(token)
}

/// Waits for the sign-in another process runs for `target`, then reports
/// what it produced.
async fn join<O: SsoOidc, C: Clock, S: Store, I: Interaction>(
    ports: &SignInPorts<'_, O, C, S>,
    ui: &I,
    target: &SsoTarget,
) -> Result<SignedIn, SignInError> {
    let marker_file = StoreFile::SignIn(target.cache_key());
    let marker = ports
        .store
        .read(&marker_file)?
        .and_then(|b| SignInMarker::parse(&b));
    let holder = marker
        .as_ref()
        .map_or_else(|| "another process".to_owned(), |m| m.holder.clone());
    ui.notice(&Notice::JoiningOther {
        target: target.name().to_owned(),
        holder: holder.clone(),
        user_code: marker.as_ref().and_then(|m| m.user_code.clone()),
        verification_uri: marker.as_ref().and_then(|m| m.verification_uri.clone()),
    });
    let began = ports.clock.now();
    loop {
        ports.clock.sleep(JOIN_CHECK_INTERVAL).await;
        if ports.store.try_lock(&marker_file)?.is_some() {
            break;
        }
        if ports.clock.now() - began > JOIN_WAIT {
            return Err(SignInError::JoinTimedOut {
                target: target.name().to_owned(),
                holder,
            });
        }
    }
    let key = target.cache_key();
    let token = ports
        .store
        .read(&StoreFile::SsoToken(key.clone()))?
        .and_then(|b| SsoToken::parse(&b).ok());
    let record = ports
        .store
        .read(&StoreFile::Session(key))?
        .and_then(|b| SessionRecord::parse(&b));
    let now = ports.clock.now();
    match (token, record) {
        (Some(t), Some(r))
            if r.describes(&t)
                && r.obtained_at >= began - Duration::seconds(1)
                && t.expires_at > now =>
        {
            Ok(SignedIn {
                target: target.name().to_owned(),
                token_expires_at: t.expires_at,
                refreshable: t.refresh_token.is_some(),
                flow: None,
                joined: Some(holder),
            })
        }
        _ => Err(SignInError::OtherSignInFailed {
            target: target.name().to_owned(),
            holder,
        }),
    }
}
