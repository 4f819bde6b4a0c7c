//! The pure core: domain types and rules with no JS, no IO and no clock.
//!
//! Everything here is tested natively with plain `cargo test`. Time, randomness and
//! network results are arguments, never read from the environment.

pub mod config;
pub mod ids;
pub mod mapping;
pub mod payload;
pub mod rate_limit;
pub mod status;
pub mod sync;
pub mod template;
pub mod validate;
pub mod webhook;
