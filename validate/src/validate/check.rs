//! Typed reads of a parsed payload that report instead of failing: each helper checks
//! one value, records an issue with its path when it is wrong, and returns the value when
//! it is usable so the caller can go on checking (every problem, not the first).
//!
//! The scalar helpers ([`kind`], [`quote`], [`string`], [`boolean`], [`integer`],
//! [`number`], [`unknown_keys`]) read both the validator's borrowed [`Json`] tree and a
//! `serde_json::Value` (the record mapper's), through [`JsonLike`] and [`KeyList`].

use super::json::{Json, Object};
use super::path::Path;
use super::report::{IssueCode, Issues};
use super::suggest::closest_name;
use serde_json::{Map, Number, Value};

/// Read access to a JSON scalar, shared by `serde_json::Value` and [`Json`].
pub trait JsonLike {
    /// "a string", "a number", … for messages.
    fn kind(&self) -> &'static str;
    /// The string, if this is one.
    fn as_text(&self) -> Option<&str>;
    /// The boolean, if this is one.
    fn as_boolean(&self) -> Option<bool>;
    /// The number, if this is one.
    fn as_num(&self) -> Option<&Number>;
}

impl JsonLike for Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
    fn as_text(&self) -> Option<&str> {
        self.as_str()
    }
    fn as_boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn as_num(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
}

impl JsonLike for Json<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
    fn as_text(&self) -> Option<&str> {
        self.as_str()
    }
    fn as_boolean(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn as_num(&self) -> Option<&Number> {
        match self {
            Json::Number(n) => Some(n),
            _ => None,
        }
    }
}

/// The keys of an object, shared by `serde_json::Map` and [`Object`].
pub trait KeyList {
    /// The keys, in iteration order.
    fn key_list(&self) -> impl Iterator<Item = &str>;
}

impl KeyList for Map<String, Value> {
    fn key_list(&self) -> impl Iterator<Item = &str> {
        self.keys().map(String::as_str)
    }
}

impl KeyList for Object<'_> {
    fn key_list(&self) -> impl Iterator<Item = &str> {
        self.keys()
    }
}

/// Longest excerpt of a string value quoted in a message.
const MAX_QUOTE_CHARS: usize = 60;

/// "a string", "a number", … for messages.
pub fn kind<V: JsonLike + ?Sized>(v: &V) -> &'static str {
    v.kind()
}

/// A short quotation of a scalar for messages (`"abc…"`, `12`, `true`); containers are
/// described, never serialised (no unbounded output, no deep recursion).
pub fn quote<V: JsonLike + ?Sized>(v: &V) -> String {
    if let Some(s) = v.as_text() {
        quote_str(s)
    } else if let Some(n) = v.as_num() {
        n.to_string()
    } else if let Some(b) = v.as_boolean() {
        b.to_string()
    } else {
        v.kind().to_owned()
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
pub fn object<'v, 'a>(
    v: &'v Json<'a>,
    path: &Path<'_>,
    issues: &mut Issues,
    what: &str,
) -> Option<&'v Object<'a>> {
    match v {
        Json::Object(map) => Some(map),
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
pub fn array<'v, 'a>(
    v: &'v Json<'a>,
    path: &Path<'_>,
    issues: &mut Issues,
    what: &str,
) -> Option<&'v Vec<Json<'a>>> {
    match v {
        Json::Array(items) => Some(items),
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
pub fn unknown_keys<M: KeyList + ?Sized>(
    map: &M,
    known: &[&str],
    path: &Path<'_>,
    issues: &mut Issues,
) {
    for key in map.key_list() {
        if issues.is_full() {
            return;
        }
        if known.contains(&key) {
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
pub fn required<'v, 'a>(
    map: &'v Object<'a>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
    what_to_do: &str,
) -> Option<&'v Json<'a>> {
    match map.get(key) {
        None | Some(Json::Null) => {
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
pub fn optional<'v, 'a>(
    map: &'v Object<'a>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<&'v Json<'a>> {
    match map.get(key) {
        Some(Json::Null) => {
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
pub fn string<'v, V: JsonLike + ?Sized>(
    v: &'v V,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<&'v str> {
    match v.as_text() {
        Some(s) => Some(s),
        None => {
            let other = v;
            let suggestion =
                (other.as_num().is_some() || other.as_boolean().is_some()).then(|| quote(other));
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
    map: &'v Object<'_>,
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
    map: &'v Object<'_>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<&'v str> {
    let value = optional(map, key, path, issues)?;
    string(value, &path.key(key), issues)
}

/// An optional string that must not be blank when present.
pub fn optional_nonempty_string<'v>(
    map: &'v Object<'_>,
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
pub fn boolean<V: JsonLike + ?Sized>(v: &V, path: &Path<'_>, issues: &mut Issues) -> Option<bool> {
    match v.as_boolean() {
        Some(b) => Some(b),
        None => {
            let other = v;
            let suggestion = match other.as_text() {
                Some(s) if s.eq_ignore_ascii_case("true") => Some("true".to_owned()),
                Some(s) if s.eq_ignore_ascii_case("false") => Some("false".to_owned()),
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
    map: &Object<'_>,
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
pub fn integer<V: JsonLike + ?Sized>(v: &V, path: &Path<'_>, issues: &mut Issues) -> Option<i128> {
    match v.as_num() {
        Some(n) => match whole(n) {
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
        None => {
            let other = v;
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
pub fn number<V: JsonLike + ?Sized>(v: &V, path: &Path<'_>, issues: &mut Issues) -> Option<f64> {
    match v.as_num() {
        Some(n) => n.as_f64(),
        None => {
            let other = v;
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
fn numeric_string<V: JsonLike + ?Sized>(v: &V) -> Option<String> {
    let s = v.as_text()?.trim();
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
