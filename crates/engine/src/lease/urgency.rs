//! Ordering leases by urgency: what needs the person now first, then what
//! needs them soonest, then everything that looks after itself.

use std::cmp::Ordering;

use super::{Lease, LeaseState};

fn rank(state: LeaseState) -> u8 {
    match state {
        LeaseState::NeedsLogin | LeaseState::Expired => 0,
        LeaseState::Expiring => 1,
        LeaseState::Error => 2,
        LeaseState::Renewing => 3,
        LeaseState::Fresh => 4,
        LeaseState::Unknown => 5,
        LeaseState::Static => 6,
    }
}

/// Most urgent first: by state, then by the time the person must act
/// (soonest first, "never" last), then by name.
pub fn compare(a: &Lease, b: &Lease) -> Ordering {
    rank(a.state)
        .cmp(&rank(b.state))
        .then_with(|| match (a.action_needed_at, b.action_needed_at) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.profile.cmp(&b.profile))
}

/// Sorts in place, most urgent first.
pub fn sort(leases: &mut [Lease]) {
    leases.sort_by(compare);
}
