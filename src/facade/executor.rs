//! A minimal single-threaded executor whose every poll runs inside a promise callback with a
//! `.catch`, so a panic during an async call is contained: the call's promise is rejected
//! with `INTERNAL` (by the panic hook) and nothing escapes as an uncaught exception.
//!
//! `wasm_bindgen_futures::spawn_local` polls from `queueMicrotask`, where a panic's exception
//! would be uncaught (fatal in Node). Here a waker holds only a task id; waking schedules
//! `Promise.resolve(id).then(poll).catch(ignore)`. Does not do timers or IO itself.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type Task = Pin<Box<dyn Future<Output = ()>>>;

thread_local! {
    static TASKS: RefCell<HashMap<u32, Task>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    static POLL: Closure<dyn FnMut(JsValue)> = Closure::new(|id: JsValue| {
        if let Some(id) = id.as_f64() {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            poll_task(id as u32);
        }
    });
    /// `Function.prototype`, a built-in no-op: unlike a Rust closure it stays callable after
    /// the instance is re-created, so a stale poll's rejection is always handled.
    static IGNORE: js_sys::Function = {
        let object_constructor = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Object"))
            .unwrap_or(JsValue::UNDEFINED);
        js_sys::Object::get_prototype_of(&object_constructor).unchecked_into()
    };
}

/// Wakes a task by id; holds no JS value, so it is `Send + Sync` as `Waker` requires.
struct TaskWaker(u32);

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        schedule(self.0);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        schedule(self.0);
    }
}

#[wasm_bindgen(module = "/src/facade/js/executor.js")]
extern "C" {
    /// `Promise.resolve(id).then(poll).catch(ignore)`.
    #[wasm_bindgen(js_name = spotdraftSchedule)]
    fn schedule_js(id: u32, poll: &JsValue, ignore: &JsValue);
    /// `promise.then(v => on_fulfilled(slot, v), e => on_rejected(slot, e)).catch(ignore)`.
    #[wasm_bindgen(js_name = spotdraftAwait)]
    fn await_js(
        promise: &js_sys::Promise,
        slot: u32,
        on_fulfilled: &JsValue,
        on_rejected: &JsValue,
        ignore: &JsValue,
    );
}

fn schedule(id: u32) {
    POLL.with(|poll| IGNORE.with(|ignore| schedule_js(id, poll.as_ref(), ignore)));
}

fn poll_task(id: u32) {
    // Take the task out while it runs, so a re-entrant wake never finds it borrowed.
    let Some(mut task) = TASKS.with(|tasks| tasks.borrow_mut().remove(&id)) else {
        return;
    };
    let waker = Waker::from(Arc::new(TaskWaker(id)));
    let mut cx = Context::from_waker(&waker);
    if task.as_mut().poll(&mut cx) == Poll::Pending {
        TASKS.with(|tasks| tasks.borrow_mut().insert(id, task));
    }
}

/// Runs `future` to completion on the JS event loop. Its first poll is scheduled, not run
/// inline.
pub fn spawn(future: impl Future<Output = ()> + 'static) {
    let id = NEXT_ID.with(|next| {
        let id = next.get();
        next.set(id.wrapping_add(1).max(1));
        id
    });
    TASKS.with(|tasks| tasks.borrow_mut().insert(id, Box::pin(future)));
    schedule(id);
}

/// The settled value of a JS promise, awaited from Rust.
///
/// Like `wasm_bindgen_futures::JsFuture`, but its `then` chain ends in a `.catch`, so a
/// callback that can no longer run (from an instance re-created after a panic) never surfaces
/// as an unhandled rejection. The two callbacks are shared closures called with this
/// future's slot number (`js/executor.js`), so an await creates no new Rust closure.
pub struct PromiseFuture {
    slot: u32,
}

#[derive(Default)]
struct Settled {
    result: Option<Result<JsValue, JsValue>>,
    waker: Option<Waker>,
}

thread_local! {
    static SLOTS: RefCell<HashMap<u32, Settled>> = RefCell::new(HashMap::new());
    static NEXT_SLOT: Cell<u32> = const { Cell::new(1) };
    static ON_FULFILLED: Closure<dyn FnMut(JsValue, JsValue)> =
        Closure::new(|slot: JsValue, value: JsValue| settle(&slot, Ok(value)));
    static ON_REJECTED: Closure<dyn FnMut(JsValue, JsValue)> =
        Closure::new(|slot: JsValue, value: JsValue| settle(&slot, Err(value)));
}

fn settle(slot: &JsValue, result: Result<JsValue, JsValue>) {
    let Some(slot) = slot.as_f64() else { return };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let slot = slot as u32;
    // A slot that is gone belongs to a future that was dropped: nothing waits for it.
    let waker = SLOTS.with(|slots| {
        slots.borrow_mut().get_mut(&slot).and_then(|settled| {
            settled.result = Some(result);
            settled.waker.take()
        })
    });
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl PromiseFuture {
    /// Awaits `promise`.
    pub fn new(promise: &js_sys::Promise) -> Self {
        let slot = NEXT_SLOT.with(|next| {
            let slot = next.get();
            next.set(slot.wrapping_add(1).max(1));
            slot
        });
        SLOTS.with(|slots| slots.borrow_mut().insert(slot, Settled::default()));
        ON_FULFILLED.with(|on_fulfilled| {
            ON_REJECTED.with(|on_rejected| {
                IGNORE.with(|ignore| {
                    await_js(
                        promise,
                        slot,
                        on_fulfilled.as_ref(),
                        on_rejected.as_ref(),
                        ignore,
                    );
                });
            });
        });
        Self { slot }
    }
}

impl Future for PromiseFuture {
    type Output = Result<JsValue, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        SLOTS.with(|slots| {
            let mut slots = slots.borrow_mut();
            let Some(settled) = slots.get_mut(&self.slot) else {
                return Poll::Ready(Err(JsValue::from_str("spotdraft-sync: promise slot lost")));
            };
            match settled.result.take() {
                Some(result) => Poll::Ready(result),
                None => {
                    settled.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
    }
}

impl Drop for PromiseFuture {
    fn drop(&mut self) {
        SLOTS.with(|slots| slots.borrow_mut().remove(&self.slot));
    }
}
