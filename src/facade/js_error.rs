//! [`Error`] → a JS `Error` with `name = "SpotDraftError"`, `code`, `status`, `requestId`,
//! `spotdraftCode` and `details`; plus the `isSpotDraftError` guard.
//!
//! Setters are structural (`obj.code = …`), so nothing has to unwrap a `Reflect` result.

use crate::error::Error;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const SPOTDRAFT_ERROR_TS: &'static str = r#"
/**
 * Every failure of spotdraft-sync: a real `Error` whose `name` is `"SpotDraftError"`.
 * Branch on `code` (stable); `message` says what went wrong and what to do.
 * Secrets and signed URLs never appear in any field.
 */
export interface SpotDraftError extends Error {
    name: "SpotDraftError";
    /** Stable machine-readable code. */
    code: ErrorCode;
    /** HTTP status, when SpotDraft (or the proxy) answered. */
    status?: number;
    /** SpotDraft's request id, when its response carried one. */
    requestId?: string;
    /** SpotDraft's own error code, e.g. `SD_PUBLIC_00009`. */
    spotdraftCode?: string;
    /** Located problems, each with a JSON path. */
    details?: ErrorDetail[];
}

/** True when `value` is a {@link SpotDraftError} thrown by this package. */
export function isSpotDraftError(value: unknown): value is SpotDraftError;
"#;

#[wasm_bindgen]
extern "C" {
    /// A JS `Error` seen with the extra fields of a SpotDraftError.
    #[wasm_bindgen(extends = js_sys::Error)]
    type ErrorFields;

    #[wasm_bindgen(method, structural, setter)]
    fn set_code(this: &ErrorFields, code: &str);
    #[wasm_bindgen(method, structural, getter)]
    fn code(this: &ErrorFields) -> JsValue;
    #[wasm_bindgen(method, structural, setter)]
    fn set_status(this: &ErrorFields, status: u16);
    #[wasm_bindgen(method, structural, setter, js_name = requestId)]
    fn set_request_id(this: &ErrorFields, id: &str);
    #[wasm_bindgen(method, structural, setter, js_name = spotdraftCode)]
    fn set_spotdraft_code(this: &ErrorFields, code: &str);
    #[wasm_bindgen(method, structural, setter)]
    fn set_details(this: &ErrorFields, details: JsValue);
}

const ERROR_NAME: &str = "SpotDraftError";

/// Builds the JS error for `error`.
pub fn to_js(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name(ERROR_NAME);
    let fields: &ErrorFields = js.unchecked_ref();
    fields.set_code(error.code.as_str());
    if let Some(status) = error.status {
        fields.set_status(status);
    }
    if let Some(id) = &error.request_id {
        fields.set_request_id(id);
    }
    if let Some(code) = &error.spotdraft_code {
        fields.set_spotdraft_code(code);
    }
    if !error.details.is_empty() {
        if let Ok(details) = super::convert::to_js_value(&error.details) {
            fields.set_details(details);
        }
    }
    js.into()
}

/// What an exported function throws: a SpotDraftError built from an [`Error`], or a JS value
/// passed through unchanged (a rejection of the caller's own `fetch`, a store's error …).
///
/// The exports return `Result<T, Thrown>`: `?` turns both an [`Error`] and a `JsValue` into
/// one (`Error` lives in the `spotdraft-validate` crate, so `JsValue: From<Error>` cannot be
/// written here).
#[derive(Debug)]
pub struct Thrown(JsValue);

impl From<Error> for Thrown {
    fn from(error: Error) -> Self {
        Self(to_js(&error))
    }
}

impl From<JsValue> for Thrown {
    fn from(value: JsValue) -> Self {
        Self(value)
    }
}

impl From<Thrown> for JsValue {
    fn from(thrown: Thrown) -> Self {
        thrown.0
    }
}

/// `isSpotDraftError(value)`: whether `value` is an `Error` named `SpotDraftError` with a
/// string `code`.
#[wasm_bindgen(js_name = isSpotDraftError, skip_typescript)]
pub fn is_spot_draft_error(value: &JsValue) -> bool {
    value.dyn_ref::<js_sys::Error>().is_some_and(|e| {
        e.name() == ERROR_NAME && e.unchecked_ref::<ErrorFields>().code().is_string()
    })
}
