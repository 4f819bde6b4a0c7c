//! The pure core: domain types and rules with no JS, no IO and no clock.
//!
//! Everything here is tested natively with plain `cargo test`. Time, randomness and
//! network results are arguments, never read from the environment.

pub(crate) mod config;
pub(crate) mod float;
pub(crate) mod ids;
pub(crate) mod mapping;
pub(crate) mod payload;
#[cfg(feature = "client")]
pub(crate) mod proxy;
pub(crate) mod rate_limit;
pub(crate) mod renamed;
pub(crate) mod settle;
pub(crate) mod status;
pub(crate) mod sync;
pub(crate) mod tracked;
pub(crate) mod webhook;

// Built in their own crate (for speed, see validate/Cargo.toml); they live here by name.
pub(crate) use spotdraft_validate::{sort, template, validate};
