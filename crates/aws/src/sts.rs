//! [`Sts`] on aws-sdk-sts: AssumeRole, GetSessionToken and
//! GetCallerIdentity, each signed with the credentials handed in.

use std::future::Future;

use aws_sdk_sts::config::Credentials as SdkCredentials;
use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::{
    AssumeRoleRequest, AwsError, CallerIdentity, Credentials, Dated, Service, SessionTokenRequest,
    Sts,
};
use time::OffsetDateTime;

use crate::date::DateCapture;
use crate::{Aws, errors};

fn missing(field: &str) -> AwsError {
    AwsError::Other {
        service: Service::Sts,
        code: "incomplete_answer".to_owned(),
        message: format!("the answer has no {field}"),
    }
}

/// Refuses keys the signer cannot put in a header (it panics on a control
/// character): they come from files and answers anyone may have written.
/// The message names the field, never its value.
pub(crate) fn signable(c: &Credentials) -> Result<(), AwsError> {
    let bad = |s: &str| s.chars().any(char::is_control);
    let field = if bad(&c.access_key_id) {
        "access key id"
    } else if c.session_token.as_ref().is_some_and(|t| bad(t.expose())) {
        "session token"
    } else {
        return Ok(());
    };
    Err(AwsError::InvalidCredentials {
        message: format!("the {field} holds a control character, which no request can carry"),
    })
}

impl Aws {
    /// An STS client signing with `c`.
    pub(crate) fn sts_with(&self, c: &Credentials) -> aws_sdk_sts::Client {
        let provider = SdkCredentials::new(
            &c.access_key_id,
            c.secret_access_key.expose(),
            c.session_token.as_ref().map(|t| t.expose().to_owned()),
            None,
            "leasekeeper",
        );
        let config = aws_sdk_sts::config::Builder::from(&self.sdk)
            .credentials_provider(provider)
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }
}

pub(crate) fn credentials(
    c: Option<aws_sdk_sts::types::Credentials>,
) -> Result<Credentials, AwsError> {
    let c = c.ok_or_else(|| missing("Credentials"))?;
    let expiration = OffsetDateTime::from_unix_timestamp(c.expiration.secs())
        .map_err(|_| missing("valid Expiration"))?;
    Ok(Credentials {
        access_key_id: c.access_key_id,
        secret_access_key: Secret::new(c.secret_access_key),
        session_token: Some(Secret::new(c.session_token)),
        expiration: Some(expiration),
    })
}

impl Sts for Aws {
    fn assume_role(
        &self,
        credentials_in: &Credentials,
        r: &AssumeRoleRequest,
    ) -> impl Future<Output = Result<Dated<Credentials>, AwsError>> + Send {
        let date = DateCapture::default();
        let checked = signable(credentials_in);
        let call = self
            .sts_with(credentials_in)
            .assume_role()
            .role_arn(&r.role_arn)
            .role_session_name(&r.role_session_name)
            .set_duration_seconds(r.duration_seconds)
            .set_external_id(r.external_id.clone())
            .set_serial_number(r.serial_number.clone())
            .set_token_code(r.token_code.as_ref().map(|t| t.expose().to_owned()));
        async move {
            checked?;
            let out = call
                .customize()
                .interceptor(date.clone())
                .send()
                .await
                .map_err(|e| errors::map(Service::Sts, &e))?;
            Ok(Dated {
                value: credentials(out.credentials)?,
                server_date: date.get(),
            })
        }
    }

    fn get_session_token(
        &self,
        credentials_in: &Credentials,
        r: &SessionTokenRequest,
    ) -> impl Future<Output = Result<Dated<Credentials>, AwsError>> + Send {
        let date = DateCapture::default();
        let checked = signable(credentials_in);
        let call = self
            .sts_with(credentials_in)
            .get_session_token()
            .set_duration_seconds(r.duration_seconds)
            .set_serial_number(r.serial_number.clone())
            .set_token_code(r.token_code.as_ref().map(|t| t.expose().to_owned()));
        async move {
            checked?;
            let out = call
                .customize()
                .interceptor(date.clone())
                .send()
                .await
                .map_err(|e| errors::map(Service::Sts, &e))?;
            Ok(Dated {
                value: credentials(out.credentials)?,
                server_date: date.get(),
            })
        }
    }

    fn get_caller_identity(
        &self,
        credentials_in: &Credentials,
    ) -> impl Future<Output = Result<Dated<CallerIdentity>, AwsError>> + Send {
        let date = DateCapture::default();
        let checked = signable(credentials_in);
        let call = self.sts_with(credentials_in).get_caller_identity();
        async move {
            checked?;
            let out = call
                .customize()
                .interceptor(date.clone())
                .send()
                .await
                .map_err(|e| errors::map(Service::Sts, &e))?;
            Ok(Dated {
                value: CallerIdentity {
                    account: out.account.unwrap_or_default(),
                    arn: out.arn.unwrap_or_default(),
                    user_id: out.user_id.unwrap_or_default(),
                },
                server_date: date.get(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(id: &str, token: &str) -> Credentials {
        Credentials {
            access_key_id: id.to_owned(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new(token)),
            expiration: None,
        }
    }

    #[test]
    fn keys_with_control_characters_are_refused_without_showing_them() {
        assert!(signable(&keys("AKIAEXAMPLE", "token/+=")).is_ok());
        assert!(
            signable(&keys("AKIAé名前", "token")).is_ok(),
            "the service judges"
        );
        for (id, token) in [("AKIA\u{1b}X", "t"), ("AKIA", "to\u{0}ken"), ("A\rB", "t")] {
            let e = signable(&keys(id, token)).expect_err("refused");
            assert_eq!(e.code(), "invalid_credentials");
            assert!(!e.to_string().contains("to\u{0}ken") && !e.to_string().contains("AKIA"));
        }
    }
}
