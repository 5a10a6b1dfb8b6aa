//! [`SsoPortal`] on aws-sdk-sso: GetRoleCredentials and Logout; and
//! [`PortalListing`]: ListAccounts and ListAccountRoles, a page a call.

use std::future::Future;

use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::{
    AwsError, Credentials, Dated, Page, PortalAccount, PortalListing, Service, SsoPortal,
};
use time::OffsetDateTime;

use crate::date::DateCapture;
use crate::{Aws, errors};

fn missing(field: &str) -> AwsError {
    AwsError::Other {
        service: Service::SsoPortal,
        code: "incomplete_answer".to_owned(),
        message: format!("the answer has no {field}"),
    }
}

impl SsoPortal for Aws {
    fn get_role_credentials(
        &self,
        access_token: &Secret,
        account_id: &str,
        role_name: &str,
    ) -> impl Future<Output = Result<Dated<Credentials>, AwsError>> + Send {
        let date = DateCapture::default();
        let call = self
            .portal
            .get_role_credentials()
            .access_token(access_token.expose())
            .account_id(account_id)
            .role_name(role_name);
        async move {
            let out = call
                .customize()
                .interceptor(date.clone())
                .send()
                .await
                .map_err(|e| errors::map(Service::SsoPortal, &e))?;
            let c = out
                .role_credentials
                .ok_or_else(|| missing("roleCredentials"))?;
            // `expiration` is epoch milliseconds.
            let expiration =
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(c.expiration) * 1_000_000)
                    .map_err(|_| missing("valid expiration"))?;
            Ok(Dated {
                value: Credentials {
                    access_key_id: c.access_key_id.ok_or_else(|| missing("accessKeyId"))?,
                    secret_access_key: Secret::new(
                        c.secret_access_key
                            .ok_or_else(|| missing("secretAccessKey"))?,
                    ),
                    session_token: c.session_token.map(Secret::new),
                    expiration: Some(expiration),
                },
                server_date: date.get(),
            })
        }
    }

    fn logout(
        &self,
        access_token: &Secret,
    ) -> impl Future<Output = Result<Dated<()>, AwsError>> + Send {
        let date = DateCapture::default();
        let call = self.portal.logout().access_token(access_token.expose());
        async move {
            call.customize()
                .interceptor(date.clone())
                .send()
                .await
                .map_err(|e| errors::map(Service::SsoPortal, &e))?;
            Ok(Dated {
                value: (),
                server_date: date.get(),
            })
        }
    }
}

/// The portal's largest page.
const PAGE_SIZE: i32 = 100;

/// A listing call is made once by the SDK: the listing asks again itself,
/// within its rate and with its own backoff
/// ([`leasekeeper_engine::available`]), so a page is never tried more than
/// its `MAX_TRIES` times.
fn one_try() -> aws_sdk_sso::config::Builder {
    aws_sdk_sso::config::Builder::default()
        .retry_config(aws_sdk_sso::config::retry::RetryConfig::standard().with_max_attempts(1))
}

impl PortalListing for Aws {
    fn list_accounts(
        &self,
        access_token: &Secret,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Page<PortalAccount>, AwsError>> + Send {
        let call = self
            .portal
            .list_accounts()
            .access_token(access_token.expose())
            .max_results(PAGE_SIZE)
            .set_next_token(next.map(str::to_owned));
        async move {
            let out = call
                .customize()
                .config_override(one_try())
                .send()
                .await
                .map_err(|e| errors::map(Service::SsoPortal, &e))?;
            let items = out
                .account_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| {
                    Some(PortalAccount {
                        id: a.account_id?,
                        name: a.account_name.unwrap_or_default(),
                        email: a.email_address.unwrap_or_default(),
                    })
                })
                .collect();
            Ok(Page {
                items,
                next: out.next_token.filter(|t| !t.is_empty()),
            })
        }
    }

    fn list_account_roles(
        &self,
        access_token: &Secret,
        account_id: &str,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Page<String>, AwsError>> + Send {
        let call = self
            .portal
            .list_account_roles()
            .access_token(access_token.expose())
            .account_id(account_id)
            .max_results(PAGE_SIZE)
            .set_next_token(next.map(str::to_owned));
        async move {
            let out = call
                .customize()
                .config_override(one_try())
                .send()
                .await
                .map_err(|e| errors::map(Service::SsoPortal, &e))?;
            let items = out
                .role_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| r.role_name)
                .collect();
            Ok(Page {
                items,
                next: out.next_token.filter(|t| !t.is_empty()),
            })
        }
    }
}
