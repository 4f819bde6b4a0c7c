//! spotdraft-sync: create SpotDraft contracts from CRM records and sync the results back.
//!
//! Layout (dependencies point inward):
//! - [`core`]: pure domain rules, no IO, no JS;
//! - [`api`]: SpotDraft endpoints as transport-free request/response descriptions;
//! - [`transport`]: the IO trait and a mock;
//! - [`client`]: runs endpoints through a transport;
//! - [`sync`]: the sync engine over a transport, a store and a clock;
//! - `facade`: the thin `#[wasm_bindgen]` layer, the only part that knows JS.

#![forbid(unsafe_code)]

pub mod api;
pub mod client;
pub mod core;
pub mod facade;
pub mod sync;
pub mod transport;

pub use spotdraft_validate::error;
pub use spotdraft_validate::{Error, ErrorCode, ErrorDetail, Result};
