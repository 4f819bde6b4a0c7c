//! The JS transport: the user's `fetch` function, `hubspot.fetch` in a HubSpot card (through
//! `hubspotFetch`, with HubSpot's contract: `crate::transport::hubspot`), else Node's own
//! `http`/`https` in Node and the global `fetch` elsewhere; per-attempt timeout, the caller's
//! `AbortSignal`, and the async `headers()` provider of proxy mode.
//!
//! An attempt runs in `js/attempt.js` (one call into JS, one string back: measured cheaper
//! than driving `fetch` value by value from Rust). Redirects are never followed
//! (`redirect: "manual"` with fetch; Node's `http` never follows them); the client turns them
//! into `REDIRECT`. Responses are read by duck typing (`status`, `headers`, `text()`), so a
//! host's Response-like object works. No retry and no rate limit here: that is the client's.

use super::convert::type_name;
use super::convert::{get, js_message};
use super::executor::PromiseFuture;
use crate::api::HttpResponse;
use crate::error::{Error, ErrorCode, Result};
use crate::transport::hubspot;
use crate::transport::js_attempt::{aborted_error, attempt_failure, parse_answer};
use crate::transport::{url_path, BytesResponse, PreparedRequest, Transport};
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
}

#[wasm_bindgen(module = "/src/facade/js/attempt.js")]
extern "C" {
    /// One request through the user's `fetch` when it is a function, else Node's `http` in
    /// Node and the global `fetch` elsewhere, with the timer and the caller's signal; see the
    /// file's comments.
    #[wasm_bindgen(js_name = spotdraftAttempt)]
    fn spotdraft_attempt(
        fetch: &JsValue,
        url: &str,
        method: &str,
        headers: &Object,
        body: Option<&str>,
        timeout_ms: f64,
        signal: &JsValue,
    ) -> Promise;

    /// One request through `hubspot.fetch`, with the same answer and rejection contract.
    #[wasm_bindgen(js_name = spotdraftHubspotAttempt)]
    #[allow(clippy::too_many_arguments)]
    fn spotdraft_hubspot_attempt(
        hubspot_fetch: &Function,
        url: &str,
        method: &str,
        authorization: Option<&str>,
        body: Option<&str>,
        timeout_ms: f64,
        local_timeout_ms: f64,
        signal: &JsValue,
    ) -> Promise;
}

/// Per-call context: the caller's `AbortSignal`, if any.
#[derive(Default, Clone)]
pub struct JsCall {
    /// Fires to cancel the call.
    pub signal: Option<web_sys::AbortSignal>,
}

impl JsCall {
    fn aborted(&self) -> bool {
        self.signal
            .as_ref()
            .is_some_and(web_sys::AbortSignal::aborted)
    }
}

/// Sends requests with JS `fetch` (or Node's `http`; see `js/attempt.js`).
pub struct JsTransport {
    /// The user's fetch function; `None` = the platform's transport.
    fetch: Option<Function>,
    /// `hubspot.fetch`, when `fetch` is a `hubspotFetch` transport: requests then go through
    /// it with HubSpot's contract.
    hubspot: Option<Function>,
    /// The user's `headers()` provider (proxy mode).
    headers_provider: Option<Function>,
    /// JS objects of the request headers sent lately (a client sends the same few sets
    /// again and again), so that a call does not build one. Never used in proxy mode, where
    /// the provider's headers can change from call to call.
    header_objects: RefCell<Vec<(HeaderPairs, Object)>>,
    /// The user's shared rate budget (`options.rateBudget`): the object and its `reserve`.
    rate_budget: Option<(JsValue, Function)>,
}

/// Request headers as lowercase name/value pairs.
type HeaderPairs = Vec<(String, String)>;

/// How many header sets `JsTransport` keeps as JS objects: a client sends two (with and
/// without a JSON body).
const HEADER_OBJECTS_KEPT: usize = 4;

/// A `setTimeout` of a plain JS function, cleared when dropped.
///
/// Timers and listeners only ever call built-in JS functions (`abort` bound to a controller,
/// a promise's `resolve`), never a Rust closure: after a panic re-creates the instance, a
/// timer left over from the old one must not call into it.
struct Timer {
    id: JsValue,
}

impl Timer {
    fn start(ms: f64, callback: &Function) -> Self {
        Self {
            id: set_timeout(callback, ms),
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// An `abort` listener (a plain JS function) on the caller's signal, removed when dropped.
struct AbortLink {
    signal: web_sys::AbortSignal,
    listener: Function,
}

impl AbortLink {
    fn new(signal: &web_sys::AbortSignal, listener: Function) -> Self {
        let _ = signal.add_event_listener_with_callback("abort", &listener);
        Self {
            signal: signal.clone(),
            listener,
        }
    }
}

impl Drop for AbortLink {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", &self.listener);
    }
}

impl JsTransport {
    /// A transport over `fetch` (`None`: the platform's) with the proxy-mode `headers_provider`.
    pub fn new(fetch: Option<Function>, headers_provider: Option<Function>) -> Self {
        Self {
            hubspot: fetch.as_ref().and_then(super::hubspot::hubspot_target),
            fetch,
            headers_provider,
            header_objects: RefCell::new(Vec::new()),
            rate_budget: None,
        }
    }

    /// The same transport, taking its request slots from `budget` (an object with
    /// `reserve()`, already checked) instead of the client's own limiter.
    pub fn with_rate_budget(mut self, budget: JsValue, reserve: Function) -> Self {
        self.rate_budget = Some((budget, reserve));
        self
    }

    /// `headers` as a JS object, reused when the same set was sent before.
    fn headers_object(&self, headers: &[(String, String)]) -> Object {
        let mut kept = self.header_objects.borrow_mut();
        if let Some((_, object)) = kept.iter().find(|(pairs, _)| pairs.as_slice() == headers) {
            return object.clone();
        }
        let object = new_headers_object(headers);
        if kept.len() == HEADER_OBJECTS_KEPT {
            kept.remove(0);
        }
        kept.push((headers.to_vec(), object.clone()));
        object
    }

    /// The request's headers with the `headers()` provider's on top (theirs win).
    async fn headers_with_provider(
        &self,
        request: &PreparedRequest,
        call: &JsCall,
    ) -> Result<HeaderPairs> {
        let mut headers = request.headers.clone();
        for (name, value) in self.provider_headers().await? {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
            headers.push((name.to_ascii_lowercase(), value));
        }
        if call.aborted() {
            return Err(aborted_error());
        }
        Ok(headers)
    }

    /// One attempt through `hubspot.fetch`: HubSpot's limits checked before sending, its
    /// answer unwrapped after (`crate::transport::hubspot`).
    async fn send_hubspot(
        &self,
        hubspot_fetch: &Function,
        request: PreparedRequest,
        call: &JsCall,
    ) -> Result<HttpResponse> {
        let headers = if self.headers_provider.is_some() {
            self.headers_with_provider(&request, call).await?
        } else {
            request.headers.clone()
        };
        let authorization = hubspot::authorization(&headers)?;
        hubspot::check_body(&request)?;
        let timeout_ms = hubspot::timeout_ms(request.timeout_ms);
        let started = date_now();
        let outcome = PromiseFuture::new(&spotdraft_hubspot_attempt(
            hubspot_fetch,
            &request.url,
            request.method.as_str(),
            authorization,
            request.body.as_deref(),
            f64::from(timeout_ms),
            f64::from(timeout_ms.saturating_add(hubspot::LOCAL_TIMER_GRACE_MS)),
            call.signal
                .as_ref()
                .map_or(&JsValue::UNDEFINED, |s| s.as_ref()),
        ))
        .await;
        match outcome {
            Ok(answer) => hubspot::read_response(
                read_answer(&answer, &request)?,
                &request,
                date_now() - started,
            ),
            Err(failure) => match attempt_error(&failure, &request) {
                error if error.code == ErrorCode::Timeout => Err(Error::new(
                    ErrorCode::Timeout,
                    format!(
                        "hubspot.fetch did not settle {} {} within {} ms (HubSpot's timeout of \
                         {timeout_ms} ms, then {} ms more): raise `timeoutMs`, or check the \
                         card's host.",
                        request.method.as_str(),
                        url_path(&request.url),
                        timeout_ms.saturating_add(hubspot::LOCAL_TIMER_GRACE_MS),
                        hubspot::LOCAL_TIMER_GRACE_MS
                    ),
                )),
                error => Err(error),
            },
        }
    }

    /// Calls the budget's `reserve()` and reads the number it gives (or resolves with).
    async fn budget_slot(&self, budget: &JsValue, reserve: &Function) -> Result<Option<f64>> {
        let failed = |how: &str, e: &JsValue| {
            Error::new(
                ErrorCode::StoreError,
                format!(
                    "options.rateBudget.reserve() {how}: {}. The request was not sent; check \
                     the budget's database, then retry.",
                    js_message(e)
                ),
            )
        };
        let value = reserve.call0(budget).map_err(|e| failed("threw", &e))?;
        let value = match value.dyn_into::<Promise>() {
            Ok(promise) => PromiseFuture::new(&promise)
                .await
                .map_err(|e| failed("rejected", &e))?,
            Err(value) => value,
        };
        Ok(value.as_f64())
    }

    async fn provider_headers(&self) -> Result<Vec<(String, String)>> {
        let Some(provider) = &self.headers_provider else {
            return Ok(Vec::new());
        };
        let refuse = |why: String| {
            Error::invalid_argument(
                "options.headers",
                format!("the headers() provider {why}; it must return (a promise of) an object of string header values"),
            )
        };
        let value = provider
            .call0(&JsValue::UNDEFINED)
            .map_err(|e| refuse(format!("threw: {}", js_message(&e))))?;
        let value = match value.dyn_into::<Promise>() {
            Ok(promise) => PromiseFuture::new(&promise)
                .await
                .map_err(|e| refuse(format!("rejected: {}", js_message(&e))))?,
            Err(value) => value,
        };
        read_headers(&value).ok_or_else(|| refuse(format!("returned {}", type_name(&value))))
    }
}

impl Transport for JsTransport {
    type Call = JsCall;

    async fn reserve_shared_slot(&self, _call: &JsCall) -> Result<Option<Option<f64>>> {
        match &self.rate_budget {
            Some((budget, reserve)) => Ok(Some(self.budget_slot(budget, reserve).await?)),
            None => Ok(None),
        }
    }

    async fn send(&self, request: PreparedRequest, call: &JsCall) -> Result<HttpResponse> {
        if call.aborted() {
            return Err(aborted_error());
        }
        if let Some(hubspot_fetch) = &self.hubspot {
            return self.send_hubspot(hubspot_fetch, request, call).await;
        }
        let headers = if self.headers_provider.is_some() {
            new_headers_object(&self.headers_with_provider(&request, call).await?)
        } else {
            self.headers_object(&request.headers)
        };
        let outcome = PromiseFuture::new(&spotdraft_attempt(
            self.fetch
                .as_ref()
                .map_or(&JsValue::UNDEFINED, |f| f.as_ref()),
            &request.url,
            request.method.as_str(),
            &headers,
            request.body.as_deref(),
            f64::from(request.timeout_ms),
            call.signal
                .as_ref()
                .map_or(&JsValue::UNDEFINED, |s| s.as_ref()),
        ))
        .await;
        match outcome {
            Ok(answer) => read_answer(&answer, &request),
            Err(failure) => Err(attempt_error(&failure, &request)),
        }
    }

    /// Through the user's `fetch` when one was given, else the global `fetch` (not Node's
    /// `http`: a file host may redirect, and `fetch` follows that), with the timer and the
    /// caller's signal. The body of a non-2xx answer is not read (empty).
    async fn get_bytes(&self, url: &str, timeout_ms: u32, call: &JsCall) -> Result<BytesResponse> {
        download(self.fetch.as_ref(), url, timeout_ms, call).await
    }

    fn get_bytes_refusal(&self) -> Option<Error> {
        // hubspot.fetch reaches only URLs in permittedUrls.fetch and carries JSON bodies of at
        // most 1 MB: a signed file link on SpotDraft's file host is neither.
        self.hubspot.is_some().then(|| {
            Error::invalid_argument(
                "fetchDocument",
                "cannot download a contract file through hubspot.fetch (JSON bodies of at most \
                 1 MB, from URLs in permittedUrls.fetch only): fetch documents on a server, or \
                 show the card's user the link from getDownloadLink",
            )
        })
    }

    fn is_aborted(&self, call: &JsCall) -> bool {
        call.aborted()
    }

    fn now_ms(&self) -> f64 {
        date_now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    async fn sleep(&self, ms: f64, call: &JsCall) -> Result<()> {
        if call.aborted() {
            return Err(aborted_error());
        }
        let mut resolve_slot: Option<Function> = None;
        let promise = Promise::new(&mut |resolve, _reject| resolve_slot = Some(resolve));
        let Some(resolve) = resolve_slot else {
            return Err(Error::internal("Promise executor did not run"));
        };
        let _timer = Timer::start(ms.max(0.0), &resolve);
        let _link = call
            .signal
            .as_ref()
            .map(|signal| AbortLink::new(signal, resolve.clone()));
        let _ = PromiseFuture::new(&promise).await;
        if call.aborted() {
            return Err(aborted_error());
        }
        Ok(())
    }
}

/// A JS object of header names to values.
fn new_headers_object(headers: &[(String, String)]) -> Object {
    let object = Object::new();
    for (name, value) in headers {
        let _ = Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    object
}

/// The answer `spotdraftAttempt` resolved to: `STATUS\nname\nvalue\n…\n\nBODY` (header
/// values are never empty and have no line breaks).
fn read_answer(answer: &JsValue, request: &PreparedRequest) -> Result<HttpResponse> {
    answer.as_string().and_then(parse_answer).ok_or_else(|| {
        Error::internal(format!(
            "the attempt of {} {} resolved to no readable answer",
            request.method.as_str(),
            url_path(&request.url)
        ))
    })
}

/// The error of an attempt's rejection: `[kind, detail]`, or anything else thrown.
fn attempt_error(failure: &JsValue, request: &PreparedRequest) -> Error {
    if js_sys::Array::is_array(failure) {
        let failure: &js_sys::Array = failure.unchecked_ref();
        attempt_failure(
            &failure.get(0).as_string().unwrap_or_default(),
            &failure.get(1).as_string().unwrap_or_default(),
            request,
        )
    } else {
        attempt_failure("network", &js_message(failure), request)
    }
}

/// GETs `url` with `fetch` (the user's, else the global one) and no headers, so no
/// SpotDraft credentials; never puts `url` in an error.
async fn download(
    user_fetch: Option<&Function>,
    url: &str,
    timeout_ms: u32,
    call: &JsCall,
) -> Result<BytesResponse> {
    let aborted = || {
        Error::new(
            ErrorCode::Aborted,
            "The download was cancelled by its AbortSignal.",
        )
    };
    if call.aborted() {
        return Err(aborted());
    }
    let controller = web_sys::AbortController::new()
        .map_err(|e| Error::internal(format!("AbortController: {}", js_message(&e))))?;
    let abort = get(&controller, "abort")
        .dyn_into::<Function>()
        .map(|f| f.bind0(&controller))
        .map_err(|_| Error::internal("AbortController.abort is missing"))?;
    let _timer = Timer::start(f64::from(timeout_ms), &abort);
    let _link = call
        .signal
        .as_ref()
        .map(|signal| AbortLink::new(signal, abort.clone()));
    let fetch = match user_fetch {
        Some(fetch) => fetch.clone(),
        None => get(&js_sys::global(), "fetch")
            .dyn_into::<Function>()
            .map_err(|_| Error::new(ErrorCode::Network, "This runtime has no global fetch."))?,
    };
    let init = Object::new();
    let _ = Reflect::set(&init, &"method".into(), &"GET".into());
    let _ = Reflect::set(&init, &"signal".into(), &controller.signal());
    let classify = |e: JsValue| {
        if call.aborted() {
            aborted()
        } else if controller.signal().aborted() {
            Error::new(
                ErrorCode::Timeout,
                format!("Downloading the file took longer than {timeout_ms} ms."),
            )
        } else {
            let message = format!("Downloading the file failed: {}", js_message(&e));
            Error::new(ErrorCode::Network, message.replace(url, "<download link>"))
        }
    };
    let returned = fetch
        .call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init)
        .map_err(classify)?;
    let response = PromiseFuture::new(&Promise::resolve(&returned))
        .await
        .map_err(classify)?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let status = get(&response, "status").as_f64().unwrap_or(0.0) as u16;
    if !(200..300).contains(&status) {
        return Ok(BytesResponse {
            status,
            body: Vec::new(),
        });
    }
    let array_buffer = get(&response, "arrayBuffer")
        .dyn_into::<Function>()
        .map_err(|_| {
            Error::new(
                ErrorCode::InvalidResponse,
                "The fetch function's response has no arrayBuffer(): the file cannot be read as bytes.",
            )
        })?;
    let buffer = array_buffer.call0(&response).map_err(classify)?;
    let buffer = PromiseFuture::new(&Promise::resolve(&buffer))
        .await
        .map_err(classify)?;
    Ok(BytesResponse {
        status,
        body: js_sys::Uint8Array::new(&buffer).to_vec(),
    })
}

/// Reads headers from a `Headers`-like object (with `forEach`) or a plain object.
fn read_headers(value: &JsValue) -> Option<Vec<(String, String)>> {
    if !value.is_object() {
        return None;
    }
    if let Some(for_each) = get(value, "forEach").dyn_ref::<Function>() {
        let collected = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&collected);
        let closure = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |v: JsValue, k: JsValue| {
            if let (Some(k), Some(v)) = (k.as_string(), v.as_string()) {
                sink.borrow_mut().push((k.to_ascii_lowercase(), v));
            }
        });
        let _ = for_each.call1(value, closure.as_ref());
        drop(closure);
        return Some(collected.take());
    }
    let mut out = Vec::new();
    let object: &Object = value.unchecked_ref();
    for entry in Object::entries(object).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
            return None;
        };
        out.push((k.to_ascii_lowercase(), v));
    }
    Some(out)
}
