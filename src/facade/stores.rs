//! Where `SyncEngine` keeps its records: the `SyncStore` interface, an in-memory store, an
//! IndexedDB store for browsers and web workers, and the adapter the engine calls stores
//! through.
//!
//! The interface is three async methods over string keys (see the TypeScript section below),
//! so any database fits: a SQL table keyed by `key`, a KV namespace, a CRM custom object.
//! The engine writes each record under every key `record_keys` gives (`contract:<id>` and,
//! when known, `external:<id>`), so `list()` may return a record once per key; the engine
//! keeps one per contract id.
//!
//! `IndexedDbStore` uses web-sys's typed IndexedDB bindings rather than a generated JS module:
//! wasm-bindgen snippets have open issues under the CommonJS `nodejs` target this package
//! also ships, and the bindings only add the few imports actually called (a handful of
//! small JS shims, well under 1 KB of wasm). Requests are awaited through promise `resolve`
//! and `reject` set as the event handlers (built-in functions, safe after a panic re-creates
//! the instance); only the one-time `upgradeneeded` handler is a Rust closure.
//!
//! What this does NOT do: validate records (the engine does, on read), lock (the engine
//! serialises its own updates per contract), or expire anything.

use super::convert::type_name;
use super::convert::{deferred, js_message, json_arg, json_out};
use super::executor::PromiseFuture;
use super::js_error::{to_js, Thrown};
use crate::core::sync::SyncRecord;
use crate::error::{Error, ErrorCode, Result};
use crate::sync::{Listing, Store, Version};
use js_sys::{Array, Function, Promise, Reflect};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const SYNC_STORE_TS: &'static str = r#"
/**
 * Storage for `SyncEngine`'s records. Implement it over your own database, or use
 * `MemoryStore` (tests, one process) or `IndexedDbStore` (browsers, web workers).
 *
 * Keys are opaque strings (`"contract:19589"`, `"external:hubspot-deal-10024"`); the engine
 * writes each record under every key it can be found by, and reads with `get` in lookup
 * order. Records are plain JSON data: store them as given (e.g. as JSON text) and return
 * them unchanged. Methods may return a value or a promise; a throw or rejection becomes a
 * `SpotDraftError` with code `STORE_ERROR`.
 */
export interface SyncStore {
    /** The record stored under `key`, or `null` (or `undefined`) when there is none. */
    get(key: string): Promise<SyncRecord | null | undefined> | SyncRecord | null | undefined;
    /** Stores `record` under `key`, replacing what was there. */
    put(key: string, record: SyncRecord): Promise<void> | void;
    /**
     * Every stored record, in any order. A record stored under two keys may appear twice;
     * `reconcile` keeps one per `contractId`.
     */
    list(): Promise<SyncRecord[]> | SyncRecord[];
    /**
     * Optional, with `putIfVersion`: the record under `key` with its version (a number or
     * string that changes on every write, e.g. a row's version column), or `null`. A store
     * with both lets several processes share it without losing updates: the engine writes
     * the `contract:<id>` row compare-and-set, and re-reads and re-merges after a conflict
     * (giving up after a few attempts with a `STORE_ERROR` that says it was contention).
     */
    getVersioned?(key: string): Promise<VersionedRecord | null | undefined> | VersionedRecord | null | undefined;
    /**
     * Optional, with `getVersioned`: stores `record` under `key` only if the version there is
     * still `expectedVersion` (`null`: only if `key` holds nothing); `true` when written,
     * `false` when someone else wrote first (then write nothing).
     */
    putIfVersion?(key: string, record: SyncRecord, expectedVersion: StoreVersion | null): Promise<boolean> | boolean;
}

/** A store's version of one key's value: opaque to the engine, handed back as given. */
export type StoreVersion = number | string;

/** What `SyncStore.getVersioned` returns. */
export interface VersionedRecord {
    record: SyncRecord;
    version: StoreVersion;
}
"#;

fn store_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::StoreError, message)
}

/// A required string key.
fn key_arg(value: &JsValue) -> Result<String> {
    match value.as_string() {
        Some(key) if !key.is_empty() => Ok(key),
        _ => Err(Error::invalid_argument(
            "key",
            format!("must be a non-empty string, got {}", type_name(value)),
        )),
    }
}

fn settled(result: Result<JsValue>) -> Promise {
    match result {
        Ok(value) => Promise::resolve(&value),
        Err(error) => Promise::reject(&to_js(&error)),
    }
}

/// A `SyncStore` in memory: records live as long as the object. For tests, scripts and
/// single-process servers that rebuild their state from SpotDraft on start.
///
/// Records are kept as JSON text, so changing a returned object never changes the store.
///
/// ```js
/// const engine = new SyncEngine({ client, store: new MemoryStore(), webhookKeys: key });
/// ```
#[wasm_bindgen(js_name = MemoryStore)]
pub struct MemoryStore {
    records: Rc<RefCell<BTreeMap<String, String>>>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen(js_class = MemoryStore)]
impl MemoryStore {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    pub fn new() -> MemoryStore {
        Self {
            records: Rc::new(RefCell::new(BTreeMap::new())),
        }
    }

    /// The record under `key`, or `null`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SyncRecord | null>")]
    pub fn get(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Promise {
        settled(key_arg(&key).and_then(|key| {
            let records = self.records.borrow();
            match records.get(&key) {
                Some(text) => js_sys::JSON::parse(text)
                    .map_err(|_| Error::internal("MemoryStore holds text that is not JSON")),
                None => Ok(JsValue::NULL),
            }
        }))
    }

    /// Stores `record` (any JSON data) under `key`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn put(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SyncRecord")] record: JsValue,
    ) -> Promise {
        settled(key_arg(&key).and_then(|key| {
            let text = js_sys::JSON::stringify(&record)
                .ok()
                .and_then(|t| t.as_string())
                .filter(|_| record.is_object())
                .ok_or_else(|| {
                    Error::invalid_argument(
                        "record",
                        format!("must be a JSON object, got {}", type_name(&record)),
                    )
                })?;
            self.records.borrow_mut().insert(key, text);
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Every stored record, in key order (a record stored under two keys appears twice).
    #[wasm_bindgen(unchecked_return_type = "Promise<SyncRecord[]>")]
    pub fn list(&self) -> Promise {
        let records = self.records.borrow();
        let out = Array::new_with_length(0);
        for text in records.values() {
            match js_sys::JSON::parse(text) {
                Ok(value) => {
                    out.push(&value);
                }
                Err(_) => {
                    return settled(Err(Error::internal(
                        "MemoryStore holds text that is not JSON",
                    )))
                }
            }
        }
        Promise::resolve(&JsValue::from(out))
    }

    /// How many keys are stored.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.records.borrow().len()).unwrap_or(u32::MAX)
    }
}

/// Name of the one object store inside the database.
const OBJECT_STORE: &str = "records";
/// Schema version: 1 = one object store of records with out-of-line string keys.
const SCHEMA_VERSION: u32 = 1;
/// Database name when none is given.
const DEFAULT_DB_NAME: &str = "spotdraft-sync";

/// A `SyncStore` in the browser's IndexedDB: records survive reloads. Works in pages and
/// web workers (e.g. a HubSpot UI extension's worker), wherever `indexedDB` is global.
///
/// ```js
/// const store = new IndexedDbStore("crm-sync");
/// const engine = new SyncEngine({ client, store, webhookKeys: [] });
/// ```
#[wasm_bindgen(js_name = IndexedDbStore)]
pub struct IndexedDbStore {
    inner: Rc<IdbInner>,
}

struct IdbInner {
    name: String,
    db: RefCell<Option<web_sys::IdbDatabase>>,
}

#[wasm_bindgen(js_class = IndexedDbStore)]
impl IndexedDbStore {
    /// A store in database `dbName` (default `"spotdraft-sync"`), opened on first use.
    /// Throws `STORE_ERROR` when this runtime has no IndexedDB (Node: use `MemoryStore` or
    /// your own store), `INVALID_ARGUMENT` for an empty or non-string name.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = dbName, unchecked_optional_param_type = "string")]
        db_name: JsValue,
    ) -> Result<IndexedDbStore, Thrown> {
        let name = if db_name.is_undefined() || db_name.is_null() {
            DEFAULT_DB_NAME.to_owned()
        } else {
            match db_name.as_string() {
                Some(name) if !name.trim().is_empty() => name,
                _ => {
                    return Err(Error::invalid_argument(
                        "dbName",
                        format!("must be a non-empty string, got {}", type_name(&db_name)),
                    )
                    .into())
                }
            }
        };
        factory()?;
        Ok(Self {
            inner: Rc::new(IdbInner {
                name,
                db: RefCell::new(None),
            }),
        })
    }

    /// The database name.
    #[wasm_bindgen(getter, js_name = dbName)]
    pub fn db_name(&self) -> String {
        self.inner.name.clone()
    }

    /// The record under `key`, or `null`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SyncRecord | null>")]
    pub fn get(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        super::panic_guard::promise(async move {
            let key = key_arg(&key)?;
            let store = inner
                .object_store(web_sys::IdbTransactionMode::Readonly)
                .await?;
            let request = store
                .get(&JsValue::from_str(&key))
                .map_err(|e| store_error(format!("IndexedDB get failed: {}", js_message(&e))))?;
            let value = request_result(&request, "get").await?;
            Ok(if value.is_undefined() {
                JsValue::NULL
            } else {
                value
            })
        })
    }

    /// Stores `record` under `key`; resolves once the transaction has committed.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn put(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SyncRecord")] record: JsValue,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        super::panic_guard::promise(async move {
            let key = key_arg(&key)?;
            if !record.is_object() {
                return Err(Error::invalid_argument(
                    "record",
                    format!("must be a JSON object, got {}", type_name(&record)),
                ));
            }
            let store = inner
                .object_store(web_sys::IdbTransactionMode::Readwrite)
                .await?;
            let transaction = store.transaction();
            // The record is structured-cloned by IndexedDB; later changes to it do not leak in.
            store
                .put_with_key(&record, &JsValue::from_str(&key))
                .map_err(|e| store_error(format!("IndexedDB put failed: {}", js_message(&e))))?;
            transaction_done(&transaction).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Every stored record (a record stored under two keys appears twice).
    #[wasm_bindgen(unchecked_return_type = "Promise<SyncRecord[]>")]
    pub fn list(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        super::panic_guard::promise(async move {
            let store = inner
                .object_store(web_sys::IdbTransactionMode::Readonly)
                .await?;
            let request = store
                .get_all()
                .map_err(|e| store_error(format!("IndexedDB getAll failed: {}", js_message(&e))))?;
            request_result(&request, "getAll").await
        })
    }

    /// Closes the database connection (the next call opens it again).
    pub fn close(&self) {
        if let Some(db) = self.inner.db.borrow_mut().take() {
            db.close();
        }
    }
}

/// The global `indexedDB` (window or worker).
fn factory() -> Result<web_sys::IdbFactory> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))
        .ok()
        .and_then(|f| f.dyn_into::<web_sys::IdbFactory>().ok())
        .ok_or_else(|| {
            store_error(
                "IndexedDB is not available in this runtime (Node and Cloudflare Workers have \
                 none): use MemoryStore, or implement SyncStore over your own database",
            )
        })
}

/// Waits for `request` to succeed and returns its `result`.
async fn request_result(request: &web_sys::IdbRequest, what: &str) -> Result<JsValue> {
    let (promise, resolve, reject) = deferred()?;
    request.set_onsuccess(Some(&resolve));
    request.set_onerror(Some(&reject));
    let outcome = PromiseFuture::new(&promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(_) => request
            .result()
            .map_err(|e| store_error(format!("IndexedDB {what} failed: {}", js_message(&e)))),
        Err(_) => Err(store_error(format!(
            "IndexedDB {what} failed: {}",
            request_error(request.as_ref())
        ))),
    }
}

/// Waits for `transaction` to commit.
async fn transaction_done(transaction: &web_sys::IdbTransaction) -> Result<()> {
    let (promise, resolve, reject) = deferred()?;
    transaction.set_oncomplete(Some(&resolve));
    transaction.set_onerror(Some(&reject));
    transaction.set_onabort(Some(&reject));
    let outcome = PromiseFuture::new(&promise).await;
    transaction.set_oncomplete(None);
    transaction.set_onerror(None);
    transaction.set_onabort(None);
    outcome.map(|_| ()).map_err(|_| {
        store_error(format!(
            "IndexedDB transaction did not commit: {}",
            request_error(transaction.as_ref())
        ))
    })
}

/// `target.error`'s name and message (a `DOMException`, e.g. `QuotaExceededError`).
fn request_error(target: &JsValue) -> String {
    let error = Reflect::get(target, &JsValue::from_str("error")).unwrap_or(JsValue::UNDEFINED);
    if error.is_undefined() || error.is_null() {
        return "no reason given".into();
    }
    let name = Reflect::get(&error, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    format!("{name} {}", js_message(&error)).trim().to_owned()
}

impl IdbInner {
    async fn database(&self) -> Result<web_sys::IdbDatabase> {
        if let Some(db) = self.db.borrow().as_ref() {
            return Ok(db.clone());
        }
        let request = factory()?
            .open_with_u32(&self.name, SCHEMA_VERSION)
            .map_err(|e| store_error(format!("IndexedDB open failed: {}", js_message(&e))))?;
        let upgrading = request.clone();
        // Runs inside the versionchange transaction, which is only active during the event.
        let on_upgrade = Closure::<dyn FnMut()>::new(move || {
            if let Ok(result) = upgrading.result() {
                let db: web_sys::IdbDatabase = result.unchecked_into();
                let _ = db.create_object_store(OBJECT_STORE);
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let (promise, resolve, reject) = deferred()?;
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
        // Another tab holding an older version open would block forever: fail instead.
        request.set_onblocked(Some(&reject));
        let outcome = PromiseFuture::new(&promise).await;
        request.set_onupgradeneeded(None);
        request.set_onsuccess(None);
        request.set_onerror(None);
        request.set_onblocked(None);
        drop(on_upgrade);
        if outcome.is_err() {
            return Err(store_error(format!(
                "IndexedDB could not open database {:?}: {}",
                self.name,
                request_error(request.as_ref())
            )));
        }
        let db: web_sys::IdbDatabase = request
            .result()
            .map_err(|e| store_error(format!("IndexedDB open failed: {}", js_message(&e))))?
            .unchecked_into();
        // Raced with another open: keep the first connection.
        let mut slot = self.db.borrow_mut();
        if let Some(existing) = slot.as_ref() {
            db.close();
            return Ok(existing.clone());
        }
        *slot = Some(db.clone());
        Ok(db)
    }

    async fn object_store(
        &self,
        mode: web_sys::IdbTransactionMode,
    ) -> Result<web_sys::IdbObjectStore> {
        let db = self.database().await?;
        let transaction = db
            .transaction_with_str_and_mode(OBJECT_STORE, mode)
            .map_err(|e| {
                // A closed connection (e.g. after `close()` raced a call): forget it.
                self.db.borrow_mut().take();
                store_error(format!("IndexedDB transaction failed: {}", js_message(&e)))
            })?;
        transaction
            .object_store(OBJECT_STORE)
            .map_err(|e| store_error(format!("IndexedDB object store: {}", js_message(&e))))
    }
}

/// The engine's view of a user's `SyncStore`: calls its methods and awaits their results.
pub(crate) struct JsStore {
    object: JsValue,
    get: Function,
    put: Function,
    list: Function,
    /// `getVersioned` and `putIfVersion`, when the store has both.
    versioned: Option<(Function, Function)>,
}

impl JsStore {
    /// Checks that `value` has the three methods of `SyncStore`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming `argument` and the missing method.
    pub(super) fn from_js(argument: &str, value: &JsValue) -> Result<Self> {
        if !value.is_object() {
            return Err(Error::invalid_argument(
                argument,
                format!(
                    "must implement SyncStore (get, put, list), e.g. new MemoryStore(); got {}",
                    type_name(value)
                ),
            ));
        }
        let method = |name: &str| {
            Reflect::get(value, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    Error::invalid_argument(
                        &format!("{argument}.{name}"),
                        "must be a function: a store implements SyncStore (get, put, list)",
                    )
                })
        };
        let optional = |name: &str| -> Result<Option<Function>> {
            let found = Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
            if found.is_undefined() || found.is_null() {
                return Ok(None);
            }
            found.dyn_into::<Function>().map(Some).map_err(|_| {
                Error::invalid_argument(
                    &format!("{argument}.{name}"),
                    "must be a function or absent",
                )
            })
        };
        let versioned = match (optional("getVersioned")?, optional("putIfVersion")?) {
            (Some(get), Some(put)) => Some((get, put)),
            (None, None) => None,
            (get, _) => {
                let missing = if get.is_some() {
                    "putIfVersion"
                } else {
                    "getVersioned"
                };
                return Err(Error::invalid_argument(
                    &format!("{argument}.{missing}"),
                    "must be a function: a versioned store implements both getVersioned and \
                     putIfVersion (or neither)",
                ));
            }
        };
        Ok(Self {
            get: method("get")?,
            put: method("put")?,
            list: method("list")?,
            versioned,
            object: value.clone(),
        })
    }

    async fn settle(
        &self,
        what: &str,
        returned: std::result::Result<JsValue, JsValue>,
    ) -> Result<JsValue> {
        let value =
            returned.map_err(|e| store_error(format!("store.{what} threw: {}", js_message(&e))))?;
        // `Promise.resolve` adopts any thenable and wraps plain values (synchronous stores).
        PromiseFuture::new(&Promise::resolve(&value))
            .await
            .map_err(|e| store_error(format!("store.{what} rejected: {}", js_message(&e))))
    }
}

impl Store for JsStore {
    /// `store.get(key)`; `None` for `null` / `undefined`; a value that is not a record is a
    /// `STORE_ERROR`.
    async fn get(&self, key: &str) -> Result<Option<SyncRecord>> {
        let returned = self.get.call1(&self.object, &JsValue::from_str(key));
        let what = format!("get({key:?})");
        let value = self.settle(&what, returned).await?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        record_from_js(&format!("store.{what}"), &value).map(Some)
    }

    /// `store.put(key, record)`, the record as a plain JS object.
    async fn put(&self, key: &str, record: &SyncRecord) -> Result<()> {
        let value = json_out(record)?;
        let returned = self
            .put
            .call2(&self.object, &JsValue::from_str(key), &value);
        self.settle(&format!("put({key:?})"), returned).await?;
        Ok(())
    }

    /// `store.list()`, which must resolve to an array; entries that are not records are
    /// counted, not read.
    async fn list(&self) -> Result<Listing> {
        let returned = self.list.call0(&self.object);
        let value = self.settle("list()", returned).await?;
        if !Array::is_array(&value) {
            return Err(store_error(format!(
                "store.list() must resolve to an array of records, got {}",
                type_name(&value)
            )));
        }
        let mut listing = Listing::default();
        for item in value.unchecked_into::<Array>().iter() {
            match record_from_js("store.list()[]", &item) {
                Ok(record) => listing.records.push(record),
                Err(_) => listing.invalid += 1,
            }
        }
        Ok(listing)
    }

    fn versioned(&self) -> bool {
        self.versioned.is_some()
    }

    /// `store.getVersioned(key)`: `{ record, version }` or `null` / `undefined`.
    async fn get_versioned(&self, key: &str) -> Result<Option<(SyncRecord, Version)>> {
        let Some((get, _)) = &self.versioned else {
            return Err(store_error("this store has no getVersioned"));
        };
        let what = format!("getVersioned({key:?})");
        let value = self
            .settle(&what, get.call1(&self.object, &JsValue::from_str(key)))
            .await?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let field = |name: &str| Reflect::get(&value, &JsValue::from_str(name)).ok();
        let version = field("version")
            .and_then(|v| version_from_js(&v))
            .ok_or_else(|| {
                store_error(format!(
                    "store.{what} must resolve to {{ record, version }} with a number or string \
                     version, or null"
                ))
            })?;
        let record = record_from_js(
            &format!("store.{what}.record"),
            &field("record").unwrap_or(JsValue::UNDEFINED),
        )?;
        Ok(Some((record, version)))
    }

    /// `store.putIfVersion(key, record, expectedVersion)`, which must resolve to a boolean.
    async fn put_if_version(
        &self,
        key: &str,
        record: &SyncRecord,
        expected: Option<&Version>,
    ) -> Result<bool> {
        let Some((_, put)) = &self.versioned else {
            return Err(store_error("this store has no putIfVersion"));
        };
        let expected = match expected {
            Some(version) => json_out(&version.0)?,
            None => JsValue::NULL,
        };
        let returned = put.call3(
            &self.object,
            &JsValue::from_str(key),
            &json_out(record)?,
            &expected,
        );
        let what = format!("putIfVersion({key:?})");
        let value = self.settle(&what, returned).await?;
        value.as_bool().ok_or_else(|| {
            store_error(format!(
                "store.{what} must resolve to true (written) or false (someone else wrote \
                 first), got {}",
                type_name(&value)
            ))
        })
    }
}

/// A version as the store gave it: a finite number or a string.
fn version_from_js(value: &JsValue) -> Option<Version> {
    if let Some(text) = value.as_string() {
        return Some(Version(serde_json::Value::String(text)));
    }
    value
        .as_f64()
        .and_then(serde_json::Number::from_f64)
        .map(|n| Version(serde_json::Value::Number(n)))
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
