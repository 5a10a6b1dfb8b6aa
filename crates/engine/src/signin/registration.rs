//! Client registrations, cached in our state folder and reused until
//! [`REGISTRATION_REUSE_MARGIN`] before they expire, separately for the two
//! flows (their grant types differ) and for each set of scopes.

use crate::ports::{
    ClientRegistration, Clock, RegisterClientRequest, RegistrationKind, SsoOidc, Store, StoreFile,
};

use super::SignInPorts;
use super::error::SignInError;
use super::policy::REGISTRATION_REUSE_MARGIN;
use super::records::{CachedRegistration, registration_key};
use super::target::SsoTarget;

/// The name clients register under; shown on the approval page.
pub const CLIENT_NAME: &str = "leasekeeper";
/// The redirect URI registered for browser sign-ins: loopback, no port
/// (RFC 8252 section 7.3; the AWS CLI registers the same).
pub const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";

/// A registration for `target` and `kind`: the cached one while it lasts,
/// else a new one (cached for next time).
pub async fn registration<O: SsoOidc, C: Clock, S: Store>(
    ports: &SignInPorts<'_, O, C, S>,
    target: &SsoTarget,
    kind: RegistrationKind,
) -> Result<ClientRegistration, SignInError> {
    let scopes = target.registration_scopes();
    let key = registration_key(
        kind,
        &target.region,
        &target.start_url,
        &scopes,
        target.session.as_deref(),
    );
    let file = StoreFile::Registration(key);
    let lock = ports.store.lock(&file)?;
    let now = ports.clock.now();
    let margin = ports.scale.apply(REGISTRATION_REUSE_MARGIN);
    if let Some(cached) = ports
        .store
        .read(&file)?
        .and_then(|b| CachedRegistration::parse(&b))
        .filter(|c| c.kind == kind && c.scopes == scopes)
        .filter(|c| c.registration.expires_at - margin > now)
    {
        return Ok(cached.registration);
    }
    let request = RegisterClientRequest {
        client_name: CLIENT_NAME.to_owned(),
        kind,
        scopes: scopes.clone(),
        issuer_url: (kind == RegistrationKind::AuthorizationCode).then(|| target.start_url.clone()),
        redirect_uri: (kind == RegistrationKind::AuthorizationCode)
            .then(|| REGISTERED_REDIRECT_URI.to_owned()),
    };
    let registration = ports.oidc.register_client(&request).await?.value;
    let cached = CachedRegistration {
        registration: registration.clone(),
        kind,
        scopes,
    };
    ports
        .store
        .write(&lock, &cached.to_json(&target.start_url, &target.region))?;
    Ok(registration)
}
