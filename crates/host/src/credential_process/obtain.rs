//! Fetching a chain's keys: the base's, then each role in order.

use leasekeeper_engine::ports::{AssumeRoleRequest, AwsError, Credentials, Sts};
use leasekeeper_engine::resolve::{Base, Chain, SourceKeys};
use leasekeeper_engine::signin::target::{SsoTarget, session_target};
use leasekeeper_engine::signin::{self, SignInError, SignInPorts};
use time::OffsetDateTime;

use super::{ProcessError, Request};
use crate::clock::SystemClock;
use crate::keeper::Connect;
use crate::keeper::exec::SESSION_NAME_PREFIX;
use crate::keeper::run::DEFAULT_STS_REGION;

/// The longest session a chained role may ask for.
pub const CHAINED_MAX_SECONDS: u32 = 3600;

/// Fails at once when the person would have to act: an MFA code, lapsed
/// keys another tool wrote, a source we do not fetch.
pub(super) fn check_no_user_needed(chain: &Chain, now: OffsetDateTime) -> Result<(), ProcessError> {
    let profile = chain.profile.clone();
    if let Some(role) = chain.roles.iter().find(|r| r.mfa_serial.is_some()) {
        return Err(ProcessError::NeedsMfa {
            profile,
            role_profile: role.profile.clone(),
            mfa_serial: role.mfa_serial.clone().unwrap_or_default(),
        });
    }
    let kind = match &chain.base {
        Base::Sso(_) => return Ok(()),
        Base::Keys(k) => {
            if k.expires_at.is_some_and(|e| e <= now) {
                return Err(ProcessError::KeysExpired {
                    profile,
                    source_profile: k.profile.clone(),
                });
            }
            return Ok(());
        }
        Base::Process(_) => "another credential_process",
        Base::WebIdentity(_) => "a web identity token",
        Base::CredentialSource(_) => "credential_source",
    };
    Err(ProcessError::Unsupported { profile, kind })
}

fn aws_failed(profile: &str, e: &AwsError) -> ProcessError {
    ProcessError::Aws {
        profile: profile.to_owned(),
        code: e.code().to_owned(),
        message: e.to_string(),
    }
}

fn signin_failed(profile: &str, target: &SsoTarget, e: SignInError) -> ProcessError {
    match e {
        SignInError::NeedsLogin { .. } => ProcessError::NeedsLogin {
            profile: profile.to_owned(),
            command: match &target.session {
                Some(s) => format!("leasekeeper login --sso-session {s}"),
                None => format!("leasekeeper login --profile {profile}"),
            },
            session: target.name().to_owned(),
        },
        other => ProcessError::Aws {
            profile: profile.to_owned(),
            code: other.code().to_owned(),
            message: other.to_string(),
        },
    }
}

async fn client<C: Connect>(
    connect: &C,
    profile: &str,
    region: &str,
) -> Result<C::Client, ProcessError> {
    connect
        .connect(region)
        .await
        .map_err(|message| ProcessError::Aws {
            profile: profile.to_owned(),
            code: "aws_setup".to_owned(),
            message,
        })
}

/// The chain's keys, fetched now.
pub(super) async fn fetch<C: Connect>(
    req: &Request<'_>,
    chain: &Chain,
    connect: &C,
) -> Result<Credentials, ProcessError> {
    let profile = req.profile;
    let mut keys = match &chain.base {
        Base::Sso(sso) => {
            let (Some(account), Some(role)) = (&sso.account_id, &sso.role_name) else {
                return Err(ProcessError::Unsupported {
                    profile: profile.to_owned(),
                    kind: "an sso-session without a role",
                });
            };
            let target = match &sso.session {
                Some(name) => session_target(req.set, name).map_err(|e| ProcessError::Aws {
                    profile: profile.to_owned(),
                    code: e.code().to_owned(),
                    message: e.to_string(),
                })?,
                None => SsoTarget {
                    session: None,
                    start_url: sso.start_url.clone(),
                    region: sso.region.clone(),
                    configured_scopes: Vec::new(),
                },
            };
            let aws = client(connect, profile, &target.region).await?;
            let clock = SystemClock;
            let ports = SignInPorts {
                oidc: &aws,
                clock: &clock,
                store: &req.store,
                scale: req.scale,
            };
            signin::role_credentials(&ports, &aws, &target, account, role)
                .await
                .map_err(|e| signin_failed(profile, &target, e))?
        }
        Base::Keys(k) => Credentials {
            access_key_id: k.access_key_id.clone(),
            secret_access_key: k.secret_access_key.clone(),
            session_token: k.session_token.clone(),
            expiration: k.expires_at,
        },
        _ => unreachable_base(profile)?,
    };
    if chain.roles.is_empty() {
        return Ok(keys);
    }
    let region = req
        .set
        .profile(profile)
        .and_then(|p| p.get_nonempty("region"))
        .unwrap_or(DEFAULT_STS_REGION);
    let sts = client(connect, profile, region).await?;
    let long_term_first = chain.first_role_source_keys() == Some(SourceKeys::LongTerm);
    for (i, role) in chain.roles.iter().enumerate() {
        let chained = i > 0 || !long_term_first;
        let duration = match role.duration_seconds {
            Some(d) if chained => Some(d.min(CHAINED_MAX_SECONDS)),
            other => other,
        };
        let request = AssumeRoleRequest {
            role_arn: role.role_arn.clone(),
            role_session_name: role.role_session_name.clone().unwrap_or_else(|| {
                format!(
                    "{SESSION_NAME_PREFIX}-{}",
                    OffsetDateTime::now_utc().unix_timestamp()
                )
            }),
            duration_seconds: duration.and_then(|d| i32::try_from(d).ok()),
            external_id: role.external_id.clone(),
            serial_number: None,
            token_code: None,
        };
        keys = sts
            .assume_role(&keys, &request)
            .await
            .map_err(|e| aws_failed(profile, &e))?
            .value;
    }
    Ok(keys)
}

/// Bases [`check_no_user_needed`] already refused.
fn unreachable_base(profile: &str) -> Result<Credentials, ProcessError> {
    Err(ProcessError::Unsupported {
        profile: profile.to_owned(),
        kind: "a source credential-process does not fetch",
    })
}
