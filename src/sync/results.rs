//! What the engine's operations return (serialised to JS as camelCase): results per
//! operation, what became of each follow-up action, and failures reported without throwing.

use crate::core::sync::{Disposition, ReconcileCursor, SyncAction, SyncActionKind, SyncRecord};
use crate::error::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// What `handleWebhook` resolves to.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HandleWebhookResult {
    /// The record after the event (and the actions, when they ran).
    pub record: SyncRecord,
    /// How the event was taken: `APPLIED`, `OUT_OF_ORDER`, `DUPLICATE`, `TOO_OLD`.
    pub disposition: Disposition,
    /// Whether the event changed the record.
    pub changed: bool,
    /// The follow-up actions the event called for.
    pub actions: Vec<SyncAction>,
    /// What became of each action (empty when `runActions` is false).
    pub action_results: Vec<SyncActionResult>,
}

/// What `runPendingActions` resolves to.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PendingActionsResult {
    /// The record afterwards.
    pub record: SyncRecord,
    /// The actions the record's flags called for.
    pub actions: Vec<SyncAction>,
    /// What became of each.
    pub action_results: Vec<SyncActionResult>,
}

/// How a follow-up action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum SyncActionOutcome {
    /// Ran, and its result is on the record.
    Done,
    /// Not run (see `reason`), e.g. the composite id is unknown.
    Skipped,
    /// The call failed (see `error`); the record's flag stays raised, so
    /// `runPendingActions` or a later event retries it.
    Failed,
}

/// One follow-up action's result.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncActionResult {
    /// The action.
    pub kind: SyncActionKind,
    /// How it ended.
    pub outcome: SyncActionOutcome,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub reason: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub error: Option<SyncFailure>,
}

/// A failure reported without throwing (an action, or one record of a reconcile pass).
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SyncFailure {
    /// The contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub contract_id: Option<u64>,
    /// The error's code.
    pub code: ErrorCode,
    /// The error's message.
    pub message: String,
    /// HTTP status, when there was a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub status: Option<u16>,
}

impl SyncFailure {
    pub(crate) fn of(contract_id: Option<u64>, error: &Error) -> Self {
        Self {
            contract_id,
            code: error.code,
            message: error.message.clone(),
            status: error.status,
        }
    }
}

/// Progress of a `reconcile` call.
#[derive(Debug, Clone, Copy, Default, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReconcileProgress {
    /// Records this call set out to poll.
    pub planned: usize,
    /// Status requests answered (found or 404).
    pub polled: usize,
    /// Records whose status changed (drift repaired).
    pub changed: usize,
    /// Records whose contract answered 404 (now flagged `NOT_FOUND`).
    pub not_found: usize,
    /// Records whose request failed otherwise (see `errors`).
    pub failed: usize,
}

/// What `reconcile` resolves to.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReconcileResult {
    /// Records this call set out to poll.
    pub planned: usize,
    /// Status requests answered (found or 404).
    pub polled: usize,
    /// Records whose status changed (drift repaired).
    pub changed: usize,
    /// Records whose contract answered 404 (now flagged `NOT_FOUND`).
    pub not_found: usize,
    /// Records whose request failed otherwise (they stay stale and are polled next pass).
    pub failed: usize,
    /// Skipped: executed, voided or deleted.
    pub skipped_settled: usize,
    /// Skipped: news within `staleAfterMs`.
    pub skipped_fresh: usize,
    /// Skipped: already flagged `NOT_FOUND`.
    pub skipped_not_found: usize,
    /// Stored values that are not sync records (left untouched).
    pub invalid_records: usize,
    /// Pass this as `cursor` to continue; absent when the pass reached the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub next_cursor: Option<ReconcileCursor>,
    /// Whether the `signal` stopped the call early (`nextCursor` then resumes after the
    /// records already polled).
    pub aborted: bool,
    /// The first failures, at most 20.
    pub errors: Vec<SyncFailure>,
}

/// Argument of `track`.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct TrackInput {
    /// SpotDraft's numeric contract id (`contractId` of `createContract`'s contract).
    pub contract_id: u64,
    /// The composite id (`id` of `createContract`'s contract, e.g. `"T-1234"`).
    #[serde(default)]
    #[tsify(optional)]
    pub composite_id: Option<String>,
    /// Your record's id (`external_metadata.id`).
    #[serde(default)]
    #[tsify(optional)]
    pub external_id: Option<String>,
}
