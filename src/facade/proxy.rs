//! The credential proxy's decisions for `spotdraft-sync/server`'s `createProxy` and
//! `hubspotSignatureAuthorizer` (src/entries/server/proxy.js): classify a request
//! (`core::proxy::route`), check a HubSpot signature (`core::proxy::hubspot_signature`), and
//! space requests to one workspace budget (`core::rate_limit`). Conversions only.

use super::convert::{is_absent, js_string, string_arg, to_js_value, type_name};
use super::js_error::Thrown;
use crate::core::proxy::hubspot_signature::{self, AppSecret, SignedRequest};
use crate::core::proxy::route::{self, OPERATION_KINDS};
use crate::core::rate_limit::RateLimiter;
use crate::error::{Error, Result};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const PROXY_TS: &'static str = r#"
/** One of the playbook's operations, as the credential proxy classified a request. */
export type ProxyOperation =
    | { kind: "createContract"; externalId: string | null; templateId: number | null }
    | { kind: "findContractsByExternalId"; externalId: string }
    | { kind: "sendToCounterparties" | "getContractStatus" | "getKeyPointers" | "getDownloadLink"; compositeId: string }
    | { kind: "listTemplates" }
    | { kind: "getTemplate" | "getTemplateMetadata"; templateId: number };

/** What `classifyProxyRequest` returns: the operation, its method and what to forward. */
export interface ProxyClassification {
    operation: ProxyOperation;
    method: "GET" | "POST";
    /** Path and query to send after SpotDraft's origin (host query parameters removed). */
    forward: string;
}

/** A request as HubSpot's signature v3 covers it. */
export interface HubSpotSignedRequest {
    method: string;
    /** The full URI HubSpot called (scheme, host, path, query). */
    uri: string;
    /** The raw body, "" when there is none. */
    body: string;
    /** `X-HubSpot-Request-Timestamp`. */
    timestamp?: string | null;
    /** `X-HubSpot-Signature-v3`. */
    signature?: string | null;
}

/** Why a HubSpot signature was refused. */
export type HubSpotSignatureRefusal = "MISSING" | "MALFORMED" | "EXPIRED" | "FROM_THE_FUTURE" | "MISMATCH";
"#;

/// Classifies a request that reached the credential proxy as one of the playbook's operations.
///
/// `target` is the request's path and query as received, still percent-encoded, starting at
/// SpotDraft's `/api/v2.1/public/…`; `body` the raw body of a create (the others' bodies are
/// not read); `hostQuery` the names of query parameters a host adds (accepted, not forwarded).
///
/// Throws a `SpotDraftError`: `INVALID_ARGUMENT` (answer 400) for a malformed target, id,
/// query or create body, with `details[0].path` naming the part (`$.path`,
/// `$.path.compositeId`, `$.query.tags`, `$.body.external_metadata.id`, …); `FORBIDDEN`
/// (answer 403) for anything that is not a playbook operation. It does not authenticate,
/// authorise or check sizes and content types.
#[wasm_bindgen(js_name = classifyProxyRequest, unchecked_return_type = "ProxyClassification")]
pub fn classify_proxy_request(
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] target: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] body: Option<JsValue>,
    #[wasm_bindgen(js_name = hostQuery, unchecked_optional_param_type = "string[]")]
    host_query: Option<JsValue>,
) -> Result<JsValue, Thrown> {
    let method = string_arg("method", &method)?;
    let target = string_arg("target", &target)?;
    let body = match body.as_ref() {
        Some(value) if !is_absent(value) => Some(string_arg("body", value)?),
        _ => None,
    };
    let host_query = strings_arg("hostQuery", host_query.as_ref())?;
    Ok(to_js_value(&route::classify(
        &method,
        &target,
        body.as_deref(),
        &host_query,
    )?)?)
}

/// The names of the playbook's operations, in order: the set a proxy forwards by default.
#[wasm_bindgen(js_name = proxyOperationKinds, unchecked_return_type = "ProxyOperation[\"kind\"][]")]
pub fn proxy_operation_kinds() -> Array {
    OPERATION_KINDS
        .iter()
        .map(|k| JsValue::from_str(k))
        .collect()
}

/// Checks HubSpot's request signature v3 (`X-HubSpot-Signature-v3`: base64 HMAC-SHA256 under
/// the app's client secret of method + URI + body + timestamp) at `nowMs`. Returns `null`
/// when it matches, else why not: `"MISSING"`, `"MALFORMED"`, `"EXPIRED"` (older than 5
/// minutes), `"FROM_THE_FUTURE"` (more than 30 s ahead) or `"MISMATCH"`. Compares in
/// constant time; the URI counts as received or with the escapes HubSpot's docs list decoded.
///
/// It does not refuse a replay within the 5 minutes (HubSpot sends no nonce). Throws a
/// `SpotDraftError` (`INVALID_ARGUMENT`) for an empty `appSecret` or a request that is not
/// of the shape above; the secret's value is never in the error.
#[wasm_bindgen(
    js_name = verifyHubSpotSignature,
    unchecked_return_type = "HubSpotSignatureRefusal | null"
)]
pub fn verify_hubspot_signature(
    #[wasm_bindgen(unchecked_param_type = "HubSpotSignedRequest")] request: JsValue,
    #[wasm_bindgen(js_name = appSecret, unchecked_param_type = "string")] app_secret: JsValue,
    #[wasm_bindgen(js_name = nowMs)] now_ms: f64,
) -> Result<JsValue, Thrown> {
    let secret = AppSecret::new(
        "appSecret",
        &js_string(&app_secret).ok_or_else(|| {
            Error::invalid_argument(
                "appSecret",
                format!("must be a string, got {}", type_name(&app_secret)),
            )
        })?,
    )?;
    let field = |name: &str| -> Result<Option<String>> {
        let value = Reflect::get(&request, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        if is_absent(&value) {
            Ok(None)
        } else {
            string_arg(&format!("request.{name}"), &value).map(Some)
        }
    };
    if !request.is_object() {
        return Err(Error::invalid_argument(
            "request",
            format!(
                "must be {{ method, uri, body, timestamp, signature }}, got {}",
                type_name(&request)
            ),
        )
        .into());
    }
    let required = |name: &str| -> Result<String> {
        field(name)?
            .ok_or_else(|| Error::invalid_argument(&format!("request.{name}"), "must be a string"))
    };
    let (method, uri, body) = (
        required("method")?,
        required("uri")?,
        field("body")?.unwrap_or_default(),
    );
    let (timestamp, signature) = (field("timestamp")?, field("signature")?);
    let checked = hubspot_signature::verify(
        &secret,
        &SignedRequest {
            method: &method,
            uri: &uri,
            body: &body,
            timestamp: timestamp.as_deref(),
            signature: signature.as_deref(),
        },
        now_ms,
    );
    Ok(match checked {
        Ok(()) => JsValue::NULL,
        Err(refusal) => to_js_value(&refusal)?,
    })
}

/// One workspace's request budget shared by every caller of a proxy: SpotDraft's 10 requests
/// per second, evenly spaced (`core::rate_limit`). Pure: `reserve(nowMs)` books the next slot
/// and says how long to wait for it; the caller sleeps. It does not see other processes.
#[wasm_bindgen(js_name = ProxyRateBudget)]
pub struct ProxyRateBudget {
    limiter: RateLimiter,
}

#[wasm_bindgen(js_class = ProxyRateBudget)]
impl ProxyRateBudget {
    /// A budget of `perSecond` requests per second (default 10). Throws a `SpotDraftError`
    /// (`INVALID_ARGUMENT`) unless it is a finite number > 0 and at most 1000000 (more than
    /// SpotDraft's 10 is for a local sandbox or a bench).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = perSecond)] per_second: Option<f64>,
    ) -> Result<ProxyRateBudget, Thrown> {
        let rate = per_second.unwrap_or(10.0);
        if !rate.is_finite() || rate <= 0.0 || rate > 1_000_000.0 {
            return Err(Error::invalid_argument(
                "perSecond",
                "must be a number of requests per second, > 0 and at most 1000000",
            )
            .into());
        }
        Ok(Self {
            limiter: RateLimiter::new(rate),
        })
    }

    /// Books the next slot at or after `nowMs`; returns the milliseconds to wait (0: now).
    pub fn reserve(&mut self, #[wasm_bindgen(js_name = nowMs)] now_ms: f64) -> f64 {
        self.limiter.reserve(now_ms)
    }
}

fn strings_arg(name: &str, value: Option<&JsValue>) -> Result<Vec<String>> {
    let Some(value) = value.filter(|v| !is_absent(v)) else {
        return Ok(Vec::new());
    };
    if !Array::is_array(value) {
        return Err(Error::invalid_argument(
            name,
            format!("must be an array of strings, got {}", type_name(value)),
        ));
    }
    Array::from(value)
        .iter()
        .enumerate()
        .map(|(i, item)| string_arg(&format!("{name}[{i}]"), &item))
        .collect()
}
