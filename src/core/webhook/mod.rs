//! SpotDraft webhooks: verify a delivery's signature, then parse it into a typed event.
//!
//! Call order: [`verify_webhook`] on the raw body bytes and headers, then
//! [`parse_webhook_event`] on the same bytes, then hand the event to
//! [`crate::core::sync::apply_event`]. Nothing here does IO, reads a clock or logs.

pub mod activity;
pub mod event;
pub mod timestamp;
pub mod verify;

pub use activity::{ContractKind, WebhookActivity};
pub use event::{parse_webhook_event, parse_webhook_event_with, EventStatus, WebhookEvent};
pub use timestamp::Timestamp;
pub use verify::{
    matching_key, prepare_verification, sign_webhook_for_test, signature_mismatch, verify_webhook,
    verify_webhook_with, HeaderSource, PreparedVerification, SignatureHeader, VerifiedWebhook,
    VerifyOptions, WebhookKey,
};
