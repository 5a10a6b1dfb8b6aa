//! [`Faults`]: trouble on demand. Rates of throttling, server errors and
//! dropped connections, added latency and a skewed clock, switchable while
//! the sandbox runs (through [`crate::RunningSandbox::set_faults`] or the
//! `/_sandbox/faults` endpoint). They apply to the AWS APIs only, never to
//! the approval page or the admin endpoints.

use serde::{Deserialize, Serialize};

/// The highest portal rate limit taken, in calls per second.
pub const MAX_PORTAL_CALLS_PER_SECOND: u32 = 100_000;

/// The faults in force. Rates are probabilities from 0 to 1 per request.
/// The portal's rate limit is a number of calls per second.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Share of requests answered with the service's throttling error
    /// (STS `Throttling`, the portal's `TooManyRequestsException`, OIDC's
    /// `ThrottlingException`).
    pub throttle_rate: f64,
    /// Share of requests answered with a 500 internal error.
    pub error_rate: f64,
    /// Share of connections closed after the request, with no answer.
    pub drop_rate: f64,
    /// Milliseconds added before every answer.
    pub latency_ms: u64,
    /// Seconds added to the sandbox's clock (negative: behind). Shows in the
    /// `Date` header, in every expiry the sandbox grants, and in the SigV4
    /// 15-minute request-time check, like a server whose clock is off.
    pub date_skew_secs: i64,
    /// The access portal's rate limit in calls per second of real time (0:
    /// none): past it a call is answered 429 `TooManyRequestsException`, as
    /// AWS's portal answers a client listing too fast (about 20 a second).
    /// A token bucket holding one second of calls.
    pub portal_calls_per_second: u32,
}

/// A partial update of [`Faults`], as the admin endpoint takes it: fields
/// that are absent stay as they are.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultsPatch {
    pub throttle_rate: Option<f64>,
    pub error_rate: Option<f64>,
    pub drop_rate: Option<f64>,
    pub latency_ms: Option<u64>,
    pub date_skew_secs: Option<i64>,
    pub portal_calls_per_second: Option<u32>,
}

impl Faults {
    /// Checks that every rate lies in `[0, 1]` and the latency is at most a minute.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("throttle_rate", self.throttle_rate),
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if self.latency_ms > 60_000 {
            return Err("latency_ms must be at most 60000".into());
        }
        // A skew past ten years would overflow nothing, but helps nobody.
        if self.date_skew_secs.unsigned_abs() > 10 * 365 * 86400 {
            return Err("date_skew_secs must be within ten years".into());
        }
        if self.portal_calls_per_second > MAX_PORTAL_CALLS_PER_SECOND {
            return Err(format!(
                "portal_calls_per_second must be at most {MAX_PORTAL_CALLS_PER_SECOND}"
            ));
        }
        Ok(())
    }

    pub(crate) fn patched(&self, p: &FaultsPatch) -> Faults {
        Faults {
            throttle_rate: p.throttle_rate.unwrap_or(self.throttle_rate),
            error_rate: p.error_rate.unwrap_or(self.error_rate),
            drop_rate: p.drop_rate.unwrap_or(self.drop_rate),
            latency_ms: p.latency_ms.unwrap_or(self.latency_ms),
            date_skew_secs: p.date_skew_secs.unwrap_or(self.date_skew_secs),
            portal_calls_per_second: p
                .portal_calls_per_second
                .unwrap_or(self.portal_calls_per_second),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        let f = Faults {
            throttle_rate: 1.5,
            ..Faults::default()
        };
        assert!(f.validate().unwrap_err().contains("throttle_rate"));
        assert!(Faults::default().validate().is_ok());
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let f = Faults {
            latency_ms: 20,
            ..Faults::default()
        };
        let p: FaultsPatch = serde_json::from_str(r#"{"error_rate":0.5}"#).unwrap();
        let g = f.patched(&p);
        assert_eq!(g.latency_ms, 20);
        assert_eq!(g.error_rate, 0.5);
    }
}
