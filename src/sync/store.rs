//! Where the engine keeps its records: an async key-value interface over sync records, and an
//! in-memory implementation.
//!
//! Keys are opaque strings from [`crate::core::sync::RecordKey::storage_key`]; the engine
//! writes each record under every key [`crate::core::sync::record_keys`] gives, so `list` may
//! return a record once per key. No `Send` bound: wasm futures are `!Send`. Implementations:
//! the facade's `JsStore` (a user's JS `SyncStore`) and [`MemoryRecords`].

use crate::core::sync::SyncRecord;
use crate::error::Result;
#[cfg(test)]
use std::cell::RefCell;
#[cfg(test)]
use std::collections::BTreeMap;

/// What [`Store::list`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Listing {
    /// The stored values that are sync records, in any order.
    pub records: Vec<SyncRecord>,
    /// How many stored values are not (the engine leaves them untouched).
    pub invalid: usize,
}

/// A store's version of the value under one key: opaque to the engine, which only hands it
/// back to [`Store::put_if_version`] (a number or a string, e.g. a row's version column).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Version(pub serde_json::Value);

/// Async storage of sync records by string key.
///
/// Errors are `STORE_ERROR` (the engine passes them on, so a webhook answer can ask for a
/// retry). The trait does not lock: the engine serialises its own updates per contract.
///
/// Compare-and-set is optional: a store whose [`Store::versioned`] is `true` also implements
/// [`Store::get_versioned`] and [`Store::put_if_version`], and the engine then writes the
/// `contract:<id>` row only if nobody wrote it since it read it (re-reading and re-merging
/// otherwise), so several processes sharing the store lose no update. A store without them
/// is used exactly as before (get, then put).
#[allow(async_fn_in_trait)]
pub(crate) trait Store {
    /// The record under `key`, `None` when there is none.
    ///
    /// # Errors
    /// `STORE_ERROR` when the store fails or holds something that is not a record there.
    async fn get(&self, key: &str) -> Result<Option<SyncRecord>>;

    /// Stores `record` under `key`, replacing what was there.
    ///
    /// # Errors
    /// `STORE_ERROR` when the store fails.
    async fn put(&self, key: &str, record: &SyncRecord) -> Result<()>;

    /// Every stored record.
    ///
    /// # Errors
    /// `STORE_ERROR` when the store fails.
    async fn list(&self) -> Result<Listing>;

    /// Whether [`Store::get_versioned`] and [`Store::put_if_version`] are implemented.
    fn versioned(&self) -> bool {
        false
    }

    /// The record under `key` with its version, `None` when there is none.
    ///
    /// # Errors
    /// `STORE_ERROR` when the store fails (or is not [`Store::versioned`]).
    async fn get_versioned(&self, key: &str) -> Result<Option<(SyncRecord, Version)>> {
        let _ = key;
        Err(not_versioned())
    }

    /// Stores `record` under `key` only if the value there still has version `expected`
    /// (`None`: only if there is none). `Ok(false)` when someone else wrote first; nothing
    /// was written then.
    ///
    /// # Errors
    /// `STORE_ERROR` when the store fails (or is not [`Store::versioned`]).
    async fn put_if_version(
        &self,
        key: &str,
        record: &SyncRecord,
        expected: Option<&Version>,
    ) -> Result<bool> {
        let _ = (key, record, expected);
        Err(not_versioned())
    }
}

fn not_versioned() -> crate::error::Error {
    crate::error::Error::new(
        crate::error::ErrorCode::StoreError,
        "this store has no getVersioned/putIfVersion",
    )
}

/// Records in memory, with a log of every `put` (for tests and single-process use).
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct MemoryRecords {
    records: RefCell<BTreeMap<String, SyncRecord>>,
    puts: RefCell<Vec<(String, SyncRecord)>>,
}

#[cfg(test)]
impl MemoryRecords {
    /// Every `put` so far, in order.
    pub(crate) fn puts(&self) -> Vec<(String, SyncRecord)> {
        self.puts.borrow().clone()
    }

    /// The record under `key`, without going through the async interface.
    pub(crate) fn peek(&self, key: &str) -> Option<SyncRecord> {
        self.records.borrow().get(key).cloned()
    }
}

#[cfg(test)]
impl Store for MemoryRecords {
    async fn get(&self, key: &str) -> Result<Option<SyncRecord>> {
        Ok(self.peek(key))
    }

    async fn put(&self, key: &str, record: &SyncRecord) -> Result<()> {
        self.records
            .borrow_mut()
            .insert(key.to_owned(), record.clone());
        self.puts
            .borrow_mut()
            .push((key.to_owned(), record.clone()));
        Ok(())
    }

    async fn list(&self) -> Result<Listing> {
        Ok(Listing {
            records: self.records.borrow().values().cloned().collect(),
            invalid: 0,
        })
    }
}
