//! Exactly-once create without server idempotency.
//!
//! SpotDraft's create has no idempotency key, so `POST /contracts/` is never blindly retried.
//! When an attempt fails in a way that leaves it unknown whether the contract was created
//! (network error, timeout, 5xx), the contract is looked up by `external_metadata.id`: found →
//! it is returned (`FOUND_EXISTING`); not found → looked up again with backoff over the settle
//! window (`createSettleMs`, default 5 s, see [`crate::core::settle`]), since the lookup may
//! trail the write; still not found at the window's end → the create is sent again. After a
//! timeout the first lookup waits one timeout, since the request may still be running on the
//! server. A create that succeeds at once never looks up nor waits. A 429 is a refusal
//! before processing, so the create is simply retried after the advised delay. Any other 4xx
//! is final, and so is an `INVALID_ARGUMENT` of the transport (refused before sending).
//!
//! Through HubSpot's `hubspot.fetch` (see [`crate::transport::hubspot`]) a wrapped 5xx or
//! HubSpot's timeout is ambiguous like any other and takes the lookup path. But HubSpot itself
//! retries once after a 5xx or a failed connection, so a create that committed upstream can
//! reach SpotDraft a second time before this code sees any answer, and make a second contract
//! that no lookup here can undo. Only a backend that deduplicates creates by
//! `external_metadata.id` prevents that.
//!
//! Where exactly-once stops: a lookup that lags behind the write by longer than the settle
//! window reads "not found" to the end, the create is sent again, and the contract exists
//! twice. `createSettleMs: 0` restores the old behaviour (one lookup, then create again). A
//! process that dies between sending a create and learning its outcome loses what this code
//! knew; nothing here survives a restart. The sync engine's `createContract`
//! ([`crate::sync`], `intents.rs`) does, by storing a create intent before each request
//! (through [`Client::create_contract_noting`]'s hook) and resolving it after a restart.
//!
//! This relies on `external_metadata.id` naming one source record per contract, as SpotDraft's
//! playbook asks; a create without it is refused before the network.

use super::{CallContext, Client};
use crate::api::contracts::by_external::FindByExternalId;
use crate::api::contracts::create::{ContractSummary, CreateContract};
use crate::api::errors::error_from_response;
use crate::api::retry::retry_after_ms;
use crate::api::Endpoint;
use crate::core::settle::{SettlePolicy, SettleStep};
use crate::error::{Error, ErrorCode, Result};
use crate::transport::Transport;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use tsify::Tsify;

/// What a create did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum CreateOutcome {
    /// This call created the contract.
    Created,
    /// A contract with this `external_metadata.id` already existed (created by an earlier
    /// attempt whose answer was lost, or found by `checkExistingFirst`); nothing new was made.
    FoundExisting,
}

/// The contract and how it came to be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateResult {
    /// The contract.
    pub contract: ContractSummary,
    /// Created now, or found.
    pub outcome: CreateOutcome,
    /// Create attempts sent (0 when found by `checkExistingFirst`).
    pub attempts: u32,
}

/// What [`Client::create_contract_noting`] awaits before each create request, given the
/// attempt number (1 for the first). A trait object, so the create loop is compiled once into
/// the wasm, not once per hook (BENCHMARKS.md, "Weight").
pub(crate) type BeforeSend<'a> = &'a dyn Fn(u32) -> Pin<Box<dyn Future<Output = Result<()>> + 'a>>;

/// A failed create, and whether it may have made a contract.
#[derive(Debug)]
pub(crate) struct CreateFailure {
    /// The error the create fails with.
    pub error: Error,
    /// False when no contract was made, as far as the settle rule tells: refused before the
    /// network, a definite refusal (4xx, 429), or an ambiguous failure whose lookups found
    /// nothing over the settle window. True when its outcome is unknown (cancelled, a failed
    /// lookup) or a contract was made but its answer was unreadable.
    pub may_exist: bool,
}

impl CreateFailure {
    fn nothing_made(error: Error) -> Self {
        Self {
            error,
            may_exist: false,
        }
    }

    fn may_exist(error: Error) -> Self {
        Self {
            error,
            may_exist: true,
        }
    }
}

/// `external_metadata.id` of a create body, as a non-empty string.
///
/// # Errors
/// `VALIDATION_FAILED` with the path `external_metadata.id` when it is missing or empty.
pub(crate) fn external_id_of(body: &Value) -> Result<String> {
    let id = body.get("external_metadata").and_then(|m| m.get("id"));
    let text = match id {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    text.ok_or_else(|| {
        Error::new(
            ErrorCode::ValidationFailed,
            "A create needs `external_metadata.id`: the source record's id is how the contract is \
             found again after a lost answer, so the create is refused without it.",
        )
        .with_details([crate::error::ErrorDetail::new(
            "external_metadata.id",
            "REQUIRED",
            "set it to the id of the CRM record this contract is for",
        )])
    })
}

impl<T: Transport> Client<T> {
    /// Creates a contract exactly once (see the module docs). With `check_existing_first`, an
    /// existing contract with the same external id is returned without creating.
    ///
    /// # Errors
    /// `VALIDATION_FAILED` without an external id; the mapped error of a definite refusal
    /// (4xx); `AMBIGUOUS_CREATE` when the lookup after an ambiguous failure fails too;
    /// `ABORTED`; the last attempt's error when retries run out and the lookups found nothing
    /// over the settle window.
    pub(crate) async fn create_contract(
        &self,
        body: Value,
        check_existing_first: bool,
        ctx: &CallContext<T::Call>,
    ) -> Result<CreateResult> {
        self.create_contract_noting(body, check_existing_first, ctx, &|_| {
            Box::pin(async { Ok(()) })
        })
        .await
        .map_err(|failure| failure.error)
    }

    /// [`Self::create_contract`], awaiting `before_send(attempt)` before each create request
    /// is sent (the sync engine records its create intent there; an error from it stops the
    /// create before that request), and telling with a failure whether a contract may have
    /// been made.
    ///
    /// # Errors
    /// As [`Self::create_contract`], in a [`CreateFailure`]; `before_send`'s error as is.
    pub(crate) async fn create_contract_noting(
        &self,
        body: Value,
        check_existing_first: bool,
        ctx: &CallContext<T::Call>,
        before_send: BeforeSend<'_>,
    ) -> std::result::Result<CreateResult, CreateFailure> {
        let external_id = external_id_of(&body).map_err(CreateFailure::nothing_made)?;
        let lookup = FindByExternalId::new("payload.external_metadata.id", &external_id)
            .map_err(CreateFailure::nothing_made)?;
        if check_existing_first {
            let found = self
                .call(&lookup, ctx)
                .await
                .map_err(CreateFailure::nothing_made)?;
            if let Some(contract) = newest(found) {
                return Ok(CreateResult {
                    contract,
                    outcome: CreateOutcome::FoundExisting,
                    attempts: 0,
                });
            }
        }
        let endpoint = CreateContract { body };
        let request = endpoint.request().map_err(CreateFailure::nothing_made)?;
        let policy = self.retry_policy(ctx);
        let mut attempt = 1;
        loop {
            // Every earlier attempt was refused or settled "not found": nothing made yet.
            before_send(attempt)
                .await
                .map_err(CreateFailure::nothing_made)?;
            let ambiguous = match self
                .send_once(CreateContract::NAME, &request, attempt, ctx)
                .await
            {
                Ok(response) if response.is_success() => {
                    return Ok(CreateResult {
                        // Created, but the answer is unreadable: the contract exists.
                        contract: endpoint
                            .parse(&response)
                            .map_err(CreateFailure::may_exist)?,
                        outcome: CreateOutcome::Created,
                        attempts: attempt,
                    });
                }
                Ok(response) if response.status == 429 => {
                    // Refused before processing: nothing was created.
                    let error = error_from_response(CreateContract::NAME, &response);
                    let delay = retry_after_ms(&response)
                        .unwrap_or_else(|| policy.backoff_ms(attempt, self.transport.random()));
                    if attempt > policy.max_retries || delay > policy.max_retry_after_ms {
                        // Refused before processing, and any earlier attempt settled.
                        return Err(CreateFailure::nothing_made(error));
                    }
                    self.transport
                        .sleep(delay, &ctx.transport)
                        .await
                        .map_err(CreateFailure::nothing_made)?;
                    attempt += 1;
                    continue;
                }
                Ok(response) if response.status >= 500 => {
                    error_from_response(CreateContract::NAME, &response)
                }
                Ok(response) => {
                    return Err(CreateFailure::nothing_made(error_from_response(
                        CreateContract::NAME,
                        &response,
                    )))
                }
                Err(error) if error.code == ErrorCode::Aborted => {
                    return Err(CreateFailure::may_exist(cancelled(&external_id)))
                }
                // Refused before sending (the transport's own checks, e.g. hubspot.fetch's
                // header and size limits, or a failing `headers()` provider): nothing reached
                // SpotDraft, and a lookup through the same transport would be refused too.
                Err(error) if error.code == ErrorCode::InvalidArgument => {
                    return Err(CreateFailure::nothing_made(error))
                }
                Err(error) => error,
            };
            if ambiguous.code == ErrorCode::Timeout {
                // The request may still be running on the server: give it about as long as
                // the attempt had before asking whether it created the contract.
                let wait = f64::from(ctx.timeout_ms.unwrap_or(self.config.timeout_ms));
                self.transport
                    .sleep(wait, &ctx.transport)
                    .await
                    .map_err(CreateFailure::may_exist)?;
            }
            if let Some(contract) = self
                .settled_lookup(&lookup, &external_id, &ambiguous, ctx)
                .await
                .map_err(CreateFailure::may_exist)?
            {
                return Ok(CreateResult {
                    contract,
                    outcome: CreateOutcome::FoundExisting,
                    attempts: attempt,
                });
            }
            // Not found over the whole settle window: sending again is taken as safe.
            if attempt > policy.max_retries {
                // The lookups found nothing over the window: taken as nothing made.
                return Err(CreateFailure::nothing_made(ambiguous));
            }
            let delay = policy.backoff_ms(attempt, self.transport.random());
            self.transport
                .sleep(delay, &ctx.transport)
                .await
                .map_err(CreateFailure::nothing_made)?;
            attempt += 1;
        }
    }

    /// Looks the contract up after an ambiguous failure until it is found or the "not found"
    /// has held over the settle window ([`SettlePolicy`]); `Ok(None)` means not found at the
    /// window's end. Does not send a create, and does not wait at all when the first lookup
    /// finds the contract or the window is 0.
    ///
    /// # Errors
    /// `AMBIGUOUS_CREATE` when a lookup fails (after its own retries); `ABORTED` when the
    /// call is cancelled during a wait.
    async fn settled_lookup(
        &self,
        lookup: &FindByExternalId,
        external_id: &str,
        ambiguous: &Error,
        ctx: &CallContext<T::Call>,
    ) -> Result<Option<ContractSummary>> {
        let policy = SettlePolicy::new(self.config.create_settle_ms);
        let started = self.transport.now_ms();
        let mut lookups = 0;
        loop {
            lookups += 1;
            let found = self.call(lookup, ctx).await.map_err(|lookup_error| {
                Error::new(
                    ErrorCode::AmbiguousCreate,
                    format!(
                        "The create failed ambiguously ({}: {}) and the lookup by external_metadata.id \
                         \"{external_id}\" failed too ({}), so it is unknown whether the contract \
                         exists. Call findContractsByExternalId(\"{external_id}\") before creating again.",
                        ambiguous.code, ambiguous.message, lookup_error.code
                    ),
                )
            })?;
            if let Some(contract) = newest(found) {
                return Ok(Some(contract));
            }
            let elapsed = self.transport.now_ms() - started;
            match policy.after_not_found(lookups, elapsed, self.transport.random()) {
                SettleStep::Settled => return Ok(None),
                SettleStep::LookAgain { delay_ms } => self
                    .transport
                    .sleep(delay_ms, &ctx.transport)
                    .await
                    .map_err(|_| cancelled(external_id))?,
            }
        }
    }
}

/// The error of a create cancelled after it may have been sent.
fn cancelled(external_id: &str) -> Error {
    Error::new(
        ErrorCode::Aborted,
        format!(
            "The create was cancelled; it may or may not have reached SpotDraft. \
             Call findContractsByExternalId(\"{external_id}\") before creating again."
        ),
    )
}

/// The most recent of several contracts with one external id (highest numeric id).
pub(crate) fn newest(contracts: Vec<ContractSummary>) -> Option<ContractSummary> {
    contracts
        .into_iter()
        .max_by_key(|c| c.contract_id.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::HttpResponse;
    use crate::core::config::{ClientConfig, ClientConfigInput, Runtime};
    use crate::transport::mock::{block_on, MockTransport};
    use serde_json::json;

    fn client() -> Client<MockTransport> {
        client_with_settle(None)
    }

    fn client_with_settle(create_settle_ms: Option<f64>) -> Client<MockTransport> {
        let config = ClientConfig::new(
            ClientConfigInput {
                base_url: Some("http://127.0.0.1:4010".into()),
                create_settle_ms,
                ..ClientConfigInput::default()
            },
            Runtime::Server,
            false,
        )
        .unwrap();
        Client::new(config, MockTransport::new())
    }

    fn body() -> Value {
        json!({"contract_template_id": 1204, "contract_data": {}, "counter_party_details": [], "external_metadata": {"id": "deal-1"}})
    }

    const CREATED: &str = r#"{"id":"T-5","contract_id":5,"contract_status":"DRAFT","external_metadata":{"id":"deal-1"}}"#;

    fn paths(client: &Client<MockTransport>) -> Vec<String> {
        client
            .transport()
            .sent()
            .iter()
            .map(|r| {
                format!(
                    "{:?} {}",
                    r.method,
                    r.url
                        .trim_start_matches("http://127.0.0.1:4010/api/v2.1/public")
                )
            })
            .collect()
    }

    #[test]
    fn refuses_a_create_without_external_id_before_the_network() {
        let client = client();
        let error = block_on(client.create_contract(
            json!({"contract_template_id": 1}),
            false,
            &CallContext::new(()),
        ))
        .unwrap_err();
        assert_eq!(error.code, ErrorCode::ValidationFailed);
        assert_eq!(error.details[0].path, "external_metadata.id");
        assert!(client.transport().sent().is_empty());
    }

    #[test]
    fn a_5xx_after_commit_returns_the_existing_contract_without_a_second_create() {
        let client = client();
        client
            .transport()
            .respond(502, "")
            .respond(200, &format!("[{CREATED}]"));
        let result =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap();
        assert_eq!(result.outcome, CreateOutcome::FoundExisting);
        assert_eq!(result.contract.id, "T-5");
        assert_eq!(
            paths(&client),
            [
                "Post /contracts/",
                "Get /contracts/by_external_metadata/deal-1"
            ]
        );
    }

    const POST: &str = "Post /contracts/";
    const LOOKUP: &str = "Get /contracts/by_external_metadata/deal-1";

    #[test]
    fn with_settle_0_a_reset_before_commit_creates_again_after_one_lookup() {
        let client = client_with_settle(Some(0.0));
        client
            .transport()
            .push(Err(Error::new(ErrorCode::Network, "reset")))
            .respond(200, "[]")
            .respond(201, CREATED);
        let result =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap();
        assert_eq!(result.outcome, CreateOutcome::Created);
        assert_eq!(result.attempts, 2);
        assert_eq!(paths(&client), [POST, LOOKUP, POST]);
    }

    #[test]
    fn a_lookup_that_lags_behind_the_commit_is_waited_for_instead_of_creating_again() {
        let client = client();
        client
            .transport()
            .push(Err(Error::new(ErrorCode::Network, "reset after commit")))
            .respond(200, "[]")
            .respond(200, "[]")
            .respond(200, "[]")
            .respond(200, &format!("[{CREATED}]"));
        let result =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap();
        assert_eq!(result.outcome, CreateOutcome::FoundExisting);
        assert_eq!(result.contract.id, "T-5");
        assert_eq!(result.attempts, 1);
        assert_eq!(paths(&client), [POST, LOOKUP, LOOKUP, LOOKUP, LOOKUP]);
        // Re-looks after 187.5 + 375 + 750 ms (the mock's jitter is 0.5), well inside 5 s.
        let clock = client.transport().clock_ms();
        assert!((1_312.5..5_000.0).contains(&clock), "{clock}");
    }

    #[test]
    fn a_not_found_that_holds_over_the_window_creates_again_after_the_final_lookup() {
        let client = client();
        client
            .transport()
            .push(Err(Error::new(ErrorCode::Network, "reset before commit")));
        for _ in 0..7 {
            client.transport().respond(200, "[]");
        }
        client.transport().respond(201, CREATED);
        let result =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap();
        assert_eq!(result.outcome, CreateOutcome::Created);
        assert_eq!(result.attempts, 2);
        let sent = paths(&client);
        assert_eq!(sent.first().map(String::as_str), Some(POST));
        assert_eq!(sent.last().map(String::as_str), Some(POST));
        assert_eq!(sent.iter().filter(|p| *p == LOOKUP).count(), 7, "{sent:?}");
        assert!(client.transport().clock_ms() >= 5_000.0);
    }

    #[test]
    fn a_cancel_during_the_settle_wait_is_aborted_and_names_the_lookup_to_make() {
        let client = client();
        client
            .transport()
            .push(Err(Error::new(ErrorCode::Network, "reset")))
            .respond(200, "[]");
        client.transport().abort_after_sends(2);
        let error =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap_err();
        assert_eq!(error.code, ErrorCode::Aborted);
        assert!(error
            .message
            .contains("findContractsByExternalId(\"deal-1\")"));
        assert_eq!(paths(&client), [POST, LOOKUP]);
    }

    #[test]
    fn a_create_that_succeeds_at_once_neither_looks_up_nor_waits() {
        let client = client_with_settle(Some(600_000.0));
        client.transport().respond(201, CREATED);
        let result =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap();
        assert_eq!(result.outcome, CreateOutcome::Created);
        assert_eq!(paths(&client), [POST]);
        assert_eq!(client.transport().clock_ms(), 0.0);
    }

    #[test]
    fn a_429_is_retried_after_retry_after_without_a_lookup() {
        let client = client();
        client.transport().push(Ok(HttpResponse {
            status: 429,
            headers: vec![("retry-after".into(), "1".into())],
            body: String::new(),
        }));
        client.transport().respond(201, CREATED);
        let result =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap();
        assert_eq!(result.outcome, CreateOutcome::Created);
        assert_eq!(paths(&client), ["Post /contracts/", "Post /contracts/"]);
        assert!(client.transport().clock_ms() >= 1000.0);
    }

    #[test]
    fn a_4xx_is_final_and_a_failed_lookup_is_ambiguous() {
        let client = client();
        client
            .transport()
            .respond(400, r#"{"contract_data":["bad"]}"#);
        let error =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap_err();
        assert_eq!(error.code, ErrorCode::ValidationFailed);
        assert_eq!(client.transport().sent().len(), 1);

        let client = self::client();
        client
            .transport()
            .push(Err(Error::new(ErrorCode::Timeout, "slow")));
        for _ in 0..3 {
            client.transport().respond(503, "");
        }
        let error =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap_err();
        assert_eq!(error.code, ErrorCode::AmbiguousCreate);
        assert!(error
            .message
            .contains("findContractsByExternalId(\"deal-1\")"));
    }

    #[test]
    fn a_refusal_before_sending_is_final_without_a_lookup() {
        let client = client();
        client.transport().push(Err(Error::invalid_argument(
            "options.headers",
            "returned a `x-session` header",
        )));
        let error =
            block_on(client.create_contract(body(), false, &CallContext::new(()))).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidArgument);
        assert_eq!(paths(&client), ["Post /contracts/"]);
    }

    #[test]
    fn check_existing_first_returns_without_creating() {
        let client = client();
        client.transport().respond(200, &format!("[{CREATED}]"));
        let result = block_on(client.create_contract(body(), true, &CallContext::new(()))).unwrap();
        assert_eq!(result.outcome, CreateOutcome::FoundExisting);
        assert_eq!(result.attempts, 0);
        assert_eq!(client.transport().sent().len(), 1);
    }
}
