//! A test transport: records requests, answers from a queue of canned responses, and keeps a
//! fake clock that only moves when something sleeps.
//!
//! Not for production: it never touches the network.

use super::{BytesResponse, PreparedRequest, Transport};
use crate::api::HttpResponse;
use crate::api::Method;
use crate::error::{Error, ErrorCode, Result};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

/// Recorded requests and queued answers.
#[derive(Default)]
pub(crate) struct MockTransport {
    answers: RefCell<VecDeque<Result<HttpResponse>>>,
    sent: RefCell<Vec<PreparedRequest>>,
    clock_ms: Cell<f64>,
    downloads: RefCell<VecDeque<Result<BytesResponse>>>,
    aborted: Cell<bool>,
    abort_after_sends: Cell<Option<usize>>,
    shared_slots: RefCell<Option<VecDeque<Result<Option<f64>>>>>,
}

impl MockTransport {
    /// An empty mock: every send fails with `NETWORK` until answers are queued.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Queues a response with `status` and `body`.
    pub(crate) fn respond(&self, status: u16, body: &str) -> &Self {
        self.answers.borrow_mut().push_back(Ok(HttpResponse {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }));
        self
    }

    /// Queues a full response or an error.
    pub(crate) fn push(&self, answer: Result<HttpResponse>) -> &Self {
        self.answers.borrow_mut().push_back(answer);
        self
    }

    /// Queues an answer of [`Transport::get_bytes`].
    pub(crate) fn respond_bytes(&self, status: u16, body: &[u8]) -> &Self {
        self.downloads.borrow_mut().push_back(Ok(BytesResponse {
            status,
            body: body.to_vec(),
        }));
        self
    }

    /// Gives the mock a shared rate budget ([`Transport::reserve_shared_slot`]) whose next
    /// answer is `slot` (each send takes one; with none left the budget fails).
    pub(crate) fn queue_shared_slot(&self, slot: Result<Option<f64>>) -> &Self {
        self.shared_slots
            .borrow_mut()
            .get_or_insert_with(VecDeque::new)
            .push_back(slot);
        self
    }

    /// Queues an error of [`Transport::get_bytes`].
    pub(crate) fn fail_bytes(&self, error: Error) -> &Self {
        self.downloads.borrow_mut().push_back(Err(error));
        self
    }

    /// From now on every call counts as cancelled ([`Transport::is_aborted`]), and a sleep
    /// fails with `ABORTED` (as the JS transport's does).
    pub(crate) fn abort(&self) {
        self.aborted.set(true);
    }

    /// Cancels (as [`MockTransport::abort`]) once `sends` requests have been sent.
    pub(crate) fn abort_after_sends(&self, sends: usize) {
        self.abort_after_sends.set(Some(sends));
    }

    /// The requests sent so far (a [`Transport::get_bytes`] shows as a `GET` with the
    /// headers it sent: none).
    pub(crate) fn sent(&self) -> Vec<PreparedRequest> {
        self.sent.borrow().clone()
    }

    /// The fake clock.
    pub(crate) fn clock_ms(&self) -> f64 {
        self.clock_ms.get()
    }
}

impl Transport for MockTransport {
    type Call = ();

    async fn send(&self, request: PreparedRequest, _call: &()) -> Result<HttpResponse> {
        self.sent.borrow_mut().push(request);
        if self.abort_after_sends.get() == Some(self.sent.borrow().len()) {
            self.abort();
        }
        self.answers.borrow_mut().pop_front().unwrap_or_else(|| {
            Err(Error::new(
                ErrorCode::Network,
                "mock transport: no answer queued",
            ))
        })
    }

    fn now_ms(&self) -> f64 {
        self.clock_ms.get()
    }

    fn random(&self) -> f64 {
        0.5
    }

    async fn sleep(&self, ms: f64, _call: &()) -> Result<()> {
        if self.aborted.get() {
            return Err(Error::new(ErrorCode::Aborted, "mock transport: cancelled"));
        }
        self.clock_ms.set(self.clock_ms.get() + ms);
        Ok(())
    }

    async fn get_bytes(&self, url: &str, timeout_ms: u32, _call: &()) -> Result<BytesResponse> {
        self.sent.borrow_mut().push(PreparedRequest {
            method: Method::Get,
            url: url.to_owned(),
            headers: Vec::new(),
            body: None,
            timeout_ms,
        });
        self.downloads.borrow_mut().pop_front().unwrap_or_else(|| {
            Err(Error::new(
                ErrorCode::Network,
                "mock transport: no download answer queued",
            ))
        })
    }

    fn is_aborted(&self, _call: &()) -> bool {
        self.aborted.get()
    }

    async fn reserve_shared_slot(&self, _call: &()) -> Result<Option<Option<f64>>> {
        let mut slots = self.shared_slots.borrow_mut();
        let Some(slots) = slots.as_mut() else {
            return Ok(None);
        };
        let slot = slots.pop_front().unwrap_or_else(|| {
            Err(Error::new(
                ErrorCode::StoreError,
                "mock transport: no shared slot queued",
            ))
        })?;
        Ok(Some(slot))
    }
}

/// Runs a future that never waits on real IO (everything over [`MockTransport`]) to the end.
///
/// # Panics
/// Never; it spins until the future is ready, so a future that waits on something real would
/// spin forever: use it only with the mock.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut cx = Context::from_waker(Waker::noop());
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
