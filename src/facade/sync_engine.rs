//! `SyncEngine`: webhook-driven sync-back over a pluggable store, bounded reconciliation, and
//! documents on demand. The IO half of [`crate::core::sync`]: every decision (dedupe, order,
//! no-regress, which actions, what to poll) is the pure core's; this module only moves
//! records between the store, the client and the core.
//!
//! Concurrency: one engine serialises its updates per contract (a promise chain per contract
//! id), so concurrent deliveries for one contract never lose an update. Follow-up actions run
//! outside that lock and apply their results to the record as it is *then* (re-read under
//! the lock), so a slow download-link call never holds up the next webhook. Several engines
//! (processes) sharing one store are not coordinated: give each contract one writer, or make
//! your store's `put` compare-and-set.
//!
//! What this does NOT do: log (nothing here writes to the console), keep a signed download
//! URL (it is dropped as soon as the file name and version are read, or the bytes fetched),
//! retry on its own (the client retries what is safe), or poll on a timer (call `reconcile`
//! from your scheduler).

use super::args::type_name;
use super::client::{call_options, SpotDraftClient};
use super::executor::PromiseFuture;
use super::fetch::{JsCall, JsTransport};
use super::js_error::Thrown;
use super::panic_guard::promise;
use super::stores::{js_message, JsStore};
use super::webhook::{headers_arg, json_arg, json_out, matching_key_here, raw_body_arg};
use crate::api::contracts::by_external::FindByExternalId;
use crate::api::contracts::download_link::{DownloadFormat, DownloadLink, GetDownloadLink};
use crate::api::contracts::key_pointers::GetKeyPointers;
use crate::api::contracts::status::GetContractStatus;
use crate::client::{CallContext, Client};
use crate::core::ids::CompositeId;
use crate::core::sync::{
    apply_event, apply_not_found, apply_status_observation, lookup_keys, normalize_key_pointers,
    pending_actions, plan_reconciliation, record_document, record_for_event, record_key_pointers,
    record_keys, record_matches_event, set_composite_id, Disposition, DocumentRef, PollTarget,
    ReconcileCursor, ReconcileInput, RecordKey, SyncAction, SyncActionKind, SyncRecord,
};
use crate::core::webhook::{
    parse_webhook_event_with, prepare_verification, signature_mismatch, Timestamp, VerifyOptions,
    WebhookKey,
};
use crate::error::{Error, ErrorCode, Result};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use tsify::Tsify;
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const SYNC_ENGINE_TS: &'static str = r#"
/** Options of `new SyncEngine(options)`. */
export interface SyncEngineOptions {
    /** The client that runs follow-up calls (key pointers, download links, status). */
    client: SpotDraftClient;
    /** Where records live: `new MemoryStore()`, `new IndexedDbStore()` or your own. */
    store: SyncStore;
    /**
     * SpotDraft's `hmac_key` (base64), or several during a key rotation. May be `[]` for an
     * engine that never receives webhooks (e.g. in a browser).
     */
    webhookKeys: string | string[];
    /** Key pointers (by `field_name`) to keep on each record; default: all of them. */
    keyPointerFields?: string[];
}

/**
 * A record by SpotDraft's numeric contract id, by a store key (`"contract:19589"`,
 * `"external:hubspot-deal-10024"`), or by an object with `contractId`.
 */
export type RecordRef = number | string | { contractId: number };

/** Options of `handleWebhook`. */
export interface HandleWebhookOptions extends CallOptions {
    /**
     * Run the follow-up actions (key pointers, document link, status) before resolving
     * (default true). Pass false to acknowledge SpotDraft at once and call
     * `runPendingActions(record.contractId)` later, e.g. from a queue.
     */
    runActions?: boolean;
}

/** Options of `reconcile`. */
export interface ReconcileOptions extends CallOptions {
    /** At most this many status requests (default 100). */
    budget?: number;
    /** Requests in flight at once (default 4, at most 64); the client's rate limit still applies. */
    concurrency?: number;
    /** Poll only records without news for this long (default 3,600,000 = 1 hour). */
    staleAfterMs?: number;
    /** Continue a pass: the `nextCursor` of the previous call. */
    cursor?: ReconcileCursor | null;
    /** Called after each record is polled. A throwing callback is ignored. */
    onProgress?: (progress: ReconcileProgress) => void;
}

/** Options of `fetchDocument`. */
export interface FetchDocumentOptions extends CallOptions {
    /** File format (default `"PDF"`). */
    format?: DownloadFormat;
}

/** A contract's file, fetched through a freshly minted link (which is not returned). */
export interface FetchedDocument {
    /** The file's bytes. */
    bytes: Uint8Array;
    /** SpotDraft's `file_name`. */
    fileName: string;
    /** SpotDraft's `current_version_id`, when sent. */
    versionId?: number;
    /** When the link was minted (ISO 8601, this machine's clock). */
    fetchedAt: string;
    /** The record, with `document` updated. */
    record: SyncRecord;
}
"#;

/// Default request budget of one `reconcile` call.
const DEFAULT_BUDGET: usize = 100;
/// Default concurrency of `reconcile`.
const DEFAULT_CONCURRENCY: usize = 4;
/// Upper bound on `reconcile`'s concurrency: more only queues on the rate limiter.
const MAX_CONCURRENCY: usize = 64;
/// Default `staleAfterMs`: one hour without news.
const DEFAULT_STALE_AFTER_MS: u64 = 3_600_000;
/// At most this many per-record errors are listed in a reconcile result.
const MAX_LISTED_ERRORS: usize = 20;

/// The client behind a `SpotDraftClient`, handed to `SyncEngine` without taking the user's
/// object (wasm-bindgen's conversion from a `JsValue` moves the Rust value out of it).
#[wasm_bindgen(js_name = __SyncClientHandle, skip_typescript)]
pub struct ClientHandle {
    client: Rc<Client<JsTransport>>,
}

#[wasm_bindgen(js_class = SpotDraftClient)]
impl SpotDraftClient {
    /// Internal: a handle on this client for `SyncEngine`. Not part of the API.
    #[wasm_bindgen(js_name = __syncHandle, skip_typescript)]
    pub fn sync_handle(&self) -> ClientHandle {
        ClientHandle {
            client: self.inner(),
        }
    }
}

/// What `handleWebhook` resolves to.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct HandleWebhookResult {
    /// The record after the event (and the actions, when they ran).
    pub record: SyncRecord,
    /// How the event was taken: `APPLIED`, `OUT_OF_ORDER`, `DUPLICATE`, `TOO_OLD`.
    pub disposition: Disposition,
    /// Whether the event changed the record.
    pub changed: bool,
    /// The follow-up actions the event called for.
    pub actions: Vec<SyncAction>,
    /// What became of each action (empty when `runActions` is false).
    pub action_results: Vec<SyncActionResult>,
}

/// What `runPendingActions` resolves to.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PendingActionsResult {
    /// The record afterwards.
    pub record: SyncRecord,
    /// The actions the record's flags called for.
    pub actions: Vec<SyncAction>,
    /// What became of each.
    pub action_results: Vec<SyncActionResult>,
}

/// How a follow-up action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncActionOutcome {
    /// Ran, and its result is on the record.
    Done,
    /// Not run (see `reason`), e.g. the composite id is unknown.
    Skipped,
    /// The call failed (see `error`); the record's flag stays raised, so
    /// `runPendingActions` or a later event retries it.
    Failed,
}

/// One follow-up action's result.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SyncActionResult {
    /// The action.
    pub kind: SyncActionKind,
    /// How it ended.
    pub outcome: SyncActionOutcome,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub reason: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub error: Option<SyncFailure>,
}

/// A failure reported without throwing (an action, or one record of a reconcile pass).
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SyncFailure {
    /// The contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub contract_id: Option<u64>,
    /// The error's code.
    pub code: ErrorCode,
    /// The error's message.
    pub message: String,
    /// HTTP status, when there was a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub status: Option<u16>,
}

impl SyncFailure {
    fn of(contract_id: Option<u64>, error: &Error) -> Self {
        Self {
            contract_id,
            code: error.code,
            message: error.message.clone(),
            status: error.status,
        }
    }
}

/// Progress of a `reconcile` call.
#[derive(Debug, Clone, Copy, Default, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileProgress {
    /// Records this call set out to poll.
    pub planned: usize,
    /// Status requests answered (found or 404).
    pub polled: usize,
    /// Records whose status changed (drift repaired).
    pub changed: usize,
    /// Records whose contract answered 404 (now flagged `NOT_FOUND`).
    pub not_found: usize,
    /// Records whose request failed otherwise (see `errors`).
    pub failed: usize,
}

/// What `reconcile` resolves to.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileResult {
    /// Records this call set out to poll.
    pub planned: usize,
    /// Status requests answered (found or 404).
    pub polled: usize,
    /// Records whose status changed (drift repaired).
    pub changed: usize,
    /// Records whose contract answered 404 (now flagged `NOT_FOUND`).
    pub not_found: usize,
    /// Records whose request failed otherwise (they stay stale and are polled next pass).
    pub failed: usize,
    /// Skipped: executed, voided or deleted.
    pub skipped_settled: usize,
    /// Skipped: news within `staleAfterMs`.
    pub skipped_fresh: usize,
    /// Skipped: already flagged `NOT_FOUND`.
    pub skipped_not_found: usize,
    /// Stored values that are not sync records (left untouched).
    pub invalid_records: usize,
    /// Pass this as `cursor` to continue; absent when the pass reached the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub next_cursor: Option<ReconcileCursor>,
    /// Whether the `signal` stopped the call early (`nextCursor` then resumes after the
    /// records already polled).
    pub aborted: bool,
    /// The first failures, at most 20.
    pub errors: Vec<SyncFailure>,
}

/// Argument of `track`.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackInput {
    /// SpotDraft's numeric contract id (`contractId` of `createContract`'s contract).
    pub contract_id: u64,
    /// The composite id (`id` of `createContract`'s contract, e.g. `"T-1234"`).
    #[serde(default)]
    #[tsify(optional)]
    pub composite_id: Option<String>,
    /// Your record's id (`external_metadata.id`).
    #[serde(default)]
    #[tsify(optional)]
    pub external_id: Option<String>,
}

/// Syncs SpotDraft contracts back into your system: verified webhooks update a record per
/// contract, follow-up calls fetch key pointers and note the executed file, `reconcile`
/// repairs drift within a request budget, and `fetchDocument` pulls the file on demand.
///
/// ```js
/// const engine = new SyncEngine({ client, store: new MemoryStore(), webhookKeys: process.env.SPOTDRAFT_HMAC_KEY });
/// app.post("/spotdraft", express.raw({ type: "application/json" }), async (req, res) => {
///   try {
///     const { record } = await engine.handleWebhook(req.body, req.headers);
///     res.sendStatus(204);
///   } catch (e) {
///     res.sendStatus(e.code === "WEBHOOK_SIGNATURE_INVALID" ? 401 : e.code === "STORE_ERROR" ? 503 : 400);
///   }
/// });
/// ```
#[wasm_bindgen(js_name = SyncEngine)]
pub struct SyncEngine {
    inner: Rc<Engine>,
}

#[wasm_bindgen(js_class = SyncEngine)]
impl SyncEngine {
    /// Creates an engine. Throws `INVALID_ARGUMENT` when an option is wrong (a bad key is
    /// named by its index, never shown).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SyncEngineOptions")] options: JsValue,
    ) -> Result<SyncEngine, Thrown> {
        Ok(Self {
            inner: Rc::new(Engine::from_options(&options)?),
        })
    }

    /// Verifies, parses and applies one webhook delivery, stores the record, then (unless
    /// `runActions: false`) runs the follow-up calls and stores their results.
    ///
    /// Rejects with `WEBHOOK_SIGNATURE_INVALID` (answer 401) before touching the store;
    /// `WEBHOOK_RAW_BODY_REQUIRED` / `WEBHOOK_PAYLOAD_INVALID` (answer 400); `STORE_ERROR`
    /// (answer 5xx so SpotDraft retries). A failed follow-up call does not reject: it is in
    /// `actionResults`, and the record's flag keeps it pending.
    #[wasm_bindgen(js_name = handleWebhook, unchecked_return_type = "Promise<HandleWebhookResult>")]
    pub fn handle_webhook(
        &self,
        #[wasm_bindgen(js_name = rawBody, unchecked_param_type = "Uint8Array | ArrayBuffer | string")]
        raw_body: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "Headers | Record<string, string | string[] | undefined>"
        )]
        headers: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HandleWebhookOptions")] options: Option<
            Object,
        >,
    ) -> Promise {
        let engine = Rc::clone(&self.inner);
        promise(async move {
            let result = engine
                .handle_webhook(&raw_body, &headers, options.as_ref())
                .await?;
            json_out(&result)
        })
    }

    /// Runs the actions a record's flags call for (`KEY_POINTERS_STALE`, `DOCUMENT_MISSING`,
    /// `STATUS_UNKNOWN`, `COMPOSITE_ID_UNKNOWN`): after `handleWebhook(…, { runActions:
    /// false })`, or to retry failed ones. Rejects with `NOT_FOUND` when there is no record.
    #[wasm_bindgen(js_name = runPendingActions, unchecked_return_type = "Promise<PendingActionsResult>")]
    pub fn run_pending_actions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<Object>,
    ) -> Promise {
        let engine = Rc::clone(&self.inner);
        promise(async move {
            let key = record_ref_arg(&key)?;
            let ctx = call_options(options.as_ref())?;
            let record = engine.find_required(&key).await?;
            let actions = pending_actions(&record);
            let (record, action_results) =
                engine.run_actions(&record, actions.clone(), &ctx).await?;
            json_out(&PendingActionsResult {
                record,
                actions,
                action_results,
            })
        })
    }

    /// Polls `GET …/status` for records that may have drifted — not executed, voided or
    /// deleted, no news for `staleAfterMs` (or a status nobody could read) — by ascending
    /// contract id, at most `budget` requests, `concurrency` at a time within the client's
    /// rate limit. Applies each answer (a 404 flags `NOT_FOUND`), stores it and reports
    /// progress. Resolves (also when `signal` aborts it) with counts and `nextCursor`.
    ///
    /// ```js
    /// let cursor = null;
    /// do {
    ///   const r = await engine.reconcile({ budget: 500, cursor, staleAfterMs: 6 * 3600_000 });
    ///   cursor = r.nextCursor ?? null;
    /// } while (cursor);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<ReconcileResult>")]
    pub fn reconcile(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ReconcileOptions")] options: Option<Object>,
    ) -> Promise {
        let engine = Rc::clone(&self.inner);
        promise(async move {
            let options = ReconcileOptions::from_js(options.as_ref())?;
            let result = engine.reconcile(options).await?;
            json_out(&result)
        })
    }

    /// Mints a fresh download link, fetches the file's bytes (through the client's `fetch`
    /// when it was given one, else the global `fetch`; no SpotDraft credentials are sent to
    /// the file host) and notes `{ fileName, versionId, fetchedAt }` on the record. The link
    /// itself is neither returned, stored nor logged. Store the bytes, then call
    /// `recordStored`.
    #[wasm_bindgen(js_name = fetchDocument, unchecked_return_type = "Promise<FetchedDocument>")]
    pub fn fetch_document(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FetchDocumentOptions")] options: Option<
            Object,
        >,
    ) -> Promise {
        let engine = Rc::clone(&self.inner);
        promise(async move {
            let key = record_ref_arg(&key)?;
            let format = format_option(options.as_ref())?;
            let ctx = call_options(options.as_ref())?;
            engine.fetch_document(&key, format, &ctx).await
        })
    }

    /// Records where you stored the contract's file (a bucket key, your system's file id).
    /// Rejects with `INVALID_ARGUMENT` when `storedAt` looks like a signed URL, or when the
    /// document was never fetched; `NOT_FOUND` when there is no record.
    #[wasm_bindgen(js_name = recordStored, unchecked_return_type = "Promise<SyncRecord>")]
    pub fn record_stored(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef")] key: JsValue,
        #[wasm_bindgen(js_name = storedAt, unchecked_param_type = "string")] stored_at: JsValue,
    ) -> Promise {
        let engine = Rc::clone(&self.inner);
        promise(async move {
            let key = record_ref_arg(&key)?;
            let stored_at = match stored_at.as_string() {
                Some(text) if !text.trim().is_empty() => text,
                _ => {
                    return Err(Error::invalid_argument(
                        "storedAt",
                        format!(
                            "must be a non-empty string naming your copy, got {}",
                            type_name(&stored_at)
                        ),
                    ))
                }
            };
            let record = engine.find_required(&key).await?;
            let updated = engine
                .update(record.contract_id, record.external_id.clone(), |current| {
                    let Some(document) = current.document.clone() else {
                        return Err(Error::invalid_argument(
                            "key",
                            "this contract's document was never fetched: call fetchDocument first",
                        ));
                    };
                    record_document(
                        current,
                        DocumentRef {
                            stored_at: Some(stored_at),
                            ..document
                        },
                    )
                })
                .await?;
            json_out(&updated.map(|(_, after)| after))
        })
    }

    /// Starts tracking a contract you created (`trackedSince` = now), so `reconcile` can
    /// repair it even if no webhook ever arrives. Keeps an existing record, only filling in
    /// a missing composite or external id.
    ///
    /// ```js
    /// const { contract } = await client.createContract(payload);
    /// await engine.track({ contractId: contract.contractId, compositeId: contract.id, externalId: "hubspot-deal-10024" });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Promise<SyncRecord>")]
    pub fn track(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TrackInput")] input: JsValue,
    ) -> Promise {
        let engine = Rc::clone(&self.inner);
        promise(async move {
            let input: TrackInput = json_arg("input", &input)?;
            let record = engine.track(input).await?;
            json_out(&record)
        })
    }

    /// The stored record, or `null`.
    #[wasm_bindgen(js_name = getRecord, unchecked_return_type = "Promise<SyncRecord | null>")]
    pub fn get_record(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef")] key: JsValue,
    ) -> Promise {
        let engine = Rc::clone(&self.inner);
        promise(async move {
            let key = record_ref_arg(&key)?;
            match engine.load_key(&key).await? {
                Some(record) => json_out(&record),
                None => Ok(JsValue::NULL),
            }
        })
    }
}

struct Engine {
    client: Rc<Client<JsTransport>>,
    store: JsStore,
    keys: Vec<WebhookKey>,
    key_pointer_fields: Option<Vec<String>>,
    locks: Rc<ContractLocks>,
}

/// Options of `handleWebhook`.
const HANDLE_OPTIONS: [&str; 4] = ["runActions", "signal", "timeoutMs", "maxRetries"];
/// Options of `fetchDocument`.
const FETCH_DOCUMENT_OPTIONS: [&str; 4] = ["format", "signal", "timeoutMs", "maxRetries"];

/// The engine's options.
const ENGINE_OPTIONS: [&str; 4] = ["client", "store", "webhookKeys", "keyPointerFields"];

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn refuse_unknown(options: &JsValue, known: &[&str], what: &str) -> Result<()> {
    for key in Object::keys(options.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
    {
        if !known.contains(&key.as_str()) {
            return Err(Error::invalid_argument(
                &format!("options.{key}"),
                format!(
                    "is not an option of {what}; the options are {}",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn now() -> Result<Timestamp> {
    #[allow(clippy::cast_possible_truncation)]
    let millis = js_sys::Date::now() as i64;
    Timestamp::from_unix_millis(millis).ok_or_else(|| Error::internal("the clock is out of range"))
}

fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// A stored value read as a record; a bad one is the store's problem, not the caller's.
fn record_from_js(what: &str, value: &JsValue) -> Result<SyncRecord> {
    json_arg::<SyncRecord>(what, value).map_err(|mut error| {
        error.code = ErrorCode::StoreError;
        error.message = format!(
            "The store returned something that is not a SyncRecord: {}",
            error.message
        );
        error
    })
}

fn record_ref_arg(value: &JsValue) -> Result<RecordKey> {
    let refuse = || {
        Error::invalid_argument(
            "key",
            format!(
                "must be a contract id (a positive integer), a store key (\"contract:<id>\" or \
                 \"external:<id>\") or an object with contractId; got {}",
                type_name(value)
            ),
        )
    };
    let contract = |n: f64| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        (n.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(&n))
            .then_some(RecordKey::ContractId(n as u64))
    };
    if let Some(n) = value.as_f64() {
        return contract(n).ok_or_else(refuse);
    }
    if let Some(text) = value.as_string() {
        if let Some(id) = text.strip_prefix("contract:") {
            return id
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .map(RecordKey::ContractId)
                .ok_or_else(refuse);
        }
        if let Some(id) = text.strip_prefix("external:").filter(|id| !id.is_empty()) {
            return Ok(RecordKey::ExternalId(id.to_owned()));
        }
        return Err(refuse());
    }
    if value.is_object() {
        return get(value, "contractId")
            .as_f64()
            .and_then(contract)
            .ok_or_else(refuse);
    }
    Err(refuse())
}

fn format_option(options: Option<&Object>) -> Result<DownloadFormat> {
    let Some(options) = options else {
        return Ok(DownloadFormat::default());
    };
    refuse_unknown(options, &FETCH_DOCUMENT_OPTIONS, "fetchDocument")?;
    let value = get(options, "format");
    if value.is_undefined() || value.is_null() {
        return Ok(DownloadFormat::default());
    }
    value
        .as_string()
        .and_then(|text| serde_json::from_value(serde_json::Value::String(text)).ok())
        .ok_or_else(|| {
            Error::invalid_argument(
                "options.format",
                "must be \"PDF\", \"DOCX\" or \"DOCX_WITH_FALLBACK_TO_PDF\"",
            )
        })
}

fn webhook_keys_arg(value: &JsValue) -> Result<Vec<WebhookKey>> {
    const NAME: &str = "options.webhookKeys";
    if let Some(text) = value.as_string() {
        return Ok(vec![WebhookKey::from_base64_arg(NAME, &text)?]);
    }
    if Array::is_array(value) {
        return value
            .unchecked_ref::<Array>()
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let name = format!("{NAME}[{i}]");
                let text = item.as_string().ok_or_else(|| {
                    Error::invalid_argument(&name, "must be a base64 string (SpotDraft's hmac_key)")
                })?;
                WebhookKey::from_base64_arg(&name, &text)
            })
            .collect();
    }
    Err(Error::invalid_argument(
        NAME,
        format!(
            "must be SpotDraft's `hmac_key` (a base64 string), an array of them, or [] for an \
             engine that receives no webhooks; got {}",
            type_name(value)
        ),
    ))
}

fn client_arg(value: &JsValue) -> Result<Rc<Client<JsTransport>>> {
    let refuse = || {
        Error::invalid_argument(
            "options.client",
            format!("must be a SpotDraftClient, got {}", type_name(value)),
        )
    };
    if !value.is_object() {
        return Err(refuse());
    }
    let handle_fn = get(value, "__syncHandle")
        .dyn_into::<Function>()
        .map_err(|_| refuse())?;
    let handle = handle_fn.call0(value).map_err(|_| refuse())?;
    ClientHandle::try_from_js_value(handle)
        .map(|handle| handle.client)
        .map_err(|_| refuse())
}

impl Engine {
    fn from_options(options: &JsValue) -> Result<Self> {
        if !options.is_object() || Array::is_array(options) {
            return Err(Error::invalid_argument(
                "options",
                format!(
                    "must be an object such as {{ client, store, webhookKeys }}, got {}",
                    type_name(options)
                ),
            ));
        }
        refuse_unknown(options, &ENGINE_OPTIONS, "SyncEngine")?;
        let client = client_arg(&get(options, "client"))?;
        let store = JsStore::from_js("options.store", &get(options, "store"))?;
        let keys = webhook_keys_arg(&get(options, "webhookKeys"))?;
        let fields = get(options, "keyPointerFields");
        let key_pointer_fields = if fields.is_undefined() || fields.is_null() {
            None
        } else {
            let list: Vec<String> = json_arg("options.keyPointerFields", &fields)?;
            Some(list)
        };
        Ok(Self {
            client,
            store,
            keys,
            key_pointer_fields,
            locks: Rc::new(ContractLocks::default()),
        })
    }

    async fn load_key(&self, key: &RecordKey) -> Result<Option<SyncRecord>> {
        let storage_key = key.storage_key();
        match self.store.get(&storage_key).await? {
            Some(value) => record_from_js(&format!("store.get({storage_key:?})"), &value).map(Some),
            None => Ok(None),
        }
    }

    async fn find_required(&self, key: &RecordKey) -> Result<SyncRecord> {
        self.load_key(key).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("No sync record is stored under {:?}.", key.storage_key()),
            )
        })
    }

    /// Writes `record` under every key it can be found by.
    async fn save(&self, record: &SyncRecord) -> Result<()> {
        let value = json_out(record)?;
        for key in record_keys(record) {
            self.store.put(&key.storage_key(), &value).await?;
        }
        Ok(())
    }

    /// Under the contract's lock: re-reads the record, changes it, saves it if it changed.
    /// `None` when there is no record.
    async fn update(
        &self,
        contract_id: u64,
        external_id: Option<String>,
        change: impl FnOnce(&SyncRecord) -> Result<SyncRecord>,
    ) -> Result<Option<(SyncRecord, SyncRecord)>> {
        let _guard = self.locks.lock(contract_id).await?;
        let mut current = self.load_key(&RecordKey::ContractId(contract_id)).await?;
        if current.is_none() {
            if let Some(id) = external_id {
                current = self
                    .load_key(&RecordKey::ExternalId(id))
                    .await?
                    .filter(|r| r.contract_id == contract_id);
            }
        }
        let Some(current) = current else {
            return Ok(None);
        };
        let next = change(&current)?;
        if next != current {
            self.save(&next).await?;
        }
        Ok(Some((current, next)))
    }

    async fn handle_webhook(
        self: &Rc<Self>,
        raw_body: &JsValue,
        headers: &JsValue,
        options: Option<&Object>,
    ) -> Result<HandleWebhookResult> {
        // Verify first: nothing of a forged delivery reaches the store or the client.
        let body = raw_body_arg(raw_body)?;
        let headers = headers_arg(headers)?;
        let verify = VerifyOptions::default();
        let prepared = prepare_verification(&body, &headers, &self.keys, &verify)?;
        if matching_key_here(&body, &self.keys, &prepared.signature)?.is_none() {
            return Err(signature_mismatch(self.keys.len()));
        }
        let event = parse_webhook_event_with(&body, verify.max_body_bytes)?;
        if let Some(options) = options {
            refuse_unknown(options, &HANDLE_OPTIONS, "handleWebhook")?;
        }
        let run_actions = match options.map(|o| get(o, "runActions")) {
            None => true,
            Some(v) if v.is_undefined() => true,
            Some(v) => v.as_bool().ok_or_else(|| {
                Error::invalid_argument("options.runActions", "must be a boolean")
            })?,
        };
        let ctx = call_options(options)?;

        let outcome = {
            let _guard = self.locks.lock(event.contract_id).await?;
            let mut found = None;
            for key in lookup_keys(&event) {
                // An external id may be shared by several contracts: take only a match.
                if let Some(record) = self.load_key(&key).await? {
                    if record_matches_event(&record, &event) {
                        found = Some(record);
                        break;
                    }
                }
            }
            let record = found.unwrap_or_else(|| record_for_event(&event));
            let outcome = apply_event(&record, &event)?;
            if outcome.changed {
                self.save(&outcome.record).await?;
            }
            outcome
        };
        let (record, action_results) = if run_actions && !outcome.actions.is_empty() {
            self.run_actions(&outcome.record, outcome.actions.clone(), &ctx)
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

    /// Runs `actions` for `record`'s contract (resolving the composite id first), each result
    /// applied to the record as it is then. Returns the record afterwards.
    async fn run_actions(
        &self,
        record: &SyncRecord,
        mut actions: Vec<SyncAction>,
        ctx: &CallContext<JsCall>,
    ) -> Result<(SyncRecord, Vec<SyncActionResult>)> {
        actions.sort_by_key(|a| a.kind != SyncActionKind::ResolveCompositeId);
        let mut results = Vec::with_capacity(actions.len());
        for action in &actions {
            let result = match self.run_action(record, action, ctx).await {
                Ok(None) => SyncActionResult {
                    kind: action.kind,
                    outcome: SyncActionOutcome::Done,
                    reason: None,
                    error: None,
                },
                Ok(Some(reason)) => SyncActionResult {
                    kind: action.kind,
                    outcome: SyncActionOutcome::Skipped,
                    reason: Some(reason),
                    error: None,
                },
                Err(error) => SyncActionResult {
                    kind: action.kind,
                    outcome: SyncActionOutcome::Failed,
                    reason: None,
                    error: Some(SyncFailure::of(Some(record.contract_id), &error)),
                },
            };
            results.push(result);
        }
        let latest = self
            .load_key(&RecordKey::ContractId(record.contract_id))
            .await?
            .unwrap_or_else(|| record.clone());
        Ok((latest, results))
    }

    /// One action; `Ok(Some(reason))` when it was skipped.
    async fn run_action(
        &self,
        record: &SyncRecord,
        action: &SyncAction,
        ctx: &CallContext<JsCall>,
    ) -> Result<Option<String>> {
        let contract_id = record.contract_id;
        let external = record.external_id.clone();
        // The composite id may have been resolved by an earlier action: read it fresh.
        let current = self
            .load_key(&RecordKey::ContractId(contract_id))
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
                let fetched_at = now()?;
                let as_of = action.as_of;
                self.update(contract_id, external, |current| {
                    // A newer fetch already answered a later change: keep its values.
                    Ok(if current.key_pointers_as_of > as_of {
                        current.clone()
                    } else {
                        record_key_pointers(current, selected, fetched_at, as_of)
                    })
                })
                .await?;
            }
            SyncActionKind::FetchDocument => {
                let link = self
                    .client
                    .call(
                        &GetDownloadLink::new(id, DownloadFormat::Pdf, now_iso())?,
                        ctx,
                    )
                    .await?;
                let fetched_at = now()?;
                self.note_document(contract_id, external, link, fetched_at)
                    .await?;
            }
            SyncActionKind::RefreshStatus => {
                self.poll_status(contract_id, external, id, ctx).await?;
            }
            SyncActionKind::ResolveCompositeId => {}
        }
        Ok(None)
    }

    /// Notes the file name and version of `link` (dropping its URL) on the record, keeping
    /// `storedAt` when the version is the one already stored.
    async fn note_document(
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
                let stored_at = current
                    .document
                    .as_ref()
                    .filter(|d| d.version_id == version_id && d.file_name == file_name)
                    .and_then(|d| d.stored_at.clone());
                record_document(
                    current,
                    DocumentRef {
                        file_name,
                        version_id,
                        fetched_at,
                        stored_at,
                    },
                )
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
        ctx: &CallContext<JsCall>,
    ) -> Result<(Option<(SyncRecord, SyncRecord)>, bool)> {
        match self.client.call(&GetContractStatus { id }, ctx).await {
            Ok(status) => {
                let at = now()?;
                let updated = self
                    .update(contract_id, external, |current| {
                        Ok(apply_status_observation(current, status.contract_status, at).record)
                    })
                    .await?;
                Ok((updated, false))
            }
            Err(error) if error.code == ErrorCode::NotFound => {
                let at = now()?;
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
        ctx: &CallContext<JsCall>,
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
        let template_id = format!("T-{}", record.contract_id);
        let hit = found
            .iter()
            .find(|c| match c.contract_id {
                Some(n) => n == record.contract_id,
                None => c.id == template_id,
            })
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!(
                        "None of the contracts with this external_metadata.id is contract {}",
                        record.contract_id
                    ),
                )
            })?;
        let id = CompositeId::parse(&hit.id)?;
        let resolved = id.clone();
        self.update(record.contract_id, Some(external), |current| {
            Ok(if current.composite_id.is_some() {
                current.clone()
            } else {
                set_composite_id(current, resolved)
            })
        })
        .await?;
        Ok(id)
    }

    async fn track(&self, input: TrackInput) -> Result<SyncRecord> {
        if input.contract_id == 0 {
            return Err(Error::invalid_argument(
                "input.contractId",
                "must be SpotDraft's positive contract id",
            ));
        }
        let composite_id = input
            .composite_id
            .as_deref()
            .map(|id| CompositeId::parse_arg("input.compositeId", id))
            .transpose()?;
        let external_id = input.external_id.filter(|id| !id.is_empty());
        let tracked_since = now()?;
        let _guard = self.locks.lock(input.contract_id).await?;
        let existing = self
            .load_key(&RecordKey::ContractId(input.contract_id))
            .await?;
        let record = match existing {
            Some(existing) => {
                let mut next = existing.clone();
                if next.composite_id.is_none() {
                    next.composite_id = composite_id;
                }
                if next.external_id.is_none() {
                    next.external_id = external_id;
                }
                next.refresh_derived();
                if next == existing {
                    return Ok(existing);
                }
                next
            }
            None => SyncRecord::new(
                input.contract_id,
                composite_id,
                external_id,
                Some(tracked_since),
            ),
        };
        self.save(&record).await?;
        Ok(record)
    }

    async fn fetch_document(
        &self,
        key: &RecordKey,
        format: DownloadFormat,
        ctx: &CallContext<JsCall>,
    ) -> Result<JsValue> {
        if self.client.transport().is_hubspot() {
            // hubspot.fetch reaches only URLs in permittedUrls.fetch and carries JSON bodies
            // of at most 1 MB: a signed file link on SpotDraft's file host is neither. Refused
            // before any request, so no download link is made for nothing.
            return Err(Error::invalid_argument(
                "fetchDocument",
                "cannot download a contract file through hubspot.fetch (JSON bodies of at most \
                 1 MB, from URLs in permittedUrls.fetch only): fetch documents on a server, or \
                 show the card's user the link from getDownloadLink",
            ));
        }
        let record = self.find_required(key).await?;
        let id = match record.composite_id.clone() {
            Some(id) => id,
            None => self.resolve_composite_id(&record, ctx).await?,
        };
        let link = self
            .client
            .call(&GetDownloadLink::new(id, format, now_iso())?, ctx)
            .await?;
        let fetched_at_text = link.fetched_at.clone();
        let bytes = download(
            self.client.transport(),
            &link.url,
            ctx.timeout_ms.unwrap_or(self.client.config().timeout_ms),
            ctx.transport.signal.as_ref(),
        )
        .await?;
        let file_name = link.file_name.clone();
        let version_id = link.version_id;
        let fetched_at = now()?;
        let updated = self
            .note_document(
                record.contract_id,
                record.external_id.clone(),
                link,
                fetched_at,
            )
            .await?
            .unwrap_or(record);
        let out = Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = Reflect::set(&out, &JsValue::from_str(k), v);
        };
        set("bytes", &bytes);
        set("fileName", &JsValue::from_str(&file_name));
        if let Some(version) = version_id {
            #[allow(clippy::cast_precision_loss)]
            set("versionId", &JsValue::from_f64(version as f64));
        }
        set("fetchedAt", &JsValue::from_str(&fetched_at_text));
        set("record", &json_out(&updated)?);
        Ok(out.into())
    }

    async fn reconcile(self: &Rc<Self>, options: ReconcileOptions) -> Result<ReconcileResult> {
        let values = self.store.list().await?;
        let mut invalid_records = 0;
        let mut records = Vec::with_capacity(values.len());
        for value in &values {
            match record_from_js("store.list()[]", value) {
                Ok(record) => records.push(record),
                Err(_) => invalid_records += 1,
            }
        }
        // One copy per contract (a record stored under two keys is listed twice): the most
        // informed one, first, since the plan keeps the first of equal ids.
        let informed = |r: &SyncRecord| {
            (
                r.last_news_at(),
                r.applied_event_keys.len(),
                r.key_pointers_fetched_at,
                r.document.is_some(),
            )
        };
        records.sort_by(|a, b| {
            a.contract_id
                .cmp(&b.contract_id)
                .then_with(|| informed(b).cmp(&informed(a)))
        });
        let plan = plan_reconciliation(
            records.iter(),
            &ReconcileInput {
                now: now()?,
                stale_after_ms: options.stale_after_ms,
                budget: options.budget,
                cursor: options.cursor,
            },
        );
        drop(records);
        let run = Rc::new(ReconcileRun {
            done: RefCell::new(vec![false; plan.targets.len()]),
            targets: plan.targets,
            next: Cell::new(0),
            stopped: Cell::new(false),
            progress: RefCell::new(ReconcileProgress::default()),
            errors: RefCell::new(Vec::new()),
            on_progress: options.on_progress,
        });
        run.progress.borrow_mut().planned = run.targets.len();
        let ctx = Rc::new(options.ctx);
        let workers = options.concurrency.min(run.targets.len()).max(1);
        let futures = (0..workers)
            .map(|_| {
                let engine = Rc::clone(self);
                let run = Rc::clone(&run);
                let ctx = Rc::clone(&ctx);
                Some(
                    Box::pin(async move { engine.reconcile_worker(&run, &ctx).await })
                        as Pin<Box<dyn Future<Output = ()>>>,
                )
            })
            .collect();
        JoinAll { futures }.await;

        let aborted = run.stopped.get() || signal_aborted(&ctx);
        let done = run.done.borrow();
        let prefix = done.iter().take_while(|d| **d).count();
        let next_cursor = if prefix == run.targets.len() {
            plan.next_cursor
        } else if let Some(last) = prefix.checked_sub(1).and_then(|i| run.targets.get(i)) {
            Some(ReconcileCursor {
                after_contract_id: last.contract_id,
            })
        } else {
            options.cursor
        };
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
            invalid_records,
            next_cursor,
            aborted,
            errors: run.errors.take(),
        })
    }

    async fn reconcile_worker(&self, run: &ReconcileRun, ctx: &CallContext<JsCall>) {
        loop {
            if run.stopped.get() || signal_aborted(ctx) {
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
            if let Some(hook) = &run.on_progress {
                let progress = *run.progress.borrow();
                if let Ok(value) = json_out(&progress) {
                    // A throwing hook must not stop the pass.
                    let _ = hook.call1(&JsValue::UNDEFINED, &value);
                }
            }
        }
    }

    async fn poll_target(&self, target: &PollTarget, ctx: &CallContext<JsCall>) -> Result<Polled> {
        let id = match &target.composite_id {
            Some(id) => id.clone(),
            None => {
                let record = self
                    .load_key(&RecordKey::ContractId(target.contract_id))
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

enum Polled {
    Found { changed: bool },
    NotFound,
}

struct ReconcileRun {
    targets: Vec<PollTarget>,
    next: Cell<usize>,
    done: RefCell<Vec<bool>>,
    stopped: Cell<bool>,
    progress: RefCell<ReconcileProgress>,
    errors: RefCell<Vec<SyncFailure>>,
    on_progress: Option<Function>,
}

fn signal_aborted(ctx: &CallContext<JsCall>) -> bool {
    ctx.transport
        .signal
        .as_ref()
        .is_some_and(web_sys::AbortSignal::aborted)
}

struct ReconcileOptions {
    budget: usize,
    concurrency: usize,
    stale_after_ms: u64,
    cursor: Option<ReconcileCursor>,
    on_progress: Option<Function>,
    ctx: CallContext<JsCall>,
}

const RECONCILE_OPTIONS: [&str; 8] = [
    "budget",
    "concurrency",
    "staleAfterMs",
    "cursor",
    "onProgress",
    "signal",
    "timeoutMs",
    "maxRetries",
];

impl ReconcileOptions {
    fn from_js(options: Option<&Object>) -> Result<Self> {
        let mut parsed = Self {
            budget: DEFAULT_BUDGET,
            concurrency: DEFAULT_CONCURRENCY,
            stale_after_ms: DEFAULT_STALE_AFTER_MS,
            cursor: None,
            on_progress: None,
            ctx: call_options(options)?,
        };
        let Some(options) = options else {
            return Ok(parsed);
        };
        refuse_unknown(options, &RECONCILE_OPTIONS, "reconcile")?;
        let whole = |key: &str, min: f64, max: f64| -> Result<Option<f64>> {
            let value = get(options, key);
            if value.is_undefined() || value.is_null() {
                return Ok(None);
            }
            value
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= min && *n <= max)
                .map(Some)
                .ok_or_else(|| {
                    Error::invalid_argument(
                        &format!("options.{key}"),
                        format!("must be a whole number from {min} to {max}"),
                    )
                })
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        {
            if let Some(n) = whole("budget", 0.0, 1_000_000.0)? {
                parsed.budget = n as usize;
            }
            if let Some(n) = whole("concurrency", 1.0, MAX_CONCURRENCY as f64)? {
                parsed.concurrency = n as usize;
            }
            if let Some(n) = whole("staleAfterMs", 0.0, 9_007_199_254_740_991.0)? {
                parsed.stale_after_ms = n as u64;
            }
        }
        let cursor = get(options, "cursor");
        if !cursor.is_undefined() && !cursor.is_null() {
            parsed.cursor = Some(json_arg("options.cursor", &cursor)?);
        }
        let hook = get(options, "onProgress");
        if !hook.is_undefined() && !hook.is_null() {
            parsed.on_progress = Some(hook.dyn_into::<Function>().map_err(|other| {
                Error::invalid_argument(
                    "options.onProgress",
                    format!("must be a function, got {}", type_name(&other)),
                )
            })?);
        }
        Ok(parsed)
    }
}

/// Polls futures together until all are done (the executor has no `join_all`).
struct JoinAll {
    futures: Vec<Option<Pin<Box<dyn Future<Output = ()>>>>>,
}

impl Future for JoinAll {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut pending = false;
        for slot in &mut self.futures {
            if let Some(future) = slot {
                if future.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// One async lock per contract id: a chain of promises, each resolved when its holder
/// drops the guard. Resolving calls a built-in `resolve`, never a Rust closure.
#[derive(Default)]
struct ContractLocks {
    tails: RefCell<HashMap<u64, (u64, Promise)>>,
    next_ticket: Cell<u64>,
}

struct LockGuard {
    locks: Rc<ContractLocks>,
    contract_id: u64,
    ticket: u64,
    release: Function,
}

impl ContractLocks {
    async fn lock(self: &Rc<Self>, contract_id: u64) -> Result<LockGuard> {
        let mut release_slot = None;
        let released = Promise::new(&mut |resolve, _reject| release_slot = Some(resolve));
        let release =
            release_slot.ok_or_else(|| Error::internal("Promise executor did not run"))?;
        let ticket = self.next_ticket.get();
        self.next_ticket.set(ticket.wrapping_add(1));
        let previous = self
            .tails
            .borrow_mut()
            .insert(contract_id, (ticket, released));
        let guard = LockGuard {
            locks: Rc::clone(self),
            contract_id,
            ticket,
            release,
        };
        if let Some((_, previous)) = previous {
            let _ = PromiseFuture::new(&previous).await;
        }
        Ok(guard)
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
        let mut tails = self.locks.tails.borrow_mut();
        if tails
            .get(&self.contract_id)
            .is_some_and(|(ticket, _)| *ticket == self.ticket)
        {
            tails.remove(&self.contract_id);
        }
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Removes the abort listener and the timer of a download when dropped.
struct DownloadGuards {
    timer: JsValue,
    link: Option<(web_sys::AbortSignal, Function)>,
}

impl Drop for DownloadGuards {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let Some((signal, listener)) = &self.link {
            let _ = signal.remove_event_listener_with_callback("abort", listener);
        }
    }
}

/// GETs a signed file URL and returns its bytes. Sends no SpotDraft credentials (the URL
/// authorises itself) and never puts the URL in an error.
async fn download(
    transport: &JsTransport,
    url: &str,
    timeout_ms: u32,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Uint8Array> {
    let aborted = || {
        Error::new(
            ErrorCode::Aborted,
            "The download was cancelled by its AbortSignal.",
        )
    };
    if signal.is_some_and(web_sys::AbortSignal::aborted) {
        return Err(aborted());
    }
    let redact = |text: String| text.replace(url, "<download link>");
    let controller = web_sys::AbortController::new()
        .map_err(|e| Error::internal(format!("AbortController: {}", js_message(&e))))?;
    let abort = get(&controller, "abort")
        .dyn_into::<Function>()
        .map(|f| f.bind0(&controller))
        .map_err(|_| Error::internal("AbortController.abort is missing"))?;
    let _guards = DownloadGuards {
        timer: set_timeout(&abort, f64::from(timeout_ms)),
        link: signal.map(|signal| {
            let _ = signal.add_event_listener_with_callback("abort", &abort);
            (signal.clone(), abort.clone())
        }),
    };
    let fetch = match transport.user_fetch() {
        Some(fetch) => fetch.clone(),
        None => get(&js_sys::global(), "fetch")
            .dyn_into::<Function>()
            .map_err(|_| Error::new(ErrorCode::Network, "This runtime has no global fetch."))?,
    };
    let init = Object::new();
    let _ = Reflect::set(
        &init,
        &JsValue::from_str("method"),
        &JsValue::from_str("GET"),
    );
    let _ = Reflect::set(&init, &JsValue::from_str("signal"), &controller.signal());
    let classify = |e: JsValue| {
        if signal.is_some_and(web_sys::AbortSignal::aborted) {
            aborted()
        } else if controller.signal().aborted() {
            Error::new(
                ErrorCode::Timeout,
                format!("Downloading the file took longer than {timeout_ms} ms."),
            )
        } else {
            Error::new(
                ErrorCode::Network,
                redact(format!("Downloading the file failed: {}", js_message(&e))),
            )
        }
    };
    let returned = fetch
        .call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init)
        .map_err(classify)?;
    let response = PromiseFuture::new(&Promise::resolve(&returned))
        .await
        .map_err(classify)?;
    let status = get(&response, "status").as_f64().unwrap_or(0.0);
    if !(200.0..300.0).contains(&status) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let code = status as u16;
        return Err(Error::new(
            ErrorCode::HttpError,
            format!(
                "The file host answered HTTP {code} to the download link (expired links answer \
                 403): call fetchDocument again for a fresh link."
            ),
        )
        .with_status(code));
    }
    let array_buffer = get(&response, "arrayBuffer")
        .dyn_into::<Function>()
        .map_err(|_| {
            Error::new(
                ErrorCode::InvalidResponse,
                "The fetch function's response has no arrayBuffer(): the file cannot be read as bytes.",
            )
        })?;
    let buffer = array_buffer.call0(&response).map_err(classify)?;
    let buffer = PromiseFuture::new(&Promise::resolve(&buffer))
        .await
        .map_err(classify)?;
    Ok(Uint8Array::new(&buffer))
}
