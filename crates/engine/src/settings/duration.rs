//! Durations as the settings file writes them: a number and a unit (`s`,
//! `m`, `h`, `d`), parts added up (`"1h30m"`).

use serde::Serializer;
use time::Duration;

/// Parses `"90s"`, `"15m"`, `"8h"`, `"2d"`, `"1h30m"`; `None` for anything
/// else, including zero.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().ok()?;
        digits.clear();
        let unit = match c {
            's' => Duration::SECOND,
            'm' => Duration::MINUTE,
            'h' => Duration::HOUR,
            'd' => Duration::DAY,
            _ => return None,
        };
        total = total.checked_add(unit.checked_mul(i32::try_from(n).ok()?)?)?;
    }
    (digits.is_empty() && total > Duration::ZERO).then_some(total)
}

/// Writes a duration the way the settings file spells it (`"1h30m"`).
pub fn format_duration(d: Duration) -> String {
    let mut left = d.whole_seconds().max(0);
    if left == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, secs) in [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)] {
        if left >= secs {
            out.push_str(&format!("{}{unit}", left / secs));
            left %= secs;
        }
    }
    out
}

pub(super) fn as_text<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_duration(*d))
}

pub(super) fn all_as_text<S: Serializer>(ds: &[Duration], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ds.iter().map(|d| format_duration(*d)))
}
