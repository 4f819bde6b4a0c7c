//! `hubspotFetch(hubspot.fetch)`: the client's transport in a HubSpot UI-extension card.
//!
//! The returned function is plain JS (`js/attempt.js`, no wasm state, so it outlives a panic's
//! re-instantiation) that carries `hubspot.fetch` under `Symbol.for(MARKER)`. The client
//! recognises the mark (`hubspot_target`) and sends through `hubspot.fetch` with HubSpot's
//! contract: the decisions are `transport::hubspot`'s, the sending is `facade::fetch`'s.

use super::convert::type_name;
use super::js_error::Thrown;
use crate::error::Error;
use crate::transport::hubspot::MARKER;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const HUBSPOT_TS: &'static str = r#"
/**
 * HubSpot's `hubspot.fetch` (`import { hubspot } from "@hubspot/ui-extensions"`), as
 * `hubspotFetch` calls it: a JSON object body, HubSpot's `timeout` (ms, at most 120000), and
 * at most the `Authorization` header. It takes no `AbortSignal`.
 */
export type HubSpotFetch = (
    url: string,
    options: {
        method: "GET" | "POST" | "PATCH" | "DELETE";
        timeout: number;
        body?: Record<string, unknown>;
        headers?: { Authorization: string };
    },
) => Promise<{ status: number; text(): Promise<string> }>;
"#;

#[wasm_bindgen(module = "/src/facade/js/attempt.js")]
extern "C" {
    /// The marked transport function over `hubspot_fetch`; see the file's comments.
    #[wasm_bindgen(js_name = spotdraftHubspotFetch)]
    fn spotdraft_hubspot_fetch(hubspot_fetch: &Function) -> Function;
}

/// The `fetch` option of `SpotDraftClient` for a HubSpot UI-extension card, over HubSpot's
/// `hubspot.fetch` (the card's global `fetch` throws).
///
/// ```js
/// import { hubspot } from "@hubspot/ui-extensions";
/// import { SpotDraftClient, hubspotFetch } from "spotdraft-sync/inline";
/// const client = new SpotDraftClient({
///   baseUrl: "https://sd-proxy.example.com", // your proxy, listed in permittedUrls.fetch
///   fetch: hubspotFetch(hubspot.fetch),
/// });
/// ```
///
/// The client then follows HubSpot's contract. The JSON body is sent as an object; a body
/// that is not a JSON object or is over 1 MB is refused before sending (`INVALID_ARGUMENT`).
/// No SpotDraft credentials are ever sent from a card: `clientId`/`clientSecret`,
/// `userEmail` and `region` are refused when the client is created, and your proxy adds
/// them. Only an `authorization` header from a `headers()` provider is passed on; any
/// other header is refused (`INVALID_ARGUMENT`, HubSpot would answer 400). Each call's
/// `timeoutMs` is HubSpot's `timeout` (capped at 120000). HubSpot's wrapped upstream errors
/// are unwrapped, so the usual codes come out (`RATE_LIMITED`, `SERVER_ERROR`, …); HubSpot's
/// own timeout is `TIMEOUT`, its own refusal names HubSpot's message. HubSpot forwards no
/// response header, so there is no `Retry-After`: retries back off on their own.
///
/// Cancellation is not supported by HubSpot (`hubspot.fetch` takes no signal): an
/// `AbortSignal` still settles the call at once (`ABORTED`), but the request itself runs on
/// at HubSpot, and an aborted create may still be made. HubSpot also retries a request once
/// after a 5xx or a failed connection, so a create can reach your proxy twice: deduplicate
/// creates by `external_metadata.id` there.
///
/// The returned function works only as that `fetch` option, passed as it is: called
/// directly, or wrapped in another function, it rejects with `INVALID_ARGUMENT`.
///
/// Throws a `SpotDraftError` (`INVALID_ARGUMENT`) when `hubspotFetch` is not a function.
#[wasm_bindgen(js_name = hubspotFetch, unchecked_return_type = "FetchLike")]
pub fn hubspot_fetch(
    #[wasm_bindgen(js_name = hubspotFetch, unchecked_param_type = "HubSpotFetch")] fetch: JsValue,
) -> Result<Function, Thrown> {
    let fetch = fetch.dyn_into::<Function>().map_err(|other| {
        Error::invalid_argument(
            "hubspotFetch",
            format!(
                "must be HubSpot's `hubspot.fetch` function (import {{ hubspot }} from \
                 \"@hubspot/ui-extensions\"), got {}",
                type_name(&other)
            ),
        )
    })?;
    // Wrapping a transport again would hide `hubspot.fetch` behind a function that refuses.
    if hubspot_target(&fetch).is_some() {
        return Ok(fetch);
    }
    Ok(spotdraft_hubspot_fetch(&fetch))
}

/// The `hubspot.fetch` inside `fetch` when it is a function `hubspotFetch` returned.
pub(crate) fn hubspot_target(fetch: &Function) -> Option<Function> {
    Reflect::get(fetch, &js_sys::Symbol::for_(MARKER))
        .ok()?
        .dyn_into::<Function>()
        .ok()
}
