//! JS values ⇄ Rust values at the boundary.
//!
//! Arguments are deserialised with the JSON path of the failure, so `{ region: "xx" }` gives
//! `INVALID_ARGUMENT` for `options.region`, never a panic or an opaque serde message.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Deserialises argument `name` from `value`.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name` (and the inner path) when `value` is missing or has the
/// wrong shape.
pub fn from_js<T: DeserializeOwned>(name: &str, value: JsValue) -> Result<T> {
    if value.is_undefined() || value.is_null() {
        return Err(Error::invalid_argument(
            name,
            "is required but was undefined or null",
        ));
    }
    let deserializer = serde_wasm_bindgen::Deserializer::from(value);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." {
            name.to_owned()
        } else {
            format!("{name}.{inner}")
        };
        let message = e.inner().to_string();
        let message = message.strip_prefix("Error: ").unwrap_or(&message);
        Error::invalid_argument(&path, message)
    })
}

/// Reads a required string argument.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name` unless `value` is a string.
pub fn string_arg(name: &str, value: &JsValue) -> Result<String> {
    value.as_string().ok_or_else(|| {
        Error::invalid_argument(name, format!("must be a string, got {}", type_name(value)))
    })
}

/// Serialises `value` as plain JS data (objects, not `Map`s).
///
/// # Errors
/// `INTERNAL` if serialisation fails (it does not for the crate's own types).
pub fn to_js_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).map_err(Error::internal)
}

/// A short description of a JS value's type for messages (never its content).
pub fn type_name(value: &JsValue) -> String {
    if value.is_undefined() {
        "undefined".into()
    } else if value.is_null() {
        "null".into()
    } else if value.is_string() {
        "a string".into()
    } else if value.as_f64().is_some() {
        "a number".into()
    } else if value.as_bool().is_some() {
        "a boolean".into()
    } else if value.is_function() {
        "a function".into()
    } else if js_sys::Array::is_array(value) {
        "an array".into()
    } else {
        "an object".into()
    }
}
