//! Compare-and-set writes for stores that support them ([`Store::versioned`]), so several
//! engines (processes, instances) sharing one store lose no update.
//!
//! Which row is protected: `contract:<id>`, the record's own row. Every engine write that
//! changes a contract's record reads that row with its version, merges, and writes it back
//! only if its version is unchanged; on a conflict the engine re-reads, re-merges (the core's
//! rules are idempotent, so redoing the merge over the newer record keeps both updates) and
//! tries again, after a short randomised backoff, up to [`CAS_ATTEMPTS`] times, then fails
//! with a `STORE_ERROR` that says it was contention (a webhook delivery answered 503 is
//! retried by its sender).
//!
//! What the other rows are: `external:<id>` holds a copy of the record, written with a plain
//! `put` after the contract row won, as a lookup index. Two engines racing may leave an
//! older copy there, so on a versioned store a read by external id follows the copy's
//! contract id to its contract row and returns that (the copy only says which contract).
//! A create intent's placeholder (contract id 0) lives under `external:<id>` alone; it is
//! written with compare-and-set on that row, and never over a record that names a contract
//! (a placeholder must not hide a contract another engine tracked meanwhile).
//!
//! What this does NOT do: make two writes atomic (a crash between the contract row and its
//! external copy leaves the copy older, which the read above tolerates), or coordinate
//! creates of one external id across processes beyond not overwriting a tracked contract.
//! Stores without versions are used exactly as before: get, merge, put under every key.

use super::engine::{Clock, SyncEngine};
use super::store::{Store, Version};
use crate::core::sync::{intent_record, record_keys, CreateIntent, RecordKey, SyncRecord};
use crate::error::{Error, ErrorCode, Result};
use crate::transport::Transport;

/// Compare-and-set attempts of one update before it fails with `STORE_ERROR`.
pub(crate) const CAS_ATTEMPTS: u32 = 8;
/// First backoff after a conflict, in milliseconds; doubled after each further one.
const BACKOFF_BASE_MS: f64 = 4.0;
/// Longest backoff, in milliseconds.
const BACKOFF_MAX_MS: f64 = 250.0;

/// How a row was read, so that it can be written back.
pub(super) enum Token {
    /// The store has no versions: write with plain `put`s.
    Plain,
    /// The row's version when read (`None`: there was no row).
    Versioned(Option<Version>),
}

/// Counts the conflicts of one update.
#[derive(Default)]
pub(super) struct Conflicts(u32);

impl<T: Transport, S: Store, C: Clock> SyncEngine<T, S, C> {
    /// The row under `key` and the token to write it back with.
    ///
    /// # Errors
    /// The store's.
    pub(super) async fn read_row(&self, key: &RecordKey) -> Result<(Option<SyncRecord>, Token)> {
        if !self.store.versioned() {
            return Ok((self.store.get(&key.storage_key()).await?, Token::Plain));
        }
        Ok(match self.store.get_versioned(&key.storage_key()).await? {
            Some((record, version)) => (Some(record), Token::Versioned(Some(version))),
            None => (None, Token::Versioned(None)),
        })
    }

    /// Writes `record` under every key it can be found by: `primary` (read with `token`)
    /// compare-and-set when the store is versioned, the others after it with `put`.
    /// `Ok(false)` when `primary` was written by someone else since; nothing is written then.
    ///
    /// # Errors
    /// The store's.
    pub(super) async fn write_row(
        &self,
        record: &SyncRecord,
        primary: &RecordKey,
        token: &Token,
    ) -> Result<bool> {
        let Token::Versioned(expected) = token else {
            self.save(record).await?;
            return Ok(true);
        };
        let key = primary.storage_key();
        if !self
            .store
            .put_if_version(&key, record, expected.as_ref())
            .await?
        {
            return Ok(false);
        }
        for other in record_keys(record) {
            if other != *primary {
                self.store.put(&other.storage_key(), record).await?;
            }
        }
        Ok(true)
    }

    /// After a lost compare-and-set on `key`: waits a short, growing, randomised time, or
    /// gives up after [`CAS_ATTEMPTS`]. The wait does not watch the call's cancellation
    /// signal (it is at most 250 ms), and nothing here re-reads: the caller does.
    ///
    /// # Errors
    /// `STORE_ERROR` (contention) after the last attempt; `ABORTED` from the transport's
    /// sleep.
    pub(super) async fn after_conflict(&self, conflicts: &mut Conflicts, key: &str) -> Result<()> {
        conflicts.0 += 1;
        if conflicts.0 >= CAS_ATTEMPTS {
            return Err(Error::new(
                ErrorCode::StoreError,
                format!(
                    "Store contention: {key:?} was written by someone else {} times in a row \
                     while this engine updated it (another process is updating the same \
                     contract); nothing was written, retry later (a webhook sender retries a \
                     503).",
                    conflicts.0
                ),
            ));
        }
        let transport = self.client.transport();
        let doubled = BACKOFF_BASE_MS * f64::from(1u32 << (conflicts.0 - 1).min(8));
        let delay = doubled.min(BACKOFF_MAX_MS) * (0.5 + transport.random());
        transport.sleep(delay, &T::Call::default()).await
    }

    /// The record under `key`; on a versioned store, a record found by external id is the
    /// one under its contract id when there is one (the external row is only a copy).
    ///
    /// # Errors
    /// The store's.
    pub(crate) async fn get_record(&self, key: &RecordKey) -> Result<Option<SyncRecord>> {
        let found = self.store.get(&key.storage_key()).await?;
        if !self.store.versioned() || !matches!(key, RecordKey::ExternalId(_)) {
            return Ok(found);
        }
        match found {
            Some(copy) if copy.contract_id != 0 => Ok(self
                .store
                .get(&RecordKey::ContractId(copy.contract_id).storage_key())
                .await?
                .or(Some(copy))),
            other => Ok(other),
        }
    }

    /// Stores a create intent's placeholder under `external:<external_id>`. On a versioned
    /// store it is written compare-and-set and never over a record that names a contract:
    /// `Ok(false)` then (the contract that record names was tracked meanwhile).
    ///
    /// # Errors
    /// The store's; `STORE_ERROR` on contention.
    pub(super) async fn save_intent(
        &self,
        external_id: &str,
        intent: CreateIntent,
    ) -> Result<bool> {
        let placeholder = intent_record(external_id, intent);
        let key = RecordKey::ExternalId(external_id.to_owned());
        let mut conflicts = Conflicts::default();
        loop {
            let (row, token) = self.read_row(&key).await?;
            if matches!(token, Token::Versioned(_)) && row.is_some_and(|r| r.contract_id != 0) {
                return Ok(false);
            }
            if self.write_row(&placeholder, &key, &token).await? {
                return Ok(true);
            }
            self.after_conflict(&mut conflicts, &key.storage_key())
                .await?;
        }
    }
}
