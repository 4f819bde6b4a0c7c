//! SpotDraft webhooks: verify a delivery's signature, then parse it into a typed event.
//!
//! Call order: [`verify_webhook`] on the raw body bytes and headers, then
//! [`parse_webhook_event`] on the same bytes, then hand the event to
//! [`crate::core::sync::apply_event`]. Nothing here does IO, reads a clock or logs.

pub(crate) mod activity;
pub(crate) mod event;
pub(crate) mod timestamp;
pub(crate) mod verify;

pub use activity::{ContractKind, WebhookActivity};
pub(crate) use event::parse_webhook_event_with;
pub use event::{parse_webhook_event, EventStatus, WebhookEvent};
pub use timestamp::Timestamp;
pub(crate) use verify::{
    matching_key, prepare_verification, signature_mismatch, PreparedVerification, SignatureHeader,
};
pub use verify::{
    sign_webhook_for_test, verify_webhook, verify_webhook_with, HeaderSource, VerifiedWebhook,
    VerifyOptions, WebhookKey,
};
