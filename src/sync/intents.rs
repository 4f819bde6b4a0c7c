//! `createContract` on the engine: a create that survives a restart of the process.
//!
//! Before each create request, the engine stores a create intent for the external id
//! ([`crate::core::sync::CreateIntent`], on a placeholder record under `external:<id>`). A
//! process killed between sending and learning the outcome leaves that intent open; the next
//! process resolves it by looking the contract up, through the client's settle rule
//! ([`crate::core::sync::after_intent_lookup`]), before it creates again: on
//! [`SyncEngine::resolve_open_intents`], and on the next [`SyncEngine::create_contract`] for
//! that external id. Once the contract is known, its record (tracked since now) replaces the
//! placeholder, which closes the intent.
//!
//! What this does NOT do: coordinate several engines or processes creating for one external
//! id at the same time (one engine serialises its own creates per external id; two processes
//! may both see no intent and both create; on a versioned store an intent is only never
//! written over a contract another engine tracked, see `cas.rs`), survive a store that loses a write it
//! acknowledged, or prove absence: a lookup lagging behind the write by longer than the
//! deadline (two timeouts plus the settle window after the last attempt) ends in a second
//! create, as in the client.

use super::cas::Conflicts;
use super::engine::{Clock, SyncEngine};
use super::results::SyncFailure;
use super::store::Store;
use crate::api::contracts::by_external::FindByExternalId;
use crate::api::contracts::create::ContractSummary;
use crate::client::{external_id_of, newest, CallContext, CreateOutcome};
use crate::core::ids::CompositeId;
use crate::core::sync::{
    after_intent_lookup, intent_deadline_ms, merge_tracked, next_attempt, open_intent,
    CreateIntent, IntentState, IntentStep, RecordKey, SyncRecord,
};
use crate::error::{Error, ErrorCode, Result};
use crate::transport::Transport;
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::hash::{DefaultHasher, Hash, Hasher};
use tsify::Tsify;

/// At most this many failures are listed in a [`ResolveIntentsResult`].
const MAX_LISTED_ERRORS: usize = 20;

/// What `engine.createContract` resolves to.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EngineCreateResult {
    /// The contract as SpotDraft answered the create or the lookup; absent when the store
    /// already held this external id's contract (nothing was sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub contract: Option<ContractSummary>,
    /// `CREATED` by this call, or `FOUND_EXISTING` (in the store, or by a lookup of an
    /// earlier attempt, possibly of a process that died).
    pub outcome: CreateOutcome,
    /// Create requests this call sent.
    pub attempts: u32,
    /// The contract's record, tracked.
    pub record: SyncRecord,
}

/// What `engine.resolveOpenIntents` resolves to.
#[derive(Debug, Clone, Default, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResolveIntentsResult {
    /// Open intents found in the store.
    pub open: usize,
    /// Their contract exists: now tracked, the intent closed.
    pub found: usize,
    /// Not found up to the deadline: marked `NOT_CREATED`; the next `createContract` for
    /// the external id creates without waiting.
    pub not_created: usize,
    /// A lookup or the store failed: the intent stays open (see `errors`).
    pub failed: usize,
    /// The first failures, at most 20.
    pub errors: Vec<SyncFailure>,
}

/// How resolving one open intent by lookup ended.
enum Resolved {
    Found(Box<(ContractSummary, SyncRecord)>),
    NotCreated(CreateIntent),
}

/// The error of a create not sent because the external id's row names a contract now.
fn tracked_meanwhile(external_id: &str) -> Error {
    Error::new(
        ErrorCode::Conflict,
        format!(
            "Another engine sharing this store tracked a contract for external_metadata.id \
             {external_id:?} while this create was about to be sent; nothing was sent: call \
             createContract again to get that contract."
        ),
    )
}

fn lock_key(external_id: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    external_id.hash(&mut hasher);
    hasher.finish()
}

/// The numeric contract id of a contract SpotDraft returned (from `T-<n>` when absent).
fn contract_id_of(contract: &ContractSummary) -> Option<u64> {
    contract.contract_id.filter(|id| *id != 0).or_else(|| {
        CompositeId::parse(&contract.id)
            .ok()
            .filter(|id| id.as_str().starts_with("T-"))
            .and_then(|id| id.number())
    })
}

impl<T: Transport, S: Store, C: Clock> SyncEngine<T, S, C> {
    /// Creates a contract exactly once per `external_metadata.id`, also across a restart of
    /// the process (see the module docs): returns the stored contract when the store already
    /// has one for this external id; resolves an open intent by lookup first; stores the
    /// intent before each create request; tracks the contract once known.
    ///
    /// # Errors
    /// `VALIDATION_FAILED` without an external id (before the store); the store's; the
    /// client's create errors. After an error whose outcome is unknown (`ABORTED`,
    /// `AMBIGUOUS_CREATE`) the intent stays open; after a refusal, or a "not found" that
    /// held over the settle window, it is marked `NOT_CREATED`.
    pub(crate) async fn create_contract(
        &self,
        body: Value,
        check_existing_first: bool,
        ctx: &CallContext<T::Call>,
    ) -> Result<EngineCreateResult> {
        let external_id = external_id_of(&body)?;
        let _guard = self.create_locks.lock(lock_key(&external_id)).await;
        let key = RecordKey::ExternalId(external_id.clone());
        let stored = self.get_record(&key).await?;
        let mut previous = None;
        match stored {
            Some(record) if record.contract_id != 0 => {
                return Ok(EngineCreateResult {
                    contract: None,
                    outcome: CreateOutcome::FoundExisting,
                    attempts: 0,
                    record,
                })
            }
            Some(record) => {
                if let Some(intent) = open_intent(&record).copied() {
                    match self.resolve_intent(&external_id, &intent, ctx).await? {
                        Resolved::Found(found) => {
                            let (contract, record) = *found;
                            return Ok(EngineCreateResult {
                                contract: Some(contract),
                                outcome: CreateOutcome::FoundExisting,
                                attempts: 0,
                                record,
                            });
                        }
                        Resolved::NotCreated(intent) => previous = Some(intent),
                    }
                } else {
                    previous = record.create_intent;
                }
            }
            None => {}
        }
        let intent = RefCell::new(previous);
        let outcome = self
            .client
            .create_contract_noting(body, check_existing_first, ctx, &|_| {
                Box::pin(async {
                    let next = next_attempt(intent.borrow().as_ref(), self.now()?);
                    if !self.save_intent(&external_id, next).await? {
                        return Err(tracked_meanwhile(&external_id));
                    }
                    *intent.borrow_mut() = Some(next);
                    Ok(())
                })
            })
            .await;
        match outcome {
            Ok(created) => {
                let record = self.track_created(&created.contract, &external_id).await?;
                Ok(EngineCreateResult {
                    contract: Some(created.contract),
                    outcome: created.outcome,
                    attempts: created.attempts,
                    record,
                })
            }
            Err(failure) => {
                let written = *intent.borrow();
                if let (false, Some(open)) = (failure.may_exist, written) {
                    let settled = CreateIntent {
                        state: IntentState::NotCreated,
                        ..open
                    };
                    // The create's error matters more than a failed note of it.
                    let _ = self.save_intent(&external_id, settled).await;
                }
                Err(failure.error)
            }
        }
    }

    /// Resolves every open create intent in the store by lookup (see the module docs), one
    /// after the other: an intent whose last attempt is recent is looked up until its
    /// deadline (two timeouts plus the settle window after it), so the first such intent
    /// waits and the ones sent at about the same time are past their deadline by then.
    /// Found → tracked, intent closed; not found → `NOT_CREATED`. Sends no create.
    ///
    /// # Errors
    /// The store's `list`; per-intent failures are counted, not returned.
    pub(crate) async fn resolve_open_intents(
        &self,
        ctx: &CallContext<T::Call>,
    ) -> Result<ResolveIntentsResult> {
        let listing = self.store.list().await?;
        // A placeholder is stored under its external id only, so each is listed once.
        let open: Vec<(String, CreateIntent)> = listing
            .records
            .iter()
            .filter(|record| record.contract_id == 0)
            .filter_map(|record| Some((record.external_id.clone()?, *open_intent(record)?)))
            .collect();
        let mut result = ResolveIntentsResult {
            open: open.len(),
            ..ResolveIntentsResult::default()
        };
        for (external_id, intent) in &open {
            match self.resolve_one(external_id, intent, ctx).await {
                // `None`: closed meanwhile, its contract's record is stored.
                Ok(Some(Resolved::Found(..)) | None) => result.found += 1,
                Ok(Some(Resolved::NotCreated(_))) => result.not_created += 1,
                Err(error) => {
                    result.failed += 1;
                    if result.errors.len() < MAX_LISTED_ERRORS {
                        result.errors.push(SyncFailure::of(None, &error));
                    }
                }
            }
        }
        Ok(result)
    }

    /// One open intent under its external id's lock, re-read there (a create of this engine
    /// may have closed it meanwhile). `None` when it was closed meanwhile: the contract's
    /// record is stored (tracked, or its webhook arrived).
    async fn resolve_one(
        &self,
        external_id: &str,
        listed: &CreateIntent,
        ctx: &CallContext<T::Call>,
    ) -> Result<Option<Resolved>> {
        let _guard = self.create_locks.lock(lock_key(external_id)).await;
        let key = RecordKey::ExternalId(external_id.to_owned());
        match self.get_record(&key).await? {
            Some(record) if record.contract_id == 0 => match open_intent(&record) {
                Some(intent) => self
                    .resolve_intent(external_id, intent, ctx)
                    .await
                    .map(Some),
                None => Ok(Some(Resolved::NotCreated(
                    record.create_intent.unwrap_or(*listed),
                ))),
            },
            Some(_) => Ok(None),
            None => Ok(Some(Resolved::NotCreated(*listed))),
        }
    }

    /// Looks `intent`'s contract up until it is found or the "not found" held up to the
    /// deadline. Found: tracks it (closing the intent). Not found: stores the intent as
    /// `NOT_CREATED`. Sends no create; the caller holds the external id's lock.
    ///
    /// # Errors
    /// `AMBIGUOUS_CREATE` when a lookup fails (the intent stays open); `ABORTED`; the store's.
    async fn resolve_intent(
        &self,
        external_id: &str,
        intent: &CreateIntent,
        ctx: &CallContext<T::Call>,
    ) -> Result<Resolved> {
        let lookup = FindByExternalId::new("externalId", external_id)?;
        let timeout_ms = ctx.timeout_ms.unwrap_or(self.client.config().timeout_ms);
        let deadline =
            intent_deadline_ms(intent, timeout_ms, self.client.config().create_settle_ms);
        let transport = self.client.transport();
        // Wall time now, moved on by the transport's monotonic clock (which sleeps move).
        let (wall, mono) = (self.clock.now_unix_ms(), transport.now_ms());
        for lookups in 1.. {
            let found = self.client.call(&lookup, ctx).await.map_err(|error| {
                Error::new(
                    ErrorCode::AmbiguousCreate,
                    format!(
                        "A create for external_metadata.id {external_id:?} was sent and its \
                         outcome never learned, and the lookup failed ({}): the intent stays \
                         open; call resolveOpenIntents again later.",
                        error.code
                    ),
                )
            })?;
            let found = newest(found);
            let now = wall + (transport.now_ms() - mono);
            match after_intent_lookup(found.is_some(), lookups, now, deadline, transport.random()) {
                IntentStep::Close => {
                    let Some(contract) = found else { break };
                    let record = self.track_created(&contract, external_id).await?;
                    return Ok(Resolved::Found(Box::new((contract, record))));
                }
                IntentStep::LookAgain { delay_ms } => {
                    transport.sleep(delay_ms, &ctx.transport).await?;
                }
                IntentStep::CreateAgain => break,
            }
        }
        let settled = CreateIntent {
            state: IntentState::NotCreated,
            ..*intent
        };
        // `false`: another engine tracked the contract meanwhile; its record stays.
        self.save_intent(external_id, settled).await?;
        Ok(Resolved::NotCreated(settled))
    }

    /// Tracks a contract SpotDraft returned for `external_id` (tracked since now), which
    /// replaces the intent's placeholder under `external:<id>`.
    async fn track_created(
        &self,
        contract: &ContractSummary,
        external_id: &str,
    ) -> Result<SyncRecord> {
        let Some(contract_id) = contract_id_of(contract) else {
            return Err(Error::internal(format!(
                "SpotDraft returned contract {:?} for {external_id:?} without a numeric \
                 contract id; the create intent stays open.",
                contract.id
            )));
        };
        let composite = CompositeId::parse(&contract.id).ok();
        let now = self.now()?;
        let _guard = self.locks.lock(contract_id).await;
        let primary = RecordKey::ContractId(contract_id);
        let mut conflicts = Conflicts::default();
        let record = loop {
            let (existing, token) = self.read_row(&primary).await?;
            let record = merge_tracked(
                existing.as_ref(),
                contract_id,
                composite.clone(),
                Some(external_id.to_owned()),
                now,
            )
            .or(existing)
            .ok_or_else(|| Error::internal("track merged into nothing"))?;
            // Saved under both keys even when unchanged: the placeholder must be replaced.
            if self.write_row(&record, &primary, &token).await? {
                break record;
            }
            self.after_conflict(&mut conflicts, &primary.storage_key())
                .await?;
        };
        if record.external_id.as_deref() != Some(external_id) {
            // The stored record names another external id: replace the placeholder too.
            let key = RecordKey::ExternalId(external_id.to_owned()).storage_key();
            self.store.put(&key, &record).await?;
        }
        Ok(record)
    }
}
