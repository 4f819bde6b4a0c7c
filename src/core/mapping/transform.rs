//! The transforms a mapping rule may apply to a source value, in order.
//!
//! Each is total: bad input gives an explanatory `Err(String)`, never a panic, and no
//! transform produces `NaN` or `Infinity`.

use crate::core::float;
use crate::core::payload::values::number;
use crate::core::validate::check::quote;
use crate::core::validate::formats::{is_datetime, parse_date};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use tsify::Tsify;

/// How a source date is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DateInput {
    /// `YYYY-MM-DD`, an ISO date-time (its date part), or epoch milliseconds (HubSpot).
    #[default]
    Auto,
    /// Epoch milliseconds, as a number or digit string.
    EpochMillis,
    /// `MM/DD/YYYY` (also with `-` or `.`).
    Mdy,
    /// `DD/MM/YYYY` (also with `-` or `.`).
    Dmy,
}

/// One transform step (`{"op": "NUMBER"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(tag = "op", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum Transform {
    /// To a date `YYYY-MM-DD`.
    Date {
        /// Source format (default `AUTO`).
        #[serde(default)]
        #[tsify(optional)]
        from: DateInput,
    },
    /// To an ISO-8601 UTC date-time (from epoch milliseconds or an ISO date-time).
    Datetime,
    /// Text to number: `"12,000.50"` → `12000.5`.
    Number {
        /// `"."` (default) or `","`; the other one is taken as a thousands separator.
        #[serde(
            default,
            rename = "decimalSeparator",
            skip_serializing_if = "Option::is_none"
        )]
        #[tsify(optional)]
        decimal_separator: Option<char>,
    },
    /// As `NUMBER`, and it must be whole.
    Integer,
    /// `"true"`/`"yes"`/`"1"`/`"on"` and their opposites to a boolean.
    Boolean,
    /// Any scalar to its text.
    String,
    /// Trims whitespace.
    Trim,
    /// Upper-cases (e.g. country or currency codes).
    Upper,
    /// Lower-cases.
    Lower,
    /// Splits text into an array of trimmed, non-empty parts (HubSpot multi-selects use `;`).
    Split {
        /// The separator.
        separator: String,
    },
    /// Replaces the value through a table (CRM option → template option value).
    Lookup {
        /// Source text → value.
        #[tsify(type = "Record<string, unknown>")]
        table: Map<String, Value>,
        /// Used when the value is not in the table; without it that is an error.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[tsify(optional, type = "unknown")]
        default: Option<Value>,
    },
}

/// Applies one transform.
///
/// # Errors
/// What could not be converted and why.
pub(crate) fn apply(transform: &Transform, value: Value) -> Result<Value, String> {
    match transform {
        Transform::Date { from } => to_date(&value, *from).map(Value::String),
        Transform::Datetime => to_datetime(&value).map(Value::String),
        Transform::Number { decimal_separator } => {
            to_number(&value, decimal_separator.unwrap_or('.')).map(Value::Number)
        }
        Transform::Integer => {
            let n = to_number(&value, '.')?;
            if n.is_i64() || n.is_u64() {
                return Ok(Value::Number(n));
            }
            // Salesforce sends number fields as `60.0`.
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    Ok(Value::Number(Number::from(f as i64)))
                }
                _ => Err(format!("{} is not a whole number", quote(&value))),
            }
        }
        Transform::Boolean => to_bool(&value).map(Value::Bool),
        Transform::String => match value {
            Value::String(_) => Ok(value),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(format!("cannot turn {} into text", quote(&other))),
        },
        Transform::Trim => text_map(value, |s| s.trim().to_owned()),
        Transform::Upper => text_map(value, |s| s.to_uppercase()),
        Transform::Lower => text_map(value, |s| s.to_lowercase()),
        Transform::Split { separator } => {
            if separator.is_empty() {
                return Err("the split separator is empty".into());
            }
            match value {
                Value::String(s) => Ok(Value::Array(
                    s.split(separator.as_str())
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| Value::String(p.to_owned()))
                        .collect(),
                )),
                Value::Array(_) => Ok(value),
                other => Err(format!("cannot split {}", quote(&other))),
            }
        }
        Transform::Lookup { table, default } => {
            // Arrays (multi-selects) are looked up element by element.
            if let Value::Array(items) = value {
                return items
                    .into_iter()
                    .map(|item| lookup(table, default.as_ref(), &item))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array);
            }
            lookup(table, default.as_ref(), &value)
        }
    }
}

fn lookup(
    table: &Map<String, Value>,
    default: Option<&Value>,
    value: &Value,
) -> Result<Value, String> {
    let key = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => return Err(format!("cannot look up {}", quote(other))),
    };
    if let Some(found) = table.get(&key) {
        return Ok(found.clone());
    }
    default.cloned().ok_or_else(|| {
        let known: Vec<&str> = table.keys().take(10).map(String::as_str).collect();
        format!(
            "{} is not in the lookup table (keys: {}); add it or give the lookup a default",
            quote(value),
            known.join(", ")
        )
    })
}

fn text_map(value: Value, f: impl Fn(&str) -> String) -> Result<Value, String> {
    match value {
        Value::String(s) => Ok(Value::String(f(&s))),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(Value::String(f(&s))),
                other => Err(format!("expected text, got {}", quote(&other))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Err(format!("expected text, got {}", quote(&other))),
    }
}

/// Earliest and latest epoch milliseconds that are dates in years 0001–9999.
const MIN_MILLIS: i64 = -62_135_596_800_000;
const MAX_MILLIS: i64 = 253_402_300_799_999;

fn epoch_millis(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        }),
        Value::String(s) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            t.parse().ok()
        }
        _ => None,
    }
    .filter(|ms| (MIN_MILLIS..=MAX_MILLIS).contains(ms))
}

/// (year, month, day) of days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn millis_to_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

fn to_date(value: &Value, from: DateInput) -> Result<String, String> {
    let fail = || {
        format!(
            "{} is not a date in the expected format ({from:?})",
            quote(value)
        )
    };
    match from {
        DateInput::EpochMillis => epoch_millis(value).map(millis_to_date).ok_or_else(fail),
        DateInput::Auto => {
            if let Value::String(s) = value {
                let s = s.trim();
                if parse_date(s).is_some() {
                    return Ok(s.to_owned());
                }
                if is_datetime(s) {
                    // Date part as written; CRMs send date fields as midnight UTC.
                    return s.get(0..10).map(str::to_owned).ok_or_else(fail);
                }
            }
            epoch_millis(value).map(millis_to_date).ok_or_else(fail)
        }
        DateInput::Mdy | DateInput::Dmy => {
            let s = value.as_str().ok_or_else(fail)?.trim();
            let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
            let [a, b, year] = parts.as_slice() else {
                return Err(fail());
            };
            let (month, day) = if from == DateInput::Mdy {
                (a, b)
            } else {
                (b, a)
            };
            let text = format!("{year:0>4}-{month:0>2}-{day:0>2}");
            if year.len() == 4 && month.len() <= 2 && day.len() <= 2 && parse_date(&text).is_some()
            {
                Ok(text)
            } else {
                Err(fail())
            }
        }
    }
}

fn to_datetime(value: &Value) -> Result<String, String> {
    if let Value::String(s) = value {
        let s = s.trim();
        // Salesforce writes `2028-03-15T09:00:00.000+0000`: a zone without a colon, which
        // RFC 3339 refuses. Zero offsets become `Z` (SpotDraft documents UTC), others get
        // their colon.
        let fixed = match s
            .len()
            .checked_sub(5)
            .and_then(|i| Some((s.get(..i)?, s.get(i..)?)))
        {
            Some((head, "+0000" | "-0000")) => format!("{head}Z"),
            Some((head, zone))
                if zone.starts_with(['+', '-'])
                    && zone.bytes().skip(1).all(|b| b.is_ascii_digit()) =>
            {
                format!(
                    "{head}{}:{}",
                    zone.get(..3).unwrap_or_default(),
                    zone.get(3..).unwrap_or_default()
                )
            }
            _ => s.to_owned(),
        };
        let fixed = match fixed.strip_suffix("+00:00") {
            Some(head) => format!("{head}Z"),
            None => fixed,
        };
        if is_datetime(&fixed) {
            return Ok(fixed);
        }
    }
    let ms = epoch_millis(value).ok_or_else(|| {
        format!(
            "{} is not an ISO date-time or epoch milliseconds",
            quote(value)
        )
    })?;
    let date = millis_to_date(ms);
    let of_day = ms.rem_euclid(86_400_000) / 1000;
    Ok(format!(
        "{date}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        (of_day / 60) % 60,
        of_day % 60
    ))
}

fn to_number(value: &Value, decimal: char) -> Result<Number, String> {
    let s = match value {
        Value::Number(n) => return Ok(n.clone()),
        Value::String(s) => s.trim(),
        other => return Err(format!("cannot read a number from {}", quote(other))),
    };
    let thousands = if decimal == ',' { '.' } else { ',' };
    let cleaned: String = s
        .chars()
        .filter(|c| *c != thousands && *c != '_' && *c != ' ' && *c != '\u{a0}' && *c != '\'')
        .map(|c| if c == decimal { '.' } else { c })
        .collect();
    let plain = !cleaned.is_empty()
        && cleaned.len() <= 40
        && cleaned
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && cleaned.bytes().any(|b| b.is_ascii_digit());
    let fail = || format!("{} is not a number", quote(value));
    if !plain {
        return Err(fail());
    }
    if let Ok(i) = cleaned.parse::<i64>() {
        return Ok(Number::from(i));
    }
    let f: f64 = float::parse_f64(&cleaned).ok_or_else(fail)?;
    if f.is_finite() {
        number(f).ok_or_else(fail)
    } else {
        Err(fail())
    }
}

fn to_bool(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_f64() == Some(1.0) => Ok(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "on" => Ok(true),
            "false" | "no" | "n" | "0" | "off" => Ok(false),
            _ => Err(format!("{} is not a yes/no value", quote(value))),
        },
        other => Err(format!("{} is not a yes/no value", quote(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: Transform, v: Value) -> Result<Value, String> {
        apply(&t, v)
    }

    #[test]
    fn dates() {
        let auto = || Transform::Date {
            from: DateInput::Auto,
        };
        assert_eq!(
            run(auto(), json!("2026-03-28")).unwrap(),
            json!("2026-03-28")
        );
        assert_eq!(
            run(auto(), json!("2026-03-28T00:00:00.000Z")).unwrap(),
            json!("2026-03-28")
        );
        // HubSpot: midnight UTC in epoch milliseconds.
        assert_eq!(
            run(auto(), json!("1774656000000")).unwrap(),
            json!("2026-03-28")
        );
        assert_eq!(
            run(auto(), json!(951782400000i64)).unwrap(),
            json!("2000-02-29")
        );
        assert_eq!(run(auto(), json!(-86400000)).unwrap(), json!("1969-12-31"));
        assert!(run(auto(), json!("2026-02-30")).is_err());
        assert!(run(auto(), json!("99999999999999999999")).is_err());
        assert_eq!(
            run(
                Transform::Date {
                    from: DateInput::Mdy
                },
                json!("3/28/2026")
            )
            .unwrap(),
            json!("2026-03-28")
        );
        assert_eq!(
            run(
                Transform::Date {
                    from: DateInput::Dmy
                },
                json!("28.03.2026")
            )
            .unwrap(),
            json!("2026-03-28")
        );
        assert!(run(
            Transform::Date {
                from: DateInput::Dmy
            },
            json!("31/02/2026")
        )
        .is_err());
        assert!(run(
            Transform::Date {
                from: DateInput::Mdy
            },
            json!("3/28/26")
        )
        .is_err());
        assert_eq!(
            run(Transform::Datetime, json!(1789468200000i64)).unwrap(),
            json!("2026-09-15T10:30:00Z")
        );
        assert_eq!(
            run(Transform::Datetime, json!("2026-09-15T10:30:00Z")).unwrap(),
            json!("2026-09-15T10:30:00Z")
        );
        assert_eq!(
            run(Transform::Datetime, json!("2028-03-15T09:00:00.000+0000")).unwrap(),
            json!("2028-03-15T09:00:00.000Z")
        );
        assert_eq!(
            run(Transform::Datetime, json!("2028-03-15T09:00:00+0530")).unwrap(),
            json!("2028-03-15T09:00:00+05:30")
        );
        assert!(run(Transform::Datetime, json!("2028-03-15")).is_err());
    }

    #[test]
    fn numbers_and_booleans() {
        let n = || Transform::Number {
            decimal_separator: None,
        };
        assert_eq!(run(n(), json!("12000")).unwrap(), json!(12000));
        assert_eq!(run(n(), json!(" 12,000.50 ")).unwrap(), json!(12000.5));
        assert_eq!(
            run(
                Transform::Number {
                    decimal_separator: Some(',')
                },
                json!("12.000,50")
            )
            .unwrap(),
            json!(12000.5)
        );
        assert_eq!(run(n(), json!("12000.0")).unwrap(), json!(12000));
        for bad in ["", "NaN", "inf", "Infinity", "1e999", "12 USD", "-"] {
            assert!(run(n(), json!(bad)).is_err(), "{bad}");
        }
        assert!(run(Transform::Integer, json!("12.5")).is_err());
        assert_eq!(run(Transform::Integer, json!("12")).unwrap(), json!(12));
        assert_eq!(run(Transform::Integer, json!(60.0)).unwrap(), json!(60));
        assert_eq!(run(Transform::Boolean, json!("Yes")).unwrap(), json!(true));
        assert_eq!(
            run(Transform::Boolean, json!("false")).unwrap(),
            json!(false)
        );
        assert!(run(Transform::Boolean, json!("maybe")).is_err());
    }

    #[test]
    fn text_split_and_lookup() {
        assert_eq!(
            run(
                Transform::Split {
                    separator: ";".into()
                },
                json!("US; IN;;")
            )
            .unwrap(),
            json!(["US", "IN"])
        );
        assert_eq!(
            run(Transform::Upper, json!(["us", "in"])).unwrap(),
            json!(["US", "IN"])
        );
        assert_eq!(
            run(Transform::String, json!(10024)).unwrap(),
            json!("10024")
        );
        let table: Map<String, Value> = serde_json::from_value(
            json!({"Annual": "annual_invoice", "Quarterly": "quarterly_invoice"}),
        )
        .unwrap();
        let lookup = Transform::Lookup {
            table: table.clone(),
            default: None,
        };
        assert_eq!(
            run(lookup.clone(), json!("Annual")).unwrap(),
            json!("annual_invoice")
        );
        assert!(run(lookup, json!("Weekly"))
            .unwrap_err()
            .contains("not in the lookup table"));
        let with_default = Transform::Lookup {
            table,
            default: Some(json!("monthly_card")),
        };
        assert_eq!(
            run(with_default, json!(["Weekly", "Annual"])).unwrap(),
            json!(["monthly_card", "annual_invoice"])
        );
    }

    #[test]
    fn deserialises_from_plain_json() {
        let t: Vec<Transform> = serde_json::from_value(json!([
            {"op": "DATE", "from": "EPOCH_MILLIS"}, {"op": "NUMBER", "decimalSeparator": ","},
            {"op": "SPLIT", "separator": ";"}, {"op": "UPPER"}
        ]))
        .unwrap();
        assert_eq!(t.len(), 4);
        assert!(
            serde_json::from_value::<Transform>(json!({"op": "NUMBER", "decimal": ","})).is_err()
        );
    }
}
