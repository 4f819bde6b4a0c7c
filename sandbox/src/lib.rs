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

pub mod api;
pub mod app;
pub mod clock;
pub mod config;
pub mod control;
pub mod errors;
pub mod faults;
pub mod files;
pub mod fixtures;
pub mod http;
pub mod lifecycle;
pub mod pdf;
pub mod rng;
pub mod server;
pub mod state;
pub mod validate;
pub mod webhooks;

pub use config::SandboxConfig;
pub use faults::FaultConfig;
pub use server::{Sandbox, SandboxHandle};
