//! Sync-back: a record per contract, pure event handling, and reconciliation planning.
//!
//! Call order for a webhook: verify and parse it ([`crate::core::webhook`]), find the record
//! by [`lookup_keys`] (or start one with [`record_for_event`]), [`apply_event`], store the
//! outcome's record, then run its actions and store their results with
//! [`record_key_pointers`], [`record_document`], [`set_composite_id`] or
//! [`apply_status_observation`]. For repair, [`plan_reconciliation`] picks what to poll.
//! Nothing here does IO, reads a clock or logs.

pub(crate) mod apply;
pub(crate) mod follow_up;
pub(crate) mod intent;
pub(crate) mod reconcile;
pub(crate) mod record;

pub use apply::{
    apply_event, apply_not_found, apply_status_observation, pending_actions, ApplyOutcome,
    Disposition, SyncAction, SyncActionKind,
};
pub(crate) use follow_up::{
    fill_composite_id, merge_key_pointers, merge_tracked, note_document, note_stored,
    order_actions, pick_composite_id,
};
pub(crate) use intent::{
    after_intent_lookup, intent_deadline_ms, intent_record, next_attempt, open_intent, IntentStep,
};
pub use intent::{CreateIntent, IntentState};
pub(crate) use reconcile::{most_informed_per_contract, resume_cursor};
pub use reconcile::{
    plan_reconciliation, PollTarget, ReconcileCursor, ReconcileInput, ReconcilePlan,
};
pub use record::{
    lookup_keys, record_for_event, record_keys, status_rank, AttentionFlag, DocumentRef, RecordKey,
    StatusSpan, SyncRecord, MAX_APPLIED_EVENT_KEYS,
};
pub(crate) use record::{normalize_key_pointers, record_matches_event};
