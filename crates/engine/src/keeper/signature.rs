//! AWS's own words when a request's signature is too far from its clock:
//! `Signature expired: 20261122T100000Z is now earlier than
//! 20261122T101500Z (20261122T103000Z - 15 min.)` (our clock behind) or
//! `Signature not yet current: … is still later than … (… + 15 min.)`
//! (ahead). The first time is when we signed, the one in brackets AWS's
//! clock: [`skew_in`] reads how far off our clock is from them, so a
//! refusal that carries no `Date` header still measures the skew.

use time::{Date, Duration, Month, OffsetDateTime, Time};

/// The two refusals, as AWS words them.
pub const SIGNATURE_EXPIRED: &str = "Signature expired";
pub const SIGNATURE_NOT_YET_CURRENT: &str = "Signature not yet current";

/// AWS's clock minus ours, from a refusal's message; `None` when the
/// message is not one of the two or its times cannot be read.
pub fn skew_in(message: &str) -> Option<Duration> {
    let start = [SIGNATURE_EXPIRED, SIGNATURE_NOT_YET_CURRENT]
        .iter()
        .find_map(|m| message.find(m))?;
    let times: Vec<OffsetDateTime> = message
        .get(start..)
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(amz_date)
        .collect();
    match times.as_slice() {
        [signed, _, aws_now, ..] => Some(*aws_now - *signed),
        _ => None,
    }
}

/// `YYYYMMDDTHHMMSSZ`.
fn amz_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let month = Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?;
    let date = Date::from_calendar_date(
        i32::try_from(n(0..4)?).ok()?,
        month,
        u8::try_from(n(6..8)?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(n(9..11)?).ok()?,
        u8::try_from(n(11..13)?).ok()?,
        u8::try_from(n(13..15)?).ok()?,
    )
    .ok()?;
    Some(date.with_time(time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skew_is_read_from_both_refusals() {
        let behind = "the credentials were refused: Signature expired: 20261122T052900Z is now \
                      earlier than 20261122T053400Z (20261122T054900Z - 15 min.)";
        assert_eq!(skew_in(behind), Some(Duration::minutes(20)));
        let ahead = "Signature not yet current: 20261122T061000Z is still later than \
                     20261122T060500Z (20261122T055000Z + 15 min.)";
        assert_eq!(skew_in(ahead), Some(Duration::minutes(-20)));
    }

    #[test]
    fn other_messages_and_broken_times_measure_nothing() {
        assert_eq!(
            skew_in("The security token included in the request is expired"),
            None
        );
        assert_eq!(skew_in("Signature expired: soon"), None);
        assert_eq!(
            skew_in(
                "Signature expired: 20261399T052900Z is now earlier than 20261122T053400Z (20261122T054900Z - 15 min.)"
            ),
            None,
            "month 13"
        );
    }
}
