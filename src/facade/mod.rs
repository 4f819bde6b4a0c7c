//! The thin `#[wasm_bindgen]` layer: the only part of the crate that knows JS.
//!
//! Each submodule converts JS arguments into core types (bad input becomes
//! `INVALID_ARGUMENT` naming the argument), calls the pure core or the client, and converts
//! results and [`crate::Error`]s back. No domain logic lives here.

#[cfg(feature = "full")]
pub mod client;
mod convert;
#[cfg(feature = "full")]
mod create;
mod executor;
#[cfg(feature = "full")]
mod fetch;
#[cfg(feature = "full")]
mod hubspot;
pub mod js_error;
#[cfg(feature = "full")]
mod methods;
pub mod panic_guard;
#[cfg(feature = "full")]
mod payload;
#[cfg(feature = "full")]
mod runtime;
#[cfg(feature = "full")]
mod stores;
#[cfg(feature = "full")]
mod sync_engine;
mod webhook;
