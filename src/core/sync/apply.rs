//! Applying webhook events and status polls to a [`SyncRecord`]: pure, order-independent.
//!
//! # The rules
//! SpotDraft may deliver an event twice, late, or out of order, and sends no event id. So
//! applying is built from merges that do not care about order or repetition:
//!
//! - **Dedupe**: a delivery's key is (instant of `activity_data.timestamp`, `contract_id`,
//!   `activity`). A key already applied whose content adds nothing is a `duplicate`: nothing
//!   changes, no actions. (Every merge below is idempotent, so a repeat is merged like any
//!   delivery and provably changes nothing; this also keeps the result order-independent in
//!   the odd case of two *different* deliveries sharing a key, which are then both merged.)
//! - **Status never regresses**: every reported status goes into the record's history with
//!   its first and last report time. The *stage* is the highest-ranked status ever reported,
//!   `DRAFT < REDLINING < SIGN < VOIDED < EXECUTED`, so an older or contradictory event can
//!   never move it back. `EXECUTED` and `VOIDED` are terminal. If both are reported (SpotDraft
//!   refuses to void an executed contract, so this means bad data), `EXECUTED` wins and
//!   `CONFLICTING_TERMINAL_STATUS` is raised. A lower status reported *later* than the stage
//!   was first reached is not applied and raises `STATUS_REGRESSION_REFUSED` (for example
//!   SpotDraft moving a contract back after `CONTRACT_UNMARK_FOR_EXECUTION`): a person
//!   should look, since reconciliation cannot move a status back either.
//! - **`ON_HOLD`** is a pause, not a stage: the record shows `ON_HOLD` while the newest report
//!   (by event time; ties go to the hold) is a hold and the contract is not terminal; any later
//!   report of another status means it resumed. The stage is kept underneath.
//! - **Out-of-order events** (older than the newest applied) still add their status to the
//!   history (that is what makes the result order-independent), but cannot overwrite the
//!   newer title or external id: those are last-writer-wins by event time.
//! - **Activities as evidence**: `CONTRACT_EXECUTED` and `CONTRACT_VOIDED` count as reports of
//!   `EXECUTED`/`VOIDED` even if `contract_status` is missing or stale.
//!
//! Because every field is a max, a min, a union, or last-writer-wins with a total order, any
//! order and any number of repetitions of the same deliveries give the *equal* record (`==`,
//! including the sorted, bounded dedupe set). The property tests below check exactly that.
//!
//! # Actions
//! The outcome lists follow-up work for the caller (the JS `SyncEngine`), each emitted once,
//! when the fact behind it first appears:
//! - `FETCH_KEY_POINTERS` when key pointers became stale: a key-pointer or data change newer
//!   than any before, or the first evidence of execution (final metadata);
//! - `FETCH_DOCUMENT` on the first evidence of execution (mint a link, fetch the file);
//! - `REFRESH_STATUS` when an event's status is missing or unknown and newer than any such before;
//! - `RESOLVE_COMPOSITE_ID` when the composite id is unknown (only once per record).
//!
//! What it does NOT do: IO, clocks, or run the actions.

use super::record::{max_opt, AttentionFlag, SyncRecord, MAX_APPLIED_EVENT_KEYS};
use crate::core::ids::CompositeId;
use crate::core::sort;
use crate::core::status::ContractStatus;
use crate::core::webhook::{Timestamp, WebhookActivity, WebhookEvent};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// What happened to a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Disposition {
    /// Applied; it was the newest event so far (or as new as the newest).
    Applied,
    /// Applied, but older than an event already applied: only merged facts changed.
    OutOfOrder,
    /// Already applied: nothing changed.
    Duplicate,
    /// Older than every delivery the dedupe window remembers: merged (which is harmless if it
    /// is a repeat), but it cannot be told apart from a repeat.
    TooOld,
    /// A status poll result (from [`apply_status_observation`] or [`apply_not_found`]).
    Observed,
}

/// Follow-up work the caller should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncActionKind {
    /// `GET /contracts/{compositeId}/key_pointers`, then `recordKeyPointers` with `asOf`.
    FetchKeyPointers,
    /// `POST /contracts/{compositeId}/download_link`, fetch the file now, store it, then
    /// `recordDocument`. Never store the link.
    FetchDocument,
    /// `GET /contracts/{compositeId}/status`, then `applyStatusObservation`.
    RefreshStatus,
    /// Find the composite id (`GET /contracts/by_external_metadata/{externalId}`), then
    /// `setCompositeId`.
    ResolveCompositeId,
}

/// One follow-up action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SyncAction {
    /// What to do.
    pub kind: SyncActionKind,
    /// The contract.
    pub contract_id: u64,
    /// The composite id for API paths, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string")]
    pub composite_id: Option<CompositeId>,
    /// The source system's id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub external_id: Option<String>,
    /// For `FETCH_KEY_POINTERS`: the change the fetch answers; pass it back as `asOf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub as_of: Option<Timestamp>,
}

/// The result of applying one event or poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ApplyOutcome {
    /// The record after applying (a new value; the input is not modified).
    pub record: SyncRecord,
    /// Whether `record` differs from the input record.
    pub changed: bool,
    /// What happened to the delivery.
    pub disposition: Disposition,
    /// Follow-up work, in a stable order.
    pub actions: Vec<SyncAction>,
}

fn action(record: &SyncRecord, kind: SyncActionKind, as_of: Option<Timestamp>) -> SyncAction {
    SyncAction {
        kind,
        contract_id: record.contract_id,
        composite_id: record.composite_id.clone(),
        external_id: record.external_id.clone(),
        as_of,
    }
}

/// Actions owed by the change from `before` to `after`.
fn actions_between(before: &SyncRecord, after: &SyncRecord) -> Vec<SyncAction> {
    let mut actions = Vec::new();
    let invalidated = after.key_pointers_invalidated_at();
    if invalidated > before.key_pointers_invalidated_at() {
        actions.push(action(after, SyncActionKind::FetchKeyPointers, invalidated));
    }
    if before.executed_at().is_none() && after.executed_at().is_some() {
        actions.push(action(after, SyncActionKind::FetchDocument, None));
    }
    if after.status_unknown_at > before.status_unknown_at
        && after.has_flag(AttentionFlag::StatusUnknown)
    {
        actions.push(action(after, SyncActionKind::RefreshStatus, None));
    }
    if after.composite_id.is_none()
        && (before.applied_event_keys.is_empty() && before.last_found_at.is_none())
    {
        actions.push(action(after, SyncActionKind::ResolveCompositeId, None));
    }
    sort::sort_by_key(&mut actions, |a| a.kind);
    actions
}

/// The statuses an event reports: its `contract_status` if known, plus what the activity
/// itself proves.
fn reported_statuses(event: &WebhookEvent) -> Vec<ContractStatus> {
    let mut statuses: Vec<ContractStatus> = event.known_status().into_iter().collect();
    match event.activity {
        WebhookActivity::ContractExecuted => statuses.push(ContractStatus::Executed),
        WebhookActivity::ContractVoided => statuses.push(ContractStatus::Voided),
        _ => {}
    }
    statuses
}

/// Applies one verified, parsed delivery to `record`. See the module docs for the rules.
///
/// Pass [`super::record_for_event`]`(event)` when no record exists yet.
///
/// # Errors
/// `INVALID_ARGUMENT` when `event.contract_id` is not the record's contract: the record was
/// found by an `external_metadata.id` that another contract shares. Look the event up by its
/// contract id instead (see [`super::lookup_keys`]).
pub fn apply_event(record: &SyncRecord, event: &WebhookEvent) -> Result<ApplyOutcome> {
    if record.contract_id != event.contract_id {
        return Err(Error::invalid_argument(
            "event",
            format!(
                "event.contract_id {} is not this record's contract {}: the record was probably \
                 found by an external_metadata.id that two contracts share. Look the record up \
                 by the event's contract id instead",
                event.contract_id, record.contract_id
            ),
        ));
    }
    let mut before = record.clone();
    before.refresh_derived();
    let at = event.occurred_at();
    let key = event.dedupe_key();

    let seen = before.applied_event_keys.binary_search(&key).is_ok();
    let window_full = before.applied_event_keys.len() >= MAX_APPLIED_EVENT_KEYS;
    let too_old = !seen
        && window_full
        && before
            .applied_event_keys
            .first()
            .is_some_and(|oldest| key < *oldest);
    let out_of_order = before.last_event_at.is_some_and(|last| at < last);

    let mut next = before.clone();
    if let Err(index) = next.applied_event_keys.binary_search(&key) {
        next.applied_event_keys.insert(index, key);
    }
    next.last_event_at = max_opt(next.last_event_at, Some(at));

    let statuses = reported_statuses(event);
    for status in &statuses {
        next.note_status(*status, at);
    }
    if statuses.is_empty() {
        next.status_unknown_at = max_opt(next.status_unknown_at, Some(at));
    }
    match event.activity {
        WebhookActivity::ContractKeyPointerCreation
        | WebhookActivity::ContractKeyPointerUpdation
        | WebhookActivity::ContractDataUpdated => {
            next.key_pointers_changed_at = max_opt(next.key_pointers_changed_at, Some(at));
        }
        WebhookActivity::ContractDeleted => {
            next.deleted_at = max_opt(next.deleted_at, Some(at));
        }
        _ => {}
    }
    if let Some(id) = event.external_id() {
        next.note_external_id(id, at);
    }
    if let Some(title) = event.contract_title.as_deref().filter(|t| !t.is_empty()) {
        next.note_title(title, at);
    }
    if next.composite_id.is_none()
        && event
            .contract_kind
            .as_ref()
            .is_some_and(|kind| kind.has_template_prefix())
    {
        // Inferred (every documented example agrees; SpotDraft does not state it), and only
        // for workflow kinds; see `ContractKind::has_template_prefix`.
        next.composite_id = Some(CompositeId::template(event.contract_id));
    }
    next.refresh_derived();

    // Merging is idempotent, so a repeat is merged like anything else and changes nothing;
    // merging even a "seen" key keeps the result order-independent when two different
    // deliveries share a key (SpotDraft has no event id to tell them apart).
    let actions = actions_between(&before, &next);
    let disposition = if seen && next == before {
        Disposition::Duplicate
    } else if too_old {
        Disposition::TooOld
    } else if out_of_order {
        Disposition::OutOfOrder
    } else {
        Disposition::Applied
    };
    Ok(ApplyOutcome {
        changed: next != *record,
        record: next,
        disposition,
        actions,
    })
}

/// Applies a status read from `GET /contracts/{id}/status` at `observed_at` (the caller's
/// clock): reconciliation's repair. Same no-regress rule as events: the status joins the
/// history, so it can move the record forward, never back.
///
/// Observations use the caller's clock and events SpotDraft's; a large clock skew can raise
/// a spurious `STATUS_REGRESSION_REFUSED`, but cannot move a status back.
pub fn apply_status_observation(
    record: &SyncRecord,
    status: ContractStatus,
    observed_at: Timestamp,
) -> ApplyOutcome {
    let mut before = record.clone();
    before.refresh_derived();
    let mut next = before.clone();
    next.note_status(status, observed_at);
    next.last_found_at = max_opt(next.last_found_at, Some(observed_at));
    next.refresh_derived();
    let actions = actions_between(&before, &next);
    ApplyOutcome {
        changed: next != *record,
        record: next,
        disposition: Disposition::Observed,
        actions,
    }
}

/// Records that a status poll at `observed_at` answered 404: raises `NOT_FOUND` until an event
/// or a later poll finds the contract. Reconciliation then stops polling it.
pub fn apply_not_found(record: &SyncRecord, observed_at: Timestamp) -> ApplyOutcome {
    let mut next = record.clone();
    next.not_found_at = max_opt(next.not_found_at, Some(observed_at));
    next.refresh_derived();
    ApplyOutcome {
        changed: next != *record,
        record: next,
        disposition: Disposition::Observed,
        actions: Vec::new(),
    }
}

/// Actions a record still owes according to its flags, e.g. after a crash between applying
/// an event and running its actions, or for records that need repair.
pub fn pending_actions(record: &SyncRecord) -> Vec<SyncAction> {
    let mut record = record.clone();
    record.refresh_derived();
    let mut actions = Vec::new();
    for flag in &record.needs_attention {
        let (kind, as_of) = match flag {
            AttentionFlag::KeyPointersStale => (
                SyncActionKind::FetchKeyPointers,
                record.key_pointers_invalidated_at(),
            ),
            AttentionFlag::DocumentMissing => (SyncActionKind::FetchDocument, None),
            AttentionFlag::StatusUnknown => (SyncActionKind::RefreshStatus, None),
            AttentionFlag::CompositeIdUnknown => (SyncActionKind::ResolveCompositeId, None),
            _ => continue,
        };
        actions.push(action(&record, kind, as_of));
    }
    sort::sort_by_key(&mut actions, |a| a.kind);
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::record::{
        record_document, record_for_event, record_key_pointers, DocumentRef,
    };
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn event(activity: &str, status: Option<&str>, at: &str) -> WebhookEvent {
        let mut value = json!({
            "activity": activity,
            "contract_id": 19589,
            "contract_kind": "TEMPLATE_CONTRACT",
            "contract_title": "Acme MSA",
            "activity_data": {"timestamp": at},
            "external_metadata": {"id": "hubspot-deal-10024"}
        });
        if let Some(status) = status {
            value["contract_status"] = json!(status);
        }
        serde_json::from_value(value).unwrap()
    }

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn fold(events: &[WebhookEvent]) -> SyncRecord {
        let mut record = record_for_event(&events[0]);
        for e in events {
            record = apply_event(&record, e).unwrap().record;
        }
        record
    }

    fn kinds(outcome: &ApplyOutcome) -> Vec<SyncActionKind> {
        outcome.actions.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn a_first_event_creates_the_record_with_ids_title_and_status() {
        let e = event(
            "CONTRACT_SENT_TO_COUNTERPARTY",
            Some("REDLINING"),
            "2024-01-01T10:00:00Z",
        );
        let outcome = apply_event(&record_for_event(&e), &e).unwrap();
        let record = &outcome.record;
        assert!(outcome.changed);
        assert_eq!(outcome.disposition, Disposition::Applied);
        assert_eq!(record.status, Some(ContractStatus::Redlining));
        assert_eq!(record.composite_id.as_ref().unwrap().as_str(), "T-19589");
        assert_eq!(record.external_id.as_deref(), Some("hubspot-deal-10024"));
        assert_eq!(record.contract_title.as_deref(), Some("Acme MSA"));
        assert_eq!(record.last_event_at, Some(ts("2024-01-01T10:00:00Z")));
        assert_eq!(
            record.applied_event_keys,
            ["2024-01-01T10:00:00.000000Z|19589|CONTRACT_SENT_TO_COUNTERPARTY"]
        );
        assert!(outcome.actions.is_empty());
        assert!(record.needs_attention.is_empty());
    }

    #[test]
    fn duplicates_change_nothing_and_emit_nothing() {
        let e = event(
            "CONTRACT_EXECUTED",
            Some("EXECUTED"),
            "2024-01-01T10:00:00Z",
        );
        let first = apply_event(&record_for_event(&e), &e).unwrap();
        assert_eq!(
            kinds(&first),
            [
                SyncActionKind::FetchKeyPointers,
                SyncActionKind::FetchDocument
            ]
        );
        let again = apply_event(&first.record, &e).unwrap();
        assert_eq!(again.disposition, Disposition::Duplicate);
        assert!(!again.changed);
        assert!(again.actions.is_empty());
        assert_eq!(again.record, first.record);
        // The same instant spelled with an offset is the same delivery.
        let offset = event(
            "CONTRACT_EXECUTED",
            Some("EXECUTED"),
            "2024-01-01T15:30:00+05:30",
        );
        assert_eq!(
            apply_event(&first.record, &offset).unwrap().disposition,
            Disposition::Duplicate
        );
    }

    #[test]
    fn older_events_never_move_the_status_back() {
        let sign = event(
            "CONTRACT_SIGNATURE_REQUESTED",
            Some("SIGN"),
            "2024-01-02T00:00:00Z",
        );
        let redline = event(
            "CONTRACT_SENT_TO_COUNTERPARTY",
            Some("REDLINING"),
            "2024-01-01T00:00:00Z",
        );
        let record = fold(std::slice::from_ref(&sign));
        let outcome = apply_event(&record, &redline).unwrap();
        assert_eq!(outcome.disposition, Disposition::OutOfOrder);
        assert_eq!(outcome.record.status, Some(ContractStatus::Sign));
        assert!(
            outcome.record.needs_attention.is_empty(),
            "older and lower is normal"
        );
        assert_eq!(
            outcome.record.last_event_at,
            Some(ts("2024-01-02T00:00:00Z"))
        );
    }

    #[test]
    fn a_newer_lower_status_is_refused_and_flagged() {
        let sign = event(
            "CONTRACT_SIGNATURE_REQUESTED",
            Some("SIGN"),
            "2024-01-02T00:00:00Z",
        );
        let back = event(
            "CONTRACT_UNMARK_FOR_EXECUTION",
            Some("REDLINING"),
            "2024-01-03T00:00:00Z",
        );
        let record = fold(&[sign, back]);
        assert_eq!(record.status, Some(ContractStatus::Sign));
        assert_eq!(
            record.needs_attention,
            [AttentionFlag::StatusRegressionRefused]
        );
    }

    #[test]
    fn executed_and_voided_are_terminal() {
        let executed = event(
            "CONTRACT_EXECUTED",
            Some("EXECUTED"),
            "2024-01-05T00:00:00Z",
        );
        let late_sign = event("SIGNING_EMAIL_OPENED", Some("SIGN"), "2024-01-06T00:00:00Z");
        let hold = event(
            "CONTRACT_DATA_UPDATED",
            Some("ON_HOLD"),
            "2024-01-07T00:00:00Z",
        );
        let record = fold(&[executed, late_sign, hold]);
        assert_eq!(record.status, Some(ContractStatus::Executed));
        assert!(record.has_flag(AttentionFlag::StatusRegressionRefused));

        let voided = event("CONTRACT_VOIDED", None, "2024-01-05T00:00:00Z");
        let redline = event(
            "REDLINING_EMAIL_OPENED",
            Some("REDLINING"),
            "2024-01-04T00:00:00Z",
        );
        let record = fold(&[voided.clone(), redline]);
        assert_eq!(
            record.status,
            Some(ContractStatus::Voided),
            "the activity is evidence"
        );
        assert!(!record.has_flag(AttentionFlag::StatusUnknown));

        let executed = event(
            "CONTRACT_EXECUTED",
            Some("EXECUTED"),
            "2024-01-01T00:00:00Z",
        );
        let record = fold(&[voided, executed]);
        assert_eq!(record.status, Some(ContractStatus::Executed));
        assert!(record.has_flag(AttentionFlag::ConflictingTerminalStatus));
    }

    #[test]
    fn holds_pause_and_resume_without_losing_the_stage() {
        let sign = event(
            "CONTRACT_SIGNATURE_REQUESTED",
            Some("SIGN"),
            "2024-01-01T00:00:00Z",
        );
        let hold = event(
            "CONTRACT_DATA_UPDATED",
            Some("ON_HOLD"),
            "2024-01-02T00:00:00Z",
        );
        let resumed = event("SIGNING_EMAIL_OPENED", Some("SIGN"), "2024-01-03T00:00:00Z");
        let held = fold(&[sign.clone(), hold.clone()]);
        assert_eq!(held.status, Some(ContractStatus::OnHold));
        assert_eq!(held.stage, Some(ContractStatus::Sign));
        assert_eq!(
            fold(&[sign.clone(), hold.clone(), resumed.clone()]).status,
            Some(ContractStatus::Sign)
        );
        assert_eq!(
            fold(&[resumed, hold, sign]).status,
            Some(ContractStatus::Sign)
        );
    }

    #[test]
    fn unknown_statuses_ask_for_a_refresh_once_and_a_poll_clears_them() {
        let odd = event(
            "CONTRACT_APPROVAL_REQUESTED",
            Some("IN_REVIEW"),
            "2024-01-01T00:00:00Z",
        );
        let outcome = apply_event(&record_for_event(&odd), &odd).unwrap();
        assert_eq!(kinds(&outcome), [SyncActionKind::RefreshStatus]);
        assert!(outcome.record.has_flag(AttentionFlag::StatusUnknown));
        let missing = event("CONTRACT_APPROVAL_COMPLETED", None, "2023-12-31T00:00:00Z");
        let older = apply_event(&outcome.record, &missing).unwrap();
        assert!(
            older.actions.is_empty(),
            "an older unknown does not ask again"
        );
        let polled = apply_status_observation(
            &older.record,
            ContractStatus::Redlining,
            ts("2024-01-01T00:05:00Z"),
        );
        assert_eq!(polled.record.status, Some(ContractStatus::Redlining));
        assert!(!polled.record.has_flag(AttentionFlag::StatusUnknown));
        assert_eq!(polled.disposition, Disposition::Observed);
    }

    #[test]
    fn execution_asks_for_key_pointers_and_the_document_until_recorded() {
        let data = event(
            "CONTRACT_DATA_UPDATED",
            Some("REDLINING"),
            "2024-01-01T00:00:00Z",
        );
        let outcome = apply_event(&record_for_event(&data), &data).unwrap();
        assert_eq!(kinds(&outcome), [SyncActionKind::FetchKeyPointers]);
        let as_of = outcome.actions[0].as_of;
        assert_eq!(as_of, Some(ts("2024-01-01T00:00:00Z")));
        let fetched = record_key_pointers(
            &outcome.record,
            BTreeMap::from([("contract_value".to_owned(), json!(1200))]),
            ts("2024-01-01T00:01:00Z"),
            as_of,
        );
        assert!(fetched.needs_attention.is_empty());

        let executed = event(
            "CONTRACT_EXECUTED",
            Some("EXECUTED"),
            "2024-01-02T00:00:00Z",
        );
        let outcome = apply_event(&fetched, &executed).unwrap();
        assert_eq!(
            kinds(&outcome),
            [
                SyncActionKind::FetchKeyPointers,
                SyncActionKind::FetchDocument
            ]
        );
        assert_eq!(
            outcome.record.needs_attention,
            [
                AttentionFlag::KeyPointersStale,
                AttentionFlag::DocumentMissing
            ]
        );
        assert_eq!(pending_actions(&outcome.record).len(), 2);
        // An email event after execution carries EXECUTED too, but asks for nothing new.
        let email = event(
            "SIGNING_EMAIL_OPENED",
            Some("EXECUTED"),
            "2024-01-03T00:00:00Z",
        );
        assert!(apply_event(&outcome.record, &email)
            .unwrap()
            .actions
            .is_empty());

        let document = DocumentRef {
            file_name: "Acme MSA.pdf".into(),
            version_id: Some(3),
            fetched_at: ts("2024-01-02T00:02:00Z"),
            stored_at: Some("s3://contracts/T-19589/3.pdf".into()),
        };
        let done = record_document(&outcome.record, document).unwrap();
        let done = record_key_pointers(
            &done,
            BTreeMap::new(),
            ts("2024-01-02T00:02:00Z"),
            outcome.actions[0].as_of,
        );
        assert!(done.needs_attention.is_empty());
        assert!(pending_actions(&done).is_empty());
    }

    #[test]
    fn unknown_kinds_leave_the_composite_id_to_be_resolved_once() {
        let mut e = event("CONTRACT_CREATED", Some("EXECUTED"), "2024-01-01T00:00:00Z");
        e.contract_kind = Some(crate::core::webhook::ContractKind::ExecutedContract);
        let outcome = apply_event(&record_for_event(&e), &e).unwrap();
        assert!(outcome.record.composite_id.is_none());
        assert!(kinds(&outcome).contains(&SyncActionKind::ResolveCompositeId));
        let mut later = e.clone();
        later.activity = WebhookActivity::ContractKeyPointerUpdation;
        let outcome = apply_event(&outcome.record, &later).unwrap();
        assert!(!kinds(&outcome).contains(&SyncActionKind::ResolveCompositeId));
        assert!(outcome.record.has_flag(AttentionFlag::CompositeIdUnknown));
    }

    #[test]
    fn a_record_of_another_contract_is_refused() {
        let e = event("CONTRACT_CREATED", Some("DRAFT"), "2024-01-01T00:00:00Z");
        let other = SyncRecord::new(7, None, Some("hubspot-deal-10024".into()), None);
        let error = apply_event(&other, &e).unwrap_err();
        assert_eq!(error.code, crate::error::ErrorCode::InvalidArgument);
    }

    #[test]
    fn not_found_is_flagged_until_the_contract_is_seen_again() {
        let e = event("CONTRACT_CREATED", Some("DRAFT"), "2024-01-01T00:00:00Z");
        let record = fold(&[e]);
        let gone = apply_not_found(&record, ts("2024-02-01T00:00:00Z"));
        assert!(gone.record.has_flag(AttentionFlag::NotFound));
        let back = apply_status_observation(
            &gone.record,
            ContractStatus::Draft,
            ts("2024-02-02T00:00:00Z"),
        );
        assert!(!back.record.has_flag(AttentionFlag::NotFound));
    }

    #[test]
    fn the_dedupe_window_is_bounded_and_keeps_the_newest_keys() {
        let events: Vec<WebhookEvent> = (0..100)
            .map(|i| {
                event(
                    "SIGNING_EMAIL_OPENED",
                    Some("SIGN"),
                    &format!("2024-01-01T00:{:02}:{:02}Z", i / 60, i % 60),
                )
            })
            .collect();
        let record = fold(&events);
        assert_eq!(record.applied_event_keys.len(), MAX_APPLIED_EVENT_KEYS);
        assert!(record.applied_event_keys[0].starts_with("2024-01-01T00:00:36"));
        let replay = apply_event(&record, &events[3]).unwrap();
        assert_eq!(replay.disposition, Disposition::TooOld);
        assert!(
            !replay.changed,
            "a repeat beyond the window is still harmless"
        );
        assert!(replay.actions.is_empty());
    }

    // ----- properties -----

    const ACTIVITIES: [&str; 8] = [
        "CONTRACT_CREATED",
        "CONTRACT_SENT_TO_COUNTERPARTY",
        "CONTRACT_SIGNED",
        "CONTRACT_EXECUTED",
        "CONTRACT_VOIDED",
        "CONTRACT_KEY_POINTER_UPDATION",
        "SIGNING_EMAIL_OPENED",
        "CONTRACT_EXTERNAL_METADATA_UPDATED",
    ];
    const STATUSES: [Option<&str>; 8] = [
        Some("DRAFT"),
        Some("REDLINING"),
        Some("SIGN"),
        Some("EXECUTED"),
        Some("ON_HOLD"),
        Some("VOIDED"),
        Some("SOMETHING_NEW"),
        None,
    ];

    fn arb_event() -> impl Strategy<Value = WebhookEvent> {
        (
            0..ACTIVITIES.len(),
            0..STATUSES.len(),
            0u32..40,
            0..3usize,
            0..3usize,
            0..2usize,
        )
            .prop_map(|(a, s, second, ext, title, kind)| {
                let kind = ["TEMPLATE_CONTRACT", "EXECUTED_CONTRACT"][kind];
                let mut value = json!({
                    "activity": ACTIVITIES[a],
                    "contract_id": 19589,
                    "contract_kind": kind,
                    "activity_data": {"timestamp": format!("2024-01-01T00:00:{second:02}Z")},
                });
                if let Some(status) = STATUSES[s] {
                    value["contract_status"] = json!(status);
                }
                if ext > 0 {
                    value["external_metadata"] = json!({"id": format!("deal-{ext}")});
                }
                if title > 0 {
                    value["contract_title"] = json!(format!("Title {title}"));
                }
                serde_json::from_value(value).unwrap()
            })
    }

    /// A set of distinct events, then a delivery schedule: every event at least once, some
    /// repeated, all shuffled.
    fn arb_deliveries(
    ) -> impl Strategy<Value = (Vec<WebhookEvent>, Vec<WebhookEvent>, Vec<WebhookEvent>)> {
        proptest::collection::vec(arb_event(), 1..30).prop_flat_map(|events| {
            let n = events.len();
            let repeats = proptest::collection::vec(0..n, 0..n * 2);
            (Just(events), repeats.clone(), repeats).prop_flat_map(|(events, r1, r2)| {
                let schedule = |extra: Vec<usize>| {
                    let mut all: Vec<WebhookEvent> = events.clone();
                    all.extend(extra.into_iter().map(|i| events[i].clone()));
                    Just(all).prop_shuffle()
                };
                (Just(events.clone()), schedule(r1), schedule(r2))
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// "Same final record" means `==` on the whole record, dedupe set included: it is kept
        /// sorted and bounded to the newest keys, so it is canonical by construction.
        #[test]
        fn any_order_and_multiplicity_gives_the_same_record((events, a, b) in arb_deliveries()) {
            let in_order = fold(&events);
            let shuffled_a = fold(&a);
            let shuffled_b = fold(&b);
            prop_assert_eq!(&shuffled_a, &in_order);
            prop_assert_eq!(&shuffled_b, &in_order);
        }

        #[test]
        fn the_stage_never_regresses_and_terminal_stays_terminal(events in proptest::collection::vec(arb_event(), 0..40)) {
            let Some(first) = events.first() else { return Ok(()) };
            let mut record = record_for_event(first);
            for e in &events {
                let outcome = apply_event(&record, e).unwrap();
                let rank = |r: &SyncRecord| r.stage.and_then(super::super::record::status_rank);
                prop_assert!(rank(&outcome.record) >= rank(&record));
                if record.status.is_some_and(ContractStatus::is_terminal) {
                    prop_assert!(outcome.record.status.is_some_and(ContractStatus::is_terminal));
                }
                if outcome.disposition == Disposition::Duplicate {
                    prop_assert!(!outcome.changed && outcome.actions.is_empty());
                }
                record = outcome.record;
            }
        }

        #[test]
        fn each_action_is_emitted_once_per_fact(events in proptest::collection::vec(arb_event(), 1..40)) {
            let mut record = record_for_event(&events[0]);
            let mut documents = 0;
            let mut resolves = 0;
            for e in events.iter().chain(events.iter()) {
                let outcome = apply_event(&record, e).unwrap();
                documents += outcome.actions.iter().filter(|a| a.kind == SyncActionKind::FetchDocument).count();
                resolves += outcome.actions.iter().filter(|a| a.kind == SyncActionKind::ResolveCompositeId).count();
                record = outcome.record;
            }
            prop_assert!(documents <= 1);
            prop_assert!(resolves <= 1);
            prop_assert_eq!(documents == 1, record.executed_at().is_some());
        }

        #[test]
        fn records_from_js_like_input_never_panic(json_text in "\\PC{0,200}") {
            if let Ok(mut record) = serde_json::from_str::<SyncRecord>(&json_text) {
                record.refresh_derived();
                let _ = pending_actions(&record);
            }
        }
    }
}
