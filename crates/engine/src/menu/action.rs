//! [`Action`]: what the person must do for one lease, from what its line
//! says. The window's buttons and forms follow it; any shell may.

use super::label::Left;

/// What the person must do for a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Nothing, ever: the lease never ends (long-term keys, a process).
    None,
    /// Nothing yet: it renews by itself, or needs the person only at its
    /// deadline.
    Wait,
    /// Sign in to the lease's session (needed now, or soon).
    SignIn,
    /// Give a code of the chain's MFA device.
    MfaCode,
    /// Keys another tool wrote lapsed: only that tool renews them.
    Rerun,
    /// The profile cannot be used as written: fix the AWS files.
    FixConfig,
}

impl Action {
    /// What must be done for a lease whose line says `left`; `expiring`:
    /// its time is within the expiring lead; `has_session`: it signs in
    /// through an sso-session (or a legacy start URL).
    pub fn of(left: Left, expiring: bool, has_session: bool) -> Action {
        match left {
            Left::SignIn => Action::SignIn,
            Left::MfaCode => Action::MfaCode,
            Left::Error => Action::FixConfig,
            Left::NoExpiry => Action::None,
            Left::Expired if has_session => Action::SignIn,
            Left::Expired => Action::Rerun,
            Left::Time(_) | Left::Estimate(_) | Left::AtMost(_) if has_session && expiring => {
                Action::SignIn
            }
            Left::Time(_) | Left::Estimate(_) | Left::AtMost(_) => Action::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_person_must_do_follows_the_line() {
        assert_eq!(Action::of(Left::Expired, false, true), Action::SignIn);
        assert_eq!(Action::of(Left::Expired, false, false), Action::Rerun);
        assert_eq!(Action::of(Left::Time(60), true, true), Action::SignIn);
        assert_eq!(Action::of(Left::Time(60), true, false), Action::Wait);
        assert_eq!(Action::of(Left::Time(6000), false, true), Action::Wait);
        assert_eq!(Action::of(Left::MfaCode, false, false), Action::MfaCode);
        assert_eq!(Action::of(Left::Error, false, true), Action::FixConfig);
        assert_eq!(Action::of(Left::NoExpiry, false, false), Action::None);
    }
}
