//! The sandbox's domain: contracts, their lifecycle, webhooks and event payloads, as plain
//! data and pure rules. Templates and workspaces are [`crate::fixtures`] (read-only input).
//!
//! This layer does no IO, reads no clock (callers pass `now`), takes no locks and knows
//! nothing of HTTP routing. It imports only the leaf modules below it (`errors`, `fixtures`,
//! `http` helpers, `rng`).

pub mod contract;
pub mod event;
pub mod lifecycle;
pub mod nullability;
pub mod webhook;
