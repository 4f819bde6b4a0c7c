//! The thin `#[wasm_bindgen]` layer: the only part of the crate that knows JS.
//!
//! Each submodule converts JS arguments into core types (bad input becomes
//! `INVALID_ARGUMENT` naming the argument), calls the pure core or the client, and converts
//! results and [`crate::Error`]s back. No domain logic lives here.

pub mod client;
mod convert;
mod create;
mod executor;
mod fetch;
mod hubspot;
pub mod js_error;
mod methods;
pub mod panic_guard;
mod payload;
mod runtime;
mod stores;
mod sync_engine;
mod webhook;
