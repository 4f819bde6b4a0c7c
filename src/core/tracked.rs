//! Deserialising with the JSON path of a failure, the path paid for only when it fails.
//!
//! Each reader runs plain serde over its input first. Only when that fails does it read the
//! same input again through `serde_path_to_error`, which tracks where it is and names the
//! failing path (`fields[3].op`). Both passes run the same `Deserialize` impl over the same
//! bytes or tree, so the second fails at the same place with the same serde message, and
//! callers see exactly what an always-tracked read gave them.
//!
//! What this does not do:
//! - The fast pass reports nothing but "it failed": its error is dropped, never shown.
//! - It reads only replayable inputs (`&str`, `&Value`). A stream, or a JS value whose
//!   getters could answer differently the second time, must first become one of those (the
//!   facade turns a JS argument into JSON text once and replays the text, never the JS
//!   value).
//! - It does not make a bad input cheap: a failing read costs two passes.
//! - If the tracked pass unexpectedly succeeds where the plain one failed (it cannot for
//!   deterministic `Deserialize` impls), its value is returned.

use serde::de::DeserializeOwned;
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

/// `T` from the JSON text at the start of `text`. Trailing text after the value is not
/// looked at (see [`from_whole_str`]).
///
/// # Errors
/// The path and serde_json error of the first bad value, or of a syntax error in the text.
pub(crate) fn from_str_start<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    if let Ok(value) = T::deserialize(&mut serde_json::Deserializer::from_str(text)) {
        return Ok(value);
    }
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
        .map_err(PathError::tracked)
}

/// `T` from `text`, which must hold one JSON value and nothing but whitespace after it.
///
/// # Errors
/// As [`from_str_start`]; trailing characters give path `.` and serde_json's
/// "trailing characters" error.
pub(crate) fn from_whole_str<T: DeserializeOwned>(text: &str) -> Result<T, PathError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = match T::deserialize(&mut deserializer) {
        Ok(value) => value,
        Err(_) => {
            deserializer = serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize(&mut deserializer).map_err(PathError::tracked)?
        }
    };
    deserializer.end().map_err(|error| PathError {
        path: ".".to_owned(),
        error,
    })?;
    Ok(value)
}

/// `T` from a JSON tree (borrowed: strings are copied out of it).
///
/// # Errors
/// The path and serde_json error of the first bad value.
pub(crate) fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, PathError> {
    if let Ok(out) = T::deserialize(value) {
        return Ok(out);
    }
    serde_path_to_error::deserialize(value).map_err(PathError::tracked)
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

    /// What an always-tracked read gives: the reference both passes must agree with.
    fn tracked_text<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> (String, String) {
        let e = serde_path_to_error::deserialize::<_, T>(&mut serde_json::Deserializer::from_str(
            text,
        ))
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
            assert_eq!(pair(from_str_start::<Outer>(text).unwrap_err()), want, "{text}");
            assert_eq!(pair(from_whole_str::<Outer>(text).unwrap_err()), want, "{text}");
        }
    }

    #[test]
    fn nesting_past_serde_jsons_limit_is_an_error_with_its_path_not_a_crash() {
        let text = format!(r#"{{"items": [], "data": {}1{}}}"#, "[".repeat(200), "]".repeat(200));
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
