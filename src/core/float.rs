//! Decimal text to `f64` through serde_json's float parser, so that the package carries one
//! correctly rounded decimal-to-binary parser instead of two.
//!
//! serde_json's parser (feature `float_roundtrip`) must stay: numbers in JSON bodies, money
//! amounts among them, round-trip exactly. `str::parse::<f64>` brought core's second one
//! (`dec2flt`: its code and a 10 KiB table of powers of five). [`parse_f64`] accepts exactly
//! the texts `str::parse::<f64>` accepts and returns the same value, bit for bit: it rewrites
//! Rust's float syntax into JSON's (a `+` sign, leading zeros, a bare `.`, `inf`/`nan`) and
//! turns the overflow JSON refuses into the infinity Rust returns. Both parsers round
//! correctly (to the nearest double, ties to even), so one decimal gives one double; the
//! tests compare the two on awkward values and on many generated ones.
//!
//! The printers are not deduplicated: `<f64 as Display>` (the shortest and the
//! fixed-precision printer, both reached from the one `fmt`) is needed by serde's own error
//! messages ("invalid type: floating point 1.5, …") and by our messages that print numbers;
//! serde_json prints with zmij, which formats differently (`1.0` for `1`, `1e21`).

/// `text.parse::<f64>().ok()`: the same texts accepted, the same value (bit for bit, sign of
/// zero and of NaN included), computed by serde_json's parser.
///
/// Does not trim, accept `_` or `,` separators, hexadecimal or anything else that
/// `str::parse::<f64>` refuses.
pub(crate) fn parse_f64(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let signed = |magnitude: f64| if negative { -magnitude } else { magnitude };
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        return Some(signed(f64::INFINITY));
    }
    if unsigned.eq_ignore_ascii_case("nan") {
        return Some(signed(f64::NAN));
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (unsigned.get(..at)?, Some(unsigned.get(at + 1..)?)),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    if let Some(exponent) = exponent {
        let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if exponent_digits.is_empty() || !digits(exponent_digits) {
            return None;
        }
    }
    // JSON: `-`? (`0` | a digit 1–9 then digits) (`.` digits+)? (`e` [+-]? digits+)?
    let mut json = String::with_capacity(text.len() + 2);
    if negative {
        json.push('-');
    }
    let whole = whole.trim_start_matches('0');
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        json.push('e');
        json.push_str(exponent);
    }
    match serde_json::from_str::<f64>(&json) {
        Ok(value) => Some(value),
        // `json` is a valid JSON number, so the one refusal left is "number out of range": a
        // magnitude that rounds beyond f64::MAX, for which Rust's parser gives infinity.
        Err(_) => Some(signed(f64::INFINITY)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str) {
        let ours = parse_f64(text).map(f64::to_bits);
        let std = text.parse::<f64>().ok().map(f64::to_bits);
        assert_eq!(ours, std, "{text:?}");
    }

    #[test]
    fn awkward_values_parse_to_the_same_double_as_str_parse() {
        for text in [
            // Money amounts and the classic decimal fractions.
            "0.1",
            "0.2",
            "0.3",
            "19.99",
            "1234567.89",
            "-0.01",
            "0.30000000000000004",
            "99999999999999.99",
            "100000000000000000000.01",
            "1e-2",
            "12.345e3",
            "00012.50",
            // Just above 2^53: the integer and the long-integer paths.
            "9007199254740993",
            "9007199254740993.0",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            // Extremes: the largest double, halfway above it, overflow, subnormals, underflow.
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "-1.7976931348623159e308",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-400",
            "-1e-400",
            "1e400",
            "0e999999999999999999999",
            "1e999999999999999999999",
            "1e-999999999999999999999",
            // Halfway between two doubles, decided only by a digit far away.
            "9007199254740993.00000000000000000000000000000000000000000000000001",
            "9007199254740992.99999999999999999999999999999999999999999999999999",
            "0.1000000000000000055511151231257827021181583404541015625",
            "0.10000000000000000555111512312578270211815834045410156250000000001",
            // Zeros and signs.
            "0",
            "-0",
            "+0",
            "-0.0",
            "0.000",
            "-0e5",
            "+1",
            "-1",
            // Forms Rust accepts and JSON does not.
            ".5",
            "5.",
            "-.5",
            "+.5e1",
            "5.e-1",
            "007",
            "1E5",
            "1e+05",
            "1e-05",
            "inf",
            "-inf",
            "+Infinity",
            "INF",
            "nan",
            "NaN",
            "-nan",
            "+NAN",
            // Refused by both.
            "",
            "-",
            "+",
            ".",
            "-.",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "--1",
            "+-1",
            "-+1",
            "1..2",
            "1.2.3",
            "1e5e3",
            "1e5.0",
            " 1",
            "1 ",
            "0x10",
            "1_000",
            "1,5",
            "in",
            "infinit",
            "infinityy",
            "nan1",
            "na",
            "١",
            "1\u{0}",
            "e",
            "E",
            "-e1",
        ] {
            same(text);
        }
    }

    #[test]
    fn generated_decimals_parse_to_the_same_double_as_str_parse() {
        let mut state: u64 = 0x5eed;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % below
        };
        let digits = |count: u64, next: &mut dyn FnMut(u64) -> u64| -> String {
            (0..count)
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect()
        };
        for _ in 0..50_000 {
            let mut text = String::new();
            match next(4) {
                0 => text.push('-'),
                1 => text.push('+'),
                _ => {}
            }
            // Short amounts most of the time, sometimes long digit strings (beyond the
            // 17–19 digits where fast paths stop) and sometimes many hundreds of digits.
            let length = |next: &mut dyn FnMut(u64) -> u64| match next(10) {
                0..=5 => next(8),
                6..=8 => next(30),
                _ => next(800),
            };
            let whole = length(&mut next);
            text.push_str(&digits(whole, &mut next));
            if next(3) > 0 {
                text.push('.');
                let fraction = length(&mut next);
                text.push_str(&digits(fraction, &mut next));
            }
            if next(2) == 0 {
                text.push(if next(2) == 0 { 'e' } else { 'E' });
                match next(3) {
                    0 => text.push('-'),
                    1 => text.push('+'),
                    _ => {}
                }
                let exponent = next(360);
                text.push_str(&exponent.to_string());
            }
            same(&text);
        }
    }

    #[test]
    fn doubles_printed_shortest_and_in_full_parse_back_the_same() {
        let mut state: u64 = 0xf10a7;
        for _ in 0..30_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let value = f64::from_bits(state);
            if !value.is_finite() {
                continue;
            }
            for text in [
                format!("{value}"),
                format!("{value:e}"),
                format!("{value:.30e}"),
            ] {
                same(&text);
                assert_eq!(
                    parse_f64(&text).map(f64::to_bits),
                    Some(value.to_bits()),
                    "{text}"
                );
            }
        }
    }
}
