//! SSO role credentials: GetRoleCredentials with the session's token,
//! refreshed first when due.
//!
//! A portal 401 means the sign-in session is over even while the cache file
//! claims a valid token (seen in the wild): the file is re-read once, a
//! newer token another tool wrote is tried once, and otherwise the session
//! needs a sign-in.

use crate::ports::{AwsError, Clock, Credentials, SsoOidc, SsoPortal, Store};

use super::SignInPorts;
use super::error::{SessionOver, SignInError};
use super::refresh::{Refresh, adopt_or_over, refresh_if_due};
use super::target::SsoTarget;

/// Role credentials for `account_id`/`role_name` in `target`'s session.
pub async fn role_credentials<O: SsoOidc, C: Clock, S: Store, P: SsoPortal>(
    ports: &SignInPorts<'_, O, C, S>,
    portal: &P,
    target: &SsoTarget,
    account_id: &str,
    role_name: &str,
) -> Result<Credentials, SignInError> {
    let refresh = refresh_if_due(ports, target).await?;
    let token = refresh.token().clone();
    if token.expires_at <= ports.clock.now() {
        return Err(SignInError::NeedsLogin {
            target: target.name().to_owned(),
            reason: SessionOver::Expired,
        });
    }
    match portal
        .get_role_credentials(&token.access_token, account_id, role_name)
        .await
    {
        Ok(c) => Ok(c.value),
        Err(AwsError::Unauthorized) => {
            let Refresh::Adopted { token: newer } = adopt_or_over(
                ports.store,
                target,
                &token.access_token,
                SessionOver::PortalRefused,
            )?
            else {
                return Err(SignInError::NeedsLogin {
                    target: target.name().to_owned(),
                    reason: SessionOver::PortalRefused,
                });
            };
            match portal
                .get_role_credentials(&newer.access_token, account_id, role_name)
                .await
            {
                Ok(c) => Ok(c.value),
                Err(AwsError::Unauthorized) => Err(SignInError::NeedsLogin {
                    target: target.name().to_owned(),
                    reason: SessionOver::PortalRefused,
                }),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}
