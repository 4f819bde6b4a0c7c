//! The sync engine ([`SyncEngine`]) generic over the transport, a [`Store`] and a [`Clock`],
//! with what its operations return. Every decision is [`crate::core::sync`]'s; the wasm
//! facade only converts arguments and adapts a JS store to [`Store`].

mod engine;
mod join;
mod locks;
mod results;
mod store;

pub use engine::{
    Clock, FetchedDocument, ReconcileSettings, SyncEngine, DEFAULT_BUDGET, DEFAULT_CONCURRENCY,
    DEFAULT_STALE_AFTER_MS, MAX_CONCURRENCY,
};
pub use results::{
    HandleWebhookResult, PendingActionsResult, ReconcileProgress, ReconcileResult,
    SyncActionOutcome, SyncActionResult, SyncFailure, TrackInput,
};
pub use store::{Listing, MemoryRecords, Store};

#[cfg(test)]
mod tests;
