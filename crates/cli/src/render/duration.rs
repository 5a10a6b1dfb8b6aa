//! Human time spans for the status table: `42m`, `2h05m`, `3d04h`,
//! `expired 3h ago`, `no expiry`, `≤ 89d`.

/// A span of whole seconds, compact: the two largest units that matter.
pub fn span(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60);
    if d > 0 {
        format!("{d}d{h:02}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    }
}

/// A past span in its largest unit only (`3h`, `2d`): "how long ago" needs
/// no precision.
pub fn coarse(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    match s {
        86_400.. => format!("{}d", s / 86_400),
        3_600.. => format!("{}h", s / 3_600),
        60.. => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// A deadline that is only an upper bound (`≤ 89d`): the sign-in may end
/// any time before, so its largest unit only, rounded down.
pub fn at_most(seconds: i64) -> String {
    format!("\u{2264} {}", coarse(seconds))
}

/// What the "time left" column says for a deadline `seconds_left` away.
pub fn time_left(seconds_left: Option<i64>) -> String {
    match seconds_left {
        None => "no expiry".to_owned(),
        Some(s) if s <= 0 => format!("expired {} ago", coarse(s)),
        Some(s) => span(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_like_the_docs() {
        assert_eq!(time_left(Some(42 * 60 + 10)), "42m");
        assert_eq!(time_left(Some(2 * 3600 + 5 * 60)), "2h05m");
        assert_eq!(time_left(Some(3 * 86_400 + 4 * 3600 + 59)), "3d04h");
        assert_eq!(time_left(Some(-3 * 3600 - 100)), "expired 3h ago");
        assert_eq!(time_left(Some(30)), "30s");
        assert_eq!(time_left(Some(0)), "expired 0s ago");
        assert_eq!(time_left(None), "no expiry");
        assert_eq!(time_left(Some(-50 * 3600)), "expired 2d ago");
        assert_eq!(at_most(89 * 86_400 + 23 * 3600), "\u{2264} 89d");
        assert_eq!(at_most(5 * 3600 + 59 * 60), "≤ 5h");
    }
}
