//! The one set of JS ⇄ Rust conversions at the boundary: reading arguments, option objects
//! and webhook keys, writing results, describing thrown JS values, and a bare promise.
//!
//! Data arguments cross as JSON text (`JSON.stringify`, one native call) read by serde_json
//! with the JSON path of the failure: `{ region: "xx" }` gives `INVALID_ARGUMENT` for
//! `options.region`, serde_json's nesting limit turns hostile nesting into an error instead of
//! a stack overflow, and `#[serde(deny_unknown_fields)]` is enforced (serde-wasm-bindgen does
//! not enforce it). Option objects that also hold functions or an `AbortSignal` have those
//! taken out first ([`take_functions`], [`split_call_options`]); the rest is one derived
//! type, so its TypeScript, its parser and its allowed keys come from one definition.
//!
//! Nothing here knows a domain rule; nothing here logs a value.

#[cfg(feature = "client")]
use super::client::call_options_named;
#[cfg(feature = "client")]
use super::fetch::JsCall;
#[cfg(feature = "client")]
use crate::client::CallContext;
use crate::core::webhook::WebhookKey;
use crate::error::{Error, Result};
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_aux::serde_introspection::serde_introspect;
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The runtime's `TextEncoder`: present wherever this package runs (wasm-bindgen's own
    /// glue constructs one when the module loads).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> js_sys::Uint8Array;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// A short description of a JS value's type for messages (never its content).
pub(crate) fn type_name(value: &JsValue) -> String {
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
    } else if Array::is_array(value) {
        "an array".into()
    } else {
        "an object".into()
    }
}

/// `value[key]`, `undefined` when it cannot be read (never throws).
pub(crate) fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether `value` is `undefined` or `null`.
pub(crate) fn is_absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// The UTF-8 text of a JS string, `None` when `value` is not a string.
///
/// Same result as `JsValue::as_string` (lone surrogates become U+FFFD in both), but through
/// the native `TextEncoder.encode` and one bulk copy into wasm memory: `as_string` copies an
/// ASCII string with a JS loop, one char at a time, which measured 7 µs for the 1.3 KB
/// playbook body (25x `encode`) and was a fifth of a whole validation.
pub(crate) fn js_string(value: &JsValue) -> Option<String> {
    if !value.is_string() {
        return None;
    }
    let bytes = ENCODER.with(|encoder| encoder.encode(value)).to_vec();
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        // Cannot happen (`encode` emits UTF-8); the slow path gives the same text anyway.
        Err(_) => value.as_string(),
    }
}

/// Reads a required string argument.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name` unless `value` is a string.
pub(crate) fn string_arg(name: &str, value: &JsValue) -> Result<String> {
    js_string(value).ok_or_else(|| {
        Error::invalid_argument(name, format!("must be a string, got {}", type_name(value)))
    })
}

/// The JSON text of argument `name` (`JSON.stringify`). Does not check the shape.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name` when `value` is `undefined`, or has a cycle or a BigInt.
pub(crate) fn json_text(name: &str, value: &JsValue) -> Result<String> {
    if value.is_undefined() {
        return Err(Error::invalid_argument(
            name,
            "is required but was undefined",
        ));
    }
    let text = js_sys::JSON::stringify(value).map_err(|_| {
        Error::invalid_argument(
            name,
            "cannot be turned into JSON (it has a cycle, a BigInt, or is nested too deeply)",
        )
    })?;
    js_string(&text).ok_or_else(|| {
        Error::invalid_argument(name, format!("must be JSON data, got {}", type_name(value)))
    })
}

/// Argument `name` read as JSON data into `T`, with the failing path in the error
/// (`name.fields[3].op`). `#[serde(deny_unknown_fields)]` on `T` is enforced. The value
/// crosses as JSON text, parsed into a tree and read from it (`core::tracked`).
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name` (and the inner path) when `value` is missing or has the
/// wrong shape.
pub(crate) fn json_arg<T: DeserializeOwned>(name: &str, value: &JsValue) -> Result<T> {
    if is_absent(value) {
        return Err(Error::invalid_argument(
            name,
            "is required but was undefined or null",
        ));
    }
    let text = json_text(name, value)?;
    crate::core::tracked::from_str_start(&text).map_err(|e| {
        let inner = e.path;
        let path = if inner == "." {
            name.to_owned()
        } else {
            format!("{name}.{inner}")
        };
        let reason = e.error.to_string();
        let reason = reason.split(" at line ").next().unwrap_or_default();
        Error::invalid_argument(&path, crate::core::renamed::with_rename_hint(reason))
    })
}

/// A required options object `name` read into `T` (see [`json_arg`]).
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name` unless `value` is a plain object of `T`'s shape.
pub(crate) fn options_arg<T: DeserializeOwned>(name: &str, value: &JsValue) -> Result<T> {
    if !value.is_object() || Array::is_array(value) || value.is_function() {
        return Err(Error::invalid_argument(
            name,
            format!("must be an options object, got {}", type_name(value)),
        ));
    }
    refuse_non_finite(name, value)?;
    json_arg(name, value)
}

/// Refuses an option whose value is `NaN` or an infinity: JSON would turn it into `null`,
/// which reads as "not given" and would silently use the default. Checks the object's own
/// top-level values only (option objects are flat).
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name.key`.
fn refuse_non_finite(name: &str, options: &JsValue) -> Result<()> {
    for entry in Object::entries(options.unchecked_ref::<Object>()).iter() {
        let entry: Array = entry.unchecked_into();
        let number = entry.get(1).as_f64();
        if number.is_some_and(|n| !n.is_finite()) {
            let key = entry.get(0).as_string().unwrap_or_default();
            return Err(Error::invalid_argument(
                &format!("{name}.{key}"),
                format!(
                    "must be a finite number, got {}; leave it out to use the default",
                    number.map_or("NaN", |n| if n.is_nan() {
                        "NaN"
                    } else if n > 0.0 {
                        "Infinity"
                    } else {
                        "-Infinity"
                    })
                ),
            ));
        }
    }
    Ok(())
}

/// An optional options object: `undefined`/`null` give `T::default()`.
///
/// # Errors
/// As [`options_arg`].
pub(crate) fn optional_options_arg<T: DeserializeOwned + Default>(
    name: &str,
    value: Option<&JsValue>,
) -> Result<T> {
    match value {
        Some(value) if !is_absent(value) => options_arg(name, value),
        _ => Ok(T::default()),
    }
}

/// `value` as plain JS data (objects, not `Map`s), field by field through
/// serde-wasm-bindgen. Does not go through JSON text (see [`json_out`]).
///
/// # Errors
/// `INTERNAL` if serialisation fails (it does not for the crate's own types).
pub(crate) fn to_js_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).map_err(Error::internal)
}

/// `value` as plain JS data through JSON text: one `JSON.parse` instead of one boundary
/// crossing per field, which dominates the cost for events with many counterparties.
///
/// # Errors
/// `INTERNAL` if serialisation fails (it does not for the crate's own types).
pub(crate) fn json_out<T: Serialize>(value: &T) -> Result<JsValue> {
    let text = serde_json::to_string(value).map_err(Error::internal)?;
    js_sys::JSON::parse(&text).map_err(|_| Error::internal("JSON.parse refused serde_json output"))
}

/// The message of a thrown JS value: an `Error`'s `message`, a thrown string, or an object's
/// string `message`, else its type; followed by its `cause`'s message in parentheses when it
/// has one (Node's fetch hides the reason there). Never its other fields.
pub(crate) fn js_message(value: &JsValue) -> String {
    let text = |v: &JsValue| {
        v.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| v.as_string())
    };
    let mut message = text(value)
        .or_else(|| {
            value
                .is_object()
                .then(|| get(value, "message").as_string())
                .flatten()
        })
        .unwrap_or_else(|| type_name(value));
    if value.is_object() {
        if let Some(cause) = text(&get(value, "cause")) {
            message.push_str(&format!(" ({cause})"));
        }
    }
    message
}

/// A promise and its `resolve` / `reject` functions.
///
/// # Errors
/// `INTERNAL` if the `Promise` executor did not run synchronously (it always does).
pub(crate) fn deferred() -> Result<(Promise, Function, Function)> {
    let mut slots: Option<(Function, Function)> = None;
    let promise = Promise::new(&mut |resolve, reject| slots = Some((resolve, reject)));
    let (resolve, reject) = slots.ok_or_else(|| Error::internal("Promise executor did not run"))?;
    Ok((promise, resolve, reject))
}

/// Refuses a key of `options` that is not in `known` (`what` names the function in the
/// message). For option objects that are not (yet) one derived type; a derived type uses
/// `#[serde(deny_unknown_fields)]` through [`json_arg`] instead.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `options.{key}` and listing `known`.
pub(crate) fn refuse_unknown(options: &JsValue, known: &[&str], what: &str) -> Result<()> {
    for key in Object::keys(options.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
    {
        if !known.contains(&key.as_str()) {
            return Err(Error::invalid_argument(
                &format!("options.{key}"),
                format!(
                    "is not an option of {what}; the options are {}",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A shallow copy of `object` without `keys` (the object itself is not changed).
pub(crate) fn without(object: &JsValue, keys: &[&str]) -> JsValue {
    let copy = Object::assign(&Object::new(), object.unchecked_ref());
    for key in keys {
        let _ = Reflect::delete_property(&copy, &JsValue::from_str(key));
    }
    copy.into()
}

/// Reads the options `keys` that hold JS values JSON cannot carry (a client, a store, keys
/// checked by their own parser): each value (`undefined` when absent), and a copy of the
/// object in which each present one is `null`, for [`json_arg`] into a type that declares
/// them (so a missing required one is still named). Checks nothing about the values.
pub(crate) fn take_js_values<const N: usize>(
    options: &JsValue,
    keys: [&str; N],
) -> ([JsValue; N], JsValue) {
    let copy = Object::assign(&Object::new(), options.unchecked_ref());
    let values = keys.map(|key| {
        let key = JsValue::from_str(key);
        let value = Reflect::get(options, &key).unwrap_or_default();
        if Reflect::has(&copy, &key).unwrap_or(false) {
            let _ = Reflect::set(&copy, &key, &JsValue::NULL);
        }
        value
    });
    (values, copy.into())
}

/// Takes the function-valued options `keys` out of the options object `name`: each one
/// (`None` when absent), and a copy of the object without them, for [`json_arg`].
///
/// # Errors
/// `INVALID_ARGUMENT` naming `{name}.{key}` when one is present but not a function.
pub(crate) fn take_functions<const N: usize>(
    name: &str,
    options: &JsValue,
    keys: [&str; N],
) -> Result<([Option<Function>; N], JsValue)> {
    let mut taken: [Option<Function>; N] = std::array::from_fn(|_| None);
    for (slot, key) in taken.iter_mut().zip(keys) {
        let value = get(options, key);
        if is_absent(&value) {
            continue;
        }
        *slot = Some(value.dyn_into::<Function>().map_err(|other| {
            Error::invalid_argument(
                &format!("{name}.{key}"),
                format!("must be a function, got {}", type_name(&other)),
            )
        })?);
    }
    Ok((taken, without(options, &keys)))
}

/// A shallow copy of `object` with only those of `keys` it has (the object itself is not
/// changed).
fn only(object: &JsValue, keys: &[&str]) -> JsValue {
    let copy = Object::new();
    for key in keys {
        let key = JsValue::from_str(key);
        if Reflect::has(object, &key).unwrap_or(false) {
            let _ = Reflect::set(&copy, &key, &Reflect::get(object, &key).unwrap_or_default());
        }
    }
    copy.into()
}

/// Options of a single call; every method's `options` accepts them beside its own. This
/// one definition gives their TypeScript, their keys ([`call_option_keys`]) and their parser
/// ([`call_option_values`]); `signal` is read as the JS object it is.
#[cfg(feature = "client")]
#[derive(Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallOptions {
    /// Cancels the call; no retry or timer is left running.
    #[serde(default)]
    #[tsify(optional, type = "AbortSignal")]
    // Declared for the TypeScript and the allowed keys; the value is read as a JS value.
    #[allow(dead_code)]
    pub signal: Option<IgnoredAny>,
    /// Overrides the client's per-attempt timeout (ms, 1 to 600000).
    #[serde(default)]
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    /// Overrides the client's retry count for requests that are safe to repeat (0 to 10).
    #[serde(default)]
    #[tsify(optional)]
    pub max_retries: Option<f64>,
}

/// The key of [`CallOptions`] that holds a JS object (an `AbortSignal`), not JSON data.
pub(crate) const SIGNAL_KEY: &str = "signal";

/// The keys of [`CallOptions`] (from its serde definition), which [`split_call_options`]
/// takes out of a method's options.
#[cfg(feature = "client")]
pub(crate) fn call_option_keys() -> &'static [&'static str] {
    serde_introspect::<CallOptions>()
}

/// The JSON-valued call options of the options object `name` (every key but `signal`; other
/// keys are ignored here, they are the method's own).
///
/// # Errors
/// `INVALID_ARGUMENT` naming `{name}.{key}` for a value of the wrong type (ranges are the
/// caller's to check).
#[cfg(feature = "client")]
pub(crate) fn call_option_values(name: &str, options: &JsValue) -> Result<CallOptions> {
    let keys: Vec<&str> = call_option_keys()
        .iter()
        .copied()
        .filter(|key| *key != SIGNAL_KEY)
        .collect();
    options_arg(name, &only(options, &keys))
}

/// A numeric option `name` checked to be a whole number from `min` to `max` (`None` stays
/// `None`: the option was not given). Does not convert; the caller casts the checked value.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name`.
pub(crate) fn whole_number(
    name: &str,
    value: Option<f64>,
    min: f64,
    max: f64,
) -> Result<Option<f64>> {
    match value {
        Some(n) if n.fract() != 0.0 || n < min || n > max => Err(Error::invalid_argument(
            name,
            format!("must be a whole number from {min} to {max}"),
        )),
        other => Ok(other),
    }
}

/// A method's last argument `options`, `XOptions & CallOptions`: the call context (`signal`,
/// `timeoutMs`, `maxRetries`) and the rest (without those keys) for the method's own derived
/// options type. Absent options give the defaults and `None`.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `options` or `options.{key}` for a bad call option or a value
/// that is not an object.
#[cfg(feature = "client")]
pub(crate) fn split_call_options(
    name: &str,
    options: Option<&JsValue>,
) -> Result<(CallContext<JsCall>, Option<JsValue>)> {
    let Some(options) = options.filter(|o| !is_absent(o)) else {
        return Ok((call_options_named(name, None)?, None));
    };
    if !options.is_object() || Array::is_array(options) || options.is_function() {
        return Err(Error::invalid_argument(
            name,
            format!("must be an options object, got {}", type_name(options)),
        ));
    }
    let ctx = call_options_named(name, Some(options.unchecked_ref()))?;
    Ok((ctx, Some(without(options, call_option_keys()))))
}

/// The webhook keys of argument `name`: SpotDraft's `hmac_key` (one base64 string) or an
/// array of them. `[]` is returned as it is (the caller decides whether it may be empty);
/// `empty_allowed` only adds that `[]` is accepted to the message. Does not check a key
/// against a delivery.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `name` or `name[i]`.
pub(crate) fn webhook_keys_arg(
    name: &str,
    value: &JsValue,
    empty_allowed: bool,
) -> Result<Vec<WebhookKey>> {
    if let Some(text) = value.as_string() {
        return Ok(vec![WebhookKey::from_base64_arg(name, &text)?]);
    }
    if Array::is_array(value) {
        let keys = value
            .unchecked_ref::<Array>()
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let item_name = format!("{name}[{i}]");
                let text = item.as_string().ok_or_else(|| {
                    Error::invalid_argument(
                        &item_name,
                        format!(
                            "must be a base64 string (SpotDraft's hmac_key), got {}",
                            type_name(&item)
                        ),
                    )
                })?;
                WebhookKey::from_base64_arg(&item_name, &text)
            })
            .collect::<Result<Vec<_>>>();
        return keys;
    }
    let empty = if empty_allowed {
        ", or [] for an engine that receives no webhooks"
    } else {
        ""
    };
    Err(Error::invalid_argument(
        name,
        format!(
            "must be SpotDraft's `hmac_key` (a base64 string) or an array of them{empty}; got {}",
            type_name(value)
        ),
    ))
}
