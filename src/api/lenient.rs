//! Lenient reading of SpotDraft's response fields where its documents disagree with each
//! other, and strict reading where a wrong value would do harm.
//!
//! SpotDraft types the same id as a string in one schema and an integer in another (see
//! `shared/spotdraft-api.md` §3, §11.5), marks fields required that examples omit, and sends
//! `null` for absent text. So: ids are accepted as an integer or a string of digits, but
//! never as anything else and never above 2^53 − 1 (JS could not hold them exactly, and an
//! id off by one addresses another object); text is accepted as a string, a number or
//! `null`. No IO.

use super::HttpResponse;
use crate::error::{Error, ErrorCode};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub(crate) const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// An id given as a JSON integer or a string of ASCII digits (surrounding spaces ignored),
/// at most [`MAX_SAFE_INTEGER`]. Does not accept floats, signs or empty strings.
pub(crate) fn id_value(value: &Value) -> Option<u64> {
    let id = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => {
            let digits = s.trim();
            if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            digits.parse().ok()?
        }
        _ => return None,
    };
    (id <= MAX_SAFE_INTEGER).then_some(id)
}

/// Text from a string, a number (written as JSON writes it) or nothing (`null`, absent).
pub(crate) fn text_value(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `INVALID_RESPONSE` for `operation`'s response, naming the JSON `path` and the `problem`.
///
/// The message is built only from `path` and `problem`, never from the response body, so
/// callers that parse secrets (an HMAC key) or signed URLs can use it without leaking them.
pub(crate) fn invalid_response(
    operation: &str,
    response: &HttpResponse,
    path: &str,
    problem: &str,
) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        format!(
            "SpotDraft's response to {operation} could not be understood at `{path}`: {problem}. \
             If you use a proxy, check that it passes SpotDraft's JSON through unchanged."
        ),
    )
    .with_status(response.status)
    .with_request_id(response.request_id())
}

/// Serde helper: a required id, as [`id_value`] reads it.
///
/// # Errors
/// When the value is not an integer or a digit string within the safe range; the message
/// does not quote the value.
pub(crate) fn deserialize_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    id_value(&value).ok_or_else(|| {
        serde::de::Error::custom(
            "expected an id: a non-negative integer (or a string of digits) up to 2^53 - 1",
        )
    })
}

/// Serde helper: an optional id; `null` and an absent field are `None`.
///
/// # Errors
/// As [`deserialize_id`] for a value that is present and not `null`.
pub(crate) fn deserialize_opt_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => id_value(&value).map(Some).ok_or_else(|| {
            serde::de::Error::custom(
                "expected an id: a non-negative integer (or a string of digits) up to 2^53 - 1",
            )
        }),
    }
}

/// Serde helper: text that may be `null`, absent or a number; `null` becomes `""`.
///
/// # Errors
/// When the value is an array, object or boolean.
pub(crate) fn deserialize_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(value) => text_value(Some(&value))
            .ok_or_else(|| serde::de::Error::custom("expected text (a string)")),
    }
}

/// Serde helper: optional text; `null` and absent are `None`.
///
/// # Errors
/// When the value is an array, object or boolean.
pub(crate) fn deserialize_opt_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => text_value(Some(&value))
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("expected text (a string)")),
    }
}

/// Serde helper: a list of strings that may be `null` or absent (both become empty).
///
/// # Errors
/// When the value is not an array of strings.
pub(crate) fn deserialize_strings<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_integers_or_digit_strings_within_the_js_safe_range() {
        assert_eq!(id_value(&json!(511)), Some(511));
        assert_eq!(id_value(&json!("511")), Some(511));
        assert_eq!(id_value(&json!(" 7 ")), Some(7));
        assert_eq!(id_value(&json!(MAX_SAFE_INTEGER)), Some(MAX_SAFE_INTEGER));
        for bad in [
            json!(MAX_SAFE_INTEGER + 1),
            json!("9007199254740992"),
            json!(-1),
            json!(1.5),
            json!(""),
            json!("T-1"),
            json!("+1"),
            json!(null),
            json!(true),
            json!([1]),
        ] {
            assert_eq!(id_value(&bad), None, "{bad}");
        }
    }

    #[test]
    fn text_accepts_strings_numbers_and_null() {
        assert_eq!(text_value(Some(&json!("a"))).as_deref(), Some("a"));
        assert_eq!(text_value(Some(&json!(10))).as_deref(), Some("10"));
        assert_eq!(text_value(Some(&json!(null))), None);
        assert_eq!(text_value(None), None);
        assert_eq!(text_value(Some(&json!({}))), None);
    }

    #[test]
    fn serde_helpers_do_not_quote_the_value() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct S {
            #[serde(deserialize_with = "deserialize_id")]
            id: u64,
        }
        let error = serde_json::from_str::<S>(r#"{"id":"secret-ish"}"#).unwrap_err();
        assert!(!error.to_string().contains("secret-ish"), "{error}");
    }
}
