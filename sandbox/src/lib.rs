//! `spotdraft-sandbox`: a local, stateful server that speaks SpotDraft's public API (v2.1
//! contract, template and webhook endpoints) closely enough for the client, the demo, the
//! benchmarks and the chaos tests to run against it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), String> {
//! use spotdraft_sandbox::{Sandbox, SandboxConfig};
//! let handle = Sandbox::start(SandboxConfig { port: 0, ..SandboxConfig::default() }).await?;
//! println!("{}", handle.url()); // http://127.0.0.1:<port>
//! handle.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! See `sandbox/README.md` for the endpoint list, control endpoints, flags and error table.
//! This crate is a development tool: it binds to loopback by default, keeps secrets only in
//! memory and the state file, and never connects anywhere but loopback.

#![forbid(unsafe_code)]

// Dependency order, leaf first: errors < rng < clock < http < fixtures < faults < config <
// pdf < model < validate < state < app < routes < delivery < router < server. Each module
// uses only modules before it; `sandbox/scripts/module-order.sh` checks it.
pub mod app;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod errors;
pub mod faults;
pub mod fixtures;
pub mod http;
pub mod model;
pub mod pdf;
pub mod rng;
pub mod router;
pub mod routes;
pub mod server;
pub mod state;
pub mod validate;

pub use config::SandboxConfig;
pub use faults::FaultConfig;
pub use server::{Sandbox, SandboxHandle};
