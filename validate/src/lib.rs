//! spotdraft-validate: the error type, template compilation and the create-body validator of
//! spotdraft-sync.
//!
//! Pure rules over data: no IO, no JS calls, no clock. It is its own crate only so that the
//! release build can optimise it for speed (validation is the hot path of
//! `benches/validate.bench.mjs`) while the rest of the WebAssembly package is optimised for
//! size; `spotdraft-sync` re-exports it as `spotdraft_sync::error`,
//! `spotdraft_sync::core::template` and `spotdraft_sync::core::validate`, and nothing should
//! depend on this crate directly.

#![forbid(unsafe_code)]

pub mod error;
#[doc(hidden)]
pub mod sort;
pub mod template;
pub mod tree;
pub mod validate;

pub use error::{Error, ErrorCode, ErrorDetail, Result};
