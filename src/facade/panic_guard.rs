//! A panic never bricks the instance: it surfaces as a `SpotDraftError` with code
//! `INTERNAL`, and the next call runs on a fresh WebAssembly instance.
//!
//! With `panic = "abort"` a panic cannot be caught inside wasm, and the instance's state
//! (shadow stack, borrow flags, panic count) is unreliable afterwards. So the panic hook:
//! 1. rejects every promise this package has in flight with the `INTERNAL` error (an
//!    awaiting caller is never left hanging);
//! 2. asks wasm-bindgen to re-instantiate the module on the next call into it
//!    (`wasm_bindgen::handler::schedule_reinit`);
//! 3. throws the `INTERNAL` error as a JS exception, which leaves the wasm frames the way a
//!    trap would. A synchronous caller catches it; inside an async call the exception ends
//!    in the `.catch` of the executor's poll (see `executor.rs`), the awaiting promise having
//!    been rejected in step 1.
//!
//! Objects created before the panic (a `SpotDraftClient`) belong to the old instance: the
//! facade keeps their state on the JS side so they rebuild themselves (see `client.rs`).

use super::js_error::to_js;
use crate::error::{Error, Result};
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    /// `reject` functions of the promises in flight.
    static IN_FLIGHT: js_sys::Set = js_sys::Set::new(&JsValue::UNDEFINED);
}

/// Installs the panic hook when an instance starts (its first one and every one re-created
/// after a panic). `private`: run by the glue's start call, not exported to JS.
#[wasm_bindgen(start, private)]
fn install_panic_hook() {
    std::panic::set_hook(Box::new(on_panic));
}

fn on_panic(info: &std::panic::PanicHookInfo<'_>) {
    let message = info.payload_as_str().unwrap_or("a panic without a message");
    let location = info
        .location()
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    let error = to_js(&Error::internal(format!("panic{location}: {message}")));
    IN_FLIGHT.with(|in_flight| {
        in_flight.for_each(&mut |reject, _, _| {
            if let Some(reject) = reject.dyn_ref::<js_sys::Function>() {
                let _ = reject.call1(&JsValue::UNDEFINED, &error);
            }
        });
        in_flight.clear();
    });
    wasm_bindgen::handler::schedule_reinit();
    wasm_bindgen::throw_val(error);
}

/// Runs `future` as a JS `Promise`: resolved with its value, rejected with its error as a
/// `SpotDraftError`, or rejected with `INTERNAL` if a panic happens while it runs.
///
/// Only the boxing is generic: the promise, the in-flight bookkeeping and the task that
/// settles it are compiled once ([`promise_boxed`]), not once per async method.
pub fn promise<F>(future: F) -> js_sys::Promise
where
    F: Future<Output = Result<JsValue>> + 'static,
{
    promise_boxed(Box::pin(future))
}

/// [`promise`] of a boxed future.
fn promise_boxed(future: Pin<Box<dyn Future<Output = Result<JsValue>>>>) -> js_sys::Promise {
    let mut future = Some(future);
    js_sys::Promise::new(&mut |resolve, reject| {
        let Some(future) = future.take() else { return };
        IN_FLIGHT.with(|in_flight| in_flight.add(&reject));
        super::executor::spawn(async move {
            let outcome = future.await;
            IN_FLIGHT.with(|in_flight| in_flight.delete(&reject));
            let _ = match outcome {
                Ok(value) => resolve.call1(&JsValue::UNDEFINED, &value),
                Err(error) => reject.call1(&JsValue::UNDEFINED, &to_js(&error)),
            };
        });
    })
}

/// Test hook: panics on purpose so tests can prove a panic becomes `INTERNAL` and the
/// instance keeps working. `mode` is `"sync"` or `"async"`. Compiled only with the
/// `test-hooks` feature (the test build, `node scripts/build.mjs --test-hooks`): the shipped
/// package has no such export.
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = __spotdraftTestPanic, skip_typescript)]
#[allow(clippy::panic)]
pub fn test_panic(mode: &str) -> js_sys::Promise {
    if mode == "async" {
        return promise(async {
            let tick = js_sys::Promise::resolve(&JsValue::UNDEFINED);
            let _ = super::executor::PromiseFuture::new(&tick).await;
            panic!("deliberate test panic (async)")
        });
    }
    panic!("deliberate test panic (sync)")
}
