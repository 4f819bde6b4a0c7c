//! A comparable UTC instant parsed from RFC 3339 text, such as SpotDraft's
//! `activity_data.timestamp` (`2021-08-22T03:53:52.201442Z`).
//!
//! Hand-written instead of `chrono`/`time`: the sync needs only "parse, compare, add a
//! duration, print", and a calendar crate would add tens of KB to the `.wasm` for that.
//!
//! What it does NOT do: time zones by name, local time, leap-second tables, dates outside the
//! years 0000–9999, or precision finer than a microsecond (further fraction digits are
//! accepted and truncated, so two instants that differ only in nanoseconds compare equal).
//! No clock: "now" is always an argument ([`Timestamp::from_unix_millis`]).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use tsify::Tsify;

const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
/// Longest input accepted; a real RFC 3339 string is at most ~35 characters, so anything
/// longer is garbage and is refused before any work.
const MAX_TEXT_LEN: usize = 64;

/// A UTC instant with microsecond precision, between 0000-01-01 and 9999-12-31.
///
/// Serialised as canonical RFC 3339 text in UTC with exactly six fraction digits
/// (`2021-08-22T03:53:52.201442Z`), so equal instants serialise identically and the text
/// sorts chronologically. Deserialised from any RFC 3339 text [`Timestamp::parse`] accepts.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Tsify)]
#[tsify(type = "string")]
pub struct Timestamp {
    micros: i64,
}

/// Why a text is not an RFC 3339 timestamp. The message names the rule, never echoes input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampError(&'static str);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not an RFC 3339 timestamp ({}); expected e.g. \"2021-08-22T03:53:52.201442Z\"",
            self.0
        )
    }
}

impl std::error::Error for TimestampError {}

/// Smallest and largest representable instants (0000-01-01T00:00:00Z, 9999-12-31T23:59:59.999999Z).
const MIN_MICROS: i64 = -62_167_219_200 * MICROS_PER_SECOND;
const MAX_MICROS: i64 = 253_402_300_799 * MICROS_PER_SECOND + 999_999;

impl Timestamp {
    /// Parses RFC 3339 text: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    ///
    /// Also accepts a lowercase `t`/`z` or a space as separator (RFC 3339 §5.6 note), and a
    /// missing offset, read as UTC: SpotDraft always sends `Z`, and reading an offset-less
    /// value as UTC keeps events ordered rather than dropping them. Seconds may be `60`
    /// (a leap second), which then equals the next minute's `:00`.
    ///
    /// # Errors
    /// [`TimestampError`] for anything else, including out-of-range fields
    /// (`2021-02-30`), a result outside the years 0000–9999, or input over 64 bytes.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let bytes = text.as_bytes();
        if bytes.len() > MAX_TEXT_LEN {
            return Err(TimestampError("too long"));
        }
        let mut cursor = Cursor { bytes, pos: 0 };
        let year = cursor.digits(4, "year must have four digits")?;
        cursor.expect(b'-', "expected '-' after the year")?;
        let month = cursor.digits(2, "month must have two digits")?;
        cursor.expect(b'-', "expected '-' after the month")?;
        let day = cursor.digits(2, "day must have two digits")?;
        match cursor.next() {
            Some(b'T' | b't' | b' ') => {}
            _ => return Err(TimestampError("expected 'T' between date and time")),
        }
        let hour = cursor.digits(2, "hour must have two digits")?;
        cursor.expect(b':', "expected ':' after the hour")?;
        let minute = cursor.digits(2, "minute must have two digits")?;
        cursor.expect(b':', "expected ':' after the minutes")?;
        let second = cursor.digits(2, "seconds must have two digits")?;
        let mut fraction_micros = 0i64;
        if cursor.peek() == Some(b'.') {
            cursor.pos += 1;
            let mut count = 0usize;
            while let Some(digit) = cursor.peek().filter(u8::is_ascii_digit) {
                // Digits past the sixth (nanoseconds and below) are read and dropped.
                if count < 6 {
                    fraction_micros = fraction_micros * 10 + i64::from(digit - b'0');
                }
                count += 1;
                cursor.pos += 1;
            }
            if count == 0 {
                return Err(TimestampError("expected digits after '.'"));
            }
            for _ in count..6 {
                fraction_micros *= 10;
            }
        }
        let offset_seconds = match cursor.next() {
            None => 0,
            Some(b'Z' | b'z') => 0,
            Some(sign @ (b'+' | b'-')) => {
                let hours = cursor.digits(2, "offset hours must have two digits")?;
                cursor.expect(b':', "expected ':' in the offset")?;
                let minutes = cursor.digits(2, "offset minutes must have two digits")?;
                if hours > 23 || minutes > 59 {
                    return Err(TimestampError("offset out of range"));
                }
                let seconds = hours * 3600 + minutes * 60;
                if sign == b'+' {
                    seconds
                } else {
                    -seconds
                }
            }
            Some(_) => return Err(TimestampError("expected 'Z' or an offset such as +05:30")),
        };
        if cursor.peek().is_some() {
            return Err(TimestampError("unexpected text after the timestamp"));
        }
        if !(1..=12).contains(&month) {
            return Err(TimestampError("month out of range"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(TimestampError("day out of range for the month"));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(TimestampError("time of day out of range"));
        }
        let days = days_from_civil(year, month, day);
        let seconds = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset_seconds;
        Self::from_unix_micros(seconds * MICROS_PER_SECOND + fraction_micros).ok_or(TimestampError(
            "outside the years 0000-9999 once the offset is applied",
        ))
    }

    /// The instant `micros` microseconds after 1970-01-01T00:00:00Z, if within 0000–9999.
    pub fn from_unix_micros(micros: i64) -> Option<Self> {
        (MIN_MICROS..=MAX_MICROS)
            .contains(&micros)
            .then_some(Self { micros })
    }

    /// The instant `millis` milliseconds after the Unix epoch (what JS `Date.now()` returns).
    pub fn from_unix_millis(millis: i64) -> Option<Self> {
        millis.checked_mul(1000).and_then(Self::from_unix_micros)
    }

    /// Microseconds since the Unix epoch (negative before 1970).
    pub fn unix_micros(self) -> i64 {
        self.micros
    }

    /// Milliseconds since the Unix epoch, rounded down.
    pub fn unix_millis(self) -> i64 {
        self.micros.div_euclid(1000)
    }

    /// This instant minus `millis` milliseconds, clamped to the representable range.
    pub fn saturating_sub_millis(self, millis: u64) -> Self {
        let delta = i64::try_from(millis)
            .ok()
            .and_then(|ms| ms.checked_mul(1000))
            .unwrap_or(i64::MAX);
        Self {
            micros: self.micros.saturating_sub(delta).max(MIN_MICROS),
        }
    }

    /// Canonical RFC 3339 text in UTC with six fraction digits.
    pub fn to_rfc3339(self) -> String {
        let seconds = self.micros.div_euclid(MICROS_PER_SECOND);
        let micros = self.micros.rem_euclid(MICROS_PER_SECOND);
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
            second_of_day / 3600,
            second_of_day % 3600 / 60,
            second_of_day % 60
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek();
        if byte.is_some() {
            self.pos += 1;
        }
        byte
    }

    fn expect(&mut self, wanted: u8, why: &'static str) -> Result<(), TimestampError> {
        if self.next() == Some(wanted) {
            Ok(())
        } else {
            Err(TimestampError(why))
        }
    }

    fn digits(&mut self, count: usize, why: &'static str) -> Result<i64, TimestampError> {
        let mut value = 0i64;
        for _ in 0..count {
            match self.next() {
                Some(digit) if digit.is_ascii_digit() => {
                    value = value * 10 + i64::from(digit - b'0')
                }
                _ => return Err(TimestampError(why)),
            }
        }
        Ok(value)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn parses_spotdraft_timestamps_to_unix_micros() {
        // Reference: Python `datetime.fromisoformat("2021-08-22T03:53:52.201442+00:00").timestamp()`
        // = 1629604432.201442.
        assert_eq!(
            ts("2021-08-22T03:53:52.201442Z").unix_micros(),
            1_629_604_432_201_442
        );
        assert_eq!(ts("1970-01-01T00:00:00Z").unix_micros(), 0);
        assert_eq!(
            ts("2021-08-22T03:49:37Z").unix_micros(),
            1_629_604_177_000_000
        );
    }

    #[test]
    fn offsets_and_separators_denote_the_same_instant() {
        let utc = ts("2021-08-22T03:53:52.201442Z");
        assert_eq!(ts("2021-08-22T09:23:52.201442+05:30"), utc);
        assert_eq!(ts("2021-08-21T23:53:52.201442-04:00"), utc);
        assert_eq!(ts("2021-08-22t03:53:52.201442z"), utc);
        assert_eq!(ts("2021-08-22 03:53:52.201442+00:00"), utc);
        assert_eq!(
            ts("2021-08-22T03:53:52.201442"),
            utc,
            "no offset reads as UTC"
        );
        assert_eq!(
            ts("2021-08-22T03:53:52.201442999Z"),
            utc,
            "nanoseconds truncate"
        );
        assert_eq!(
            ts("2021-08-22T03:53:52.2Z").unix_micros() % 1_000_000,
            200_000
        );
    }

    #[test]
    fn canonical_text_sorts_like_the_instants() {
        let a = ts("2021-08-22T09:23:52.2+05:30");
        assert_eq!(a.to_rfc3339(), "2021-08-22T03:53:52.200000Z");
        assert_eq!(ts(&a.to_rfc3339()), a);
        assert_eq!(
            ts("0000-01-01T00:00:00Z").to_rfc3339(),
            "0000-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            ts("9999-12-31T23:59:59.999999Z").to_rfc3339(),
            "9999-12-31T23:59:59.999999Z"
        );
        assert_eq!(ts("1969-12-31T23:59:59.5Z").unix_micros(), -500_000);
        assert_eq!(
            ts("1969-12-31T23:59:59.5Z").to_rfc3339(),
            "1969-12-31T23:59:59.500000Z"
        );
    }

    #[test]
    fn refuses_malformed_and_out_of_range_text() {
        for bad in [
            "",
            "2021-08-22",
            "2021-8-22T03:53:52Z",
            "2021-08-22T03:53Z",
            "2021-13-01T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "2021-04-31T00:00:00Z",
            "2021-08-22T24:00:00Z",
            "2021-08-22T03:60:00Z",
            "2021-08-22T03:53:61Z",
            "2021-08-22T03:53:52.Z",
            "2021-08-22T03:53:52Zjunk",
            "2021-08-22T03:53:52+0530",
            "2021-08-22T03:53:52+24:00",
            "0000-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01",
            "١٢٣٤-08-22T03:53:52Z",
            "2021-08-22T03:53:52.000000000000000000000000000000000000000000001Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            ts("2024-02-29T00:00:00Z").to_rfc3339(),
            "2024-02-29T00:00:00.000000Z"
        );
        assert!(Timestamp::parse("1900-02-29T00:00:00Z").is_err());
        assert_eq!(ts("2016-12-31T23:59:60Z"), ts("2017-01-01T00:00:00Z"));
    }

    #[test]
    fn millis_conversion_and_subtraction_clamp() {
        let t = Timestamp::from_unix_millis(1_629_604_432_201).unwrap();
        assert_eq!(t.unix_millis(), 1_629_604_432_201);
        assert!(Timestamp::from_unix_millis(i64::MAX).is_none());
        assert_eq!(
            t.saturating_sub_millis(1000).unix_millis(),
            1_629_604_431_201
        );
        assert_eq!(t.saturating_sub_millis(u64::MAX).unix_micros(), MIN_MICROS);
    }

    #[test]
    fn serde_round_trips_through_canonical_text() {
        let t = ts("2021-08-22T09:23:52.201442+05:30");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2021-08-22T03:53:52.201442Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        let error = serde_json::from_str::<Timestamp>("\"yesterday\"").unwrap_err();
        assert!(error.to_string().contains("RFC 3339"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            let _ = Timestamp::parse(&text);
        }

        #[test]
        fn canonical_text_round_trips_and_orders(a in MIN_MICROS..=MAX_MICROS, b in MIN_MICROS..=MAX_MICROS) {
            let ta = Timestamp::from_unix_micros(a).unwrap();
            let tb = Timestamp::from_unix_micros(b).unwrap();
            prop_assert_eq!(Timestamp::parse(&ta.to_rfc3339()).unwrap(), ta);
            prop_assert_eq!(ta.to_rfc3339().cmp(&tb.to_rfc3339()), ta.cmp(&tb));
        }
    }
}
