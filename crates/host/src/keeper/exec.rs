//! Carrying out renewals through the engine's AWS ports: SSO token
//! refreshes and role fetches through [`leasekeeper_engine::signin`],
//! AssumeRole and GetSessionToken through [`Sts`]. Each runs as its own
//! task and ends in exactly one [`Finished`], with the new keys (held by the
//! loop by node id, never logged) when there are any.

use std::future::Future;
use std::sync::Arc;

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::{Call, Failure, Finished, MFA_CODE_NEEDED, NodeId, Outcome};
use leasekeeper_engine::ports::{Clock, Credentials, SsoOidc, SsoPortal, Sts};
use leasekeeper_engine::signin::{self, SignInPorts, SsoTarget, TimeScale};
use time::OffsetDateTime;

use crate::store::FileStore;

/// The role session name when a profile names none.
pub const SESSION_NAME_PREFIX: &str = "leasekeeper";

/// AWS clients for a region: the real SDK clients in the shells.
pub trait Connect: Send + Sync + 'static {
    type Client: SsoOidc + SsoPortal + Sts + 'static;
    fn connect(&self, region: &str) -> impl Future<Output = Result<Self::Client, String>> + Send;
}

/// What one renewal task needs, owned.
#[derive(Debug)]
pub enum Job {
    Refresh {
        node: NodeId,
        target: SsoTarget,
    },
    Renew {
        node: NodeId,
        call: Call,
        /// The parent's keys (SSO roles use the token file instead).
        parent: Option<Credentials>,
        /// The MFA code the person gave for this call.
        token_code: Option<Secret>,
    },
}

impl Job {
    pub fn node(&self) -> &NodeId {
        match self {
            Job::Refresh { node, .. } | Job::Renew { node, .. } => node,
        }
    }
}

/// A task's end: the report for the engine and the keys obtained.
#[derive(Debug)]
pub struct Done {
    pub finished: Finished,
    pub keys: Option<Credentials>,
}

fn failed(node: NodeId, server_date: Option<OffsetDateTime>, failure: Failure) -> Done {
    Done {
        finished: Finished {
            node,
            server_date,
            outcome: Outcome::Failed(failure),
        },
        keys: None,
    }
}

fn renewed(node: NodeId, server_date: Option<OffsetDateTime>, keys: Credentials) -> Done {
    let Some(expires_at) = keys.expiration else {
        return failed(
            node,
            server_date,
            Failure::new("no_expiry", "the answer carried no expiry", true),
        );
    };
    Done {
        finished: Finished {
            node,
            server_date,
            outcome: Outcome::Renewed { expires_at },
        },
        keys: Some(keys),
    }
}

/// Runs `job` with `client`, at the time `clock` tells.
pub async fn run<C: SsoOidc + SsoPortal + Sts, K: Clock>(
    client: Arc<C>,
    store: FileStore,
    clock: K,
    scale: TimeScale,
    job: Job,
) -> Done {
    let ports = SignInPorts {
        oidc: client.as_ref(),
        clock: &clock,
        store: &store,
        scale,
    };
    match job {
        Job::Refresh { node, target } => {
            let outcome = match signin::refresh_if_due(&ports, &target).await {
                Ok(r) => Outcome::from_refresh(&r),
                Err(e) => Outcome::Failed(Failure::from_signin(&e)),
            };
            Done {
                finished: Finished {
                    node,
                    server_date: None,
                    outcome,
                },
                keys: None,
            }
        }
        Job::Renew {
            node,
            call,
            parent,
            token_code,
        } => {
            if call.needs_mfa_code() && token_code.is_none() {
                let f = Failure::new(
                    MFA_CODE_NEEDED,
                    "this renewal needs an MFA code: run `leasekeeper mfa --profile P` in a terminal",
                    false,
                );
                return failed(node, None, f);
            }
            match &call {
                Call::SsoRole {
                    target,
                    account_id,
                    role_name,
                } => match signin::role_credentials(
                    &ports,
                    client.as_ref(),
                    target,
                    account_id,
                    role_name,
                )
                .await
                {
                    Ok(keys) => renewed(node, None, keys),
                    Err(e) => failed(node, None, Failure::from_signin(&e)),
                },
                Call::AssumeRole { .. } | Call::SessionToken { .. } => {
                    let Some(parent) = parent else {
                        let f = Failure::new(
                            "no_parent_keys",
                            "the source keys are not available",
                            true,
                        );
                        return failed(node, None, f);
                    };
                    let name = format!("{SESSION_NAME_PREFIX}-{}", clock.now().unix_timestamp());
                    let answer = match (
                        call.assume_role_request(&name, token_code.clone()),
                        call.session_token_request(token_code),
                    ) {
                        (Some(req), _) => client.assume_role(&parent, &req).await,
                        (None, Some(req)) => client.get_session_token(&parent, &req).await,
                        (None, None) => {
                            let f = Failure::new("not_sts", "not an STS call", false);
                            return failed(node, None, f);
                        }
                    };
                    match answer {
                        Ok(d) => renewed(node, d.server_date, d.value),
                        Err(e) => failed(node, None, Failure::from_aws(&e)),
                    }
                }
            }
        }
    }
}

/// The clients could not be built for `node`'s call.
pub fn setup_failed(node: NodeId, message: String) -> Done {
    failed(node, None, Failure::new("aws_setup", message, true))
}
