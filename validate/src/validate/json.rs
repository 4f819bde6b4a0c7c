//! A JSON tree that borrows from the text it was parsed from: what the validator reads.
//!
//! `serde_json::Value` allocates a `String` for every key and string and a B-tree per object;
//! for a create body that is most of the cost of validating it (measured in
//! `benches/validate.bench.mjs`). [`Json`] borrows every string that has no escape sequence
//! from the input and stores an object as one vector of members, sorted by key once when the
//! object is closed. It keeps `serde_json::Value`'s observable semantics, which the validator
//! and its tests rely on:
//!
//! - members iterate in key order (a `BTreeMap`'s order, so issues come out in the same order);
//! - a key given twice keeps its last value (as `Map::insert` does);
//! - numbers are `serde_json::Number`s built from the same `u64`/`i64`/`f64` visits;
//! - nesting is bounded by the parser's recursion limit (128), as for `Value`.
//!
//! It does NOT serialise, mutate or index by path; it is read-only input for the checks.

use crate::sort;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// A parsed JSON value whose strings borrow from the input where they can.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Json<'a> {
    /// `null`.
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string (borrowed unless it contained escapes).
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object.
    Object(Object<'a>),
}

/// A JSON object: members sorted by key, one per key (the last one given wins).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<'a> {
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

/// Objects with at most this many members are searched by a scan, larger ones by bisection.
const LINEAR_LOOKUP_MAX: usize = 12;

/// Byte order of two keys (the order of `str::cmp`), compared in line.
///
/// Keys are short: a loop over the bytes avoids a `memcmp` call per comparison, which in
/// WebAssembly is a plain out-of-line byte loop.
#[inline]
pub fn key_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Whether two keys are equal, lengths compared first.
#[inline]
pub fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && key_order(a, b).is_eq()
}

impl<'a> Object<'a> {
    /// An object from members in any order; later duplicates replace earlier ones.
    fn from_members(mut members: Vec<(Cow<'a, str>, Json<'a>)>) -> Self {
        // Stable, so among equal keys the last given stays last; then keep only that one.
        if !members.is_sorted_by(|a, b| key_order(&a.0, &b.0).is_lt()) {
            // The validator's hot path (every object of a body): the inlined variant.
            sort::sort_by_inline(&mut members, |a, b| key_order(&a.0, &b.0));
            let mut kept: Vec<(Cow<'a, str>, Json<'a>)> = Vec::with_capacity(members.len());
            for member in members {
                match kept.last_mut() {
                    Some(last) if last.0 == member.0 => *last = member,
                    _ => kept.push(member),
                }
            }
            members = kept;
        }
        Self { members }
    }

    /// The value of member `key`.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        // Most objects of a create body have a handful of members: a scan that compares
        // lengths first touches far fewer bytes than a binary search of full comparisons.
        if self.members.len() <= LINEAR_LOOKUP_MAX {
            return self
                .members
                .iter()
                .find(|(k, _)| same_key(k, key))
                .map(|(_, v)| v);
        }
        let i = self
            .members
            .binary_search_by(|(k, _)| key_order(k, key))
            .ok()?;
        self.members.get(i).map(|(_, v)| v)
    }

    /// Whether member `key` exists (even as `null`).
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(k, _)| k.as_ref())
    }

    /// `(key, value)` pairs, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when the object has no member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

impl<'a> Json<'a> {
    /// Parses JSON text, borrowing strings from it.
    ///
    /// # Errors
    /// serde_json's error for invalid JSON, trailing characters, or nesting deeper than 128.
    pub fn parse(text: &'a str) -> serde_json::Result<Self> {
        serde_json::from_str(text)
    }

    /// A view of a `serde_json::Value` (strings borrowed from it, containers rebuilt).
    pub fn from_value(value: &'a Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => Self::Number(n.clone()),
            Value::String(s) => Self::String(Cow::Borrowed(s)),
            Value::Array(items) => Self::Array(items.iter().map(Self::from_value).collect()),
            Value::Object(map) => Self::Object(Object::from_map(map)),
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this equals `value` (same JSON type and content; numbers as serde_json
    /// compares them).
    pub fn eq_value(&self, value: &Value) -> bool {
        match (self, value) {
            (Self::Null, Value::Null) => true,
            (Self::Bool(a), Value::Bool(b)) => a == b,
            (Self::Number(a), Value::Number(b)) => a == b,
            (Self::String(a), Value::String(b)) => a.as_ref() == b.as_str(),
            (Self::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_value(y))
            }
            (Self::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.eq_value(vb))
            }
            _ => false,
        }
    }
}

impl<'a> Object<'a> {
    fn from_map(map: &'a Map<String, Value>) -> Self {
        // A `Map` (a B-tree here) is already sorted with unique keys.
        Self::from_members(
            map.iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v)))
                .collect(),
        )
    }
}

/// A key that borrows from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'de>, E> {
        // As serde_json's `Value`: a non-finite float (never produced by its parser) is null.
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }

    fn visit_none<E: de::Error>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        Deserialize::deserialize(deserializer)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        // The size hint is untrusted: cap the pre-allocation.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(Key(key)) = map.next_key()? {
            let value: Json<'de> = map.next_value()?;
            members.push((key, value));
        }
        Ok(Json::Object(Object::from_members(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn borrows_plain_strings_and_owns_escaped_ones() {
        let text = r#"{"plain": "abc", "esc\"aped": "a\nb"}"#;
        let Json::Object(object) = Json::parse(text).unwrap() else {
            panic!("not an object");
        };
        assert!(matches!(
            object.get("plain"),
            Some(Json::String(Cow::Borrowed("abc")))
        ));
        assert!(
            matches!(object.get("esc\"aped"), Some(Json::String(Cow::Owned(s))) if s == "a\nb")
        );
    }

    #[test]
    fn objects_are_sorted_and_the_last_duplicate_wins_like_value() {
        let text = r#"{"b": 1, "a": 2, "c": {"z": [1, 2.5, -3, true, null]}, "a": 3}"#;
        let parsed = Json::parse(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        assert!(parsed.eq_value(&value));
        assert_eq!(parsed, Json::from_value(&value));
        let Json::Object(object) = parsed else {
            panic!("not an object");
        };
        assert_eq!(object.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(object.get("a"), Some(&Json::Number(3.into())));
        assert!(!object.contains_key("d"));
    }

    #[test]
    fn equality_with_values_checks_type_and_content() {
        let parsed = Json::parse(r#"["1", 1, {"a": null}]"#).unwrap();
        assert!(parsed.eq_value(&json!(["1", 1, {"a": null}])));
        assert!(!parsed.eq_value(&json!([1, 1, {"a": null}])));
        assert!(!parsed.eq_value(&json!(["1", 1, {"b": null}])));
        assert!(!parsed.eq_value(&json!(["1", 1.5, {"a": null}])));
    }

    #[test]
    fn errors_and_the_recursion_limit_match_serde_json() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let ours = Json::parse(&deep).unwrap_err().to_string();
        let theirs = serde_json::from_str::<Value>(&deep)
            .unwrap_err()
            .to_string();
        assert_eq!(ours, theirs);
        assert!(Json::parse("{\"a\": 1} x").is_err());
        assert!(Json::parse("{\"a\": }").is_err());
    }
}
