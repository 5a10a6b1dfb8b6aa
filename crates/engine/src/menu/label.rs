//! The words on the menu: how much time is left on a lease line
//! ([`Left`]), and the summary line at the top.

use std::fmt;

/// What a lease line says after its dash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// Seconds until the person must act (above zero).
    Time(i64),
    /// Seconds until the person must act by an estimate (the end of a
    /// sign-in session, which no AWS API reveals).
    Estimate(i64),
    /// At most this many seconds: the client registration's expiry of a
    /// sign-in whose start nothing tells; it may end any time before.
    AtMost(i64),
    /// An SSO sign-in is needed.
    SignIn,
    /// An MFA code is needed.
    MfaCode,
    /// What the person had to renew has lapsed.
    Expired,
    /// The profile cannot be used as written.
    Error,
    /// Nothing ever needs the person (long-term keys, a process).
    NoExpiry,
}

impl fmt::Display for Left {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Left::Time(s) => f.write_str(&span(s)),
            Left::Estimate(s) => write!(f, "{} (est.)", span(s)),
            Left::AtMost(s) => write!(f, "\u{2264} {}", coarse(s)),
            Left::SignIn => f.write_str("sign in"),
            Left::MfaCode => f.write_str("MFA code"),
            Left::Expired => f.write_str("expired"),
            Left::Error => f.write_str("error"),
            Left::NoExpiry => f.write_str("no expiry"),
        }
    }
}

/// `<1m`, `42m`, `1h 05m`, `3d 04h`: whole minutes, rounded down, so a
/// line never promises more time than there is.
pub fn span(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if minutes == 0 {
        "<1m".to_owned()
    } else if d > 0 {
        format!("{d}d {h:02}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else {
        format!("{m}m")
    }
}

impl Left {
    /// The seconds left of a timed line (exact, estimated or at most).
    pub fn seconds(self) -> Option<i64> {
        match self {
            Left::Time(s) | Left::Estimate(s) | Left::AtMost(s) => Some(s),
            _ => None,
        }
    }
}

/// `89d`, `5h`, `42m`, `<1m`: the largest unit only, rounded down, for an
/// upper bound (a countdown to it would promise what nobody knows).
pub fn coarse(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    match minutes {
        1440.. => format!("{}d", minutes / 1440),
        60.. => format!("{}h", minutes / 60),
        1.. => format!("{minutes}m"),
        _ => "<1m".to_owned(),
    }
}

/// `dev — 42m`: a profile and its time left, an em dash between.
pub fn lease_line(profile: &str, left: Left) -> String {
    format!("{profile} \u{2014} {left}")
}

/// How many leases stand where, for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub need_you: usize,
    pub expiring: usize,
    pub errors: usize,
}

/// `All 6 leases fresh`, `1 needs you · 6 leases`,
/// `2 need you · 1 expiring · 6 leases`, `No AWS profiles found`.
pub fn summary(c: Counts) -> String {
    if c.total == 0 {
        return "No AWS profiles found".to_owned();
    }
    let leases = if c.total == 1 { "lease" } else { "leases" };
    let mut parts = Vec::new();
    if c.need_you > 0 {
        let verb = if c.need_you == 1 { "needs" } else { "need" };
        parts.push(format!("{} {verb} you", c.need_you));
    }
    if c.expiring > 0 {
        parts.push(format!("{} expiring", c.expiring));
    }
    if c.errors > 0 {
        let noun = if c.errors == 1 { "error" } else { "errors" };
        parts.push(format!("{} {noun}", c.errors));
    }
    if parts.is_empty() {
        return if c.total == 1 {
            "The only lease is fresh".to_owned()
        } else {
            format!("All {} {leases} fresh", c.total)
        };
    }
    parts.push(format!("{} {leases}", c.total));
    parts.join(" \u{b7} ")
}

/// `Attached to leasekeeper daemon (pid 4242)`.
pub fn attached(pid: u32) -> String {
    format!("Attached to leasekeeper daemon (pid {pid})")
}

/// `Sign in to corp…`.
pub fn sign_in(name: &str) -> String {
    format!("Sign in to {name}\u{2026}")
}

/// `Add profiles from corp…`, or with the new roles the keeper found:
/// `Add profiles from corp… (3 new roles available)`.
pub fn add_profiles(session: &str, new_roles: usize) -> String {
    match new_roles {
        0 => format!("Add profiles from {session}\u{2026}"),
        1 => format!("Add profiles from {session}\u{2026} (1 new role available)"),
        n => format!("Add profiles from {session}\u{2026} ({n} new roles available)"),
    }
}

/// `3 more… Open Leasekeeper`.
pub fn more(hidden: usize) -> String {
    format!("{hidden} more\u{2026} Open Leasekeeper")
}

/// `2 problems… Open Leasekeeper`: what `leasekeeper doctor` finds.
pub fn problems(count: usize) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{count} problem{s}\u{2026} Open Leasekeeper")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_in_whole_minutes_rounded_down() {
        assert_eq!(span(42 * 60 + 59), "42m");
        assert_eq!(span(3600 + 5 * 60), "1h 05m");
        assert_eq!(span(59), "<1m");
        assert_eq!(span(60), "1m");
        assert_eq!(span(-5), "<1m");
        assert_eq!(span(23 * 3600 + 59 * 60), "23h 59m");
        assert_eq!(span(3 * 86_400 + 4 * 3600 + 59 * 60), "3d 04h");
        assert_eq!(lease_line("dev", Left::Time(42 * 60)), "dev \u{2014} 42m");
        assert_eq!(lease_line("prod", Left::SignIn), "prod — sign in");
        assert_eq!(lease_line("mfa", Left::MfaCode), "mfa — MFA code");
        assert_eq!(lease_line("old", Left::Expired), "old — expired");
        assert_eq!(lease_line("bad", Left::Error), "bad — error");
        assert_eq!(
            lease_line("dev", Left::Estimate(7 * 3600 + 12 * 60)),
            "dev — 7h 12m (est.)"
        );
        assert_eq!(
            lease_line("dev", Left::AtMost(89 * 86_400 + 23 * 3600)),
            "dev — \u{2264} 89d"
        );
        assert_eq!(Left::AtMost(5 * 3600 + 59 * 60).to_string(), "≤ 5h");
        assert_eq!(Left::AtMost(30).to_string(), "≤ <1m");
        assert_eq!(Left::Estimate(90).seconds(), Some(90));
        assert_eq!(Left::SignIn.seconds(), None);
    }

    #[test]
    fn the_summary_counts_what_needs_attention() {
        let c = |total, need_you, expiring, errors| Counts {
            total,
            need_you,
            expiring,
            errors,
        };
        assert_eq!(summary(c(6, 0, 0, 0)), "All 6 leases fresh");
        assert_eq!(summary(c(6, 1, 0, 0)), "1 needs you · 6 leases");
        assert_eq!(summary(c(6, 0, 2, 0)), "2 expiring · 6 leases");
        assert_eq!(
            summary(c(6, 2, 1, 1)),
            "2 need you · 1 expiring · 1 error · 6 leases"
        );
        assert_eq!(summary(c(1, 0, 0, 0)), "The only lease is fresh");
        assert_eq!(summary(c(0, 0, 0, 0)), "No AWS profiles found");
        assert_eq!(attached(42), "Attached to leasekeeper daemon (pid 42)");
        assert_eq!(sign_in("corp"), "Sign in to corp…");
        assert_eq!(more(3), "3 more… Open Leasekeeper");
    }
}
