//! A minimal single-threaded executor whose every poll runs inside a JS `try` (`js/executor.js`),
//! so a panic during an async call is contained: the call's promise is rejected with
//! `INTERNAL` (by the panic hook) and nothing escapes as an uncaught exception.
//!
//! `wasm_bindgen_futures::spawn_local` polls from a bare `queueMicrotask` callback, where a
//! panic's exception would be uncaught (fatal in Node). Here a waker holds only a task id;
//! waking schedules a poll in a microtask, and a settled [`PromiseFuture`] polls the task that
//! awaits it at once (it is then already in a promise callback). Does not do timers or IO itself.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use wasm_bindgen::prelude::*;

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// Hashes the executor's sequential `u32` ids by one multiplication (Fibonacci hashing)
/// instead of SipHash: the ids are ours, not an attacker's, and a call does several lookups.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, id: u32) {
        self.0 = u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by the executor's ids.
type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

thread_local! {
    static TASKS: RefCell<IdMap<Task>> = RefCell::new(IdMap::default());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    /// The task being polled, if any: a [`PromiseFuture`] notes it to poll it when settled.
    static CURRENT: Cell<Option<u32>> = const { Cell::new(None) };
    static POLL: Closure<dyn FnMut(JsValue)> = Closure::new(|id: JsValue| {
        if let Some(id) = id.as_f64() {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            poll_task(id as u32);
        }
    });
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
    /// `queueMicrotask(() => poll(id))`, inside a `try`.
    #[wasm_bindgen(js_name = spotdraftSchedule)]
    fn schedule_js(id: u32, poll: &JsValue);
    /// `promise.then(v => on_fulfilled(slot, v), e => on_rejected(slot, e))`, each inside a
    /// `try`.
    #[wasm_bindgen(js_name = spotdraftAwait)]
    fn await_js(
        promise: &js_sys::Promise,
        slot: u32,
        on_fulfilled: &JsValue,
        on_rejected: &JsValue,
    );
}

fn schedule(id: u32) {
    POLL.with(|poll| schedule_js(id, poll.as_ref()));
}

/// Polls task `id` once, if it exists and is not running. Called only from a JS callback
/// (never from inside another poll), so a wake from inside this poll is a scheduled one.
fn poll_task(id: u32) {
    // Take the task out while it runs, so a re-entrant wake never finds it borrowed.
    let Some(mut task) = TASKS.with(|tasks| tasks.borrow_mut().remove(&id)) else {
        return;
    };
    let waker = Waker::from(Arc::new(TaskWaker(id)));
    let mut cx = Context::from_waker(&waker);
    let outer = CURRENT.replace(Some(id));
    let state = task.as_mut().poll(&mut cx);
    CURRENT.set(outer);
    if state == Poll::Pending {
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
/// Like `wasm_bindgen_futures::JsFuture`, but its callbacks run inside a JS `try`, so a
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
    /// The executor task that polled the future last, if it was one of ours.
    task: Option<u32>,
}

thread_local! {
    static SLOTS: RefCell<IdMap<Settled>> = RefCell::new(IdMap::default());
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
    let waiting = SLOTS.with(|slots| {
        slots.borrow_mut().get_mut(&slot).map(|settled| {
            settled.result = Some(result);
            (settled.task.take(), settled.waker.take())
        })
    });
    match waiting {
        // This runs in a promise callback (`js/executor.js`), like a scheduled poll: poll the
        // task now instead of scheduling one more microtask.
        Some((Some(task), _)) => poll_task(task),
        Some((None, Some(waker))) => waker.wake(),
        _ => {}
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
                await_js(promise, slot, on_fulfilled.as_ref(), on_rejected.as_ref());
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
                    settled.task = CURRENT.get();
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
