//! The IO boundary: something that sends a [`PreparedRequest`] and returns the response.
//!
//! The trait knows fetch-like IO, not contracts. It has no `Send` bound: wasm futures are
//! `!Send`. Implementations: `facade::fetch` (JS `fetch`, on wasm; its pure parsers in
//! `js_attempt`) and [`mock`] (tests);
//! [`hubspot`] holds the pure decisions of the HubSpot `hubspot.fetch` transport.

pub(crate) mod hubspot;
pub(crate) mod js_attempt;
#[cfg(test)]
pub(crate) mod mock;

use crate::api::{HttpResponse, Method};
use crate::error::{Error, Result};

/// A request ready to send: absolute URL, all headers (secrets included: never log them).
#[derive(Clone, PartialEq)]
pub(crate) struct PreparedRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Headers, lowercase names.
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<String>,
    /// How long this attempt may take before it fails with `TIMEOUT`.
    pub timeout_ms: u32,
}

impl std::fmt::Debug for PreparedRequest {
    /// Header values are left out: they carry credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("header_names", &names)
            .field("has_body", &self.body.is_some())
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// The answer to [`Transport::get_bytes`]: any status, the body as bytes.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct BytesResponse {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for BytesResponse {
    /// The body's length only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BytesResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Sends requests and keeps time.
///
/// `Call` is per-call context the transport needs (on wasm: the caller's `AbortSignal`).
#[allow(async_fn_in_trait)]
pub(crate) trait Transport {
    /// Per-call context, e.g. a cancellation signal; the default is a call that is never
    /// cancelled (the engine's compare-and-set backoff sleeps with it).
    type Call: Default;

    /// Sends one attempt.
    ///
    /// # Errors
    /// `NETWORK` when no response came back, `TIMEOUT` after `request.timeout_ms`,
    /// `ABORTED` when the call's signal fired. A response with any status is `Ok`.
    async fn send(&self, request: PreparedRequest, call: &Self::Call) -> Result<HttpResponse>;

    /// Milliseconds on a monotonic-enough clock (wall clock on JS).
    fn now_ms(&self) -> f64;

    /// A uniform random number in `[0, 1)`, for retry jitter.
    fn random(&self) -> f64;

    /// Waits `ms` milliseconds.
    ///
    /// # Errors
    /// `ABORTED` when the call's signal fires first; the timer is then cleared.
    async fn sleep(&self, ms: f64, call: &Self::Call) -> Result<()>;

    /// GETs `url` and returns the status and the body's bytes: a plain GET with no headers
    /// of the client's, so no credentials (for a signed link that authorises itself). No
    /// retry, no rate limit, redirects as the platform's fetch does them.
    ///
    /// # Errors
    /// `NETWORK` when no response came back (the message does not contain `url`), `TIMEOUT`
    /// after `timeout_ms`, `ABORTED` when the call's signal fired. Any status is `Ok`.
    async fn get_bytes(
        &self,
        url: &str,
        timeout_ms: u32,
        call: &Self::Call,
    ) -> Result<BytesResponse>;

    /// Why this transport cannot [`get_bytes`](Transport::get_bytes), checked before a
    /// download link is minted for nothing; `None` (the default) when it can.
    fn get_bytes_refusal(&self) -> Option<Error> {
        None
    }

    /// A slot from a budget shared with other processes (`options.rateBudget`): the
    /// milliseconds to wait before sending, as the budget answered (unchecked: the client
    /// passes it through [`crate::core::rate_limit::shared_wait`]), or `Ok(None)` when there
    /// is no shared budget (the default) and the client's own limiter decides.
    ///
    /// # Errors
    /// `STORE_ERROR` when the budget could not be reached; the request is then not sent.
    async fn reserve_shared_slot(&self, _call: &Self::Call) -> Result<Option<Option<f64>>> {
        Ok(None)
    }

    /// Whether the call was cancelled (its signal fired); the default: never.
    fn is_aborted(&self, _call: &Self::Call) -> bool {
        false
    }
}

/// Scheme, host and path of `url`, without a query (which could carry a signature): how error
/// messages name a request.
pub(crate) fn url_path(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}
