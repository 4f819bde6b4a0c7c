//! Sync-back: a record per contract, pure event handling, and reconciliation planning.
//!
//! Call order for a webhook: verify and parse it ([`crate::core::webhook`]), find the record
//! by [`lookup_keys`] (or start one with [`record_for_event`]), [`apply_event`], store the
//! outcome's record, then run its actions and store their results with
//! [`record_key_pointers`], [`record_document`], [`set_composite_id`] or
//! [`apply_status_observation`]. For repair, [`plan_reconciliation`] picks what to poll.
//! Nothing here does IO, reads a clock or logs.

pub mod apply;
pub mod follow_up;
pub mod reconcile;
pub mod record;

pub use apply::{
    apply_event, apply_not_found, apply_status_observation, pending_actions, ApplyOutcome,
    Disposition, SyncAction, SyncActionKind,
};
pub use follow_up::{
    fill_composite_id, merge_key_pointers, merge_tracked, note_document, note_stored,
    order_actions, pick_composite_id,
};
pub use reconcile::{
    most_informed_per_contract, plan_reconciliation, resume_cursor, PollTarget, ReconcileCursor,
    ReconcileInput, ReconcilePlan,
};
pub use record::{
    lookup_keys, normalize_key_pointers, record_document, record_for_event, record_key_pointers,
    record_keys, record_matches_event, set_composite_id, status_rank, AttentionFlag, DocumentRef,
    RecordKey, StatusSpan, SyncRecord, MAX_APPLIED_EVENT_KEYS,
};
