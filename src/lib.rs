//! spotdraft-sync: create SpotDraft contracts from CRM records and sync the results back.
//!
//! Layout (dependencies point inward), all modules private:
//! - `core`: pure domain rules, no IO, no JS;
//! - `api`: SpotDraft endpoints as transport-free request/response descriptions;
//! - `transport`: the IO trait, a mock, and the pure rules of the JS transports;
//! - `client`: runs endpoints through a transport;
//! - `sync`: the sync engine over a transport, a store and a clock;
//! - `facade`: the thin `#[wasm_bindgen]` layer, the only part that knows JS.
//!
//! The public Rust API is the pure core, re-exported below by topic: validation
//! ([`validate`], [`template`]), the create body ([`payload`]), the declarative
//! [`mapping`], [`webhook`] verification and parsing, and the [`sync`] rules. The client and
//! the sync engine are reached through the npm package (the `facade`); they are not a Rust
//! API. `unreachable_pub` is on, so anything public that nothing re-exports is a warning.

#![forbid(unsafe_code)]
#![warn(unreachable_pub)]
// A build by capability (`--no-default-features --features webhooks`, `… client`) compiles the
// core whole but uses only part of it; the rest is dead there by design (and dropped by the
// linker). The default build has every feature and no such allowance.
#![cfg_attr(
    not(all(feature = "client", feature = "sync", feature = "webhooks")),
    allow(dead_code, unused_imports)
)]

#[cfg(feature = "client")]
mod api;
#[cfg(feature = "client")]
mod client;
mod core;
// The facade's `pub` items are the JS API: wasm-bindgen exports only `pub` items, so
// they are reachable from JS, not from this crate's root.
#[allow(unreachable_pub)]
mod facade;
#[cfg(feature = "sync")]
mod sync;
#[cfg(feature = "client")]
mod transport;

pub use crate::core::status::ContractStatus;
pub use spotdraft_validate::{error, template, validate};
pub use spotdraft_validate::{Error, ErrorCode, ErrorDetail, Result};

/// The v2.1 create-contract body (`POST /api/v2.1/public/contracts/`), typed.
pub mod payload {
    pub use crate::core::payload::{
        Address, AttachmentFormat, CounterPartyDetails, CreateContractPayload, Currency,
        DurationUnit, DurationValue, EmailAttachment, ExternalId, ExternalMetadata, FieldValue,
        FileRef, OptionValue, OrganizationAddress, OrganizationDetails, Phone, PocDetails,
        SendToCounterpartyConfig, Signatory, WorkflowConfig,
    };
}

/// Building a create body from a source record with a declarative mapping.
pub mod mapping {
    pub use crate::core::mapping::{
        build_create_contract, ConcatPart, CurrencySpec, DurationSpec, FieldRule, Mapping,
        ValueSpec, MAX_MAPPING_DEPTH, MAX_PATH_CHARS,
    };
}

/// Verifying and parsing SpotDraft webhook deliveries.
pub mod webhook {
    pub use crate::core::webhook::{
        parse_webhook_event, sign_webhook_for_test, verify_webhook, verify_webhook_with,
        ContractKind, EventStatus, HeaderSource, Timestamp, VerifiedWebhook, VerifyOptions,
        WebhookActivity, WebhookEvent, WebhookKey,
    };
}

/// The pure sync rules: applying events to records, follow-up actions, reconciliation plans.
pub mod sync_rules {
    pub use crate::core::sync::{
        apply_event, apply_not_found, apply_status_observation, lookup_keys, pending_actions,
        plan_reconciliation, record_for_event, record_keys, status_rank, ApplyOutcome,
        AttentionFlag, CreateIntent, Disposition, DocumentRef, IntentState, PollTarget,
        ReconcileCursor, ReconcileInput, ReconcilePlan, RecordKey, StatusSpan, SyncAction,
        SyncActionKind, SyncRecord, MAX_APPLIED_EVENT_KEYS,
    };
}

/// The wasm-bindgen classes, for the crate's own wasm tests (`tests/wasm.rs`).
#[cfg(feature = "client")]
#[doc(hidden)]
pub mod wasm_test_support {
    pub use crate::facade::client::SpotDraftClient;
    pub use crate::facade::js_error::{is_spot_draft_error, Thrown};
}
