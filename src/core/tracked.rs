//! Deserialising with the JSON path of a failure (`fields[3].op`), the one place the crate
//! does it, with the paths and messages `serde_path_to_error` over serde_json gives.
//!
//! - A JSON tree ([`from_value`]) is read once by a deserialiser that tracks nothing on the
//!   way down: a failure collects the keys and indexes as it returns, so a good tree costs a
//!   plain read and no key is copied (`serde_path_to_error` copies every key it passes).
//! - JSON text ([`from_str_start`], [`from_whole_str`]) is read once through
//!   `serde_path_to_error` (why not plain-then-tracked: see [`from_str_start`]).
//!
//! What this does not do: read a stream (the input must be in memory; nothing here reads
//! it twice, but a caller turning a JS value into text does so once and keeps the text), or
//! report more than the first failure.

use serde::de::{self, DeserializeOwned, DeserializeSeed, Unexpected, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// A deserialisation failure with the JSON path where it happened.
#[derive(Debug)]
pub(crate) struct PathError {
    /// `serde_path_to_error`'s rendering: `fields[3].op`, `[2].x` for a top-level index,
    /// `.` for the root.
    pub path: String,
    /// serde_json's error, message and position unchanged.
    pub error: serde_json::Error,
}

impl PathError {
    fn tracked(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        PathError {
            path: e.path().to_string(),
            error: e.into_inner(),
        }
    }
}

/// `T` from the JSON text at the start of `text`, read once through `serde_path_to_error`.
/// Trailing text after the value is not looked at (see [`from_whole_str`]).
///
/// Text is tracked on every read, not only on the failure path: reading a good text plain
/// first and a failing one again tracked puts a second deserialiser of every type in the
/// module, and measured +39 KiB gzip for the full package with all readers changed (issue
/// #14, benches/results/weight-errpaths.md). Converting the text to a tree first to use
/// [`from_value`] changes messages (serde_json's " at line L column C") and which error a
/// document that is both wrong and nested past serde_json's depth limit reports.
///
/// # Errors
/// The path and serde_json error of the first bad value, or of a syntax error in the text.
pub(crate) fn from_str_start<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
        .map_err(PathError::tracked)
}

/// `T` from `text`, which must hold one JSON value and nothing but whitespace after it
/// (tracked as [`from_str_start`]).
///
/// # Errors
/// As [`from_str_start`]; trailing characters give path `.` and serde_json's
/// "trailing characters" error.
pub(crate) fn from_whole_str<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(PathError::tracked)?;
    deserializer.end().map_err(|error| PathError {
        path: ".".to_owned(),
        error,
    })?;
    Ok(value)
}

/// `T` from a JSON tree (borrowed: strings are copied out of it), read once.
///
/// No path is tracked on the way down: the tree is walked by [`TreeDeserializer`], which
/// knows each map key and array index without copying it, and a failure picks them up as it
/// returns through each level. The path and message are those `serde_path_to_error` over
/// serde_json's `&Value` deserialiser gives (pinned by the tests below).
///
/// What it does not do: read a non-string map key as a number or a bool (serde_json's
/// `&Value` does, for `HashMap<u64, _>`; the crate has no such type), or follow a failure
/// into a value `Deserialize` buffered first (`#[serde(flatten)]`, untagged and internally
/// tagged enums): the path stops where the buffering began, as it did with
/// `serde_path_to_error`. A `Deserialize` impl that swallows an inner error and returns its
/// own gets its own level's path (`serde_path_to_error` kept the inner one).
///
/// # Errors
/// The path and serde_json error of the first bad value.
pub(crate) fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, PathError> {
    T::deserialize(TreeDeserializer(value)).map_err(TreeError::into_path_error)
}

/// One segment of a failure's path, innermost first in [`TreeError::segments`].
#[derive(Debug)]
enum Segment {
    Index(usize),
    /// A map key or an enum variant (rendered alike).
    Key(String),
}

/// serde_json's error plus the path it picked up on its way out.
#[derive(Debug)]
pub(crate) struct TreeError {
    error: serde_json::Error,
    /// Innermost first.
    segments: Vec<Segment>,
}

impl TreeError {
    fn at(mut self, segment: Segment) -> Self {
        self.segments.push(segment);
        self
    }

    /// Rendered as `serde_path_to_error::Path` renders: `a.b[2].c`, `[3].x`, `.` for the root.
    fn into_path_error(self) -> PathError {
        let mut path = String::new();
        for (i, segment) in self.segments.iter().rev().enumerate() {
            match segment {
                Segment::Index(index) => path.push_str(&format!("[{index}]")),
                Segment::Key(key) => {
                    if i > 0 {
                        path.push('.');
                    }
                    path.push_str(key);
                }
            }
        }
        if path.is_empty() {
            path.push('.');
        }
        PathError {
            path,
            error: self.error,
        }
    }
}

impl From<serde_json::Error> for TreeError {
    fn from(error: serde_json::Error) -> Self {
        TreeError {
            error,
            segments: Vec::new(),
        }
    }
}

impl std::fmt::Display for TreeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for TreeError {}

// serde_json's own wording for every message (it says "null" where serde says "unit").
impl de::Error for TreeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        serde_json::Error::custom(msg).into()
    }
    fn invalid_type(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        serde_json::Error::invalid_type(unexp, exp).into()
    }
    fn invalid_value(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        serde_json::Error::invalid_value(unexp, exp).into()
    }
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        serde_json::Error::invalid_length(len, exp).into()
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        serde_json::Error::unknown_variant(variant, expected).into()
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        serde_json::Error::unknown_field(field, expected).into()
    }
    fn missing_field(field: &'static str) -> Self {
        serde_json::Error::missing_field(field).into()
    }
    fn duplicate_field(field: &'static str) -> Self {
        serde_json::Error::duplicate_field(field).into()
    }
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (None, Some(i), _) => Unexpected::Signed(i),
            (None, None, Some(f)) => Unexpected::Float(f),
            (None, None, None) => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// serde_json's `&Value` deserialiser, but with its own map, sequence and enum access so a
/// failure learns where it happened. Scalars are handed to serde_json's deserialiser as they
/// are (they have no inside to fail in).
#[derive(Clone, Copy)]
pub(crate) struct TreeDeserializer<'de>(&'de Value);

/// Hands `method` to serde_json's `&Value` deserialiser (for values with no inside).
macro_rules! delegate {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
            Ok(self.0.$method(visitor)?)
        }
    )*};
}

impl<'de> TreeDeserializer<'de> {
    fn visit_array<V: Visitor<'de>>(
        items: &'de [Value],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        let mut seq = SeqAccess {
            items: items.iter(),
            index: 0,
        };
        let out = visitor.visit_seq(&mut seq)?;
        if seq.items.len() == 0 {
            Ok(out)
        } else {
            Err(de::Error::invalid_length(
                items.len(),
                &"fewer elements in array",
            ))
        }
    }

    fn visit_object<V: Visitor<'de>>(
        map: &'de serde_json::Map<String, Value>,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        let mut access = MapAccess {
            entries: map.iter(),
            value: None,
        };
        let out = visitor.visit_map(&mut access)?;
        if access.entries.len() == 0 {
            Ok(out)
        } else {
            Err(de::Error::invalid_length(
                map.len(),
                &"fewer elements in map",
            ))
        }
    }
}

impl<'de> de::Deserializer<'de> for TreeDeserializer<'de> {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self.0 {
            Value::Array(items) => Self::visit_array(items, visitor),
            Value::Object(map) => Self::visit_object(map, visitor),
            other => Ok(other.deserialize_any(visitor)?),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        match self.0 {
            Value::Object(map) => {
                let mut entries = map.iter();
                match (entries.next(), entries.next()) {
                    (Some((variant, value)), None) => visitor.visit_enum(EnumAccess {
                        variant,
                        value: Some(value),
                    }),
                    _ => Err(de::Error::invalid_value(
                        Unexpected::Map,
                        &"map with a single key",
                    )),
                }
            }
            Value::String(variant) => visitor.visit_enum(EnumAccess {
                variant,
                value: None,
            }),
            other => Err(de::Error::invalid_type(unexpected(other), &"string or map")),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self.0 {
            Value::Array(items) => Self::visit_array(items, visitor),
            other => Ok(other.deserialize_bytes(visitor)?),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self.0 {
            Value::Array(items) => Self::visit_array(items, visitor),
            other => Ok(other.deserialize_seq(visitor)?),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match self.0 {
            Value::Object(map) => Self::visit_object(map, visitor),
            other => Ok(other.deserialize_map(visitor)?),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        match self.0 {
            Value::Array(items) => Self::visit_array(items, visitor),
            Value::Object(map) => Self::visit_object(map, visitor),
            other => Ok(other.deserialize_map(visitor)?),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_unit(visitor)
    }

    delegate! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_unit deserialize_identifier deserialize_ignored_any
    }
}

struct SeqAccess<'de> {
    items: std::slice::Iter<'de, Value>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = TreeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, TreeError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(TreeDeserializer(item))
            .map(Some)
            .map_err(|e| e.at(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'de> {
    entries: serde_json::map::Iter<'de>,
    /// The entry whose key was read last, for its value.
    value: Option<(&'de String, &'de Value)>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = TreeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, TreeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        seed.deserialize(KeyDeserializer(key))
            .map(Some)
            .map_err(|e| e.at(Segment::Key(key.clone())))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TreeError> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("value is missing"));
        };
        seed.deserialize(TreeDeserializer(value))
            .map_err(|e| e.at(Segment::Key(key.clone())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key: always a string in a JSON tree. Not parsed as a number or bool (see
/// [`from_value`]).
struct KeyDeserializer<'de>(&'de str);

impl<'de> de::Deserializer<'de> for KeyDeserializer<'de> {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        visitor.visit_enum(EnumAccess {
            variant: self.0,
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

struct EnumAccess<'de> {
    variant: &'de str,
    value: Option<&'de Value>,
}

impl<'de> de::EnumAccess<'de> for EnumAccess<'de> {
    type Error = TreeError;
    type Variant = VariantAccess<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantAccess<'de>), TreeError> {
        let variant =
            seed.deserialize(de::value::StrDeserializer::<TreeError>::new(self.variant))?;
        Ok((
            variant,
            VariantAccess {
                variant: self.variant,
                value: self.value,
            },
        ))
    }
}

struct VariantAccess<'de> {
    variant: &'de str,
    value: Option<&'de Value>,
}

impl<'de> VariantAccess<'de> {
    fn here(&self) -> impl FnOnce(TreeError) -> TreeError + '_ {
        |e| e.at(Segment::Key(self.variant.to_owned()))
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'de> {
    type Error = TreeError;

    fn unit_variant(self) -> Result<(), TreeError> {
        match self.value {
            Some(value) => <()>::deserialize(value).map_err(|e| self.here()(e.into())),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, TreeError> {
        let result = match self.value {
            Some(value) => seed.deserialize(TreeDeserializer(value)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        };
        result.map_err(self.here())
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        let result = match self.value {
            Some(Value::Array(items)) if items.is_empty() => visitor.visit_unit(),
            Some(Value::Array(items)) => TreeDeserializer::visit_array(items, visitor),
            Some(other) => Err(de::Error::invalid_type(unexpected(other), &"tuple variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        };
        result.map_err(self.here())
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        let result = match self.value {
            Some(Value::Object(map)) => TreeDeserializer::visit_object(map, visitor),
            Some(other) => Err(de::Error::invalid_type(
                unexpected(other),
                &"struct variant",
            )),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        };
        result.map_err(self.here())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        items: Vec<Inner>,
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        data: Option<Value>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        n: u32,
        kind: Kind,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Kind {
        Up,
        Down,
    }

    /// Every shape of externally tagged enum, an option of a struct, a tuple and a map.
    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Shape {
        Unit,
        Newtype(Inner),
        Tuple(u8, String),
        Struct {
            inner: Option<Inner>,
            tags: Vec<String>,
        },
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Shapes {
        shapes: Vec<Shape>,
        pair: Option<(u8, bool)>,
        named: std::collections::BTreeMap<String, Inner>,
        #[serde(default)]
        any: Value,
    }

    /// `from_value` and an always-tracked `serde_path_to_error` read of `value` agree: both
    /// succeed, or both fail with the same path and message.
    fn assert_agrees<T: DeserializeOwned + std::fmt::Debug>(
        value: &Value,
    ) -> Option<(String, String)> {
        match (
            from_value::<T>(value),
            serde_path_to_error::deserialize::<_, T>(value),
        ) {
            (Ok(_), Ok(_)) => None,
            (Err(got), Err(want)) => {
                let got = pair(got);
                assert_eq!(
                    got,
                    (want.path().to_string(), want.inner().to_string()),
                    "{value}"
                );
                Some(got)
            }
            (got, want) => panic!("{value}: from_value {got:?}, tracked {want:?}"),
        }
    }

    /// Replaces each node of `value` in turn with values of every kind and checks
    /// [`assert_agrees`] on each; returns how many of them failed.
    fn sweep<T: DeserializeOwned + std::fmt::Debug>(value: &Value) -> usize {
        let kinds = [
            json!(null),
            json!(true),
            json!(7),
            json!(-1),
            json!(1.5),
            json!("x"),
            json!("UNIT"),
            json!([]),
            json!([1, "a"]),
            json!({}),
            json!({"zz": 1}),
        ];
        let mut pointers = Vec::new();
        fn collect(value: &Value, at: String, out: &mut Vec<String>) {
            out.push(at.clone());
            match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        collect(item, format!("{at}/{i}"), out);
                    }
                }
                Value::Object(map) => {
                    for (k, v) in map {
                        collect(
                            v,
                            format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                            out,
                        );
                    }
                }
                _ => {}
            }
        }
        collect(value, String::new(), &mut pointers);
        let mut failures = 0;
        assert!(
            assert_agrees::<T>(value).is_none(),
            "the unchanged document reads"
        );
        for pointer in &pointers {
            for kind in &kinds {
                let mut changed = value.clone();
                *changed.pointer_mut(pointer).unwrap() = kind.clone();
                failures += usize::from(assert_agrees::<T>(&changed).is_some());
            }
            if !pointer.is_empty() {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                let mut changed = value.clone();
                match changed.pointer_mut(parent).unwrap() {
                    Value::Object(map) => {
                        map.remove(key);
                        map.insert("unexpectedKey".into(), json!(1));
                    }
                    Value::Array(items) => items.push(json!({"extra": [1]})),
                    _ => {}
                }
                failures += usize::from(assert_agrees::<T>(&changed).is_some());
            }
        }
        failures
    }

    /// What an always-tracked read gives: the reference both passes must agree with.
    fn tracked_text<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> (String, String) {
        let e =
            serde_path_to_error::deserialize::<_, T>(&mut serde_json::Deserializer::from_str(text))
                .unwrap_err();
        (e.path().to_string(), e.inner().to_string())
    }

    fn tracked_value<T: DeserializeOwned + std::fmt::Debug>(value: &Value) -> (String, String) {
        let e = serde_path_to_error::deserialize::<_, T>(value).unwrap_err();
        (e.path().to_string(), e.inner().to_string())
    }

    fn pair(e: PathError) -> (String, String) {
        (e.path, e.error.to_string())
    }

    #[test]
    fn good_input_reads_the_same_through_every_reader() {
        let value = json!({"items": [{"n": 1, "kind": "UP"}], "label": "x"});
        let text = value.to_string();
        let expected = Outer {
            items: vec![Inner {
                n: 1,
                kind: Kind::Up,
            }],
            label: Some("x".into()),
            data: None,
        };
        assert_eq!(from_value::<Outer>(&value).unwrap(), expected);
        assert_eq!(from_str_start::<Outer>(&text).unwrap(), expected);
        assert_eq!(from_whole_str::<Outer>(&text).unwrap(), expected);
    }

    #[test]
    fn a_nested_failure_in_a_tree_names_the_same_path_and_message_as_a_tracked_read() {
        let cases = [
            (
                json!({"items": [{"n": 1, "kind": "UP"}, {"n": "2", "kind": "UP"}]}),
                "items[1].n",
                "invalid type: string \"2\", expected u32",
            ),
            (
                json!({"items": [{"n": 1, "kind": "SIDEWAYS"}]}),
                "items[0].kind",
                "unknown variant `SIDEWAYS`, expected `UP` or `DOWN`",
            ),
            (
                json!({"items": [{"n": 1, "kind": "UP", "extra": true}]}),
                "items[0].extra",
                "unknown field `extra`, expected `n` or `kind`",
            ),
            (json!({"label": "x"}), ".", "missing field `items`"),
        ];
        for (value, path, message) in cases {
            let got = pair(from_value::<Outer>(&value).unwrap_err());
            assert_eq!(got, (path.to_owned(), message.to_owned()), "{value}");
            assert_eq!(got, tracked_value::<Outer>(&value), "{value}");
        }
    }

    #[test]
    fn every_enum_shape_option_tuple_and_map_fails_where_a_tracked_read_fails() {
        let good = json!({
            "shapes": ["Unit", {"Newtype": {"n": 1, "kind": "UP"}}, {"Tuple": [1, "a"]},
                       {"Struct": {"inner": {"n": 2, "kind": "DOWN"}, "tags": ["t"]}}],
            "pair": [1, true],
            "named": {"a": {"n": 3, "kind": "UP"}},
            "any": {"deep": [1, {"x": null}]}
        });
        assert!(from_value::<Shapes>(&good).is_ok());
        let failures = sweep::<Shapes>(&good);
        assert!(failures > 100, "{failures}");
        let pinned = [
            (
                json!({"shapes": [{"Newtype": {"n": "1", "kind": "UP"}}], "pair": null, "named": {}}),
                "shapes[0].Newtype.n",
                "invalid type: string \"1\", expected u32",
            ),
            (
                json!({"shapes": ["Newtype"], "pair": null, "named": {}}),
                "shapes[0].Newtype",
                "invalid type: unit variant, expected newtype variant",
            ),
            (
                json!({"shapes": [{"Unit": 1}], "pair": null, "named": {}}),
                "shapes[0].Unit",
                "invalid type: integer `1`, expected unit",
            ),
            (
                json!({"shapes": [{"Nope": 1}], "pair": null, "named": {}}),
                "shapes[0]",
                "unknown variant `Nope`, expected one of `Unit`, `Newtype`, `Tuple`, `Struct`",
            ),
            (
                json!({"shapes": [], "pair": [1, true, 3], "named": {}}),
                "pair",
                "invalid length 3, expected fewer elements in array",
            ),
            (
                json!({"shapes": [], "pair": null, "named": {"a b": {"n": 1}}}),
                "named.a b",
                "missing field `kind`",
            ),
            (
                json!([[]]),
                ".",
                "invalid length 1, expected struct Shapes with 4 elements",
            ),
        ];
        for (value, path, message) in pinned {
            assert_eq!(
                assert_agrees::<Shapes>(&value),
                Some((path.to_owned(), message.to_owned()))
            );
        }
        let top: Value = json!([{"n": 1, "kind": "UP"}, {"n": 1, "kind": 5}]);
        assert_eq!(
            assert_agrees::<Vec<Inner>>(&top),
            Some((
                "[1].kind".to_owned(),
                "invalid type: integer `5`, expected string or map".to_owned()
            ))
        );
    }

    #[test]
    fn the_crates_documents_fail_where_a_tracked_read_fails() {
        let mapping: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/mappings/hubspot-deal.mapping.json"
        ))
        .unwrap();
        assert!(sweep::<crate::core::mapping::Mapping>(&mapping) > 100);
        let mapping: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/mappings/salesforce-opportunity.mapping.json"
        ))
        .unwrap();
        assert!(sweep::<crate::core::mapping::Mapping>(&mapping) > 100);
        let payload: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/playbook-create-contract.json"
        ))
        .unwrap();
        assert!(sweep::<crate::core::payload::CreateContractPayload>(&payload) > 100);
        let metadata: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/templates/template-1204-metadata.json"
        ))
        .unwrap();
        assert!(
            sweep::<Vec<crate::core::template::TemplateAttribute>>(&metadata["attributes"]) > 50
        );
    }

    #[test]
    fn a_nested_failure_in_text_names_the_same_path_and_message_as_a_tracked_read() {
        let cases = [
            (
                r#"{"items": [{"n": 1, "kind": "UP"}, {"n": -4, "kind": "UP"}]}"#,
                "items[1].n",
                "invalid value: integer `-4`, expected u32 at line 1 column 43",
            ),
            // A syntax error is found by the tracked pass too, with the path it had reached.
            (
                r#"{"items": [{"n": 1, "kind": "UP"}, {"n": 2, "kind": "UP""#,
                "items[1].?",
                "EOF while parsing an object at line 1 column 56",
            ),
            (
                r#"{"items": [{"n": 1, "kind": "DOWN", "x": 0}]}"#,
                "items[0].x",
                "unknown field `x`, expected `n` or `kind` at line 1 column 39",
            ),
        ];
        for (text, path, message) in cases {
            let want = (path.to_owned(), message.to_owned());
            assert_eq!(tracked_text::<Outer>(text), want, "{text}");
            assert_eq!(
                pair(from_str_start::<Outer>(text).unwrap_err()),
                want,
                "{text}"
            );
            assert_eq!(
                pair(from_whole_str::<Outer>(text).unwrap_err()),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn nesting_past_serde_jsons_limit_is_an_error_with_its_path_not_a_crash() {
        let text = format!(
            r#"{{"items": [], "data": {}1{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let want = tracked_text::<Outer>(&text);
        assert!(want.0.starts_with("data[0][0]"), "{want:?}");
        assert!(want.1.starts_with("recursion limit exceeded"), "{}", want.1);
        assert_eq!(pair(from_str_start::<Outer>(&text).unwrap_err()), want);
    }

    #[test]
    fn trailing_text_is_ignored_by_the_start_reader_and_refused_by_the_whole_reader() {
        let text = r#"{"items": []} x"#;
        assert_eq!(
            from_str_start::<Outer>(text).unwrap(),
            Outer {
                items: vec![],
                label: None,
                data: None,
            }
        );
        let (path, message) = pair(from_whole_str::<Outer>(text).unwrap_err());
        assert_eq!(path, ".");
        assert_eq!(message, "trailing characters at line 1 column 15");
    }
}
