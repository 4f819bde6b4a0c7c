//! Small, linear-time format checks: email, calendar date, date-time, UUID, base64.
//!
//! They are pragmatic filters for mistakes a CRM record really contains (a name in the email
//! column, `03/28/2026` in a date field, February 30th), not full RFC parsers: an address
//! that passes [`is_email`] may still bounce.

/// Longest email address accepted (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;

/// Whether `s` looks like a deliverable email address: one `@`, a local part of 1–64
/// characters, a domain of dot-separated non-empty labels with at least one dot, no
/// whitespace, no control characters, no angle brackets. Does not resolve the domain.
pub fn is_email(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_EMAIL_LEN {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return false;
    }
    let bad_char = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '<' | '>' | ',' | ';' | '(' | ')' | '[' | ']' | '"' | '\\'
            )
    };
    if s.chars().any(bad_char) {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    let mut labels = 0usize;
    for label in domain.split('.') {
        if label.is_empty() || label.len() > 63 || label.starts_with('-') || label.ends_with('-') {
            return false;
        }
        labels += 1;
    }
    labels >= 2
}

/// Whether `year` is a leap year in the proleptic Gregorian calendar.
pub fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` (1–12) of `year`; 0 for an invalid month.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parses exactly `n` ASCII digits.
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit()
            .then(|| acc.saturating_mul(10).saturating_add(u32::from(b - b'0')))
    })
}

/// `(year, month, day)` of a real calendar date written `YYYY-MM-DD` (years 0001–9999).
/// `2026-02-29` and `2026-3-28` are refused; `2024-02-29` is accepted.
pub fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year = digits(b.get(0..4)?)?;
    let month = digits(b.get(5..7)?)?;
    let day = digits(b.get(8..10)?)?;
    (year >= 1 && day >= 1 && day <= days_in_month(year, month)).then_some((year, month, day))
}

/// Whether `s` is an ISO-8601 / RFC 3339 date-time: `YYYY-MM-DDTHH:MM[:SS[.fraction]]`
/// followed by `Z` or `±HH:MM` (SpotDraft documents UTC `Z`; offsets are accepted because
/// they are unambiguous). A space instead of `T` and a missing zone are refused, since
/// the time would be ambiguous.
pub fn is_datetime(s: &str) -> bool {
    let (Some(date), Some(rest)) = (s.get(0..10), s.get(10..)) else {
        return false;
    };
    if parse_date(date).is_none() {
        return false;
    }
    let Some(rest) = rest.strip_prefix('T').or_else(|| rest.strip_prefix('t')) else {
        return false;
    };
    let b = rest.as_bytes();
    let (Some(hh), Some(mm)) = (b.get(0..2).and_then(digits), b.get(3..5).and_then(digits)) else {
        return false;
    };
    if b.get(2) != Some(&b':') || hh > 23 || mm > 59 {
        return false;
    }
    let mut i = 5;
    if b.get(i) == Some(&b':') {
        // 60 allows a leap second, as RFC 3339 does.
        match b.get(i + 1..i + 3).and_then(digits) {
            Some(ss) if ss <= 60 => i += 3,
            _ => return false,
        }
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return false;
            }
        }
    }
    match b.get(i..) {
        Some(b"Z") | Some(b"z") => true,
        Some(zone) if zone.len() == 6 => {
            matches!(zone.first(), Some(b'+') | Some(b'-'))
                && zone.get(3) == Some(&b':')
                && zone.get(1..3).and_then(digits).is_some_and(|h| h <= 23)
                && zone.get(4..6).and_then(digits).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// Whether `s` is a UUID in the canonical 8-4-4-4-12 hex form (any version).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether `s` is standard (RFC 4648 §4) padded base64, ignoring nothing: no whitespace,
/// no URL-safe alphabet. An empty string is refused (an attachment needs content).
pub fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return false;
    }
    let padding = b.iter().rev().take_while(|&&c| c == b'=').count();
    if padding > 2 {
        return false;
    }
    let body_len = b.len() - padding;
    b.iter()
        .take(body_len)
        .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["legal@acme.example", "a.b+c@x.co.uk", "o'neil@acme.io"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "Avery Stone",
            "a@b",
            "@acme.com",
            "a@@acme.com",
            "a@acme..com",
            "a b@acme.com",
            "a@-acme.com",
            "<a@acme.com>",
            ".a@acme.com",
            "a@acme.com ",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(!is_email(&format!("{}@acme.com", "a".repeat(65))));
    }

    #[test]
    fn calendar_dates() {
        assert_eq!(parse_date("2026-03-28"), Some((2026, 3, 28)));
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2000-02-29").is_some());
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "0000-01-01",
            "2026-3-28",
            "03/28/2026",
            "2026-03-28T00:00:00Z",
            "",
            "２０２６-03-28",
            "+026-03-28",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn datetimes() {
        for ok in [
            "2026-09-15T10:30:00Z",
            "2026-09-15T10:30Z",
            "2026-09-15T10:30:00.123Z",
            "2026-09-15T10:30:00+05:30",
            "2024-02-29T23:59:60Z",
        ] {
            assert!(is_datetime(ok), "{ok}");
        }
        for bad in [
            "2026-09-15",
            "2026-09-15 10:30:00Z",
            "2026-09-15T10:30:00",
            "2026-09-15T24:00:00Z",
            "2026-02-30T10:30:00Z",
            "2026-09-15T10:30:00.Z",
            "2026-09-15T10:30:00+0530",
            "é",
            "2026-09-15Té",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn uuids_and_base64() {
        assert!(is_uuid("6f1c2a4e-9b3d-4c1e-8a7f-0123456789ab"));
        assert!(!is_uuid("6f1c2a4e9b3d4c1e8a7f0123456789ab"));
        assert!(!is_uuid("6f1c2a4e-9b3d-4c1e-8a7f-0123456789ag"));
        assert!(is_base64("JVBERi0xLjQK"));
        assert!(is_base64("YQ=="));
        assert!(!is_base64("YQ="));
        assert!(!is_base64("Y==="));
        assert!(!is_base64("a b="));
        assert!(!is_base64(""));
    }
}
