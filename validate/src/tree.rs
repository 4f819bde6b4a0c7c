//! Reading a JSON tree into a type with the JSON path of a failure (`fields[3].op`), the
//! path collected only when it fails. Here, not in spotdraft-sync, so that
//! `TemplateMetadata::from_value` uses it too; spotdraft-sync re-exports it as
//! `core::tracked::from_value` (its tests pin it against `serde_path_to_error` over the
//! crate's documents).

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use serde::Deserialize;
use serde_json::{Error, Value};
use std::cell::RefCell;

/// A deserialisation failure with the JSON path where it happened.
#[derive(Debug)]
pub struct PathError {
    /// `serde_path_to_error`'s rendering: `fields[3].op`, `[2].x` for a top-level index,
    /// `.` for the root.
    pub path: String,
    /// serde_json's error, message and position unchanged.
    pub error: serde_json::Error,
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
/// `serde_path_to_error`. A `Deserialize` impl that recovers from a failure of this
/// deserialiser and goes on reading would leave that failure's segments behind for a later
/// one (none of the crate's types do: their lenient readers buffer, as untagged enums).
///
/// # Errors
/// The path and serde_json error of the first bad value.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, PathError> {
    let track = Track::default();
    T::deserialize(TreeDeserializer {
        value,
        track: &track,
    })
    .map_err(|error| PathError {
        path: track.render(),
        error,
    })
}

/// One segment of a failure's path.
#[derive(Debug)]
enum Segment {
    Index(usize),
    /// A map key or an enum variant (rendered alike).
    Key(String),
}

/// The segments a failure passed on its way out, innermost first. The error type stays
/// serde_json's, so serde's buffering and string deserialisers are the ones the rest of the
/// crate already has (a path-carrying error type measured 18 KiB gzip more).
#[derive(Default)]
struct Track(RefCell<Vec<Segment>>);

impl Track {
    fn leave(&self, segment: Segment) {
        self.0.borrow_mut().push(segment);
    }

    /// Rendered as `serde_path_to_error::Path` renders: `a.b[2].c`, `[3].x`, `.` for the root.
    fn render(&self) -> String {
        let mut path = String::new();
        for (i, segment) in self.0.borrow().iter().rev().enumerate() {
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
        path
    }
}

/// serde's name for what a value is, as serde_json's own `&Value` deserialiser says it.
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

fn invalid_type(value: &Value, expected: &dyn de::Expected) -> Error {
    de::Error::invalid_type(unexpected(value), expected)
}

/// serde_json's `&Value` deserialiser, but with its own map, sequence and enum access so a
/// failure learns where it happened. Only methods that cannot meet an array or an object go
/// to serde_json's deserialiser (handing it the others would instantiate its own walk of
/// every type as well).
#[derive(Clone, Copy)]
struct TreeDeserializer<'de, 't> {
    value: &'de Value,
    track: &'t Track,
}

/// Hands `method` to serde_json's `&Value` deserialiser (for methods that visit no inside).
macro_rules! delegate {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.value.$method(visitor)
        }
    )*};
}

impl<'de, 't> TreeDeserializer<'de, 't> {
    fn visit_array<V: Visitor<'de>>(
        self,
        items: &'de [Value],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut seq = SeqAccess {
            items: items.iter(),
            index: 0,
            track: self.track,
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
        self,
        map: &'de serde_json::Map<String, Value>,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut access = MapAccess {
            entries: map.iter(),
            value: None,
            track: self.track,
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

impl<'de> de::Deserializer<'de> for TreeDeserializer<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => self.visit_array(items, visitor),
            Value::Object(map) => self.visit_object(map, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => {
                let mut entries = map.iter();
                match (entries.next(), entries.next()) {
                    (Some((variant, value)), None) => visitor.visit_enum(EnumAccess {
                        variant,
                        value: Some(value),
                        track: self.track,
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
                track: self.track,
            }),
            other => Err(invalid_type(other, &"string or map")),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => self.visit_array(items, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(items) => self.visit_array(items, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => self.visit_object(map, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(items) => self.visit_array(items, visitor),
            Value::Object(map) => self.visit_object(map, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    delegate! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_unit deserialize_identifier deserialize_ignored_any
    }
}

struct SeqAccess<'de, 't> {
    items: std::slice::Iter<'de, Value>,
    index: usize,
    track: &'t Track,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        let track = self.track;
        seed.deserialize(TreeDeserializer { value, track })
            .map(Some)
            .inspect_err(|_| {
                track.leave(Segment::Index(index));
            })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'de, 't> {
    entries: serde_json::map::Iter<'de>,
    /// The entry whose key was read last, for its value.
    value: Option<(&'de String, &'de Value)>,
    track: &'t Track,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        seed.deserialize(KeyDeserializer {
            key,
            track: self.track,
        })
        .map(Some)
        .inspect_err(|_| {
            self.track.leave(Segment::Key(key.clone()));
        })
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("value is missing"));
        };
        let track = self.track;
        seed.deserialize(TreeDeserializer { value, track })
            .inspect_err(|_| {
                track.leave(Segment::Key(key.clone()));
            })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key: always a string in a JSON tree. Not parsed as a number or bool (see
/// [`from_value`]).
struct KeyDeserializer<'de, 't> {
    key: &'de str,
    track: &'t Track,
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.key)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(EnumAccess {
            variant: self.key,
            value: None,
            track: self.track,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

struct EnumAccess<'de, 't> {
    variant: &'de str,
    value: Option<&'de Value>,
    track: &'t Track,
}

impl<'de, 't> de::EnumAccess<'de> for EnumAccess<'de, 't> {
    type Error = Error;
    type Variant = EnumAccess<'de, 't>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, self))
    }
}

impl EnumAccess<'_, '_> {
    /// A failure inside the variant: its path gains the variant's name.
    fn inside<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        result.inspect_err(|_| {
            self.track.leave(Segment::Key(self.variant.to_owned()));
        })
    }
}

impl<'de> de::VariantAccess<'de> for EnumAccess<'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            Some(value) => self.inside(<()>::deserialize(value)),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        let result = match self.value {
            Some(value) => seed.deserialize(TreeDeserializer {
                value,
                track: self.track,
            }),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        };
        self.inside(result)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Some(Value::Array(items)) if items.is_empty() => visitor.visit_unit(),
            Some(value @ Value::Array(items)) => TreeDeserializer {
                value,
                track: self.track,
            }
            .visit_array(items, visitor),
            Some(other) => Err(invalid_type(other, &"tuple variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        };
        self.inside(result)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let result = match self.value {
            Some(value @ Value::Object(map)) => TreeDeserializer {
                value,
                track: self.track,
            }
            .visit_object(map, visitor),
            Some(other) => Err(invalid_type(other, &"struct variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        };
        self.inside(result)
    }
}
