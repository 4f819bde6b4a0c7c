//! The pure core: domain types and rules with no JS, no IO and no clock.
//!
//! Everything here is tested natively with plain `cargo test`. Time, randomness and
//! network results are arguments, never read from the environment.

pub mod config;
pub mod ids;
pub mod mapping;
pub mod payload;
pub mod rate_limit;
pub mod renamed;
pub mod status;
pub mod sync;
pub mod webhook;

// Built in their own crate (for speed, see validate/Cargo.toml); they live here by name.
pub use spotdraft_validate::{template, validate};
