//! The renewal graph: every source of credentials the managed profiles need,
//! once each, with edges from the credentials a call is made with (the
//! parent) to the credentials it yields (the child).
//!
//! Nodes are keyed by source identity ([`NodeId`]): an SSO token per
//! sso-session (or legacy start URL); SSO role credentials per (session,
//! account, role); an MFA session (GetSessionToken) per long-term-keys
//! profile and MFA device; an AssumeRole per (parent, role ARN, external id,
//! session name, duration, MFA device); keys written in a profile. Twenty
//! roles over one SSO role therefore share one SSO role node, fetched once.
//!
//! [`Graph::build`] reads a [`Snapshot`](crate::snapshot::Snapshot) and the
//! [`Settings`](crate::settings::Settings); [`Graph::managed`] says, for each
//! profile whose keys the keeper writes, which node's credentials go to which
//! section, [`Graph::served`] the profiles renewed only to be handed to
//! `leasekeeper credential-process` ([`consumers`]), and [`Graph::skipped`]
//! why the others are left alone.

mod build;
pub mod consumers;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::signin::SsoTarget;

/// A node's identity: stable across snapshots as long as what it stands for
/// is unchanged, so renewal state and the keys the host holds carry over.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(String);

impl NodeId {
    pub(crate) fn new(id: String) -> NodeId {
        NodeId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One AssumeRole as a profile configures it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCall {
    /// The first profile (by name) that names this role: for messages.
    pub profile: String,
    pub role_arn: String,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    /// `duration_seconds` as configured.
    pub duration_seconds: Option<u32>,
    /// The MFA device sent with every call; `None` when an MFA session
    /// carries the MFA (or the role needs none).
    pub mfa_serial: Option<String>,
}

/// What a node's credentials are and how they are renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// An IAM Identity Center access token (the cache file), refreshed with
    /// its refresh token.
    SsoToken(SsoTarget),
    /// SSO role credentials: GetRoleCredentials with the parent's token.
    SsoRole {
        target: SsoTarget,
        account_id: String,
        role_name: String,
    },
    /// Keys written in a profile: long-term keys, or temporary keys another
    /// tool wrote (with their expiry when it was written). Never renewed here.
    Keys {
        profile: String,
        temporary: bool,
        expires_at: Option<OffsetDateTime>,
    },
    /// An MFA session: GetSessionToken with the parent's long-term keys and a code.
    MfaSession { profile: String, mfa_serial: String },
    /// AssumeRole with the parent's credentials.
    AssumeRole(RoleCall),
}

impl NodeKind {
    /// `sso_token`, `sso_role`, `keys`, `mfa_session` or `assume_role`.
    pub fn as_str(&self) -> &'static str {
        match self {
            NodeKind::SsoToken(_) => "sso_token",
            NodeKind::SsoRole { .. } => "sso_role",
            NodeKind::Keys { .. } => "keys",
            NodeKind::MfaSession { .. } => "mfa_session",
            NodeKind::AssumeRole(_) => "assume_role",
        }
    }
}

/// What the person must give for a node to renew, whatever the files say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedsPerson {
    /// A role with `mfa_serial` over credentials that cannot hold an MFA
    /// session: every renewal needs a fresh code.
    MfaCodeEachRenewal,
    /// An MFA session: a code once per session (12 hours by default).
    MfaCodeForSession,
}

/// One source of credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: NodeId,
    pub kind: NodeKind,
    /// The node whose credentials this one is obtained with.
    pub parent: Option<NodeId>,
    /// 0 for nodes without a parent.
    pub depth: u32,
    /// The DurationSeconds to ask for (AssumeRole: as configured, capped by
    /// role chaining; MFA session: the setting).
    pub duration_seconds: Option<u32>,
    /// Role chaining: this role is assumed with role-session keys, so STS
    /// grants it at most one hour.
    pub chained: bool,
    /// `duration_seconds` was lowered to 3600 by role chaining: what was configured.
    pub capped_from: Option<u32>,
    pub needs: Option<NeedsPerson>,
    /// The profiles whose chains go through this node, by name.
    pub profiles: Vec<String>,
}

impl Node {
    /// Whether the keeper renews this node itself (keys in files it does not).
    pub fn renewable(&self) -> bool {
        !matches!(self.kind, NodeKind::Keys { .. })
    }
}

/// A profile whose keys the keeper writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedProfile {
    pub profile: String,
    /// The node whose credentials are written.
    pub node: NodeId,
    /// The credentials-file section they go to.
    pub section: String,
    /// The person consented to replacing a section of that name we did not write.
    pub take_over: bool,
}

/// Why a profile's keys are not written by the keeper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Skip {
    /// The settings turn its renewal off.
    Disabled,
    /// Its keys are in the files already (long-term keys, or another tool's).
    NothingToRenew,
    /// An SSO profile without a role: its token is kept fresh, no keys to write.
    TokenOnly,
    /// The keeper cannot obtain its base credentials (`credential_process`,
    /// web identity, `credential_source`): the SDKs do that themselves.
    Unsupported { source: String },
    /// The profile cannot be resolved as written.
    Unresolved { code: String },
    /// Another managed profile already writes to this section.
    SectionTaken { section: String, by: String },
    /// Not written, but renewed in memory for the `leasekeeper
    /// credential-process` another profile's `credential_process` runs.
    ServedOnly,
}

/// The renewal graph of one snapshot under one set of settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    nodes: BTreeMap<NodeId, Node>,
    /// Parents before children.
    order: Vec<NodeId>,
    managed: BTreeMap<String, ManagedProfile>,
    /// Profiles renewed only to be served to `credential-process` (no section).
    served: BTreeMap<String, ManagedProfile>,
    skipped: BTreeMap<String, Skip>,
}

impl Graph {
    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// Every node, parents before children.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.order.iter().filter_map(|id| self.nodes.get(id))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Profiles whose keys are written, by name.
    pub fn managed(&self) -> &BTreeMap<String, ManagedProfile> {
        &self.managed
    }

    /// Profiles renewed only to be served to `credential-process`: their
    /// `section` is empty, nothing is written for them.
    pub fn served(&self) -> &BTreeMap<String, ManagedProfile> {
        &self.served
    }

    /// Profiles left alone, and why.
    pub fn skipped(&self) -> &BTreeMap<String, Skip> {
        &self.skipped
    }

    /// `id` and its ancestors, from `id` up.
    pub fn lineage(&self, id: &NodeId) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut next = self.nodes.get(id);
        while let Some(node) = next {
            out.push(node);
            next = node.parent.as_ref().and_then(|p| self.nodes.get(p));
        }
        out
    }

    /// The managed profiles whose written node is `id` or below it.
    pub fn profiles_under<'a>(
        &'a self,
        id: &'a NodeId,
    ) -> impl Iterator<Item = &'a ManagedProfile> {
        self.managed
            .values()
            .filter(move |m| self.lineage(&m.node).iter().any(|n| &n.id == id))
    }
}
