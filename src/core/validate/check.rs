//! Typed reads of a `serde_json::Value` that report instead of failing: each helper checks
//! one value, records an issue with its path when it is wrong, and returns the value when
//! it is usable so the caller can go on checking (every problem, not the first).

use super::path::Path;
use super::report::{IssueCode, Issues};
use super::suggest::closest_name;
use serde_json::{Map, Number, Value};

/// Longest excerpt of a string value quoted in a message.
const MAX_QUOTE_CHARS: usize = 60;

/// "a string", "a number", … for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short quotation of a scalar for messages (`"abc…"`, `12`, `true`); containers are
/// described, never serialised (no unbounded output, no deep recursion).
pub fn quote(v: &Value) -> String {
    match v {
        Value::String(s) => quote_str(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => kind(other).to_owned(),
    }
}

/// `s` in double quotes, cut after [`MAX_QUOTE_CHARS`] chars.
pub fn quote_str(s: &str) -> String {
    let mut out = String::from("\"");
    for (n, c) in s.chars().enumerate() {
        if n >= MAX_QUOTE_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.push('\u{fffd}');
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// The value as an object, or `WRONG_TYPE` with `what` ("the counterparty").
pub fn object<'v>(
    v: &'v Value,
    path: &Path<'_>,
    issues: &mut Issues,
    what: &str,
) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(map) => Some(map),
        other => {
            issues.push(
                path,
                IssueCode::WrongType,
                format!("{what} must be a JSON object, got {}.", kind(other)),
            );
            None
        }
    }
}

/// The value as an array, or `WRONG_TYPE`.
pub fn array<'v>(
    v: &'v Value,
    path: &Path<'_>,
    issues: &mut Issues,
    what: &str,
) -> Option<&'v Vec<Value>> {
    match v {
        Value::Array(items) => Some(items),
        other => {
            issues.push(
                path,
                IssueCode::WrongType,
                format!("{what} must be an array, got {}.", kind(other)),
            );
            None
        }
    }
}

/// Reports every key of `map` not in `known` as `UNKNOWN_FIELD`, with the closest known
/// key as suggestion. SpotDraft ignores or rejects unknown keys (UNKNOWN which); either way
/// the value would not do what the caller meant, so it is reported.
pub fn unknown_keys(
    map: &Map<String, Value>,
    known: &[&str],
    path: &Path<'_>,
    issues: &mut Issues,
) {
    for key in map.keys() {
        if issues.is_full() {
            return;
        }
        if known.contains(&key.as_str()) {
            continue;
        }
        let suggestion = closest_name(key, known.iter().copied());
        let hint = match suggestion {
            Some(s) => format!(" Did you mean `{s}`?"),
            None => format!(" Known keys here: {}.", known.join(", ")),
        };
        issues.push_suggest(
            &path.key(key),
            IssueCode::UnknownField,
            format!("Unknown key {}.{hint}", quote_str(key)),
            suggestion.map(str::to_owned),
        );
    }
}

/// The value at `key`, or `REQUIRED` (missing or `null`) with `what_to_do`.
pub fn required<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
    what_to_do: &str,
) -> Option<&'v Value> {
    match map.get(key) {
        None | Some(Value::Null) => {
            let state = if map.contains_key(key) {
                "is null"
            } else {
                "is missing"
            };
            issues.push(
                &path.key(key),
                IssueCode::Required,
                format!("`{key}` {state}: {what_to_do}"),
            );
            None
        }
        Some(v) => Some(v),
    }
}

/// The value at `key` when present; `null` is reported as `WRONG_TYPE` (SpotDraft's
/// serializers refuse null for these fields: omit the key instead).
pub fn optional<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<&'v Value> {
    match map.get(key) {
        Some(Value::Null) => {
            issues.push(
                &path.key(key),
                IssueCode::WrongType,
                format!("`{key}` is null; omit the key instead, or give it a value."),
            );
            None
        }
        other => other,
    }
}

/// The value as a string, or `WRONG_TYPE` (with the string form as suggestion for numbers
/// and booleans).
pub fn string<'v>(v: &'v Value, path: &Path<'_>, issues: &mut Issues) -> Option<&'v str> {
    match v {
        Value::String(s) => Some(s),
        other => {
            let suggestion = match other {
                Value::Number(_) | Value::Bool(_) => Some(quote(other)),
                _ => None,
            };
            issues.push_suggest(
                path,
                IssueCode::WrongType,
                format!("Must be a string, got {}.", kind(other)),
                suggestion,
            );
            None
        }
    }
}

/// A required string that is not blank.
pub fn required_string<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
    what_to_do: &str,
) -> Option<&'v str> {
    let value = required(map, key, path, issues, what_to_do)?;
    let s = string(value, &path.key(key), issues)?;
    if s.trim().is_empty() {
        issues.push(
            &path.key(key),
            IssueCode::Required,
            format!("`{key}` is empty: {what_to_do}"),
        );
        return None;
    }
    Some(s)
}

/// An optional string (any content, empty allowed).
pub fn optional_string<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<&'v str> {
    let value = optional(map, key, path, issues)?;
    string(value, &path.key(key), issues)
}

/// An optional string that must not be blank when present.
pub fn optional_nonempty_string<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<&'v str> {
    let s = optional_string(map, key, path, issues)?;
    if s.trim().is_empty() {
        issues.push(
            &path.key(key),
            IssueCode::Required,
            format!("`{key}` is empty; omit the key or give it a value."),
        );
        return None;
    }
    Some(s)
}

/// The value as a boolean, or `WRONG_TYPE` (suggesting `true`/`false` for `"true"`).
pub fn boolean(v: &Value, path: &Path<'_>, issues: &mut Issues) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        other => {
            let suggestion = match other {
                Value::String(s) if s.eq_ignore_ascii_case("true") => Some("true".to_owned()),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Some("false".to_owned()),
                _ => None,
            };
            issues.push_suggest(
                path,
                IssueCode::WrongType,
                format!(
                    "Must be a boolean (true or false, without quotes), got {}.",
                    kind(other)
                ),
                suggestion,
            );
            None
        }
    }
}

/// An optional boolean.
pub fn optional_bool(
    map: &Map<String, Value>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<bool> {
    let value = optional(map, key, path, issues)?;
    boolean(value, &path.key(key), issues)
}

/// Whole number value of `n` (also `12.0`), if it is one.
pub fn whole(n: &Number) -> Option<i128> {
    if let Some(i) = n.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(i128::from(u));
    }
    let f = n.as_f64()?;
    // 2^63 bounds the range SpotDraft's integer fields can hold anyway.
    (f.fract() == 0.0 && f.abs() < 9.3e18).then_some(f as i128)
}

/// A whole number, or `WRONG_TYPE` / `OUT_OF_RANGE` (suggesting the number for `"12"`).
pub fn integer(v: &Value, path: &Path<'_>, issues: &mut Issues) -> Option<i128> {
    match v {
        Value::Number(n) => match whole(n) {
            Some(i) => Some(i),
            None => {
                issues.push(
                    path,
                    IssueCode::OutOfRange,
                    format!("Must be a whole number, got {n}."),
                );
                None
            }
        },
        other => {
            let suggestion = numeric_string(other).filter(|s| !s.contains(['.', 'e', 'E']));
            issues.push_suggest(
                path,
                IssueCode::WrongType,
                format!(
                    "Must be a whole number (without quotes), got {}.",
                    kind(other)
                ),
                suggestion,
            );
            None
        }
    }
}

/// A finite number, or `WRONG_TYPE` (suggesting the number for `"12000.5"`).
pub fn number(v: &Value, path: &Path<'_>, issues: &mut Issues) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        other => {
            issues.push_suggest(
                path,
                IssueCode::WrongType,
                format!("Must be a number (without quotes), got {}.", kind(other)),
                numeric_string(other),
            );
            None
        }
    }
}

/// The trimmed content of a string that parses as a finite JSON number.
fn numeric_string(v: &Value) -> Option<String> {
    let s = v.as_str()?.trim();
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    let parsed: Number = serde_json::from_str(s).ok()?;
    Some(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_report_wrong_types_with_suggestions() {
        let mut issues = Issues::new();
        let root = Path::root();
        assert_eq!(integer(&json!("1204"), &root, &mut issues), None);
        assert_eq!(integer(&json!(12.0), &root, &mut issues), Some(12));
        assert_eq!(integer(&json!(12.5), &root, &mut issues), None);
        assert_eq!(boolean(&json!("TRUE"), &root, &mut issues), None);
        assert_eq!(number(&json!(" 12000.50 "), &root, &mut issues), None);
        assert_eq!(string(&json!(7), &root, &mut issues), None);
        let list = issues.finish();
        let got: Vec<(IssueCode, Option<&str>)> = list
            .iter()
            .map(|i| (i.code, i.suggestion.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (IssueCode::WrongType, Some("1204")),
                (IssueCode::OutOfRange, None),
                (IssueCode::WrongType, Some("true")),
                (IssueCode::WrongType, Some("12000.5")),
                (IssueCode::WrongType, Some("7")),
            ]
        );
    }

    #[test]
    fn quotes_are_short_and_never_serialise_containers() {
        assert_eq!(quote(&json!({"a": 1})), "an object");
        let long = quote(&json!("x".repeat(500)));
        assert_eq!(long.chars().count(), MAX_QUOTE_CHARS + 3);
    }

    #[test]
    fn unknown_keys_suggest_the_closest() {
        let mut issues = Issues::new();
        let root = Path::root();
        let map = json!({"contract_nmae": "x", "zzz": 1});
        unknown_keys(
            map.as_object().unwrap(),
            &["contract_name", "contract_data"],
            &root,
            &mut issues,
        );
        let list = issues.finish();
        assert_eq!(list[0].path, "contract_nmae");
        assert_eq!(list[0].suggestion.as_deref(), Some("contract_name"));
        assert!(list[1].message.contains("Known keys here"));
    }
}
