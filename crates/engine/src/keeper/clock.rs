//! The two clocks and AWS's: detecting a sleep or a clock change by
//! comparing how far wall time and monotonic time moved between steps, and
//! the skew measured from AWS's `Date` headers, which every deadline is
//! corrected by (credentials expire on AWS's clock, not ours).
//!
//! Wall time ahead of monotonic time by more than
//! [`CLOCK_JUMP`](super::policy::CLOCK_JUMP) is a sleep (monotonic time
//! stops during suspend on Linux and macOS) or the clock set forward; wall
//! time behind is the clock set back, which AWS's clock did not follow: the
//! skew absorbs the jump until the next `Date` header measures it again.

use time::{Duration, OffsetDateTime};

use super::event::EngineEvent;
use super::policy::Policy;
use super::state::Mono;

/// What the clocks did since the last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Jump {
    None,
    /// Wall time ran ahead by this much: a sleep, or the clock set forward.
    Forward(Duration),
    /// Wall time went back by this much.
    Backward(Duration),
}

#[derive(Debug, Clone, Default)]
pub(super) struct ClockState {
    /// Wall and monotonic time of the last step.
    pub last: Option<(OffsetDateTime, Mono)>,
    /// AWS's clock minus ours.
    pub skew: Duration,
    pub known: bool,
    /// The skew warning was given and the skew is still over the threshold.
    pub warned: bool,
    /// Clock jumps seen so far (either way).
    pub jumps: u64,
}

impl ClockState {
    /// Compares this step's clocks with the last step's.
    pub fn observe(&mut self, policy: &Policy, wall: OffsetDateTime, mono: Mono) -> Jump {
        let jump = match self.last {
            None => Jump::None,
            Some((last_wall, last_mono)) => {
                let drift = (wall - last_wall) - (mono - last_mono);
                if drift > policy.clock_jump {
                    Jump::Forward(drift)
                } else if -drift > policy.clock_jump {
                    // AWS's clock did not go back with ours.
                    self.skew -= drift;
                    Jump::Backward(-drift)
                } else {
                    Jump::None
                }
            }
        };
        self.last = Some((wall, mono));
        if jump != Jump::None {
            self.jumps += 1;
        }
        jump
    }

    /// Our wall time on AWS's clock.
    pub fn corrected(&self, wall: OffsetDateTime) -> OffsetDateTime {
        wall + self.skew
    }

    /// The corrected time of the last step, before this one's jump.
    pub fn previous_corrected(&self, jump: Jump, now: OffsetDateTime) -> OffsetDateTime {
        match jump {
            Jump::Forward(d) => now - d,
            _ => now,
        }
    }

    /// Measures the skew from a `Date` header received at `wall`; the
    /// warning when it first goes over the threshold.
    pub fn measure(
        &mut self,
        policy: &Policy,
        server_date: OffsetDateTime,
        wall: OffsetDateTime,
    ) -> Option<EngineEvent> {
        self.skew = server_date - wall;
        self.known = true;
        if self.skew.abs() <= policy.skew_warning {
            self.warned = false;
            return None;
        }
        if self.warned {
            return None;
        }
        self.warned = true;
        Some(self.skew_event())
    }

    /// "your clock is off by N minutes", for a skew warning or a
    /// `Signature expired` refusal.
    pub fn skew_event(&self) -> EngineEvent {
        let secs = self.skew.whole_seconds();
        let way = if secs > 0 { "behind" } else { "ahead of" };
        let minutes = (secs.abs() + 30) / 60;
        EngineEvent::ClockSkew {
            skew_seconds: secs,
            message: format!(
                "your clock is off by {minutes} minutes ({way} AWS's): AWS refuses requests signed more than 15 minutes off; set the clock right (enable time sync)"
            ),
        }
    }
}
