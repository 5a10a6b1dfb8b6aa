//! Times of day as the commands print them.

use time::OffsetDateTime;

/// `10:42 UTC`, with the date when it is not today.
pub fn clock_time(t: OffsetDateTime, now: OffsetDateTime) -> String {
    if t.date() == now.date() {
        format!("{:02}:{:02} UTC", t.hour(), t.minute())
    } else {
        format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::clock_time;

    #[test]
    fn the_date_only_when_not_today() {
        let now = datetime!(2026-11-22 09:00 UTC);
        assert_eq!(
            clock_time(datetime!(2026-11-22 10:42 UTC), now),
            "10:42 UTC"
        );
        assert_eq!(
            clock_time(datetime!(2026-11-23 01:05 UTC), now),
            "2026-11-23 01:05 UTC"
        );
    }
}
