//! The IO boundary: something that sends a [`PreparedRequest`] and returns the response.
//!
//! The trait knows fetch-like IO, not contracts. It has no `Send` bound: wasm futures are
//! `!Send`. Implementations: `facade::fetch` (JS `fetch`, on wasm) and [`mock`] (tests);
//! [`hubspot`] holds the pure decisions of the HubSpot `hubspot.fetch` transport.

pub mod hubspot;
pub mod mock;

use crate::api::{HttpResponse, Method};
use crate::error::Result;

/// A request ready to send: absolute URL, all headers (secrets included: never log them).
#[derive(Clone, PartialEq)]
pub struct PreparedRequest {
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

/// Sends requests and keeps time.
///
/// `Call` is per-call context the transport needs (on wasm: the caller's `AbortSignal`).
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Per-call context, e.g. a cancellation signal.
    type Call;

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
}

/// Scheme, host and path of `url`, without a query (which could carry a signature): how error
/// messages name a request.
pub(crate) fn url_path(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}
