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

/// Async storage of sync records by string key.
///
/// Errors are `STORE_ERROR` (the engine passes them on, so a webhook answer can ask for a
/// retry). The trait does not lock: the engine serialises its own updates per contract.
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
