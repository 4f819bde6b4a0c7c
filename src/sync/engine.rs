//! The sync engine: webhook events applied to a record per contract, follow-up calls
//! (key pointers, document link, status, composite id), bounded reconciliation and documents
//! on demand, over any [`Transport`], [`Store`] and [`Clock`].
//!
//! Every decision is [`crate::core::sync`]'s (dedupe, order, no-regress, which actions and in
//! which order, which results to keep, what to poll, where to resume); this module only moves
//! records between the store, the client and the core.
//!
//! Concurrency: one engine serialises its updates per contract ([`ContractLocks`]), so
//! concurrent deliveries for one contract never lose an update. Follow-up actions run
//! outside that lock and apply their results to the record as it is *then* (re-read under
//! the lock), so a slow call never holds up the next webhook. Several engines (processes)
//! sharing one store are coordinated only when the store is versioned: then every write of a
//! contract's row is compare-and-set, redone over the newer record after a conflict
//! (`cas.rs`); over a store without versions they may lose updates.
//!
//! What this does NOT do: verify webhook signatures (the caller does, before
//! [`SyncEngine::handle_event`]), log, keep a signed download URL (it is dropped as soon as
//! the file name and version are read, or the bytes fetched), retry on its own (the client
//! retries what is safe), or poll on a timer.

use super::cas::{Conflicts, Token};
use super::join::join_all;
use super::locks::ContractLocks;
use super::results::{
    HandleWebhookResult, PendingActionsResult, ReconcileProgress, ReconcileResult,
    SyncActionOutcome, SyncActionResult, SyncFailure,
};
use super::store::Store;
use crate::api::contracts::by_external::FindByExternalId;
use crate::api::contracts::download_link::{DownloadFormat, DownloadLink, GetDownloadLink};
use crate::api::contracts::key_pointers::GetKeyPointers;
use crate::api::contracts::status::GetContractStatus;
use crate::client::{CallContext, Client};
use crate::core::ids::CompositeId;
use crate::core::sync::{
    apply_event, apply_not_found, apply_status_observation, fill_composite_id, lookup_keys,
    merge_key_pointers, merge_tracked, most_informed_per_contract, normalize_key_pointers,
    note_document, note_stored, order_actions, pending_actions, pick_composite_id,
    plan_reconciliation, record_for_event, record_keys, record_matches_event, resume_cursor,
    PollTarget, ReconcileCursor, ReconcileInput, RecordKey, SyncAction, SyncActionKind, SyncRecord,
};
use crate::core::webhook::{Timestamp, WebhookEvent};
use crate::error::{Error, ErrorCode, Result};
use crate::transport::Transport;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Default request budget of one `reconcile` call.
pub(crate) const DEFAULT_BUDGET: usize = 100;
/// Default concurrency of `reconcile`.
pub(crate) const DEFAULT_CONCURRENCY: usize = 4;
/// Upper bound on `reconcile`'s concurrency: more only queues on the rate limiter.
pub(crate) const MAX_CONCURRENCY: usize = 64;
/// Default `staleAfterMs`: one hour without news.
pub(crate) const DEFAULT_STALE_AFTER_MS: u64 = 3_600_000;
/// At most this many per-record errors are listed in a reconcile result.
const MAX_LISTED_ERRORS: usize = 20;

/// The wall clock, in milliseconds since the Unix epoch.
pub(crate) trait Clock {
    /// Now, in milliseconds since 1970-01-01T00:00:00Z.
    fn now_unix_ms(&self) -> f64;
}

/// Settings of one `reconcile` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReconcileSettings {
    /// At most this many status requests.
    pub budget: usize,
    /// Requests in flight at once (1 to [`MAX_CONCURRENCY`]).
    pub concurrency: usize,
    /// Poll only records without news for this long.
    pub stale_after_ms: u64,
    /// Continue a pass: the `next_cursor` of the previous call.
    pub cursor: Option<ReconcileCursor>,
}

impl Default for ReconcileSettings {
    fn default() -> Self {
        Self {
            budget: DEFAULT_BUDGET,
            concurrency: DEFAULT_CONCURRENCY,
            stale_after_ms: DEFAULT_STALE_AFTER_MS,
            cursor: None,
        }
    }
}

/// A contract's file, fetched through a freshly minted link (which is not kept).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FetchedDocument {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// SpotDraft's `file_name`.
    pub file_name: String,
    /// SpotDraft's `current_version_id`, when sent.
    pub version_id: Option<u64>,
    /// When the link was minted (ISO 8601 with milliseconds, this engine's clock).
    pub fetched_at: String,
    /// The record, with `document` updated.
    pub record: SyncRecord,
}

/// Syncs SpotDraft contracts back into a [`Store`]; see the module documentation.
pub(crate) struct SyncEngine<T: Transport, S: Store, C: Clock> {
    pub(super) client: Rc<Client<T>>,
    pub(super) store: S,
    pub(super) clock: C,
    key_pointer_fields: Option<Vec<String>>,
    pub(super) locks: ContractLocks,
    /// Serialises `createContract` per external id (by hash; a collision only serialises).
    pub(super) create_locks: ContractLocks,
}

/// How one reconcile poll ended.
enum Polled {
    Found { changed: bool },
    NotFound,
}

/// The shared state of one reconcile call's workers.
struct ReconcileRun<'a> {
    targets: Vec<PollTarget>,
    next: Cell<usize>,
    done: RefCell<Vec<bool>>,
    stopped: Cell<bool>,
    progress: RefCell<ReconcileProgress>,
    errors: RefCell<Vec<SyncFailure>>,
    on_progress: &'a dyn Fn(&ReconcileProgress),
}

impl<T: Transport, S: Store, C: Clock> SyncEngine<T, S, C> {
    /// An engine running follow-up calls through `client`, keeping records in `store` and
    /// reading time from `clock`; `key_pointer_fields` selects the key pointers kept (`None`:
    /// all).
    pub(crate) fn new(
        client: Rc<Client<T>>,
        store: S,
        clock: C,
        key_pointer_fields: Option<Vec<String>>,
    ) -> Self {
        Self {
            client,
            store,
            clock,
            key_pointer_fields,
            locks: ContractLocks::default(),
            create_locks: ContractLocks::default(),
        }
    }

    /// The client.
    #[cfg(test)]
    pub(crate) fn client(&self) -> &Client<T> {
        &self.client
    }

    /// The store.
    #[cfg(test)]
    pub(crate) fn store(&self) -> &S {
        &self.store
    }

    pub(super) fn now(&self) -> Result<Timestamp> {
        #[allow(clippy::cast_possible_truncation)]
        let millis = self.clock.now_unix_ms() as i64;
        Timestamp::from_unix_millis(millis)
            .ok_or_else(|| Error::internal("the clock is out of range"))
    }

    /// Now as ISO 8601 with milliseconds (`2024-06-01T12:00:00.123Z`, as JS `toISOString`).
    fn now_iso(&self) -> Result<String> {
        let text = self.now()?.to_rfc3339();
        // Whole milliseconds: the last three of the six fraction digits are zeros.
        Ok(match text.strip_suffix("000Z") {
            Some(millis) => format!("{millis}Z"),
            None => text,
        })
    }

    /// The record under `key`; a create intent's placeholder counts as none, since it has no
    /// contract to act on.
    async fn find_required(&self, key: &RecordKey) -> Result<SyncRecord> {
        let record = self.get_record(key).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("No sync record is stored under {:?}.", key.storage_key()),
            )
        })?;
        if record.contract_id == 0 {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!(
                    "{:?} holds only a create intent, no contract yet: call createContract or \
                     resolveOpenIntents to learn whether the contract exists.",
                    key.storage_key()
                ),
            ));
        }
        Ok(record)
    }

    /// Writes `record` under every key it can be found by.
    pub(super) async fn save(&self, record: &SyncRecord) -> Result<()> {
        for key in record_keys(record) {
            self.store.put(&key.storage_key(), record).await?;
        }
        Ok(())
    }

    /// After a delivery that changed nothing (a redelivery): writes the record again when a
    /// key it can be found by does not hold it, as after a save that failed between its
    /// writes (the contract row written, its `external:` copy not), so SpotDraft's redelivery
    /// of the failed delivery repairs it. One read per key; nothing is written when all hold
    /// it. On a versioned store a rival's newer contract row wins (nothing is written then).
    ///
    /// # Errors
    /// The store's.
    async fn rewrite_missing_copies(
        &self,
        record: &SyncRecord,
        primary: &RecordKey,
        token: &Token,
    ) -> Result<()> {
        for key in record_keys(record) {
            if self.store.get(&key.storage_key()).await?.as_ref() != Some(record) {
                self.write_row(record, primary, token).await?;
                return Ok(());
            }
        }
        Ok(())
    }

    /// Under the contract's lock: re-reads the record (by contract id, else by external id
    /// when it is this contract's), changes it, saves it if it changed; on a versioned store
    /// the contract row is written compare-and-set, and `change` is redone over the newer
    /// record after a conflict (see `cas.rs`). `None` when there is no record.
    async fn update(
        &self,
        contract_id: u64,
        external_id: Option<String>,
        change: impl Fn(&SyncRecord) -> Result<SyncRecord>,
    ) -> Result<Option<(SyncRecord, SyncRecord)>> {
        let _guard = self.locks.lock(contract_id).await;
        let primary = RecordKey::ContractId(contract_id);
        let mut conflicts = Conflicts::default();
        loop {
            let (mut current, token) = self.read_row(&primary).await?;
            if current.is_none() {
                if let Some(id) = &external_id {
                    current = self
                        .get_record(&RecordKey::ExternalId(id.clone()))
                        .await?
                        .filter(|r| r.contract_id == contract_id);
                }
            }
            let Some(current) = current else {
                return Ok(None);
            };
            let next = change(&current)?;
            if next == current || self.write_row(&next, &primary, &token).await? {
                return Ok(Some((current, next)));
            }
            self.after_conflict(&mut conflicts, &primary.storage_key())
                .await?;
        }
    }

    /// The record `event` applies to and the token to write its contract row back with:
    /// the first record under [`lookup_keys`] that is this contract's (on a versioned store
    /// the contract row first, read with its version).
    async fn find_for_event(&self, event: &WebhookEvent) -> Result<(Option<SyncRecord>, Token)> {
        let primary = RecordKey::ContractId(event.contract_id);
        let (row, token) = if self.store.versioned() {
            self.read_row(&primary).await?
        } else {
            (None, Token::Plain)
        };
        if let Some(record) = row.filter(|r| record_matches_event(r, event)) {
            return Ok((Some(record), token));
        }
        for key in lookup_keys(event) {
            if key == primary && matches!(token, Token::Versioned(_)) {
                continue;
            }
            // An external id may be shared by several contracts: take only a match.
            if let Some(record) = self.get_record(&key).await? {
                if record_matches_event(&record, event) {
                    return Ok((Some(record), token));
                }
            }
        }
        Ok((None, token))
    }

    /// Applies a verified, parsed webhook event to its record and stores it, then (when
    /// `run_actions`) runs the follow-up calls and stores their results.
    ///
    /// A failed follow-up call does not fail this: it is in `action_results`, and the
    /// record's flag keeps it pending. Does not verify the event's signature.
    ///
    /// # Errors
    /// The store's (`STORE_ERROR`); `INVALID_ARGUMENT`-like errors of the core's rules.
    pub(crate) async fn handle_event(
        &self,
        event: &WebhookEvent,
        run_actions: bool,
        ctx: &CallContext<T::Call>,
    ) -> Result<HandleWebhookResult> {
        let outcome = {
            let _guard = self.locks.lock(event.contract_id).await;
            let primary = RecordKey::ContractId(event.contract_id);
            let mut conflicts = Conflicts::default();
            loop {
                let (found, token) = self.find_for_event(event).await?;
                let record = found.unwrap_or_else(|| record_for_event(event));
                let outcome = apply_event(&record, event)?;
                if !outcome.changed {
                    self.rewrite_missing_copies(&outcome.record, &primary, &token)
                        .await?;
                    break outcome;
                }
                if self.write_row(&outcome.record, &primary, &token).await? {
                    break outcome;
                }
                self.after_conflict(&mut conflicts, &primary.storage_key())
                    .await?;
            }
        };
        let (record, action_results) = if run_actions && !outcome.actions.is_empty() {
            self.run_actions(&outcome.record, outcome.actions.clone(), ctx)
                .await?
        } else {
            (outcome.record, Vec::new())
        };
        Ok(HandleWebhookResult {
            record,
            disposition: outcome.disposition,
            changed: outcome.changed,
            actions: outcome.actions,
            action_results,
        })
    }

    /// Runs the actions a record's flags call for.
    ///
    /// # Errors
    /// `NOT_FOUND` when there is no record under `key`; the store's.
    pub(crate) async fn run_pending_actions(
        &self,
        key: &RecordKey,
        ctx: &CallContext<T::Call>,
    ) -> Result<PendingActionsResult> {
        let record = self.find_required(key).await?;
        let actions = pending_actions(&record);
        let (record, action_results) = self.run_actions(&record, actions.clone(), ctx).await?;
        Ok(PendingActionsResult {
            record,
            actions,
            action_results,
        })
    }

    /// Runs `actions` for `record`'s contract in the core's order, each result applied to
    /// the record as it is then. Returns the record afterwards.
    async fn run_actions(
        &self,
        record: &SyncRecord,
        mut actions: Vec<SyncAction>,
        ctx: &CallContext<T::Call>,
    ) -> Result<(SyncRecord, Vec<SyncActionResult>)> {
        order_actions(&mut actions);
        let mut results = Vec::with_capacity(actions.len());
        for action in &actions {
            let (outcome, reason, error) = match self.run_action(record, action, ctx).await {
                Ok(None) => (SyncActionOutcome::Done, None, None),
                Ok(Some(reason)) => (SyncActionOutcome::Skipped, Some(reason), None),
                Err(error) => (
                    SyncActionOutcome::Failed,
                    None,
                    Some(SyncFailure::of(Some(record.contract_id), &error)),
                ),
            };
            results.push(SyncActionResult {
                kind: action.kind,
                outcome,
                reason,
                error,
            });
        }
        let latest = self
            .get_record(&RecordKey::ContractId(record.contract_id))
            .await?
            .unwrap_or_else(|| record.clone());
        Ok((latest, results))
    }

    /// One action; `Ok(Some(reason))` when it was skipped.
    async fn run_action(
        &self,
        record: &SyncRecord,
        action: &SyncAction,
        ctx: &CallContext<T::Call>,
    ) -> Result<Option<String>> {
        let contract_id = record.contract_id;
        let external = record.external_id.clone();
        // The composite id may have been resolved by an earlier action: read it fresh.
        let current = self
            .get_record(&RecordKey::ContractId(contract_id))
            .await?
            .unwrap_or_else(|| record.clone());
        if action.kind == SyncActionKind::ResolveCompositeId {
            return self.resolve_composite_id(&current, ctx).await.map(|_| None);
        }
        let Some(id) = current.composite_id.clone() else {
            return Ok(Some(
                "the composite id (T-…/H-…) is not known: track the contract with its \
                 compositeId, or give it an external_metadata.id to look it up by"
                    .into(),
            ));
        };
        match action.kind {
            SyncActionKind::FetchKeyPointers => {
                let key_pointers = self.client.call(&GetKeyPointers { id }, ctx).await?;
                let typed = key_pointers
                    .items
                    .iter()
                    .map(|kp| Ok((kp.field_name.clone(), serde_json::to_value(&kp.value)?)))
                    .collect::<std::result::Result<Vec<_>, serde_json::Error>>()
                    .map_err(Error::internal)?;
                let selected = normalize_key_pointers(
                    typed.iter().map(|(name, value)| (name.as_str(), value)),
                    self.key_pointer_fields.as_deref(),
                );
                let fetched_at = self.now()?;
                let as_of = action.as_of;
                self.update(contract_id, external, |current| {
                    Ok(merge_key_pointers(
                        current,
                        selected.clone(),
                        fetched_at,
                        as_of,
                    ))
                })
                .await?;
            }
            SyncActionKind::FetchDocument => {
                let link = self
                    .client
                    .call(
                        &GetDownloadLink::new(id, DownloadFormat::Pdf, self.now_iso()?)?,
                        ctx,
                    )
                    .await?;
                let fetched_at = self.now()?;
                self.note_link(contract_id, external, link, fetched_at)
                    .await?;
            }
            SyncActionKind::RefreshStatus => {
                self.poll_status(contract_id, external, id, ctx).await?;
            }
            SyncActionKind::ResolveCompositeId => {}
        }
        Ok(None)
    }

    /// Notes the file name and version of `link` (dropping its URL) on the record.
    async fn note_link(
        &self,
        contract_id: u64,
        external: Option<String>,
        link: DownloadLink,
        fetched_at: Timestamp,
    ) -> Result<Option<SyncRecord>> {
        let DownloadLink {
            url,
            file_name,
            version_id,
            ..
        } = link;
        drop(url);
        let updated = self
            .update(contract_id, external, |current| {
                note_document(current, file_name.clone(), version_id, fetched_at)
            })
            .await?;
        Ok(updated.map(|(_, after)| after))
    }

    /// `GET …/status` applied to the record (404 flags `NOT_FOUND`). Returns the record
    /// before and after, and whether the contract was missing.
    async fn poll_status(
        &self,
        contract_id: u64,
        external: Option<String>,
        id: CompositeId,
        ctx: &CallContext<T::Call>,
    ) -> Result<(Option<(SyncRecord, SyncRecord)>, bool)> {
        match self.client.call(&GetContractStatus { id }, ctx).await {
            Ok(status) => {
                let at = self.now()?;
                let updated = self
                    .update(contract_id, external, |current| {
                        Ok(apply_status_observation(current, status.contract_status, at).record)
                    })
                    .await?;
                Ok((updated, false))
            }
            Err(error) if error.code == ErrorCode::NotFound => {
                let at = self.now()?;
                let updated = self
                    .update(contract_id, external, |current| {
                        Ok(apply_not_found(current, at).record)
                    })
                    .await?;
                Ok((updated, true))
            }
            Err(error) => Err(error),
        }
    }

    /// Finds the composite id through `by_external_metadata` and stores it.
    async fn resolve_composite_id(
        &self,
        record: &SyncRecord,
        ctx: &CallContext<T::Call>,
    ) -> Result<CompositeId> {
        if let Some(id) = &record.composite_id {
            return Ok(id.clone());
        }
        let Some(external) = record.external_id.clone() else {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!(
                    "Contract {} has no known composite id and no external_metadata.id to look \
                     it up by; call engine.track({{ contractId, compositeId }})",
                    record.contract_id
                ),
            ));
        };
        let found = self
            .client
            .call(&FindByExternalId::new("externalId", &external)?, ctx)
            .await?;
        let hit = pick_composite_id(
            record.contract_id,
            found.iter().map(|c| (c.contract_id, c.id.as_str())),
        )
        .ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!(
                    "None of the contracts with this external_metadata.id is contract {}",
                    record.contract_id
                ),
            )
        })?;
        let id = CompositeId::parse(hit)?;
        let resolved = id.clone();
        self.update(record.contract_id, Some(external), |current| {
            Ok(fill_composite_id(current, resolved.clone()))
        })
        .await?;
        Ok(id)
    }

    /// Starts tracking a contract (tracked since now), or fills in a missing composite or
    /// external id of an existing record. Returns the record.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for contract id 0 or a malformed composite id; the store's.
    pub(crate) async fn track(
        &self,
        contract_id: u64,
        composite_id: Option<&str>,
        external_id: Option<String>,
    ) -> Result<SyncRecord> {
        if contract_id == 0 {
            return Err(Error::invalid_argument(
                "input.contractId",
                "must be SpotDraft's positive contract id",
            ));
        }
        let composite_id = composite_id
            .map(|id| CompositeId::parse_arg("input.compositeId", id))
            .transpose()?;
        let now = self.now()?;
        let _guard = self.locks.lock(contract_id).await;
        let primary = RecordKey::ContractId(contract_id);
        let mut conflicts = Conflicts::default();
        loop {
            let (existing, token) = self.read_row(&primary).await?;
            let Some(record) = merge_tracked(
                existing.as_ref(),
                contract_id,
                composite_id.clone(),
                external_id.clone(),
                now,
            ) else {
                return existing.ok_or_else(|| Error::internal("track merged into nothing"));
            };
            if self.write_row(&record, &primary, &token).await? {
                return Ok(record);
            }
            self.after_conflict(&mut conflicts, &primary.storage_key())
                .await?;
        }
    }

    /// Notes where the caller stored the contract's file.
    ///
    /// # Errors
    /// `NOT_FOUND` when there is no record; `INVALID_ARGUMENT` when the document was never
    /// fetched or `stored_at` looks like a signed URL; the store's.
    pub(crate) async fn record_stored(
        &self,
        key: &RecordKey,
        stored_at: String,
    ) -> Result<SyncRecord> {
        let record = self.find_required(key).await?;
        let updated = self
            .update(record.contract_id, record.external_id.clone(), |current| {
                note_stored(current, stored_at.clone()).unwrap_or_else(|| {
                    Err(Error::invalid_argument(
                        "key",
                        "this contract's document was never fetched: call fetchDocument first",
                    ))
                })
            })
            .await?;
        updated.map(|(_, after)| after).ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("No sync record is stored under {:?}.", key.storage_key()),
            )
        })
    }

    /// Mints a fresh download link, GETs the file through the transport's credential-free
    /// [`Transport::get_bytes`] and notes the file on the record. The link is neither
    /// returned, stored nor put in an error.
    ///
    /// # Errors
    /// The transport's refusal (before any request); `NOT_FOUND` without a record; the
    /// client's; `HTTP_ERROR` when the file host does not answer 2xx; `NETWORK`, `TIMEOUT`,
    /// `ABORTED` from the download.
    pub(crate) async fn fetch_document(
        &self,
        key: &RecordKey,
        format: DownloadFormat,
        ctx: &CallContext<T::Call>,
    ) -> Result<FetchedDocument> {
        if let Some(refusal) = self.client.transport().get_bytes_refusal() {
            return Err(refusal);
        }
        let record = self.find_required(key).await?;
        let id = match record.composite_id.clone() {
            Some(id) => id,
            None => self.resolve_composite_id(&record, ctx).await?,
        };
        let link = self
            .client
            .call(&GetDownloadLink::new(id, format, self.now_iso()?)?, ctx)
            .await?;
        let timeout_ms = ctx.timeout_ms.unwrap_or(self.client.config().timeout_ms);
        let redact = |mut error: Error| {
            error.message = error.message.replace(&link.url, "<download link>");
            error
        };
        let response = self
            .client
            .transport()
            .get_bytes(&link.url, timeout_ms, &ctx.transport)
            .await
            .map_err(redact)?;
        if !(200..300).contains(&response.status) {
            return Err(Error::new(
                ErrorCode::HttpError,
                format!(
                    "The file host answered HTTP {} to the download link (expired links answer \
                     403): call fetchDocument again for a fresh link.",
                    response.status
                ),
            )
            .with_status(response.status));
        }
        let file_name = link.file_name.clone();
        let version_id = link.version_id;
        let fetched_at_text = link.fetched_at.clone();
        let fetched_at = self.now()?;
        let record = self
            .note_link(
                record.contract_id,
                record.external_id.clone(),
                link,
                fetched_at,
            )
            .await?
            .unwrap_or(record);
        Ok(FetchedDocument {
            bytes: response.body,
            file_name,
            version_id,
            fetched_at: fetched_at_text,
            record,
        })
    }

    /// Polls the status of records that may have drifted, within `settings`' budget and
    /// concurrency, applies and stores each answer, calls `on_progress` after each, and
    /// returns the counts and where to resume. Stops early (`aborted`) when the transport
    /// says the call was cancelled.
    ///
    /// # Errors
    /// The store's `list` (per-record failures are counted, not returned).
    pub(crate) async fn reconcile(
        &self,
        settings: ReconcileSettings,
        on_progress: &dyn Fn(&ReconcileProgress),
        ctx: &CallContext<T::Call>,
    ) -> Result<ReconcileResult> {
        let listing = self.store.list().await?;
        let records = most_informed_per_contract(listing.records);
        let plan = plan_reconciliation(
            records.iter(),
            &ReconcileInput {
                now: self.now()?,
                stale_after_ms: settings.stale_after_ms,
                budget: settings.budget,
                cursor: settings.cursor,
            },
        );
        drop(records);
        let run = ReconcileRun {
            done: RefCell::new(vec![false; plan.targets.len()]),
            targets: plan.targets,
            next: Cell::new(0),
            stopped: Cell::new(false),
            progress: RefCell::new(ReconcileProgress::default()),
            errors: RefCell::new(Vec::new()),
            on_progress,
        };
        run.progress.borrow_mut().planned = run.targets.len();
        let workers = settings.concurrency.min(run.targets.len()).max(1);
        join_all((0..workers).map(|_| self.reconcile_worker(&run, ctx))).await;

        let aborted = run.stopped.get() || self.client.transport().is_aborted(&ctx.transport);
        let next_cursor = resume_cursor(
            &run.targets,
            &run.done.borrow(),
            plan.next_cursor,
            settings.cursor,
        );
        let progress = *run.progress.borrow();
        Ok(ReconcileResult {
            planned: progress.planned,
            polled: progress.polled,
            changed: progress.changed,
            not_found: progress.not_found,
            failed: progress.failed,
            skipped_settled: plan.skipped_settled,
            skipped_fresh: plan.skipped_fresh,
            skipped_not_found: plan.skipped_not_found,
            invalid_records: listing.invalid,
            next_cursor,
            aborted,
            errors: run.errors.take(),
        })
    }

    async fn reconcile_worker(&self, run: &ReconcileRun<'_>, ctx: &CallContext<T::Call>) {
        loop {
            if run.stopped.get() || self.client.transport().is_aborted(&ctx.transport) {
                run.stopped.set(true);
                return;
            }
            let index = run.next.get();
            let Some(target) = run.targets.get(index) else {
                return;
            };
            run.next.set(index + 1);
            let outcome = self.poll_target(target, ctx).await;
            {
                let mut progress = run.progress.borrow_mut();
                match outcome {
                    Ok(Polled::Found { changed }) => {
                        progress.polled += 1;
                        progress.changed += usize::from(changed);
                    }
                    Ok(Polled::NotFound) => {
                        progress.polled += 1;
                        progress.not_found += 1;
                    }
                    Err(error) if error.code == ErrorCode::Aborted => {
                        // Not done: the cursor resumes before it.
                        run.stopped.set(true);
                        return;
                    }
                    Err(error) => {
                        progress.failed += 1;
                        let mut errors = run.errors.borrow_mut();
                        if errors.len() < MAX_LISTED_ERRORS {
                            errors.push(SyncFailure::of(Some(target.contract_id), &error));
                        }
                    }
                }
            }
            if let Some(slot) = run.done.borrow_mut().get_mut(index) {
                *slot = true;
            }
            let progress = *run.progress.borrow();
            (run.on_progress)(&progress);
        }
    }

    async fn poll_target(&self, target: &PollTarget, ctx: &CallContext<T::Call>) -> Result<Polled> {
        let id = match &target.composite_id {
            Some(id) => id.clone(),
            None => {
                let record = self
                    .get_record(&RecordKey::ContractId(target.contract_id))
                    .await?
                    .ok_or_else(|| Error::new(ErrorCode::StoreError, "the record disappeared"))?;
                self.resolve_composite_id(&record, ctx).await?
            }
        };
        let (updated, missing) = self
            .poll_status(target.contract_id, target.external_id.clone(), id, ctx)
            .await?;
        let Some((before, after)) = updated else {
            return Err(Error::new(
                ErrorCode::StoreError,
                format!(
                    "The record of contract {} disappeared from the store during reconcile",
                    target.contract_id
                ),
            ));
        };
        Ok(if missing {
            Polled::NotFound
        } else {
            Polled::Found {
                changed: before.status != after.status,
            }
        })
    }
}
