//! The client: runs [`Endpoint`]s through a [`Transport`] with the configured base URL and
//! credentials, the client-side rate limit, retries of requests that are safe to repeat, and
//! per-attempt observation hooks; turns non-success responses into errors.
//!
//! Generic over the transport so the same code runs on wasm (JS fetch) and in native tests
//! (mock). Does not know JS. A create is never retried here: see [`Client::create_contract`].

mod create;

pub(crate) use create::{external_id_of, newest, CreateOutcome};

use crate::api::errors::error_from_response;
use crate::api::retry::{Decision, Outcome, RetryPolicy};
use crate::api::{Endpoint, HttpRequest, HttpResponse, Method};
use crate::core::config::ClientConfig;
use crate::core::rate_limit::RateLimiter;
use crate::error::{ErrorCode, Result};
use crate::transport::{PreparedRequest, Transport};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Per-call settings: the transport's context (e.g. an `AbortSignal`) and overrides.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext<C> {
    /// The transport's per-call context.
    pub transport: C,
    /// Overrides the client's per-attempt timeout.
    pub timeout_ms: Option<u32>,
    /// Overrides the client's retry count.
    pub max_retries: Option<u32>,
}

impl<C> CallContext<C> {
    /// A context with no overrides.
    pub(crate) fn new(transport: C) -> Self {
        Self {
            transport,
            timeout_ms: None,
            max_retries: None,
        }
    }
}

/// One attempt, as the observation hooks see it. No header, no body, no query string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AttemptEvent {
    /// Endpoint name, e.g. `getContractStatus`.
    pub operation: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path without the query.
    pub path: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Status, when a response came back (`None` before sending and on failures).
    pub status: Option<u16>,
    /// Milliseconds since the attempt was sent (0 before sending).
    pub elapsed_ms: f64,
    /// SpotDraft's request id, when the response had one.
    pub request_id: Option<String>,
    /// The error code of a failed attempt.
    pub error_code: Option<ErrorCode>,
}

/// Receives attempt events: `on_request` before each attempt, `on_response` after it.
pub(crate) trait Observer {
    /// Before an attempt is sent.
    fn on_request(&self, event: &AttemptEvent);
    /// After an attempt ended (response or failure).
    fn on_response(&self, event: &AttemptEvent);
}

/// A configured client over transport `T`.
pub(crate) struct Client<T> {
    config: ClientConfig,
    transport: T,
    limiter: RefCell<RateLimiter>,
    observer: Option<Rc<dyn Observer>>,
}

impl<T: Transport> Client<T> {
    /// A client with a validated `config`.
    pub(crate) fn new(config: ClientConfig, transport: T) -> Self {
        let limiter = RefCell::new(RateLimiter::new(config.max_requests_per_second));
        Self {
            config,
            transport,
            limiter,
            observer: None,
        }
    }

    /// Sets the observer of attempts.
    pub(crate) fn with_observer(mut self, observer: Rc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The configuration.
    pub(crate) fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The transport.
    pub(crate) fn transport(&self) -> &T {
        &self.transport
    }

    /// The request as it will be sent: absolute URL, JSON and auth headers.
    pub(crate) fn prepare(&self, request: &HttpRequest, timeout_ms: u32) -> PreparedRequest {
        let mut headers: Vec<(String, String)> = vec![("accept".into(), "application/json".into())];
        if request.body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        headers.extend(
            self.config
                .auth_headers()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v)),
        );
        PreparedRequest {
            method: request.method,
            url: self.config.url(&request.path_and_query()),
            headers,
            body: request.body.clone(),
            timeout_ms,
        }
    }

    fn retry_policy(&self, ctx: &CallContext<T::Call>) -> RetryPolicy {
        RetryPolicy {
            max_retries: ctx.max_retries.unwrap_or(self.config.max_retries),
            ..RetryPolicy::default()
        }
    }

    /// Sends `request` once, after waiting for the rate limiter (or the shared budget, when
    /// the transport has one); reports the attempt.
    ///
    /// # Errors
    /// Transport errors (`NETWORK`, `TIMEOUT`, `ABORTED`). Any status is `Ok`.
    pub(crate) async fn send_once(
        &self,
        operation: &'static str,
        request: &HttpRequest,
        attempt: u32,
        ctx: &CallContext<T::Call>,
    ) -> Result<HttpResponse> {
        let wait = match self.transport.reserve_shared_slot(&ctx.transport).await? {
            Some(answer) => crate::core::rate_limit::shared_wait(answer)?,
            None => self.limiter.borrow_mut().reserve(self.transport.now_ms()),
        };
        // Below a millisecond a timer cannot wait that little (JS timers round up to ~1 ms),
        // and the reservation already keeps the average rate: go now.
        if wait >= 1.0 {
            self.transport.sleep(wait, &ctx.transport).await?;
        }
        // Events and clock reads only for an observer: each read of the clock is a call out
        // of wasm.
        let observed = self.observer.as_ref().map(|observer| {
            let event = AttemptEvent {
                operation,
                method: request.method,
                path: request.path.clone(),
                attempt,
                status: None,
                elapsed_ms: 0.0,
                request_id: None,
                error_code: None,
            };
            observer.on_request(&event);
            (observer, event, self.transport.now_ms())
        });
        let timeout = ctx.timeout_ms.unwrap_or(self.config.timeout_ms);
        let result = self
            .transport
            .send(self.prepare(request, timeout), &ctx.transport)
            .await;
        if let Some((observer, mut event, started)) = observed {
            event.elapsed_ms = self.transport.now_ms() - started;
            match &result {
                Ok(response) => {
                    event.status = Some(response.status);
                    event.request_id = response.request_id();
                }
                Err(error) => event.error_code = Some(error.code),
            }
            observer.on_response(&event);
        }
        result
    }

    /// Sends `request`, retrying it when it is safe to repeat and the failure is transient.
    ///
    /// # Errors
    /// As [`Client::send_once`] for the last attempt.
    pub(crate) async fn send_with_retries(
        &self,
        operation: &'static str,
        request: &HttpRequest,
        ctx: &CallContext<T::Call>,
    ) -> Result<HttpResponse> {
        let policy = self.retry_policy(ctx);
        let mut attempt = 1;
        loop {
            let result = self.send_once(operation, request, attempt, ctx).await;
            if matches!(&result, Ok(response) if response.is_success()) {
                return result;
            }
            let outcome = match &result {
                Ok(response) => Outcome::Response(response),
                Err(error) => Outcome::Failure(error),
            };
            match policy.decide(
                attempt,
                request.retry_safe,
                outcome,
                self.transport.random(),
            ) {
                Decision::Stop => return result,
                Decision::Retry { delay_ms } => {
                    self.transport.sleep(delay_ms, &ctx.transport).await?;
                    attempt += 1;
                }
            }
        }
    }

    /// Runs `endpoint`: rate-limited, retried where safe, parsed.
    ///
    /// Only the request building and the parse are the endpoint's; the sending, retrying and
    /// error mapping run in [`Client::exchange`], one shared future for every endpoint.
    ///
    /// # Errors
    /// The endpoint's own argument errors; transport errors (`NETWORK`, `TIMEOUT`,
    /// `ABORTED`); the mapped error of a non-2xx status (see [`error_from_response`]);
    /// `INVALID_RESPONSE` when a 2xx body has the wrong shape.
    pub(crate) async fn call<E: Endpoint>(
        &self,
        endpoint: &E,
        ctx: &CallContext<T::Call>,
    ) -> Result<E::Output> {
        let request = endpoint.request()?;
        let response = self.exchange(E::NAME, &request, ctx).await?;
        endpoint.parse(&response)
    }

    /// Sends `request` for the operation named `operation` ([`Endpoint::NAME`]), rate-limited
    /// and retried where safe ([`Client::send_with_retries`]), and returns its 2xx response;
    /// any other status is its mapped error ([`error_from_response`]). Does not parse the
    /// body.
    ///
    /// Not generic over the endpoint, and boxed: its state machine (rate limit, hooks,
    /// transport, retries) is compiled once for all endpoints instead of being inlined into
    /// every caller's future, which the wasm build paid for once per method (BENCHMARKS.md,
    /// "Weight"). One allocation per call.
    ///
    /// # Errors
    /// As [`Client::call`], without the endpoint's own errors.
    pub(crate) fn exchange<'a>(
        &'a self,
        operation: &'static str,
        request: &'a HttpRequest,
        ctx: &'a CallContext<T::Call>,
    ) -> Pin<Box<dyn Future<Output = Result<HttpResponse>> + 'a>> {
        Box::pin(async move {
            let response = self.send_with_retries(operation, request, ctx).await?;
            if response.is_success() {
                Ok(response)
            } else {
                Err(error_from_response(operation, &response))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::contracts::status::GetContractStatus;
    use crate::core::config::{ClientConfigInput, Runtime};
    use crate::core::ids::CompositeId;
    use crate::core::status::ContractStatus;
    use crate::error::ErrorCode;
    use crate::transport::mock::{block_on, MockTransport};

    fn client() -> Client<MockTransport> {
        let config = ClientConfig::new(
            ClientConfigInput {
                ..ClientConfigInput::for_tests()
            },
            Runtime::Server,
            false,
        )
        .unwrap();
        Client::new(config, MockTransport::new())
    }

    #[test]
    fn status_call_sends_credentials_and_parses() {
        let client = client();
        client.transport().respond(
            200,
            r#"{"contract_status":"SIGN","contract_name":"Acme MSA"}"#,
        );
        let endpoint = GetContractStatus {
            id: CompositeId::parse("T-7").unwrap(),
        };
        let result = block_on(client.call(&endpoint, &CallContext::new(()))).unwrap();
        assert_eq!(result.contract_status, ContractStatus::Sign);
        let sent = client.transport().sent();
        assert_eq!(
            sent[0].url,
            "http://127.0.0.1:4010/api/v2.1/public/contracts/T-7/status"
        );
        let header = |name: &str| {
            sent[0]
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("client-id").as_deref(), Some("cid"));
        assert_eq!(header("client-secret").as_deref(), Some("csecret"));
        assert_eq!(header("user-email").as_deref(), Some("owner@acme.example"));
        assert!(!format!("{:?}", sent[0]).contains("csecret"));
    }

    #[test]
    fn non_success_maps_to_error() {
        let client = client();
        client.transport().respond(
            401,
            r#"{"detail":"Authentication credentials were not provided."}"#,
        );
        let endpoint = GetContractStatus {
            id: CompositeId::parse("T-7").unwrap(),
        };
        let error = block_on(client.call(&endpoint, &CallContext::new(()))).unwrap_err();
        assert_eq!(error.code, ErrorCode::Unauthorized);
        assert_eq!(error.status, Some(401));
        assert!(!error.message.contains("csecret"));
    }

    #[test]
    fn exchange_returns_a_2xx_unparsed_and_maps_anything_else() {
        let client = client();
        let request = status_endpoint().request().unwrap();
        client
            .transport()
            .respond(200, "not JSON: the caller parses");
        let response =
            block_on(client.exchange("getContractStatus", &request, &CallContext::new(())))
                .unwrap();
        assert_eq!(response.body, "not JSON: the caller parses");
        client
            .transport()
            .respond(404, r#"{"detail":"Not found."}"#);
        let error = block_on(client.exchange("getContractStatus", &request, &CallContext::new(())))
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::NotFound);
        assert_eq!(error.status, Some(404));
        assert_eq!(client.transport().sent().len(), 2);
    }

    fn status_endpoint() -> GetContractStatus {
        GetContractStatus {
            id: CompositeId::parse("T-7").unwrap(),
        }
    }

    #[test]
    fn a_shared_budget_sets_the_wait_instead_of_the_own_limiter() {
        let client = client();
        let status = r#"{"contract_status":"SIGN","contract_name":"Acme MSA"}"#;
        for wait in [0.0, 400.0, 0.0] {
            client.transport().queue_shared_slot(Ok(Some(wait)));
            client.transport().respond(200, status);
        }
        for _ in 0..3 {
            block_on(client.call(&status_endpoint(), &CallContext::new(()))).unwrap();
        }
        // Only the budget's 400 ms: the client's own 10/s limiter would have spaced the three
        // back-to-back calls by 100 ms each.
        assert_eq!(client.transport().clock_ms(), 400.0);
        assert_eq!(client.transport().sent().len(), 3);
    }

    #[test]
    fn a_failing_or_nonsense_budget_fails_the_call_unsent() {
        for (slot, code) in [
            (
                Err(crate::Error::new(ErrorCode::StoreError, "budget down")),
                ErrorCode::StoreError,
            ),
            (Ok(None), ErrorCode::InvalidArgument),
            (Ok(Some(-5.0)), ErrorCode::InvalidArgument),
            (Ok(Some(3_600_000.0)), ErrorCode::RateLimited),
        ] {
            let client = client();
            client.transport().queue_shared_slot(slot);
            let error =
                block_on(client.call(&status_endpoint(), &CallContext::new(()))).unwrap_err();
            assert_eq!(error.code, code);
            assert!(
                client.transport().sent().is_empty(),
                "{code:?}: a request went out"
            );
        }
    }
}
