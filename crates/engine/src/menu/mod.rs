//! The tray menu as data, pure: which leases it lists and how, grouped by
//! sign-in session or source, bounded; which sign-ins it offers; the
//! summary line; and the icon the worst lease calls for. The tray turns a
//! [`MenuModel`] into native menu items and nothing more, so every rule
//! here is tested without a desktop.
//!
//! - [`build`]: leases (from the files) and the keeper's renewals, at
//!   `now`, to a [`MenuModel`].
//! - [`MenuId`]: what a clicked item does, to and from its string id.
//! - [`label`]: the words (`dev — 42m`, `1 needs you · 6 leases`).
//! - [`Action`]: what the person must do for a lease.

mod action;
mod id;
pub mod label;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::collections::HashMap;

use time::{Duration, OffsetDateTime};

use crate::keeper::RenewalState;
use crate::lease::{Lease, LeaseState};
use crate::resolve::StepView;

pub use action::Action;
pub use id::MenuId;
pub use label::{Counts, Left};

/// Lease lines shown before "N more…".
pub const DEFAULT_LIMIT: usize = 15;

/// The tray icon's look: the worst lease's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IconState {
    /// Nothing needs the person.
    Ok,
    /// A profile cannot be used as written, or its renewals fail.
    Error,
    /// The person must act soon.
    Expiring,
    /// The person must act now: sign in, an MFA code, lapsed keys.
    NeedsYou,
}

impl IconState {
    /// `ok`, `error`, `expiring`, `needs-you`: the icon files' names.
    pub fn as_str(self) -> &'static str {
        match self {
            IconState::Ok => "ok",
            IconState::Error => "error",
            IconState::Expiring => "expiring",
            IconState::NeedsYou => "needs-you",
        }
    }
}

/// What the keeper says about one managed profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperLine {
    pub profile: String,
    pub state: RenewalState,
    /// Its last renewal failed.
    pub failing: bool,
    /// When the keys the keeper holds for it expire.
    pub expires_at: Option<OffsetDateTime>,
    /// When the person must next act for it by the keeper's knowledge (the
    /// end of the MFA session it renews through).
    pub act_by: Option<OffsetDateTime>,
}

impl KeeperLine {
    /// Whether the keeper holds keys for the profile that are still good at
    /// `now` and is not waiting on the person.
    pub fn holds_fresh_keys(&self, now: OffsetDateTime) -> bool {
        matches!(
            self.state,
            RenewalState::Fresh
                | RenewalState::Renewing
                | RenewalState::Retrying
                | RenewalState::Pending
        ) && self.expires_at.is_some_and(|e| e > now)
    }
}

/// `fresh`, `needs_login`, …: the renewal states as the keeper's socket
/// spells them.
pub fn renewal_state(text: &str) -> Option<RenewalState> {
    Some(match text {
        "fresh" => RenewalState::Fresh,
        "renewing" => RenewalState::Renewing,
        "retrying" => RenewalState::Retrying,
        "pending" => RenewalState::Pending,
        "lapsed" => RenewalState::Lapsed,
        "needs_login" => RenewalState::NeedsLogin,
        "needs_mfa_code" => RenewalState::NeedsMfaCode,
        _ => return None,
    })
}

/// What the menu is built from.
#[derive(Debug, Clone)]
pub struct MenuInput<'a> {
    /// Every profile's lease, in any order.
    pub leases: &'a [Lease],
    /// The keeper's view of the profiles it renews.
    pub keeper: &'a [KeeperLine],
    pub now: OffsetDateTime,
    /// A lease this close to its deadline is expiring (the policy's lead,
    /// divided by the time scale).
    pub expiring_lead: Duration,
    /// The pid of the `leasekeeper daemon` this app is attached to.
    pub attached_pid: Option<u32>,
    /// Lease lines shown at most.
    pub limit: usize,
}

/// One lease line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseLine {
    pub profile: String,
    pub left: Left,
    /// `dev — 42m`.
    pub label: String,
    pub id: MenuId,
}

/// The leases of one sign-in session or source, under its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The sso-session (`corp`), a legacy start URL, or the profile whose
    /// keys start the chain.
    pub header: String,
    pub lines: Vec<LeaseLine>,
}

/// A sign-in the menu offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInItem {
    /// `Sign in to corp…`.
    pub label: String,
    pub id: MenuId,
}

/// The whole menu, top to bottom (Refresh all, Open Leasekeeper and Quit
/// always close it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuModel {
    pub summary: String,
    pub attached: Option<String>,
    pub groups: Vec<Group>,
    /// `N more… Open Leasekeeper`, when lines were left out.
    pub more: Option<String>,
    /// `N problems… Open Leasekeeper` when `leasekeeper doctor` finds
    /// something (filled by the tray; `build` leaves it empty).
    pub problems: Option<String>,
    pub sign_ins: Vec<SignInItem>,
    /// `Add profiles from <session>…`, one per sso-session (filled by
    /// [`add_profiles`]; `build` leaves it empty).
    pub add_profiles: Vec<SignInItem>,
    /// `Open console` for each lease line shown, in the same order (the
    /// same bound).
    pub consoles: Vec<SignInItem>,
    pub icon: IconState,
    pub counts: Counts,
}

/// Where one lease stands, for ordering and counting.
#[derive(Debug, Clone)]
struct Standing<'a> {
    lease: &'a Lease,
    left: Left,
    icon: IconState,
}

impl Standing<'_> {
    fn rank(&self) -> u8 {
        match (self.icon, self.left) {
            (IconState::NeedsYou, _) => 0,
            (IconState::Expiring, _) => 1,
            (IconState::Error, _) => 2,
            (IconState::Ok, left) if left.seconds().is_some() => 3,
            (IconState::Ok, _) => 4,
        }
    }

    fn seconds(&self) -> Option<i64> {
        self.left.seconds()
    }
}

fn compare(a: &Standing<'_>, b: &Standing<'_>) -> Ordering {
    a.rank()
        .cmp(&b.rank())
        .then_with(|| match (a.seconds(), b.seconds()) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.lease.profile.cmp(&b.lease.profile))
}

fn standing<'a>(
    lease: &'a Lease,
    keeper: Option<&KeeperLine>,
    now: OffsetDateTime,
    lead: Duration,
) -> Standing<'a> {
    let (left, icon) = left_of(lease, keeper, now, lead);
    Standing { lease, left, icon }
}

/// What a lease's line says and the icon it calls for at `now`, from the
/// files' view of the lease and the keeper's of its renewal. While the
/// keeper holds fresh keys for the profile, the line counts down to the
/// next time the person must act (the MFA session's end the keeper knows,
/// a sign-in's end as the files tell it, else the end of the keys the
/// keeper holds), never `expired`: the files may not show the keys the
/// keeper keeps. A time from the files is marked as they tell it: an
/// estimate ([`Left::Estimate`]) or only an upper bound ([`Left::AtMost`]).
pub fn left_of(
    lease: &Lease,
    keeper: Option<&KeeperLine>,
    now: OffsetDateTime,
    lead: Duration,
) -> (Left, IconState) {
    let renewal = keeper.map(|k| k.state);
    let held = keeper.filter(|k| k.holds_fresh_keys(now));
    let timed = |left: Left| match left.seconds() {
        Some(s) if Duration::seconds(s) <= lead => (left, IconState::Expiring),
        _ => (left, IconState::Ok),
    };
    // A time from the files, marked as they tell it.
    let from_files = |s: i64| {
        if lease.action_needed_upper_bound {
            Left::AtMost(s)
        } else if lease.action_needed_estimated {
            Left::Estimate(s)
        } else {
            Left::Time(s)
        }
    };
    let (left, icon) =
        if lease.state == LeaseState::NeedsLogin || renewal == Some(RenewalState::NeedsLogin) {
            (Left::SignIn, IconState::NeedsYou)
        } else if renewal == Some(RenewalState::NeedsMfaCode) {
            (Left::MfaCode, IconState::NeedsYou)
        } else if lease.state == LeaseState::Error {
            (Left::Error, IconState::Error)
        } else if let Some(k) = held {
            let secs = |t: OffsetDateTime| (t - now).whole_seconds().max(1);
            let by_keeper = k.act_by.filter(|t| *t > now).map(secs).map(Left::Time);
            let by_files = lease.seconds_left(now).filter(|s| *s > 0).map(from_files);
            let by_keys = k.expires_at.map(secs).map(Left::Time);
            match by_keeper.or(by_files).or(by_keys) {
                Some(left) => timed(left),
                None => (Left::NoExpiry, IconState::Ok),
            }
        } else if lease.state == LeaseState::Expired || renewal == Some(RenewalState::Lapsed) {
            (Left::Expired, IconState::NeedsYou)
        } else {
            match lease.seconds_left(now) {
                Some(s) if s <= 0 => (Left::Expired, IconState::NeedsYou),
                Some(s) => timed(from_files(s)),
                None => (Left::NoExpiry, IconState::Ok),
            }
        };
    // Renewals failing: the keys still hold, the icon says something is wrong.
    let icon = if icon == IconState::Ok && keeper.is_some_and(|k| k.failing) {
        IconState::Error
    } else {
        icon
    };
    (left, icon)
}

/// The header a lease is listed under.
fn group_of(lease: &Lease) -> String {
    if let Some(sso) = &lease.sso {
        return sso.session.clone().unwrap_or_else(|| sso.start_url.clone());
    }
    lease
        .source
        .iter()
        .find_map(|step| match step {
            StepView::Role { .. } => None,
            StepView::Sso { profile, .. }
            | StepView::StaticKeys { profile, .. }
            | StepView::TemporaryKeys { profile, .. }
            | StepView::Process { profile, .. }
            | StepView::WebIdentity { profile, .. }
            | StepView::CredentialSource { profile, .. } => Some(profile.clone()),
        })
        .unwrap_or_else(|| lease.profile.clone())
}

/// The sign-in a lease in this standing calls for, if any.
fn sign_in_for(s: &Standing<'_>) -> Option<MenuId> {
    let sso = s.lease.sso.as_ref()?;
    let wanted = s.left == Left::SignIn || s.icon == IconState::Expiring;
    if !wanted {
        return None;
    }
    Some(match &sso.session {
        Some(session) => MenuId::SignIn(session.clone()),
        None => MenuId::SignInProfile(s.lease.profile.clone()),
    })
}

/// The menu for `input`.
pub fn build(input: &MenuInput<'_>) -> MenuModel {
    let keeper: HashMap<&str, &KeeperLine> = input
        .keeper
        .iter()
        .map(|k| (k.profile.as_str(), k))
        .collect();
    let mut all: Vec<Standing<'_>> = input
        .leases
        .iter()
        .map(|l| {
            let k = keeper.get(l.profile.as_str()).copied();
            standing(l, k, input.now, input.expiring_lead)
        })
        .collect();
    all.sort_by(compare);

    let mut counts = Counts {
        total: all.len(),
        ..Counts::default()
    };
    for s in &all {
        match s.icon {
            IconState::NeedsYou => counts.need_you += 1,
            IconState::Expiring => counts.expiring += 1,
            IconState::Error => counts.errors += 1,
            IconState::Ok => {}
        }
    }
    let icon = all.iter().map(|s| s.icon).max().unwrap_or(IconState::Ok);

    let mut sign_ins: Vec<SignInItem> = Vec::new();
    for s in &all {
        if let Some(id) = sign_in_for(s) {
            if sign_ins.iter().all(|i| i.id != id) {
                let name = match &id {
                    MenuId::SignIn(n) | MenuId::SignInProfile(n) => n.clone(),
                    _ => continue,
                };
                sign_ins.push(SignInItem {
                    label: label::sign_in(&name),
                    id,
                });
            }
        }
    }

    let shown = all.len().min(input.limit);
    let mut groups: Vec<Group> = Vec::new();
    for s in all.iter().take(shown) {
        let header = group_of(s.lease);
        let line = LeaseLine {
            profile: s.lease.profile.clone(),
            left: s.left,
            label: label::lease_line(&s.lease.profile, s.left),
            id: MenuId::Lease(s.lease.profile.clone()),
        };
        match groups.iter_mut().find(|g| g.header == header) {
            Some(g) => g.lines.push(line),
            None => groups.push(Group {
                header,
                lines: vec![line],
            }),
        }
    }
    let hidden = all.len() - shown;
    let consoles = groups
        .iter()
        .flat_map(|g| &g.lines)
        .map(|l| SignInItem {
            label: l.profile.clone(),
            id: MenuId::Console(l.profile.clone()),
        })
        .collect();

    MenuModel {
        summary: label::summary(counts),
        attached: input.attached_pid.map(label::attached),
        groups,
        more: (hidden > 0).then(|| label::more(hidden)),
        problems: None,
        sign_ins,
        add_profiles: Vec::new(),
        consoles,
        icon,
        counts,
    }
}

/// `Add profiles from <session>…` for each sso-session in `sessions`,
/// saying how many new roles the keeper found (`new_roles`, by session).
pub fn add_profiles(
    sessions: &[String],
    new_roles: &std::collections::BTreeMap<String, usize>,
) -> Vec<SignInItem> {
    sessions
        .iter()
        .map(|s| SignInItem {
            label: label::add_profiles(s, new_roles.get(s).copied().unwrap_or(0)),
            id: MenuId::AddProfiles(s.clone()),
        })
        .collect()
}
