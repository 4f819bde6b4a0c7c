//! The sync engine ([`SyncEngine`]) generic over the transport, a [`Store`] and a [`Clock`],
//! with what its operations return, and `createContract` with create intents that survive a
//! restart of the process (`intents.rs`). Every decision is [`crate::core::sync`]'s; the wasm
//! facade only converts arguments and adapts a JS store to [`Store`].

mod cas;
mod engine;
mod intents;
mod join;
mod locks;
mod results;
mod store;

#[cfg(test)]
use cas::CAS_ATTEMPTS;
pub(crate) use engine::{Clock, FetchedDocument, ReconcileSettings, SyncEngine, MAX_CONCURRENCY};
#[cfg(test)]
use results::SyncActionOutcome;
pub(crate) use results::{HandleWebhookResult, ReconcileProgress, TrackInput};
#[cfg(test)]
use store::MemoryRecords;
pub(crate) use store::{Listing, Store, Version};

#[cfg(test)]
mod cas_tests;
#[cfg(test)]
mod intent_tests;
#[cfg(test)]
mod tests;
