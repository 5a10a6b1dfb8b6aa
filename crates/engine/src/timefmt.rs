//! Reading and writing the timestamps found in AWS files.
//!
//! Readers meet several spellings of one instant: `2026-11-22T10:00:00Z`,
//! `...+00:00`, fractional seconds, a space instead of `T`, and the
//! `2026-11-22T10:00:00UTC` that older AWS CLI builds wrote. Read them all;
//! write only `Z` (aws-sdk-rust rejects the others).

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Why a text is not a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("empty")]
    Empty,
    #[error("not a timestamp (expected YYYY-MM-DDTHH:MM:SSZ)")]
    Format,
    #[error("a timestamp outside the years 0 to {}", LATEST_YEAR - 1)]
    OutOfRange,
}

/// Instants from this year on are refused: far enough ahead to mean
/// "never", and far enough from the end of what times can hold that adding
/// any lead, margin or lifetime to one never overflows. Instants before the
/// year 0 (`0000-01-01T00:00:00+01:00`) are refused too: they cannot be
/// written back.
pub const LATEST_YEAR: i32 = 9000;

/// Parses any timestamp spelling the AWS tools write; `None` when it is none.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    read_timestamp(text).ok()
}

/// [`parse_timestamp`], saying why a text is not a timestamp. Never panics,
/// whatever the text holds.
pub fn read_timestamp(text: &str) -> Result<OffsetDateTime, TimestampError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TimestampError::Empty);
    }
    let normalized = normalize(text);
    let parsed = match OffsetDateTime::parse(&normalized, &Rfc3339) {
        Ok(t) => t.checked_to_offset(UtcOffset::UTC),
        Err(_) => {
            // No offset at all: the tools that omit it mean UTC.
            let naive = format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
            );
            PrimitiveDateTime::parse(&normalized, naive)
                .ok()
                .map(PrimitiveDateTime::assume_utc)
        }
    };
    let t = parsed.ok_or(TimestampError::Format)?;
    if !(0..LATEST_YEAR).contains(&t.year()) {
        return Err(TimestampError::OutOfRange);
    }
    Ok(t)
}

fn normalize(text: &str) -> String {
    let mut s = match text.strip_suffix("UTC") {
        Some(stripped) => format!("{}Z", stripped.trim_end()),
        None => text.to_owned(),
    };
    s = s.replacen(' ', "T", 1);
    // `+0000` (no colon) as some tools write it. Split on characters, never
    // bytes: the text may hold anything.
    let split = s
        .char_indices()
        .rev()
        .nth(4)
        .map(|(at, _)| at)
        .filter(|at| *at > 0);
    if let Some((head, tail)) = split.and_then(|at| s.split_at_checked(at)) {
        let mut chars = tail.chars();
        let sign = chars.next();
        let digits = chars.as_str();
        if matches!(sign, Some('+' | '-')) && digits.bytes().all(|b| b.is_ascii_digit()) {
            if let (Some(sign), Some((hours, minutes))) = (sign, digits.split_at_checked(2)) {
                s = format!("{head}{sign}{hours}:{minutes}");
            }
        }
    }
    if s.ends_with('z') {
        s.pop();
        s.push('Z');
    }
    s
}

/// Epoch seconds to a UTC instant; `None` when out of range.
pub fn from_unix(seconds: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds).ok()
}

/// `YYYY-MM-DDTHH:MM:SSZ`: the one spelling every SDK reads.
pub fn format_z(t: OffsetDateTime) -> String {
    let t = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(s: &str) -> String {
        format_z(parse_timestamp(s).unwrap_or_else(|| panic!("cannot parse {s}")))
    }

    #[test]
    fn reads_every_spelling_of_one_instant() {
        for s in [
            "2026-11-22T10:00:00Z",
            "2026-11-22T10:00:00z",
            "2026-11-22T10:00:00+00:00",
            "2026-11-22T10:00:00+0000",
            "2026-11-22T10:00:00UTC",
            "2026-11-22T10:00:00 UTC",
            "2026-11-22 10:00:00+00:00",
            "2026-11-22T10:00:00.000Z",
            "2026-11-22T10:00:00.123456+00:00",
            "2026-11-22T10:00:00",
            "2026-11-22T11:00:00+01:00",
        ] {
            assert_eq!(z(s), "2026-11-22T10:00:00Z", "{s}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for s in ["", "soon", "2026-13-01T00:00:00Z", "1700000000"] {
            assert!(parse_timestamp(s).is_none(), "{s}");
        }
    }

    #[test]
    fn odd_text_is_refused_not_a_panic() {
        for s in [
            "aé1234",
            "名前",
            "2026-11-22T10:00:00é+0000",
            "é+0000",
            "ab+0000",
            "\u{0}\u{1}\u{7f}",
            "2026-11-22T10:00:00+00é0",
            "9999-12-31T23:59:59-23:59",
            "9999-12-31T23:59:59Z",
            "0000-01-01T00:00:00+00:01",
            "99999999999999999999-01-01T00:00:00Z",
        ] {
            assert!(parse_timestamp(s).is_none(), "{s:?}");
        }
        assert_eq!(read_timestamp(" "), Err(TimestampError::Empty));
        assert_eq!(read_timestamp("名前"), Err(TimestampError::Format));
        assert_eq!(
            read_timestamp("9999-12-31T23:59:59Z"),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(z("8999-12-31T23:59:59+0000"), "8999-12-31T23:59:59Z");
        assert_eq!(z("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;
        use time::Duration;

        /// Text that looks like a timestamp with a few characters swapped:
        /// closer to the parser's edges than random strings.
        fn near_timestamp() -> impl Strategy<Value = String> {
            let base = prop::sample::select(vec![
                "2026-11-22T10:00:00Z",
                "2026-11-22T10:00:00+0000",
                "2026-11-22 10:00:00UTC",
                "2026-11-22T10:00:00.123456+01:00",
                "9999-12-31T23:59:59-2359",
                "0000-01-01T00:00:00+2359",
            ]);
            (
                base,
                prop::collection::vec((any::<prop::sample::Index>(), any::<char>()), 0..4),
            )
                .prop_map(|(base, edits)| {
                    let mut chars: Vec<char> = base.chars().collect();
                    for (at, c) in edits {
                        let i = at.index(chars.len());
                        if let Some(slot) = chars.get_mut(i) {
                            *slot = c;
                        }
                    }
                    chars.into_iter().collect()
                })
        }

        proptest! {
            #[test]
            fn any_text_parses_or_is_refused(s in any::<String>()) {
                let _ = read_timestamp(&s);
            }

            #[test]
            fn near_timestamps_parse_or_are_refused(s in near_timestamp()) {
                if let Ok(t) = read_timestamp(&s) {
                    // Whatever is accepted is inside the window and can be
                    // moved by a lifetime without overflowing.
                    prop_assert!((0..LATEST_YEAR).contains(&t.year()));
                    let _ = t + Duration::days(365 * 100);
                    let _ = t - Duration::days(365 * 100);
                }
            }

            #[test]
            fn odd_suffixes_never_panic(prefix in "[0-9T:+ -]{0,20}", tail in "\\PC{0,6}") {
                let _ = read_timestamp(&format!("{prefix}{tail}"));
                let _ = read_timestamp(&format!("{tail}{prefix}"));
            }

            #[test]
            fn every_written_instant_reads_back(secs in -62_135_596_800_i64..LATEST_SECONDS) {
                let t = OffsetDateTime::from_unix_timestamp(secs).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let text = format_z(t);
                prop_assert_eq!(read_timestamp(&text), Ok(t));
                prop_assert_eq!(read_timestamp(&format!("{} UTC", text.trim_end_matches('Z'))), Ok(t));
                prop_assert_eq!(read_timestamp(&text.replace('Z', "+0000")), Ok(t));
            }
        }

        /// 9000-01-01T00:00:00Z.
        const LATEST_SECONDS: i64 = 221_845_392_000;
    }
}
