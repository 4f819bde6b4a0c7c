//! Deserialising with the JSON path of a failure (`fields[3].op`), the one place the crate
//! does it, with the paths and messages `serde_path_to_error` over serde_json gives.
//!
//! - A JSON tree ([`from_value`]) is read once by a deserialiser that tracks nothing on the
//!   way down: a failure collects the keys and indexes as it returns, so a good tree costs a
//!   plain read and no key is copied (`serde_path_to_error` copies every key it passes).
//! - JSON text ([`from_str_start`], [`from_whole_str`]) is parsed into a tree first, then
//!   read as a tree: every type has one deserialiser in the module (the tree's), not a
//!   second one over text wrapped in `serde_path_to_error`'s trackers (issue #14: −21.3 KiB
//!   gzip on the full package, −11.4 on the receiver's; costs up to ~20 % on reading a large
//!   template from text each call; BENCHMARKS.md, "Weight, session 11").
//!
//! What this does not do: read a stream (the input must be in memory), report more than the
//! first failure, give a wrong *value*'s line and column (its JSON path says where it is), or
//! give a syntax error's path (it has serde_json's line and column instead).

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

pub(crate) use spotdraft_validate::tree::{from_value, PathError};

/// The JSON value at the start of `text`, as a tree, and the deserialiser where it ended.
///
/// A syntax error (or serde_json's nesting limit of 128) has path `.` and serde_json's line
/// and column. Tracking the path a syntax error had reached would take a tracked parse on
/// the failure path: measured +2.4 KiB gzip on the receiver's build for errors that text
/// from `JSON.stringify` or from SpotDraft does not have.
fn tree_at_start(
    text: &str,
) -> Result<(Value, serde_json::Deserializer<serde_json::de::StrRead<'_>>), PathError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let tree = Value::deserialize(&mut deserializer).map_err(|error| PathError {
        path: ".".to_owned(),
        error,
    })?;
    Ok((tree, deserializer))
}

/// `T` from the JSON value at the start of `text`: parsed into a tree, then read as one
/// ([`from_value`]). Trailing text after the value is not looked at (see [`from_whole_str`]).
///
/// A wrong value's error is serde_json's message with its JSON path and without a line and
/// column (the tree has none); a syntax error has path `.` with its line and column.
///
/// # Errors
/// The path and serde_json error of the first bad value, or of a syntax error in the text.
pub(crate) fn from_str_start<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    let (tree, _) = tree_at_start(text)?;
    from_value(&tree)
}

/// `T` from `text`, which must hold one JSON value and nothing but whitespace after it
/// (read as [`from_str_start`]).
///
/// # Errors
/// As [`from_str_start`]; trailing characters give path `.` and serde_json's
/// "trailing characters" error, before the value is read as `T`.
pub(crate) fn from_whole_str<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    let (tree, mut deserializer) = tree_at_start(text)?;
    deserializer.end().map_err(|error| PathError {
        path: ".".to_owned(),
        error,
    })?;
    from_value(&tree)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

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
        use crate::core::{mapping::Mapping, payload::CreateContractPayload, template};
        let doc = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
        let hubspot = doc(include_str!(
            "../../tests/fixtures/mappings/hubspot-deal.mapping.json"
        ));
        let salesforce = doc(include_str!(
            "../../tests/fixtures/mappings/salesforce-opportunity.mapping.json"
        ));
        let payload = doc(include_str!(
            "../../tests/fixtures/playbook-create-contract.json"
        ));
        let metadata = doc(include_str!(
            "../../tests/fixtures/templates/template-1204-metadata.json"
        ));
        assert!(sweep::<Mapping>(&hubspot) > 100);
        assert!(sweep::<Mapping>(&salesforce) > 100);
        assert!(sweep::<CreateContractPayload>(&payload) > 100);
        assert!(sweep::<Vec<template::TemplateAttribute>>(&metadata["attributes"]) > 50);
        assert!(sweep::<template::TemplateMetadata>(&metadata) > 50);
    }

    #[test]
    fn a_nested_failure_in_text_names_the_same_path_and_message_as_a_tracked_read() {
        // (text, path, message): a wrong value's message is the tracked read's without its
        // " at line L column C" (the path says where).
        let cases = [
            (
                r#"{"items": [{"n": 1, "kind": "UP"}, {"n": -4, "kind": "UP"}]}"#,
                "items[1].n",
                "invalid value: integer `-4`, expected u32",
            ),
            (
                r#"{"items": [{"n": 1, "kind": "DOWN", "x": 0}]}"#,
                "items[0].x",
                "unknown field `x`, expected `n` or `kind`",
            ),
        ];
        for (text, path, message) in cases {
            let (tracked_path, tracked_message) = tracked_text::<Outer>(text);
            assert_eq!(tracked_path, path, "{text}");
            assert!(
                tracked_message.starts_with(message),
                "{text}: {tracked_message}"
            );
            let want = (path.to_owned(), message.to_owned());
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
    fn a_syntax_error_has_its_line_and_column_at_the_root_path() {
        let text = r#"{"items": [{"n": 1, "kind": "UP"}, {"n": 2, "kind": "UP""#;
        let want = (
            ".".to_owned(),
            "EOF while parsing an object at line 1 column 56".to_owned(),
        );
        assert_eq!(pair(from_str_start::<Outer>(text).unwrap_err()), want);
        assert_eq!(pair(from_whole_str::<Outer>(text).unwrap_err()), want);
    }

    #[test]
    fn nesting_past_serde_jsons_limit_is_an_error_not_a_crash() {
        let text = format!(
            r#"{{"items": [], "data": {}1{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let (path, message) = pair(from_str_start::<Outer>(&text).unwrap_err());
        assert_eq!(path, ".");
        assert!(
            message.starts_with("recursion limit exceeded at line 1 column "),
            "{message}"
        );
        // 127 levels inside the object are read.
        let text = format!(
            r#"{{"items": [], "data": {}1{}}}"#,
            "[".repeat(126),
            "]".repeat(126)
        );
        assert!(from_str_start::<Outer>(&text).is_ok());
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
