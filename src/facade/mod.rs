//! The thin `#[wasm_bindgen]` layer: the only part of the crate that knows JS.
//!
//! Each submodule converts JS arguments into core types (bad input becomes
//! `INVALID_ARGUMENT` naming the argument), calls the pure core or the client, and converts
//! results and [`crate::Error`]s back. No domain logic lives here.

#[cfg(feature = "client")]
pub mod client;
mod convert;
#[cfg(feature = "client")]
mod create;
mod executor;
#[cfg(feature = "client")]
mod fetch;
#[cfg(feature = "client")]
mod hubspot;
pub mod js_error;
#[cfg(feature = "client")]
mod methods;
pub mod panic_guard;
#[cfg(feature = "client")]
mod payload;
// The credential proxy's decisions, for spotdraft-sync/server (the full package only).
#[cfg(feature = "sync")]
mod proxy;
#[cfg(feature = "client")]
mod runtime;
#[cfg(feature = "sync")]
mod stores;
#[cfg(feature = "sync")]
mod sync_engine;
#[cfg(feature = "webhooks")]
mod webhook;
