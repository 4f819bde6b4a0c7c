//! `SyncEngine` for JS: converts arguments, verifies webhook deliveries, and adapts the
//! user's `SyncStore` ([`JsStore`]) and the JS clock to [`crate::sync::SyncEngine`], which
//! holds the engine itself (natively tested). No decision is made here.
//!
//! What this does NOT do: lock, order actions, pick records or resume cursors (all in
//! `crate::sync` and `crate::core::sync`), or log.

use super::client::{no_method_options, SpotDraftClient};
use super::convert::{
    get, json_arg, json_out, optional_options_arg, options_arg, split_call_options, take_functions,
    take_js_values, type_name, webhook_keys_arg, whole_number,
};
use super::create::create_args;
use super::fetch::{JsCall, JsTransport};
use super::js_error::Thrown;
use super::panic_guard::promise;
use super::stores::JsStore;
use super::webhook::{headers_arg, matching_key_here, raw_body_arg};
use crate::api::contracts::download_link::DownloadFormat;
use crate::client::{CallContext, Client};
use crate::core::sync::{ReconcileCursor, RecordKey};
use crate::core::webhook::{
    parse_webhook_event_with, prepare_verification, signature_mismatch, VerifyOptions, WebhookKey,
};
use crate::error::{Error, Result};
use crate::sync::{
    Clock, FetchedDocument, HandleWebhookResult, ReconcileProgress, ReconcileSettings, TrackInput,
    MAX_CONCURRENCY,
};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const SYNC_ENGINE_TS: &'static str = r#"
/**
 * A record by SpotDraft's numeric contract id, by a store key (`"contract:19589"`,
 * `"external:hubspot-deal-10024"`), or by an object with `contractId`.
 */
export type RecordRef = number | string | { contractId: number };

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

/// Options of `new SyncEngine(options)`. Unknown keys are refused. `client`, `store` and
/// `webhookKeys` hold JS values and are read as such; the rest is JSON data.
#[derive(Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncEngineOptions {
    /// The client that runs follow-up calls (key pointers, download links, status).
    #[tsify(type = "SpotDraftClient")]
    // Declared for the TypeScript and the allowed keys; read as a JS value (null here).
    #[allow(dead_code)]
    pub client: IgnoredAny,
    /// Where records live: `new MemoryStore()`, `new IndexedDbStore()` or your own.
    #[tsify(type = "SyncStore")]
    // Declared for the TypeScript and the allowed keys; read as a JS value (null here).
    #[allow(dead_code)]
    pub store: IgnoredAny,
    /// SpotDraft's `hmac_key` (base64), or several during a key rotation. May be `[]` for an
    /// engine that never receives webhooks (e.g. in a browser).
    #[tsify(type = "string | string[]")]
    // Declared for the TypeScript and the allowed keys; read as a JS value (null here).
    #[allow(dead_code)]
    pub webhook_keys: IgnoredAny,
    /// Key pointers (by `field_name`) to keep on each record; default: all of them.
    #[serde(default)]
    #[tsify(optional)]
    pub key_pointer_fields: Option<Vec<String>>,
}

/// The keys of [`SyncEngineOptions`] read as JS values, not JSON.
const ENGINE_JS_VALUES: [&str; 3] = ["client", "store", "webhookKeys"];

/// Options of `handleWebhook` (beside the call options). Unknown keys are refused.
#[derive(Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HandleWebhookOptions {
    /// Run the follow-up actions (key pointers, document link, status) before resolving
    /// (default true). Pass false to acknowledge SpotDraft at once and call
    /// `runPendingActions(record.contractId)` later, e.g. from a queue.
    #[serde(default)]
    #[tsify(optional)]
    pub run_actions: Option<bool>,
}

/// Options of `reconcile` (beside the call options). Unknown keys are refused.
#[derive(Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReconcileOptions {
    /// At most this many status requests (default 100).
    #[serde(default)]
    #[tsify(optional)]
    pub budget: Option<f64>,
    /// Requests in flight at once (default 4, at most 64); the client's rate limit still applies.
    #[serde(default)]
    #[tsify(optional)]
    pub concurrency: Option<f64>,
    /// Poll only records without news for this long (default 3,600,000 = 1 hour).
    #[serde(default)]
    #[tsify(optional)]
    pub stale_after_ms: Option<f64>,
    /// Continue a pass: the `nextCursor` of the previous call.
    #[serde(default)]
    #[tsify(optional, type = "ReconcileCursor | null")]
    pub cursor: Option<ReconcileCursor>,
    /// Called after each record is polled. A throwing callback is ignored.
    #[serde(default)]
    #[tsify(optional, type = "(progress: ReconcileProgress) => void")]
    // Declared for the TypeScript and the allowed keys; the value is read as a JS value.
    #[allow(dead_code)]
    pub on_progress: Option<IgnoredAny>,
}

/// Options of `fetchDocument` (beside the call options). Unknown keys are refused.
#[derive(Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FetchDocumentOptions {
    /// File format (default `"PDF"`).
    #[serde(default)]
    #[tsify(optional)]
    pub format: Option<DownloadFormat>,
}

/// The JS wall clock (`Date.now`).
pub(super) struct JsClock;

impl Clock for JsClock {
    fn now_unix_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

/// The engine over the JS transport, the user's store and the JS clock.
type Engine = crate::sync::SyncEngine<JsTransport, JsStore, JsClock>;

/// The engine and the webhook keys it verifies deliveries with.
struct Inner {
    engine: Engine,
    keys: Vec<WebhookKey>,
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
    inner: Rc<Inner>,
}

#[wasm_bindgen(js_class = SyncEngine)]
impl SyncEngine {
    /// Creates an engine over `client`, which it shares with the caller (the user's object
    /// stays usable). Throws `INVALID_ARGUMENT` when an option is wrong (a bad key is named by
    /// its index, never shown).
    ///
    /// The client arrives as a typed second argument, borrowed for the call: the package's
    /// entries export a `SyncEngine` subclass (src/entries/shared/sync-engine.js) whose
    /// one-argument constructor passes `options.client` here, and whose declaration
    /// (src/entries/shared/sync-engine.d.ts) is the TypeScript users see. This does NOT check
    /// that `options.client` is `client`: the subclass does, and refuses anything else.
    #[wasm_bindgen(constructor, skip_typescript)]
    pub fn new(options: JsValue, client: &SpotDraftClient) -> Result<SyncEngine, Thrown> {
        Ok(Self {
            inner: Rc::new(Inner::from_options(&options, client.inner())?),
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
        #[wasm_bindgen(unchecked_optional_param_type = "HandleWebhookOptions & CallOptions")]
        options: Option<JsValue>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        promise(async move {
            let result = inner
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
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        promise(async move {
            let key = record_ref_arg(&key)?;
            let (ctx, rest) = split_call_options("options", options.as_ref())?;
            no_method_options(rest.as_ref(), "runPendingActions")?;
            json_out(&inner.engine.run_pending_actions(&key, &ctx).await?)
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
        #[wasm_bindgen(unchecked_optional_param_type = "ReconcileOptions & CallOptions")]
        options: Option<JsValue>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        promise(async move {
            let options = ReconcileCall::from_js(options.as_ref())?;
            let on_progress = |progress: &ReconcileProgress| {
                if let (Some(hook), Ok(value)) = (&options.on_progress, json_out(progress)) {
                    // A throwing hook must not stop the pass.
                    let _ = hook.call1(&JsValue::UNDEFINED, &value);
                }
            };
            let result = inner
                .engine
                .reconcile(options.settings, &on_progress, &options.ctx)
                .await?;
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
        #[wasm_bindgen(unchecked_optional_param_type = "FetchDocumentOptions & CallOptions")]
        options: Option<JsValue>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        promise(async move {
            let key = record_ref_arg(&key)?;
            let (ctx, rest) = split_call_options("options", options.as_ref())?;
            let options: FetchDocumentOptions = optional_options_arg("options", rest.as_ref())?;
            let format = options.format.unwrap_or_default();
            fetched_out(inner.engine.fetch_document(&key, format, &ctx).await?)
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
        let inner = Rc::clone(&self.inner);
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
            json_out(&inner.engine.record_stored(&key, stored_at).await?)
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
        let inner = Rc::clone(&self.inner);
        promise(async move {
            let input: TrackInput = json_arg("input", &input)?;
            let record = inner
                .engine
                .track(
                    input.contract_id,
                    input.composite_id.as_deref(),
                    input.external_id,
                )
                .await?;
            json_out(&record)
        })
    }

    /// Creates a contract exactly once per `external_metadata.id`, also across a restart:
    /// like `client.createContract` (same payload and options), but before each create
    /// request the engine stores a create intent under `external:<id>`, and a later call (or
    /// `resolveOpenIntents`) in a new process looks the contract up, through the settle rule,
    /// before it creates again. Resolves with `{ contract, outcome, attempts, record }`, the
    /// contract tracked; when the store already holds this external id's contract, nothing
    /// is sent (`outcome: "FOUND_EXISTING"`, no `contract`).
    ///
    /// Does not coordinate several processes creating for one external id at the same time,
    /// and cannot prove absence: a lookup lagging behind the write by longer than two
    /// timeouts plus `createSettleMs` after the last attempt ends in a second contract.
    ///
    /// ```js
    /// await engine.resolveOpenIntents(); // on start: creates a killed process left unresolved
    /// const { record } = await engine.createContract(payload);
    /// ```
    #[wasm_bindgen(js_name = createContract, unchecked_return_type = "Promise<EngineCreateResult>")]
    pub fn create_contract(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateContractPayload")] payload: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateContractOptions & CallOptions")]
        options: Option<JsValue>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        promise(async move {
            let (body, check_existing_first, ctx) = create_args(&payload, options.as_ref())?;
            let result = inner
                .engine
                .create_contract(body, check_existing_first, &ctx)
                .await?;
            json_out(&result)
        })
    }

    /// Resolves every open create intent in the store (left by a process that died between
    /// sending a create and learning its outcome) by lookup: found → tracked, intent
    /// closed; not found up to two timeouts plus `createSettleMs` after its last attempt →
    /// marked `NOT_CREATED`. Sends no create. Resolves with counts; a failed lookup is
    /// counted in `failed` and leaves its intent open.
    #[wasm_bindgen(js_name = resolveOpenIntents, unchecked_return_type = "Promise<ResolveIntentsResult>")]
    pub fn resolve_open_intents(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        promise(async move {
            let (ctx, rest) = split_call_options("options", options.as_ref())?;
            no_method_options(rest.as_ref(), "resolveOpenIntents")?;
            json_out(&inner.engine.resolve_open_intents(&ctx).await?)
        })
    }

    /// The stored record, or `null`.
    #[wasm_bindgen(js_name = getRecord, unchecked_return_type = "Promise<SyncRecord | null>")]
    pub fn get_record(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecordRef")] key: JsValue,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        promise(async move {
            let key = record_ref_arg(&key)?;
            match inner.engine.get_record(&key).await? {
                Some(record) => json_out(&record),
                None => Ok(JsValue::NULL),
            }
        })
    }
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

/// `reconcile`'s options: the engine's settings, the progress hook and the call's context.
struct ReconcileCall {
    settings: ReconcileSettings,
    on_progress: Option<Function>,
    ctx: CallContext<JsCall>,
}

impl ReconcileCall {
    fn from_js(options: Option<&JsValue>) -> Result<Self> {
        let (ctx, rest) = split_call_options("options", options)?;
        let (on_progress, data) = match &rest {
            Some(rest) => {
                let ([on_progress], data) = take_functions("options", rest, ["onProgress"])?;
                (on_progress, Some(data))
            }
            None => (None, None),
        };
        let options: ReconcileOptions = optional_options_arg("options", data.as_ref())?;
        let whole = |key: &str, value: Option<f64>, min: f64, max: f64| {
            whole_number(&format!("options.{key}"), value, min, max)
        };
        let mut settings = ReconcileSettings::default();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        {
            if let Some(n) = whole("budget", options.budget, 0.0, 1_000_000.0)? {
                settings.budget = n as usize;
            }
            if let Some(n) = whole(
                "concurrency",
                options.concurrency,
                1.0,
                MAX_CONCURRENCY as f64,
            )? {
                settings.concurrency = n as usize;
            }
            if let Some(n) = whole(
                "staleAfterMs",
                options.stale_after_ms,
                0.0,
                9_007_199_254_740_991.0,
            )? {
                settings.stale_after_ms = n as u64;
            }
        }
        settings.cursor = options.cursor;
        Ok(Self {
            settings,
            on_progress,
            ctx,
        })
    }
}

impl Inner {
    fn from_options(options: &JsValue, client: Rc<Client<JsTransport>>) -> Result<Self> {
        if !options.is_object() || Array::is_array(options) {
            return Err(Error::invalid_argument(
                "options",
                format!(
                    "must be an object such as {{ client, store, webhookKeys }}, got {}",
                    type_name(options)
                ),
            ));
        }
        let ([_client, store, keys], data) = take_js_values(options, ENGINE_JS_VALUES);
        let data: SyncEngineOptions = options_arg("options", &data)?;
        let store = JsStore::from_js("options.store", &store)?;
        let keys = webhook_keys_arg("options.webhookKeys", &keys, true)?;
        let key_pointer_fields = data.key_pointer_fields;
        Ok(Self {
            engine: Engine::new(client, store, JsClock, key_pointer_fields),
            keys,
        })
    }

    /// Verifies and parses the delivery (nothing of a forged one reaches the store or the
    /// client), reads the options, then hands the event to the engine.
    async fn handle_webhook(
        &self,
        raw_body: &JsValue,
        headers: &JsValue,
        options: Option<&JsValue>,
    ) -> Result<HandleWebhookResult> {
        let body = raw_body_arg(raw_body)?;
        let headers = headers_arg(headers)?;
        let verify = VerifyOptions::default();
        let prepared = prepare_verification(&body, &headers, &self.keys, &verify)?;
        if matching_key_here(&body, &self.keys, &prepared.signature)?.is_none() {
            return Err(signature_mismatch(self.keys.len()));
        }
        let event = parse_webhook_event_with(&body, verify.max_body_bytes)?;
        let (ctx, rest) = split_call_options("options", options)?;
        let options: HandleWebhookOptions = optional_options_arg("options", rest.as_ref())?;
        let run_actions = options.run_actions.unwrap_or(true);
        self.engine.handle_event(&event, run_actions, &ctx).await
    }
}

/// `fetchDocument`'s result as a JS object, the bytes as a `Uint8Array`.
fn fetched_out(document: FetchedDocument) -> Result<JsValue> {
    let out = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&out, &JsValue::from_str(k), v);
    };
    set("bytes", &Uint8Array::from(document.bytes.as_slice()).into());
    set("fileName", &JsValue::from_str(&document.file_name));
    if let Some(version) = document.version_id {
        #[allow(clippy::cast_precision_loss)]
        set("versionId", &JsValue::from_f64(version as f64));
    }
    set("fetchedAt", &JsValue::from_str(&document.fetched_at));
    set("record", &json_out(&document.record)?);
    Ok(out.into())
}
