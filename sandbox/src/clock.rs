//! Sandbox clock and date helpers.
//!
//! The sandbox clock is the host's wall clock plus an offset that the control endpoint
//! `POST /__sandbox/clock/advance` moves forward. Every timestamp the sandbox writes (contract
//! `created`, webhook `activity_data.timestamp`) and every expiry it checks (signed download
//! links) uses this clock, so tests can expire a link without sleeping.
//!
//! No time zones, no leap seconds: everything is UTC and proleptic Gregorian.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall clock plus a shared, adjustable offset in seconds.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    /// A clock with the given offset (seconds added to the host clock).
    pub fn with_offset(offset_secs: i64) -> Self {
        Self {
            offset_secs: AtomicI64::new(offset_secs),
        }
    }

    /// Current offset in seconds.
    pub fn offset_secs(&self) -> i64 {
        self.offset_secs.load(Ordering::SeqCst)
    }

    /// Moves the clock forward by `seconds` and returns the new offset.
    pub fn advance(&self, seconds: i64) -> i64 {
        self.offset_secs.fetch_add(seconds, Ordering::SeqCst) + seconds
    }

    /// Resets the offset to zero.
    pub fn reset(&self) {
        self.offset_secs.store(0, Ordering::SeqCst);
    }

    /// Sandbox time as microseconds since the Unix epoch.
    pub fn now_micros(&self) -> i64 {
        let host = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        host.saturating_add(self.offset_secs().saturating_mul(1_000_000))
    }

    /// Sandbox time as whole seconds since the Unix epoch.
    pub fn now_secs(&self) -> i64 {
        self.now_micros().div_euclid(1_000_000)
    }
}

/// Days since 1970-01-01 to (year, month, day). Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (the shape SpotDraft's
/// `created` examples use).
pub fn format_secs(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (the shape of
/// SpotDraft's webhook `activity_data.timestamp` samples).
pub fn format_micros(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let base = format_secs(secs);
    let trimmed = base.trim_end_matches('Z');
    format!("{trimmed}.{frac:06}Z")
}

/// True when `s` is a real calendar date written `YYYY-MM-DD`.
pub fn is_valid_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    if !(y.bytes().chain(m.bytes()).chain(d.bytes())).all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&d)
}

/// True when `s` looks like an ISO-8601 UTC datetime `YYYY-MM-DDTHH:MM:SS[.fff]Z` (or with a
/// `+HH:MM` offset).
pub fn is_valid_datetime(s: &str) -> bool {
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    if !is_valid_date(date) {
        return false;
    }
    let time = time
        .strip_suffix('Z')
        .or_else(|| time.get(..time.len().saturating_sub(6)))
        .unwrap_or("");
    let hms = time.split('.').next().unwrap_or("");
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, mi, se] = parts.as_slice() else {
        return false;
    };
    matches!((h.parse::<u32>(), mi.parse::<u32>(), se.parse::<u32>()), (Ok(h), Ok(mi), Ok(se)) if h < 24 && mi < 60 && se < 61)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_secs(1_774_692_900), "2026-03-28T10:15:00Z");
        assert_eq!(format_micros(1_000_001), "1970-01-01T00:00:01.000001Z");
    }

    #[test]
    fn validates_dates() {
        assert!(is_valid_date("2026-03-28"));
        assert!(is_valid_date("2024-02-29"));
        assert!(!is_valid_date("2026-02-29"));
        assert!(!is_valid_date("2026-13-01"));
        assert!(!is_valid_date("26-03-28"));
        assert!(!is_valid_date("2026-3-28"));
        assert!(is_valid_datetime("2026-09-15T10:30:00Z"));
        assert!(is_valid_datetime("2026-09-15T10:30:00.123+05:30"));
        assert!(!is_valid_datetime("2026-09-15 10:30:00Z"));
    }

    #[test]
    fn advance_moves_now() {
        let c = Clock::default();
        let before = c.now_secs();
        c.advance(3600);
        assert!(c.now_secs() >= before + 3600);
        c.reset();
        assert_eq!(c.offset_secs(), 0);
    }
}
