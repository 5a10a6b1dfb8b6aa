//! Named constants of the lease policy, with their units.

use time::Duration;

/// How long before the person must act a lease counts as `expiring`: the
/// first warning lead (notifications come at 15 and 5 minutes).
pub const EXPIRING_LEAD: Duration = Duration::minutes(15);

/// The access-token life assumed for a token another tool wrote, whose
/// original life we did not see: the usual hour.
pub const ASSUMED_TOKEN_LIFETIME: Duration = Duration::hours(1);
