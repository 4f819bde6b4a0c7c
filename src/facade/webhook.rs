//! Webhook verification, event parsing and pure event application for JS.
//!
//! Raw bodies cross as bytes (`Uint8Array`, Node `Buffer`, `ArrayBuffer`) or the exact raw
//! string; anything else (most often a body a JSON parser already consumed) is refused with
//! `WEBHOOK_RAW_BODY_REQUIRED`. Records and events cross as JSON text (`JSON.stringify`, read
//! by serde_json with its nesting limit), so hostile nesting is a `SpotDraftError`, not a
//! stack overflow.

use super::convert::{js_string, optional_options_arg, string_arg, type_name, webhook_keys_arg};
pub(super) use super::convert::{json_arg, json_out};
use super::js_error::Thrown;
use crate::core::sync::{
    apply_event as apply_event_core, record_for_event, ApplyOutcome, SyncRecord,
};
use crate::core::webhook::{
    matching_key, parse_webhook_event_with, prepare_verification,
    sign_webhook_for_test as sign_core, signature_mismatch, PreparedVerification, SignatureHeader,
    VerifyOptions, WebhookEvent, WebhookKey,
};
use crate::error::{Error, ErrorCode, ErrorDetail, Result};
use js_sys::{Array, Uint8Array};
use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Options of `verifyWebhook`, `verifyWebhookSignature` (and their `Async` forms) and
/// `parseWebhookEvent`. Unknown keys are refused.
#[derive(Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookOptions {
    /// Largest body accepted, in bytes (default 1 MiB; at most 1 GiB).
    #[serde(default)]
    #[tsify(optional)]
    pub max_body_bytes: Option<f64>,
}

impl WebhookOptions {
    /// The core's options, with `maxBodyBytes` checked.
    fn verify_options(&self) -> Result<VerifyOptions> {
        let mut options = VerifyOptions::default();
        if let Some(n) = self.max_body_bytes {
            if n.fract() != 0.0 || !(1.0..=1_073_741_824.0).contains(&n) {
                return Err(Error::invalid_argument(
                    "options.maxBodyBytes",
                    "must be a whole number of bytes between 1 and 1073741824",
                ));
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            {
                options.max_body_bytes = n as usize;
            }
        }
        Ok(options)
    }
}

/// `options` of a webhook function: absent gives the defaults.
fn options_arg(value: Option<&JsValue>) -> Result<VerifyOptions> {
    optional_options_arg::<WebhookOptions>("options", value)?.verify_options()
}

/// What `verifyWebhook` returns: the parsed event and which key and header matched.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedWebhookEvent {
    /// The verified, parsed event.
    pub event: WebhookEvent,
    /// Index of the matching key in `keys` (0 when a single key was given).
    pub key_index: usize,
    /// The header that carried the signature.
    pub header: String,
}

const RAW_BODY_HELP: &str =
    "Pass the raw request body exactly as received, as a Uint8Array/Buffer \
    or the raw string, before any JSON parsing: the signature covers the exact bytes, and \
    re-serialised JSON does not match. Express: `app.post(path, express.raw({ type: \
    'application/json' }), (req, res) => verifyWebhook(req.body, req.headers, key))`. Next.js \
    App Router: `await request.text()` (Pages Router: `export const config = { api: { \
    bodyParser: false } }` and read the stream). Cloudflare Workers / fetch handlers: \
    `new Uint8Array(await request.arrayBuffer())`.";

/// The raw body bytes of argument `rawBody`.
pub(super) fn raw_body_arg(value: &JsValue) -> Result<Vec<u8>> {
    // Encoded once, natively (a 10 KB body through `as_string`'s per-char loop costs more
    // than its HMAC).
    if let Some(text) = js_string(value) {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    if let Some(view) = value.dyn_ref::<js_sys::DataView>() {
        return Ok(Uint8Array::new_with_byte_offset_and_length(
            &view.buffer(),
            view.byte_offset() as u32,
            view.byte_length() as u32,
        )
        .to_vec());
    }
    let what = if value.is_undefined() || value.is_null() {
        "The webhook body is missing (undefined or null): your framework may have consumed it."
            .to_owned()
    } else {
        format!(
            "The webhook body was given as {}, not as raw bytes or the raw string; it was \
             probably already parsed as JSON.",
            type_name(value)
        )
    };
    let message = format!("{what} {RAW_BODY_HELP}");
    Err(
        Error::new(ErrorCode::WebhookRawBodyRequired, message.clone())
            .with_details([ErrorDetail::new("rawBody", "RAW_BODY_REQUIRED", message)]),
    )
}

#[wasm_bindgen(module = "/src/facade/js/headers.js")]
extern "C" {
    #[wasm_bindgen(js_name = spotdraftSignatureHeaders, catch)]
    fn signature_headers(headers: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = spotdraftSignatureMatch)]
    fn signature_match(key_index: f64, header: &str) -> JsValue;
}

/// SpotDraft's signature header (name, value) pairs (all that verification reads) from a fetch
/// `Headers`, anything with `entries()` (e.g. a `Map`) or a plain object such as Node's
/// `req.headers` (string or string-array values; each array element is one header line), read
/// by `js/headers.js`. Names come back as SpotDraft spells them; other headers are not read.
pub(super) fn headers_arg(value: &JsValue) -> Result<Vec<(String, String)>> {
    let refuse = || {
        Error::invalid_argument(
            "headers",
            format!(
                "must be a Headers object or a plain object of header names to values, got {}",
                type_name(value)
            ),
        )
    };
    let flat = signature_headers(value).map_err(|_| refuse())?;
    let flat: &Array = flat.dyn_ref().ok_or_else(refuse)?;
    let mut pairs = Vec::new();
    let mut index = 0;
    while index + 1 < flat.length() {
        let header = match flat.get(index).as_f64() {
            Some(0.0) => SignatureHeader::Current,
            Some(1.0) => SignatureHeader::Legacy,
            _ => return Err(refuse()),
        };
        let value = flat.get(index + 1).as_string().ok_or_else(refuse)?;
        pairs.push((header.name().to_owned(), value));
        index += 2;
    }
    Ok(pairs)
}

/// Verifies a SpotDraft webhook delivery and returns its parsed event.
///
/// Checks the HMAC-SHA512 signature in `X-SD-WEBHOOK-CONTENT-HASH` (or the legacy
/// `X-SD-CONTENT-HASH`) over the raw body in constant time, with each key in turn (pass the
/// new and the old `hmac_key` during a rotation), then parses the body. Throws a
/// `SpotDraftError`: `WEBHOOK_RAW_BODY_REQUIRED` when the body is not raw bytes or the raw
/// string, `WEBHOOK_SIGNATURE_INVALID` (respond 401), `WEBHOOK_PAYLOAD_INVALID` (respond
/// 400 or 413), `INVALID_ARGUMENT` for bad keys or options (respond 500: a configuration error).
///
/// ```js
/// app.post("/spotdraft", express.raw({ type: "application/json" }), (req, res) => {
///   const { event } = verifyWebhook(req.body, req.headers, process.env.SPOTDRAFT_HMAC_KEY);
///   queue.push(event);
///   res.sendStatus(204);
/// });
/// ```
#[wasm_bindgen(js_name = verifyWebhook, unchecked_return_type = "VerifiedWebhookEvent")]
pub fn verify_webhook(
    #[wasm_bindgen(js_name = rawBody, unchecked_param_type = "Uint8Array | ArrayBuffer | string")]
    raw_body: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "Headers | Record<string, string | string[] | undefined>"
    )]
    headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] keys: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "WebhookOptions")] options: Option<JsValue>,
) -> Result<JsValue, Thrown> {
    let pending = pending_verification(&raw_body, &headers, &keys, options.as_ref())?;
    let key_index = pending.matching_key_here()?;
    Ok(pending.event_result(key_index)?)
}

/// Which key and header verified a delivery (`verifyWebhookSignature`).
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSignatureMatch {
    /// Index of the matching key in `keys` (0 when a single key was given).
    pub key_index: usize,
    /// The header that carried the signature.
    pub header: String,
}

/// Verifies a SpotDraft webhook delivery's signature only, without parsing the body.
///
/// The same checks as `verifyWebhook` (raw body only, HMAC-SHA512 over its exact bytes,
/// `X-SD-WEBHOOK-CONTENT-HASH` or the legacy `X-SD-CONTENT-HASH`, constant-time comparison,
/// several keys for rotation, `maxBodyBytes`) and the same errors, but returns only which key
/// and header matched: for receivers that queue the raw body and parse it later
/// (`parseWebhookEvent`), or forward it. Does not look inside the body at all, so a verified
/// body may still be malformed JSON.
#[wasm_bindgen(
    js_name = verifyWebhookSignature,
    unchecked_return_type = "WebhookSignatureMatch"
)]
pub fn verify_webhook_signature(
    #[wasm_bindgen(js_name = rawBody, unchecked_param_type = "Uint8Array | ArrayBuffer | string")]
    raw_body: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "Headers | Record<string, string | string[] | undefined>"
    )]
    headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] keys: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "WebhookOptions")] options: Option<JsValue>,
) -> Result<JsValue, Thrown> {
    let pending = pending_verification(&raw_body, &headers, &keys, options.as_ref())?;
    let key_index = pending.matching_key_here()?;
    Ok(pending.signature_result(key_index)?)
}

#[wasm_bindgen(module = "/src/facade/js/platform_hmac.js")]
extern "C" {
    #[wasm_bindgen(js_name = spotdraftNodeHmacSha512Equals, catch)]
    fn node_hmac_sha512_equals(
        key: &[u8],
        body: &[u8],
        signature: &[u8],
    ) -> std::result::Result<Option<bool>, JsValue>;
}

#[wasm_bindgen(module = "/src/facade/js/platform_hmac.js")]
extern "C" {
    #[wasm_bindgen(js_name = spotdraftSubtleAvailable)]
    fn subtle_available() -> bool;
    #[wasm_bindgen(js_name = spotdraftHmacSha512Match)]
    fn subtle_matching_key(keys: &Array, signature: &[u8], body: &[u8]) -> js_sys::Promise;
}

/// The index of the first key whose HMAC-SHA512 of `body` is `signature`, computed
/// synchronously: by Node's native HMAC and `timingSafeEqual` where there are (`js/platform_hmac.js`),
/// else by the Rust HMAC. Either way the comparison is constant time.
pub(super) fn matching_key_here(
    body: &[u8],
    keys: &[WebhookKey],
    signature: &[u8],
) -> Result<Option<usize>> {
    for (index, key) in keys.iter().enumerate() {
        match node_hmac_sha512_equals(key.expose_bytes(), body, signature) {
            Ok(Some(true)) => return Ok(Some(index)),
            Ok(Some(false)) => {}
            // No native HMAC here (or it threw): the Rust one answers for every key.
            Ok(None) | Err(_) => return matching_key(body, keys, signature),
        }
    }
    Ok(None)
}

/// A delivery checked up to its HMAC, read from the arguments when the call is made (a
/// caller may reuse its buffer once the promise exists).
struct PendingVerification {
    body: Vec<u8>,
    keys: Vec<WebhookKey>,
    prepared: PreparedVerification,
    max_body_bytes: usize,
}

fn pending_verification(
    raw_body: &JsValue,
    headers: &JsValue,
    keys: &JsValue,
    options: Option<&JsValue>,
) -> Result<PendingVerification> {
    let body = raw_body_arg(raw_body)?;
    let headers = headers_arg(headers)?;
    let keys = webhook_keys_arg("keys", keys, false)?;
    let options = options_arg(options)?;
    let prepared = prepare_verification(&body, &headers, &keys, &options)?;
    Ok(PendingVerification {
        body,
        keys,
        prepared,
        max_body_bytes: options.max_body_bytes,
    })
}

impl PendingVerification {
    /// The index of the matching key: WebCrypto's HMAC where it exists, else (or if it
    /// fails, e.g. refuses a key) the synchronous path ([`matching_key_here`]).
    async fn matching_key(&self) -> Result<usize> {
        if subtle_available() {
            let keys = Array::new();
            for key in &self.keys {
                keys.push(&Uint8Array::from(key.expose_bytes()));
            }
            // `signature` and `body` cross as views of this memory; the JS side copies them
            // (or hands them to WebCrypto, which copies) before it returns.
            let outcome = super::executor::PromiseFuture::new(&subtle_matching_key(
                &keys,
                &self.prepared.signature,
                &self.body,
            ))
            .await;
            match outcome.ok().and_then(|index| index.as_f64()) {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Some(index) if index >= 0.0 && (index as usize) < self.keys.len() => {
                    return Ok(index as usize)
                }
                Some(-1.0) => return Err(signature_mismatch(self.keys.len())),
                _ => {}
            }
        }
        self.matching_key_here()
    }

    /// The index of the matching key, computed synchronously ([`matching_key_here`]).
    fn matching_key_here(&self) -> Result<usize> {
        matching_key_here(&self.body, &self.keys, &self.prepared.signature)?
            .ok_or_else(|| signature_mismatch(self.keys.len()))
    }

    /// `verifyWebhook`'s result once `key_index` matched: the parsed event.
    fn event_result(&self, key_index: usize) -> Result<JsValue> {
        let event = parse_webhook_event_with(&self.body, self.max_body_bytes)?;
        json_out(&VerifiedWebhookEvent {
            event,
            key_index,
            header: self.prepared.header.name().to_owned(),
        })
    }

    /// `verifyWebhookSignature`'s result once `key_index` matched, built by
    /// `js/headers.js` in one call.
    fn signature_result(&self, key_index: usize) -> Result<JsValue> {
        let result = WebhookSignatureMatch {
            key_index,
            header: self.prepared.header.name().to_owned(),
        };
        #[allow(clippy::cast_precision_loss)]
        Ok(signature_match(result.key_index as f64, &result.header))
    }
}

/// `verifyWebhook` with the HMAC computed by the platform's WebCrypto: the same checks,
/// result and errors, as a promise. In Node the HMAC runs off the main thread, so a server
/// verifying many deliveries at once is not blocked by them; where `crypto.subtle` is missing
/// the synchronous path answers (Node's crypto, else the Rust HMAC). The arguments are read
/// when it is called.
#[wasm_bindgen(js_name = verifyWebhookAsync, unchecked_return_type = "Promise<VerifiedWebhookEvent>")]
pub fn verify_webhook_async(
    #[wasm_bindgen(js_name = rawBody, unchecked_param_type = "Uint8Array | ArrayBuffer | string")]
    raw_body: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "Headers | Record<string, string | string[] | undefined>"
    )]
    headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] keys: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "WebhookOptions")] options: Option<JsValue>,
) -> js_sys::Promise {
    let pending = pending_verification(&raw_body, &headers, &keys, options.as_ref());
    super::panic_guard::promise(async move {
        let pending = pending?;
        let key_index = pending.matching_key().await?;
        pending.event_result(key_index)
    })
}

/// `verifyWebhookSignature` with the HMAC computed by the platform's WebCrypto (see
/// `verifyWebhookAsync`): resolves to which key and header matched, without parsing the body.
#[wasm_bindgen(
    js_name = verifyWebhookSignatureAsync,
    unchecked_return_type = "Promise<WebhookSignatureMatch>"
)]
pub fn verify_webhook_signature_async(
    #[wasm_bindgen(js_name = rawBody, unchecked_param_type = "Uint8Array | ArrayBuffer | string")]
    raw_body: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "Headers | Record<string, string | string[] | undefined>"
    )]
    headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] keys: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "WebhookOptions")] options: Option<JsValue>,
) -> js_sys::Promise {
    let pending = pending_verification(&raw_body, &headers, &keys, options.as_ref());
    super::panic_guard::promise(async move {
        let pending = pending?;
        let key_index = pending.matching_key().await?;
        pending.signature_result(key_index)
    })
}

/// The signature SpotDraft would send for `body` under `key` (lowercase hex HMAC-SHA512),
/// for testing your own receiver: send it as `X-SD-WEBHOOK-CONTENT-HASH`.
///
/// ```js
/// const body = JSON.stringify(sampleEvent);
/// const signature = signWebhookForTest(body, key);
/// await fetch(url, { method: "POST", body, headers: { "X-SD-WEBHOOK-CONTENT-HASH": signature } });
/// ```
#[wasm_bindgen(js_name = signWebhookForTest)]
pub fn sign_webhook_for_test(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | string")] body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
) -> Result<String, Thrown> {
    let body = raw_body_arg(&body)?;
    let key = WebhookKey::from_base64_arg("key", &string_arg("key", &key)?)?;
    Ok(sign_core(&body, &key)?)
}

/// Parses a raw webhook body into a typed event, without verifying it (call `verifyWebhook`
/// for deliveries; this is for bodies verified elsewhere or stored). Throws a
/// `SpotDraftError` (`WEBHOOK_PAYLOAD_INVALID`, `WEBHOOK_RAW_BODY_REQUIRED`).
#[wasm_bindgen(js_name = parseWebhookEvent, unchecked_return_type = "WebhookEvent")]
pub fn parse_webhook_event(
    #[wasm_bindgen(js_name = rawBody, unchecked_param_type = "Uint8Array | ArrayBuffer | string")]
    raw_body: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "WebhookOptions")] options: Option<JsValue>,
) -> Result<JsValue, Thrown> {
    let body = raw_body_arg(&raw_body)?;
    let options = options_arg(options.as_ref())?;
    let event = parse_webhook_event_with(&body, options.max_body_bytes)?;
    Ok(json_out(&event)?)
}

/// Applies an event to a sync record (or to a new record when `record` is `null`) and
/// returns `{ record, changed, disposition, actions }`. Pure: store `record`, then run
/// `actions`. Duplicates, out-of-order events and status regressions are handled as
/// documented on `SyncRecord`; `EXECUTED` and `VOIDED` are terminal.
///
/// Throws `INVALID_ARGUMENT` when `record` or `event` is malformed, or when the record
/// belongs to another contract than the event (look it up by `event.contractId` instead).
#[wasm_bindgen(js_name = applyEvent, unchecked_return_type = "ApplyOutcome")]
pub fn apply_event(
    #[wasm_bindgen(unchecked_param_type = "SyncRecord | null | undefined")] record: JsValue,
    #[wasm_bindgen(unchecked_param_type = "WebhookEvent")] event: JsValue,
) -> Result<JsValue, Thrown> {
    let event: WebhookEvent = json_arg("event", &event)?;
    let record: SyncRecord = if record.is_undefined() || record.is_null() {
        record_for_event(&event)
    } else {
        json_arg("record", &record)?
    };
    let outcome: ApplyOutcome = apply_event_core(&record, &event)?;
    Ok(json_out(&outcome)?)
}
