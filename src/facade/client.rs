//! `SpotDraftClient`: the JS class over [`crate::client::Client`] with the fetch transport.

use super::convert::{
    call_option_keys, call_option_values, get, is_absent, json_arg, refuse_unknown,
    split_call_options, string_arg, take_functions, to_js_value, type_name, whole_number, without,
    SIGNAL_KEY,
};
use super::fetch::{JsCall, JsTransport};
use super::js_error::Thrown;
use super::panic_guard::promise;
use super::runtime;
use crate::api::contracts::status::GetContractStatus;
use crate::api::{Endpoint, HttpRequest, HttpResponse};
use crate::client::{AttemptEvent, CallContext, Client, Observer};
use crate::core::config::{ClientConfig, ClientConfigInput};
use crate::core::ids::CompositeId;
use crate::error::{Error, ErrorCode, Result};
use js_sys::{Function, Object};
use serde::Serialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const CLIENT_OPTIONS_TS: &'static str = r#"
/**
 * A function with the global `fetch` contract. The client calls it as
 * `fetch(url, { method, headers, body, redirect: "manual", signal })` and reads
 * `status`, `headers` and `text()` of what it resolves to.
 * In a HubSpot UI extension, pass `hubspotFetch(hubspot.fetch)`.
 */
export type FetchLike = (
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string; redirect: "manual"; signal: AbortSignal },
) => Promise<{ status: number; type?: string; headers: Headers | Record<string, string>; text(): Promise<string> }>;

/** Options of `new SpotDraftClient(options)`. */
export interface SpotDraftClientOptions extends ClientConfigInput {
    /**
     * Your fetch function. Default: in Node (20.16+), Node's own `http`/`https` modules with
     * their keep-alive agents (faster than Node's `fetch`); elsewhere the global `fetch`.
     * Pass `globalThis.fetch` to use fetch in Node too (e.g. with an undici dispatcher).
     * In a HubSpot UI-extension card: `hubspotFetch(hubspot.fetch)`, which also refuses
     * `clientId`, `clientSecret`, `userEmail` and `region` (your proxy adds credentials).
     */
    fetch?: FetchLike;
    /** Proxy mode: headers added to every request (e.g. your own session token). */
    headers?: () => Record<string, string> | Promise<Record<string, string>>;
    /**
     * A request budget shared with other processes of the same workspace (SpotDraft allows
     * 10 requests per second per workspace): before each attempt the client awaits
     * `reserve()`, which books the next slot and resolves with the milliseconds to wait for
     * it. Replaces the client's own limiter (so `maxRequestsPerSecond` cannot be set with
     * it). A budget that fails rejects the call with `STORE_ERROR`, one booked more than
     * 60 s ahead with `RATE_LIMITED`; either way nothing is sent. E.g. `PostgresRateBudget`
     * from `spotdraft-sync/server/postgres`.
     */
    rateBudget?: { reserve(): number | Promise<number> };
    /** Called before each attempt (no secrets, no query strings). */
    onRequest?: (event: RequestEvent) => void;
    /** Called after each attempt. */
    onResponse?: (event: RequestEvent) => void;
}

"#;

/// A SpotDraft API client.
///
/// ```js
/// const client = new SpotDraftClient({ baseUrl: "https://sd-proxy.example.com" });
/// const { contractStatus } = await client.getContractStatus("T-1234");
/// ```
#[wasm_bindgen(js_name = SpotDraftClient)]
pub struct SpotDraftClient {
    inner: Rc<Client<JsTransport>>,
}

#[wasm_bindgen(js_class = SpotDraftClient)]
impl SpotDraftClient {
    /// Creates a client. Throws a `SpotDraftError` (`INVALID_ARGUMENT`,
    /// `BROWSER_SECRET_REFUSED`) when the options are wrong; no request is sent. With
    /// `fetch: hubspotFetch(hubspot.fetch)`, credentials, `userEmail`, `region` and a
    /// non-https `baseUrl` are `INVALID_ARGUMENT`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SpotDraftClientOptions")] options: JsValue,
    ) -> Result<SpotDraftClient, Thrown> {
        Ok(Self::build(options)?)
    }

    /// Reads a contract's status (`GET /api/v2.1/public/contracts/{id}/status`).
    ///
    /// For repair and reconciliation; let webhooks drive the sync.
    #[wasm_bindgen(js_name = getContractStatus, unchecked_return_type = "Promise<ContractStatusResult>")]
    pub fn get_contract_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let id = CompositeId::parse_arg("id", &string_arg("id", &id)?)?;
            no_method_options(rest.as_ref(), "getContractStatus")?;
            Ok(GetContractStatus { id })
        })
    }
}

impl SpotDraftClient {
    /// The Rust client, for the facade modules that add methods to this class.
    pub(crate) fn inner(&self) -> Rc<Client<JsTransport>> {
        Rc::clone(&self.inner)
    }

    /// Runs the endpoint that `build` makes from a method's JS arguments, as a promise of its
    /// output. `options` is the method's last argument, `XOptions & CallOptions`: the call
    /// options are taken out ([`split_call_options`]) and `build` gets the rest (`None` when
    /// there is none). `build` runs first, so a bad argument is reported before bad options.
    ///
    /// The only per-method code is `build` and the endpoint's request and parse: the
    /// endpoint is erased to a [`JsEndpoint`] here and runs in [`run_request`], one future for
    /// every method. Nothing is sent before the promise's first poll.
    pub(crate) fn run<E>(
        &self,
        options: Option<JsValue>,
        build: impl FnOnce(Option<JsValue>) -> Result<E> + 'static,
    ) -> js_sys::Promise
    where
        E: Endpoint + 'static,
        E::Output: Serialize,
    {
        run_request(
            self.inner(),
            options,
            Box::new(move |rest| Ok(Box::new(build(rest)?))),
        )
    }

    fn build(options: JsValue) -> Result<Self> {
        if !options.is_object() || js_sys::Array::is_array(&options) || options.is_function() {
            return Err(Error::invalid_argument(
                "options",
                format!(
                    "must be an options object such as {{ baseUrl, clientId, clientSecret }}, got {}",
                    type_name(&options)
                ),
            ));
        }
        // Functions are taken out first; the plain data left is one derived type
        // (`ClientConfigInput`, `deny_unknown_fields`), so a misspelt key is refused by serde.
        let ([fetch, headers, on_request, on_response], data) = take_functions(
            "options",
            &options,
            ["fetch", "headers", "onRequest", "onResponse"],
        )?;
        let (rate_budget, data) = take_rate_budget(&data)?;
        let input: ClientConfigInput = json_arg("options", &data)?;
        if rate_budget.is_some() && input.max_requests_per_second.is_some() {
            return Err(Error::invalid_argument(
                "options.maxRequestsPerSecond",
                "cannot be used with options.rateBudget: the shared budget sets the pace; \
                 give its rate to the budget instead",
            ));
        }
        if fetch
            .as_ref()
            .and_then(super::hubspot::hubspot_target)
            .is_some()
        {
            crate::transport::hubspot::check_client_options(&input)?;
        }
        let config = ClientConfig::new(input, runtime::detect(), headers.is_some())?;
        let mut transport = JsTransport::new(fetch, headers);
        if let Some((budget, reserve)) = rate_budget {
            transport = transport.with_rate_budget(budget, reserve);
        }
        let mut client = Client::new(config, transport);
        if on_request.is_some() || on_response.is_some() {
            client = client.with_observer(Rc::new(JsObserver {
                on_request,
                on_response,
            }));
        }
        Ok(Self {
            inner: Rc::new(client),
        })
    }
}

/// A method's endpoint with its output type erased: what [`run_request`] needs of it.
/// Implemented for every [`Endpoint`] whose output converts to JS.
pub(crate) trait JsEndpoint {
    /// [`Endpoint::NAME`].
    fn name(&self) -> &'static str;
    /// [`Endpoint::request`].
    ///
    /// # Errors
    /// As [`Endpoint::request`].
    fn request(&self) -> Result<HttpRequest>;
    /// [`Endpoint::parse`] of a 2xx response, converted to JS. Does not map a non-2xx status.
    ///
    /// # Errors
    /// As [`Endpoint::parse`]; `INTERNAL` when the output does not convert.
    fn parse_js(&self, response: &HttpResponse) -> Result<JsValue>;
}

impl<E> JsEndpoint for E
where
    E: Endpoint,
    E::Output: Serialize,
{
    fn name(&self) -> &'static str {
        E::NAME
    }

    fn request(&self) -> Result<HttpRequest> {
        Endpoint::request(self)
    }

    fn parse_js(&self, response: &HttpResponse) -> Result<JsValue> {
        to_js_value(&self.parse(response)?)
    }
}

/// What [`SpotDraftClient::run`] gets from a method: the endpoint made from the method's
/// arguments and the rest of its options (or the argument error).
type BuildEndpoint = Box<dyn FnOnce(Option<JsValue>) -> Result<Box<dyn JsEndpoint>>>;

/// The request path of every endpoint method, compiled once: splits the call options off
/// `options`, builds the endpoint, sends it through [`Client::exchange`] (rate limit or
/// shared budget, hooks, retries, error mapping) and parses the answer to JS.
fn run_request(
    inner: Rc<Client<JsTransport>>,
    options: Option<JsValue>,
    build: BuildEndpoint,
) -> js_sys::Promise {
    promise(async move {
        let split = split_call_options("options", options.as_ref());
        let rest = split.as_ref().ok().and_then(|(_, rest)| rest.clone());
        let endpoint = build(rest)?;
        let (ctx, _) = split?;
        let request = endpoint.request()?;
        let response = inner.exchange(endpoint.name(), &request, &ctx).await?;
        endpoint.parse_js(&response)
    })
}

/// Takes `rateBudget` out of `options`: the budget object and its `reserve` method, and the
/// options without it. It does not call `reserve`.
fn take_rate_budget(options: &JsValue) -> Result<(Option<(JsValue, Function)>, JsValue)> {
    let budget = get(options, "rateBudget");
    if is_absent(&budget) {
        return Ok((None, options.clone()));
    }
    let reserve = get(&budget, "reserve")
        .dyn_into::<Function>()
        .map_err(|_| {
            Error::invalid_argument(
                "options.rateBudget",
                format!(
                    "must be a shared rate budget with a reserve() method (e.g. new \
                 PostgresRateBudget(…) from spotdraft-sync/server/postgres), got {}",
                    type_name(&budget)
                ),
            )
        })?;
    Ok((Some((budget, reserve)), without(options, &["rateBudget"])))
}

/// An attempt as `onRequest` / `onResponse` see it: no headers, no body, no query string
/// (so no secret and no signed URL).
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RequestEvent {
    /// Method name, e.g. `getContractStatus`.
    pub operation: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path without the query string.
    pub path: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// HTTP status (`onResponse`, when a response came back).
    #[tsify(optional)]
    pub status: Option<u16>,
    /// Milliseconds the attempt took (`onResponse`).
    pub elapsed_ms: f64,
    /// SpotDraft's request id, when the response had one.
    #[tsify(optional)]
    pub request_id: Option<String>,
    /// Error code of an attempt that got no response.
    #[tsify(optional)]
    pub error_code: Option<ErrorCode>,
}

struct JsObserver {
    on_request: Option<Function>,
    on_response: Option<Function>,
}

impl JsObserver {
    fn emit(hook: Option<&Function>, event: &AttemptEvent) {
        let Some(hook) = hook else { return };
        let event = RequestEvent {
            operation: event.operation,
            method: event.method.as_str(),
            path: event.path.clone(),
            attempt: event.attempt,
            status: event.status,
            elapsed_ms: event.elapsed_ms,
            request_id: event.request_id.clone(),
            error_code: event.error_code,
        };
        if let Ok(value) = to_js_value(&event) {
            // A throwing hook must not break the call.
            let _ = hook.call1(&JsValue::UNDEFINED, &value);
        }
    }
}

impl Observer for JsObserver {
    fn on_request(&self, event: &AttemptEvent) {
        Self::emit(self.on_request.as_ref(), event);
    }

    fn on_response(&self, event: &AttemptEvent) {
        Self::emit(self.on_response.as_ref(), event);
    }
}

/// Refuses any key left in `rest` (a method's options after [`split_call_options`]) of a
/// method `what` whose only options are the call options.
pub(crate) fn no_method_options(rest: Option<&JsValue>, what: &str) -> Result<()> {
    match rest {
        Some(rest) => refuse_unknown(rest, call_option_keys(), what),
        None => Ok(()),
    }
}

/// Reads `{ signal, timeoutMs, maxRetries }` from the argument named `name` (errors name
/// `{name}.signal` and so on).
pub(crate) fn call_options_named(
    name: &str,
    options: Option<&Object>,
) -> Result<CallContext<JsCall>> {
    let Some(options) = options else {
        return Ok(CallContext::new(JsCall::default()));
    };
    if !JsValue::from(options).is_object() {
        return Err(Error::invalid_argument(
            name,
            format!(
                "must be a call options object such as {{ signal }}, got {}",
                type_name(options)
            ),
        ));
    }
    let signal = get(options, SIGNAL_KEY);
    let transport = if is_absent(&signal) {
        JsCall::default()
    } else {
        let has_aborted = get(&signal, "aborted").as_bool().is_some();
        if !has_aborted {
            return Err(Error::invalid_argument(
                &format!("{name}.{SIGNAL_KEY}"),
                format!("must be an AbortSignal, got {}", type_name(&signal)),
            ));
        }
        JsCall {
            signal: Some(signal.unchecked_into()),
        }
    };
    let values = call_option_values(name, options)?;
    Ok(CallContext {
        transport,
        timeout_ms: whole(&format!("{name}.timeoutMs"), values.timeout_ms, 1, 600_000)?,
        max_retries: whole(&format!("{name}.maxRetries"), values.max_retries, 0, 10)?,
    })
}

/// A call option checked by [`whole_number`], as a `u32`.
fn whole(name: &str, value: Option<f64>, min: u32, max: u32) -> Result<Option<u32>> {
    let checked = whole_number(name, value, f64::from(min), f64::from(max))?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(checked.map(|n| n as u32))
}
