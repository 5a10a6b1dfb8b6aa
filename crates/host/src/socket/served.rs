//! [`compute`]: what the keeper can give each profile it renews, from its
//! engine state and the keys it holds by node. The loop publishes the
//! result after every step; the server answers `credentials` from it
//! without ever waiting on the loop.

use std::collections::HashMap;

use leasekeeper_engine::keeper::{KeeperState, NodeId, NodeKind, RenewalState};
use leasekeeper_engine::ports::Credentials;
use time::OffsetDateTime;

use super::keys::{NEEDS_MFA_CODE, NEEDS_SIGN_IN, Served, ServedMap};

/// Every renewed profile at `now_wall` (those written to the credentials
/// file and those kept only to be served): the keys held for its chain's
/// last node, else what the person must do, else its renewal state.
pub fn compute(
    state: &KeeperState,
    held: &HashMap<NodeId, Credentials>,
    now_wall: OffsetDateTime,
) -> ServedMap {
    let mut out = ServedMap::new();
    let mut renewals = state.renewals(now_wall);
    renewals.extend(state.served_renewals(now_wall));
    for r in renewals {
        let entry = match (held.get(&r.node), r.state) {
            (Some(keys), _) if keys.session_token.is_some() && keys.expiration.is_some() => {
                Served::Keys(keys.clone())
            }
            (_, RenewalState::NeedsLogin) => {
                let command = login_command(state, r.waiting_on.as_ref(), &r.profile);
                Served::NeedsUser {
                    code: NEEDS_SIGN_IN,
                    message: format!("profile {} needs a sign-in: run `{command}`", r.profile),
                    command,
                }
            }
            (_, RenewalState::NeedsMfaCode) => {
                let command = format!("leasekeeper mfa --profile {}", r.profile);
                Served::NeedsUser {
                    code: NEEDS_MFA_CODE,
                    message: format!(
                        "profile {} needs an MFA code: run `{command}` in a terminal",
                        r.profile
                    ),
                    command,
                }
            }
            (_, other) => Served::NotYet {
                state: other.as_str().to_owned(),
            },
        };
        out.insert(r.profile, entry);
    }
    out
}

/// `leasekeeper login` for the session the profile waits on.
fn login_command(state: &KeeperState, waiting_on: Option<&NodeId>, profile: &str) -> String {
    let session = waiting_on
        .and_then(|id| state.graph().node(id))
        .and_then(|n| match &n.kind {
            NodeKind::SsoToken(t) | NodeKind::SsoRole { target: t, .. } => t.session.clone(),
            _ => None,
        });
    match session {
        Some(s) => format!("leasekeeper login --sso-session {s}"),
        None => format!("leasekeeper login --profile {profile}"),
    }
}
