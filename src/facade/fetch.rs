//! The JS transport: `fetch` (the global one, or the user's own function,
//! e.g. an adapter over `hubspot.fetch`), per-attempt timeout, the caller's `AbortSignal`,
//! and the async `headers()` provider of proxy mode.
//!
//! Redirects are never followed (`redirect: "manual"`); the client turns them into
//! `REDIRECT`. Responses are read by duck typing (`status`, `headers.get`, `text()`), so a
//! host's Response-like object works. No retry and no rate limit here: that is the client's.

use super::args::type_name;
use super::executor::PromiseFuture;
use crate::api::HttpResponse;
use crate::error::{Error, ErrorCode, Result};
use crate::transport::{PreparedRequest, Transport};
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &Object) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
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

/// Sends requests with JS `fetch`.
pub struct JsTransport {
    /// The user's fetch function; `None` = the global `fetch`.
    pub fetch: Option<Function>,
    /// The user's `headers()` provider (proxy mode).
    pub headers_provider: Option<Function>,
}

fn aborted_error() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "The call was cancelled by its AbortSignal; no retry or timer is left running.",
    )
}

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

/// `controller.abort` bound to `controller`: a built-in function, safe to leave in a timer.
fn bound_abort(controller: &web_sys::AbortController) -> Function {
    let abort = Reflect::get(controller, &JsValue::from_str("abort")).unwrap_or(JsValue::UNDEFINED);
    abort
        .dyn_ref::<Function>()
        .map(|f| f.bind0(controller))
        .unwrap_or_else(|| Function::from(JsValue::UNDEFINED))
}

impl JsTransport {
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

    fn init_object(
        request: &PreparedRequest,
        headers: &[(String, String)],
        signal: &web_sys::AbortSignal,
    ) -> Object {
        let init = Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = Reflect::set(&init, &JsValue::from_str(k), v);
        };
        set("method", &JsValue::from_str(request.method.as_str()));
        let header_object = Object::new();
        for (name, value) in headers {
            let _ = Reflect::set(
                &header_object,
                &JsValue::from_str(name),
                &JsValue::from_str(value),
            );
        }
        set("headers", &header_object);
        if let Some(body) = &request.body {
            set("body", &JsValue::from_str(body));
        }
        set("redirect", &JsValue::from_str("manual"));
        set("signal", signal);
        init
    }

    fn start_fetch(
        &self,
        request: &PreparedRequest,
        headers: &[(String, String)],
        signal: &web_sys::AbortSignal,
    ) -> Result<Promise> {
        let network = |why: String| {
            Error::new(
                ErrorCode::Network,
                format!(
                    "{} {} could not be sent: {why}",
                    request.method.as_str(),
                    url_path(&request.url)
                ),
            )
        };
        match &self.fetch {
            Some(fetch) => {
                let init = Self::init_object(request, headers, signal);
                let returned = fetch
                    .call2(&JsValue::UNDEFINED, &JsValue::from_str(&request.url), &init)
                    .map_err(|e| {
                        network(format!("the fetch function threw: {}", js_message(&e)))
                    })?;
                returned
                    .dyn_into::<Promise>()
                    .or_else(|value| Ok(Promise::resolve(&value)))
            }
            // The global fetch with the same plain `init` as a user's fetch. (gloo-net's
            // RequestBuilder was used first; it builds two `Request`s and a `URL` per call,
            // which cost 80–100 µs per call in Node — measured in benches/client-overhead.)
            None => Ok(global_fetch(
                &request.url,
                &Self::init_object(request, headers, signal),
            )),
        }
    }
}

impl Transport for JsTransport {
    type Call = JsCall;

    async fn send(&self, request: PreparedRequest, call: &JsCall) -> Result<HttpResponse> {
        if call.aborted() {
            return Err(aborted_error());
        }
        let mut headers = request.headers.clone();
        for (name, value) in self.provider_headers().await? {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
            headers.push((name.to_ascii_lowercase(), value));
        }
        if call.aborted() {
            return Err(aborted_error());
        }
        let controller = web_sys::AbortController::new()
            .map_err(|e| Error::internal(format!("AbortController: {}", js_message(&e))))?;
        let abort = bound_abort(&controller);
        let _timer = Timer::start(f64::from(request.timeout_ms), &abort);
        let _link = call
            .signal
            .as_ref()
            .map(|signal| AbortLink::new(signal, abort.clone()));
        let classify = |e: JsValue| -> Error {
            if call.aborted() {
                aborted_error()
            } else if controller.signal().aborted() {
                // Our controller fired and the caller's signal did not: the timer did.
                Error::new(
                    ErrorCode::Timeout,
                    format!(
                        "{} {} took longer than {} ms. Raise `timeoutMs` if SpotDraft is slow, or check the network.",
                        request.method.as_str(),
                        url_path(&request.url),
                        request.timeout_ms
                    ),
                )
            } else {
                Error::new(
                    ErrorCode::Network,
                    format!(
                        "{} {} got no response: {}. Check the network, `baseUrl`, and (in a browser) CORS on the proxy.",
                        request.method.as_str(),
                        url_path(&request.url),
                        js_message(&e)
                    ),
                )
            }
        };
        let promise = self.start_fetch(&request, &headers, &controller.signal())?;
        let response = PromiseFuture::new(&promise).await.map_err(classify)?;
        read_response(&response, &request, classify).await
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

async fn read_response(
    response: &JsValue,
    request: &PreparedRequest,
    classify: impl Fn(JsValue) -> Error,
) -> Result<HttpResponse> {
    let invalid = |why: &str| {
        Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "The fetch function returned {why} for {} {}; it must resolve to a Response (status, headers, text()).",
                request.method.as_str(),
                url_path(&request.url)
            ),
        )
    };
    let status = get(response, "status")
        .as_f64()
        .filter(|s| (0.0..=999.0).contains(s) && s.fract() == 0.0)
        .ok_or_else(|| invalid(&type_name(response)))?;
    // A browser's `redirect: "manual"` gives an opaque response with status 0.
    let opaque_redirect = get(response, "type").as_string().as_deref() == Some("opaqueredirect");
    let headers = read_headers(&get(response, "headers")).unwrap_or_default();
    let body = if opaque_redirect {
        String::new()
    } else {
        let text = get(response, "text");
        let text = text
            .dyn_ref::<Function>()
            .ok_or_else(|| invalid("an object without text()"))?;
        let promise = text.call0(response).map_err(&classify)?;
        let value = match promise.dyn_into::<Promise>() {
            Ok(promise) => PromiseFuture::new(&promise).await.map_err(&classify)?,
            Err(value) => value,
        };
        value.as_string().unwrap_or_default()
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let status = if opaque_redirect { 0 } else { status as u16 };
    Ok(HttpResponse {
        status,
        headers,
        body,
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

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The message of a thrown JS value, with its `cause` (Node's fetch hides the reason there).
fn js_message(value: &JsValue) -> String {
    let text = |v: &JsValue| {
        v.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| v.as_string())
    };
    let mut message = text(value).unwrap_or_else(|| type_name(value));
    let cause = get(value, "cause");
    if let Some(cause) = text(&cause) {
        message.push_str(&format!(" ({cause})"));
    }
    message
}

/// Scheme, host and path of `url`, without a query (which could carry a signature).
fn url_path(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}
