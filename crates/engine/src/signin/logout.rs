//! [`logout`]: the portal's Logout call and the token file removed (with our
//! record of it and its sighting). A token file another tool already
//! deleted (`aws sso logout`) is a sign-out that already happened, not an
//! alarm.

use crate::ports::{AwsError, SsoPortal, Store, StoreFile};
use crate::profiles::sso_cache::SsoToken;

use super::error::SignInError;
use super::target::SsoTarget;

/// What signing out of one target did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedOut {
    /// The portal session was ended and the token file removed. `portal_error`
    /// is set when the portal could not be told (the file is removed anyway).
    Done { portal_error: Option<AwsError> },
    /// The token file was unreadable; it was removed.
    CorruptRemoved,
    /// Someone else already removed the token file (we had signed in here).
    AlreadySignedOut,
    /// There was nothing to sign out of.
    NotSignedIn,
}

/// Signs out of `target`.
pub async fn logout<P: SsoPortal, S: Store>(
    portal: &P,
    store: &S,
    target: &SsoTarget,
) -> Result<SignedOut, SignInError> {
    let key = target.cache_key();
    let token_lock = store.lock(&StoreFile::SsoToken(key.clone()))?;
    let session_lock = store.lock(&StoreFile::Session(key.clone()))?;
    let had_record = store.read(&StoreFile::Session(key.clone()))?.is_some();
    let outcome = match store.read(&StoreFile::SsoToken(key))? {
        None if had_record => SignedOut::AlreadySignedOut,
        None => SignedOut::NotSignedIn,
        Some(bytes) => match SsoToken::parse(&bytes) {
            Err(_) => {
                store.remove(&token_lock)?;
                SignedOut::CorruptRemoved
            }
            Ok(token) => {
                let portal_error = match portal.logout(&token.access_token).await {
                    // A 401: the session had already ended; nothing to tell.
                    Ok(_) | Err(AwsError::Unauthorized) => None,
                    Err(e) => Some(e),
                };
                store.remove(&token_lock)?;
                SignedOut::Done { portal_error }
            }
        },
    };
    store.remove(&session_lock)?;
    // When the sign-in was first seen goes with it: a later sign-in by
    // another tool starts its own estimate. Readers write a sighting only
    // under the session's lock, held here.
    let sighting = StoreFile::Sighting(target.cache_key());
    if store.read(&sighting)?.is_some() {
        let sighting_lock = store.lock(&sighting)?;
        store.remove(&sighting_lock)?;
    }
    Ok(outcome)
}
