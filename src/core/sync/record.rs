//! The sync record: what the source system keeps per SpotDraft contract.
//!
//! SpotDraft's production checklist, per record: the upstream id (`external_metadata.id`), the
//! SpotDraft id, the latest status from webhook-driven sync, where the executed file is, and
//! the metadata downstream workflows need. [`SyncRecord`] holds exactly that, plus the
//! bookkeeping that makes event handling order-independent (see [`super::apply`]).
//!
//! Every field is either *merged* (a max, a min, a union, or a last-writer-wins register
//! ordered by event time) or *derived* from merged fields by [`SyncRecord::refresh_derived`].
//! Derived fields (`status`, `stage`, `statusObservedAt`, `needsAttention`) are recomputed on
//! every change and never trusted from input.
//!
//! What it does NOT do: IO, clocks (times are arguments), or hold signed download URLs (a
//! [`DocumentRef`] names the file and version; links are minted when needed).

use super::intent::CreateIntent;
use crate::core::ids::CompositeId;
use crate::core::sort;
use crate::core::status::ContractStatus;
use crate::core::webhook::{Timestamp, WebhookEvent};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tsify::Tsify;

/// How many applied-delivery keys a record keeps for dedupe. Older deliveries than the
/// 64 newest are still merged (merging is idempotent, so a re-delivery changes nothing), but
/// are reported as `TOO_OLD` rather than `DUPLICATE`.
pub const MAX_APPLIED_EVENT_KEYS: usize = 64;

/// One contract's sync state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SyncRecord {
    /// SpotDraft's numeric contract id (what webhooks carry).
    pub contract_id: u64,
    /// SpotDraft's composite id (`T-123`/`H-123`), the one the API paths take. Known from
    /// `createContract`, or inferred as `T-<contractId>` from an event whose `contract_kind`
    /// is a workflow kind; otherwise absent (flag `COMPOSITE_ID_UNKNOWN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string")]
    pub composite_id: Option<CompositeId>,
    /// The source system's id (`external_metadata.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub external_id: Option<String>,
    /// Event time of the `external_metadata.id` last taken (absent when set at creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub external_id_at: Option<Timestamp>,
    /// The contract's title, from the newest event that carried one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub contract_title: Option<String>,
    /// Event time of `contractTitle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub contract_title_at: Option<Timestamp>,
    /// Derived: the status SpotDraft shows now, as far as events and polls tell:
    /// the terminal status if any, else `ON_HOLD` if the newest news is a hold, else `stage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub status: Option<ContractStatus>,
    /// Derived: the furthest lifecycle status reached (never `ON_HOLD`); never moves back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub stage: Option<ContractStatus>,
    /// Derived: the newest time `status` was reported (event time or poll time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub status_observed_at: Option<Timestamp>,
    /// Every status reported so far with its first and last report time, ordered by
    /// [`status_rank`] (`ON_HOLD` last). The source of `status`, `stage` and the flags.
    #[serde(default)]
    pub status_history: Vec<StatusSpan>,
    /// Newest event time applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub last_event_at: Option<Timestamp>,
    /// Keys of the newest applied deliveries (`<instant>|<contractId>|<activity>`), sorted,
    /// at most [`MAX_APPLIED_EVENT_KEYS`].
    #[serde(default)]
    pub applied_event_keys: Vec<String>,
    /// Newest event time of an event whose status was missing or unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub status_unknown_at: Option<Timestamp>,
    /// Event time of a `CONTRACT_DELETED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub deleted_at: Option<Timestamp>,
    /// When the caller started tracking this contract (e.g. right after creating it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub tracked_since: Option<Timestamp>,
    /// Newest poll that found the contract (caller's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub last_found_at: Option<Timestamp>,
    /// Newest poll that answered 404 (caller's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub not_found_at: Option<Timestamp>,
    /// Selected key pointers, normalized: `field_name` → value.
    #[serde(default)]
    #[tsify(type = "Record<string, unknown>")]
    pub key_pointers: BTreeMap<String, serde_json::Value>,
    /// When `keyPointers` were fetched (caller's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub key_pointers_fetched_at: Option<Timestamp>,
    /// The `asOf` of the fetch action `keyPointers` answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub key_pointers_as_of: Option<Timestamp>,
    /// Newest event time of a key-pointer or contract-data change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub key_pointers_changed_at: Option<Timestamp>,
    /// The executed file, once fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub document: Option<DocumentRef>,
    /// Derived: what needs a person or a repair, sorted.
    #[serde(default)]
    pub needs_attention: Vec<AttentionFlag>,
    /// Only on a placeholder (`contractId` 0, stored under `external:<id>` only): a create
    /// `engine.createContract` started for this external id whose contract is not known
    /// yet. Replaced by the contract's record once it is (see `resolveOpenIntents`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub create_intent: Option<CreateIntent>,
}

/// When a status was first and last reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StatusSpan {
    /// The status.
    pub status: ContractStatus,
    /// Earliest report time.
    pub first: Timestamp,
    /// Latest report time.
    pub last: Timestamp,
}

/// The durable reference to a contract's file: names a version, never holds a signed URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRef {
    /// SpotDraft's `file_name`.
    pub file_name: String,
    /// SpotDraft's `current_version_id`, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub version_id: Option<u64>,
    /// When the link was minted and the file fetched (caller's clock).
    pub fetched_at: Timestamp,
    /// Where the caller stored its own copy (a bucket key, a CRM file id…), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub stored_at: Option<String>,
}

/// Something about a record that needs a repair or a person.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Tsify,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttentionFlag {
    /// The newest poll answered 404 and no event or poll since found the contract.
    NotFound,
    /// SpotDraft sent `CONTRACT_DELETED`.
    Deleted,
    /// An event's status was missing or unknown, and no poll since told the status.
    StatusUnknown,
    /// Key pointers changed (or the contract executed) after the last fetch.
    KeyPointersStale,
    /// The contract is executed but its file has not been fetched.
    DocumentMissing,
    /// The composite id is not known, so API calls for this contract cannot be made yet.
    CompositeIdUnknown,
    /// A lower lifecycle status was reported after a higher one; it was not applied.
    StatusRegressionRefused,
    /// Both `EXECUTED` and `VOIDED` were reported; `EXECUTED` is kept.
    ConflictingTerminalStatus,
}

/// Order of statuses for the no-regress rule: `DRAFT < REDLINING < SIGN < VOIDED < EXECUTED`.
///
/// `ON_HOLD` has no rank: it is a pause, not a stage (see [`super::apply`]). `VOIDED` ranks
/// below `EXECUTED` only to settle the contradictory case where both are reported
/// (SpotDraft refuses to void an executed contract, so `EXECUTED` is the stronger evidence).
pub fn status_rank(status: ContractStatus) -> Option<u8> {
    match status {
        ContractStatus::Draft => Some(0),
        ContractStatus::Redlining => Some(1),
        ContractStatus::Sign => Some(2),
        ContractStatus::Voided => Some(3),
        ContractStatus::Executed => Some(4),
        ContractStatus::OnHold => None,
    }
}

/// Sort key of the history: ranked statuses first, `ON_HOLD` last.
fn history_order(status: ContractStatus) -> u8 {
    status_rank(status).unwrap_or(u8::MAX)
}

/// `max` over optional values where `None` is "nothing known".
pub(crate) fn max_opt<T: Ord + Copy>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

impl SyncRecord {
    /// A record for a contract the caller is starting to track (e.g. just created), with
    /// nothing known about its status yet.
    pub fn new(
        contract_id: u64,
        composite_id: Option<CompositeId>,
        external_id: Option<String>,
        tracked_since: Option<Timestamp>,
    ) -> Self {
        let mut record = Self {
            contract_id,
            composite_id,
            external_id: external_id.filter(|id| !id.is_empty()),
            external_id_at: None,
            contract_title: None,
            contract_title_at: None,
            status: None,
            stage: None,
            status_observed_at: None,
            status_history: Vec::new(),
            last_event_at: None,
            applied_event_keys: Vec::new(),
            status_unknown_at: None,
            deleted_at: None,
            tracked_since,
            last_found_at: None,
            not_found_at: None,
            key_pointers: BTreeMap::new(),
            key_pointers_fetched_at: None,
            key_pointers_as_of: None,
            key_pointers_changed_at: None,
            document: None,
            needs_attention: Vec::new(),
            create_intent: None,
        };
        record.refresh_derived();
        record
    }

    /// The span of `status`, if it was ever reported.
    pub fn span(&self, status: ContractStatus) -> Option<&StatusSpan> {
        self.status_history
            .iter()
            .find(|span| span.status == status)
    }

    /// When the contract was first reported executed.
    pub fn executed_at(&self) -> Option<Timestamp> {
        self.span(ContractStatus::Executed).map(|span| span.first)
    }

    /// Whether the record's status can no longer change (`EXECUTED`, `VOIDED`) or the
    /// contract was deleted.
    pub fn is_settled(&self) -> bool {
        self.status.is_some_and(ContractStatus::is_terminal) || self.deleted_at.is_some()
    }

    /// The newest time anything was heard about the contract: an event, a poll, or the start
    /// of tracking. Reconciliation polls records whose last news is older than `staleAfter`.
    pub fn last_news_at(&self) -> Option<Timestamp> {
        [
            self.last_event_at,
            self.last_found_at,
            self.not_found_at,
            self.tracked_since,
        ]
        .into_iter()
        .fold(None, max_opt)
    }

    /// The time key pointers must be newer than: the newest key-pointer/data change, or the
    /// execution (final metadata), whichever is later.
    pub fn key_pointers_invalidated_at(&self) -> Option<Timestamp> {
        max_opt(self.key_pointers_changed_at, self.executed_at())
    }

    /// Records that `status` was reported at `at` (merges into the history: union, min, max).
    pub(crate) fn note_status(&mut self, status: ContractStatus, at: Timestamp) {
        if let Some(span) = self.status_history.iter_mut().find(|s| s.status == status) {
            span.first = span.first.min(at);
            span.last = span.last.max(at);
        } else {
            self.status_history.push(StatusSpan {
                status,
                first: at,
                last: at,
            });
            sort::sort_by_key(&mut self.status_history, |span| history_order(span.status));
        }
    }

    /// Last-writer-wins by (event time, value): order-independent even for equal times.
    pub(crate) fn note_external_id(&mut self, id: &str, at: Timestamp) {
        let incoming = (Some(at), id);
        let current = (
            self.external_id_at,
            self.external_id.as_deref().unwrap_or(""),
        );
        if self.external_id.is_none() || incoming > current {
            self.external_id = Some(id.to_owned());
            self.external_id_at = Some(at);
        }
    }

    /// Last-writer-wins by (event time, value), like [`SyncRecord::note_external_id`].
    pub(crate) fn note_title(&mut self, title: &str, at: Timestamp) {
        let incoming = (Some(at), title);
        let current = (
            self.contract_title_at,
            self.contract_title.as_deref().unwrap_or(""),
        );
        if self.contract_title.is_none() || incoming > current {
            self.contract_title = Some(title.to_owned());
            self.contract_title_at = Some(at);
        }
    }

    /// Recomputes `status`, `stage`, `statusObservedAt` and `needsAttention` from the merged
    /// fields. Call after deserialising a record from storage if you read those fields
    /// directly; every function of this module calls it before returning a record.
    pub fn refresh_derived(&mut self) {
        sort::sort_by_key(&mut self.status_history, |span| history_order(span.status));
        self.status_history.dedup_by_key(|span| span.status);
        sort::sort(&mut self.applied_event_keys);
        self.applied_event_keys.dedup();
        let excess = self
            .applied_event_keys
            .len()
            .saturating_sub(MAX_APPLIED_EVENT_KEYS);
        self.applied_event_keys.drain(..excess);

        let stage_span = self
            .status_history
            .iter()
            .filter(|span| status_rank(span.status).is_some())
            .max_by_key(|span| status_rank(span.status))
            .copied();
        let hold = self.span(ContractStatus::OnHold).copied();
        // A hold counts when it is the newest news about a non-terminal contract: a later
        // report of any lifecycle status means the contract resumed. Ties go to the hold.
        let newest_lifecycle_report = self
            .status_history
            .iter()
            .filter(|span| span.status != ContractStatus::OnHold)
            .map(|span| span.last)
            .max();
        let held = hold.filter(|hold| newest_lifecycle_report.is_none_or(|t| hold.last >= t));
        let terminal = stage_span.filter(|span| span.status.is_terminal());
        let shown = terminal.or(held).or(stage_span);
        self.stage = stage_span.map(|span| span.status);
        self.status = shown.map(|span| span.status);
        self.status_observed_at = shown.map(|span| span.last);

        let mut flags = Vec::new();
        let not_found_is_newest = self.not_found_at.is_some_and(|nf| {
            max_opt(self.last_found_at, self.last_event_at).is_none_or(|seen| nf > seen)
        });
        if not_found_is_newest {
            flags.push(AttentionFlag::NotFound);
        }
        if self.deleted_at.is_some() {
            flags.push(AttentionFlag::Deleted);
        }
        if self
            .status_unknown_at
            .is_some_and(|unknown| self.last_found_at.is_none_or(|found| found < unknown))
        {
            flags.push(AttentionFlag::StatusUnknown);
        }
        if self
            .key_pointers_invalidated_at()
            .is_some_and(|changed| self.key_pointers_as_of.is_none_or(|as_of| as_of < changed))
        {
            flags.push(AttentionFlag::KeyPointersStale);
        }
        if self.stage == Some(ContractStatus::Executed) && self.document.is_none() {
            flags.push(AttentionFlag::DocumentMissing);
        }
        // A create intent's placeholder (contract id 0) has no contract to call the API for.
        if self.composite_id.is_none() && self.contract_id != 0 {
            flags.push(AttentionFlag::CompositeIdUnknown);
        }
        if let Some(stage) = stage_span {
            let lower_reported_later = self.status_history.iter().any(|span| {
                status_rank(span.status)
                    .zip(status_rank(stage.status))
                    .is_some_and(|(rank, stage_rank)| rank < stage_rank)
                    && span.last > stage.first
            });
            if lower_reported_later {
                flags.push(AttentionFlag::StatusRegressionRefused);
            }
        }
        if self.span(ContractStatus::Executed).is_some()
            && self.span(ContractStatus::Voided).is_some()
        {
            flags.push(AttentionFlag::ConflictingTerminalStatus);
        }
        sort::sort(&mut flags);
        self.needs_attention = flags;
    }

    /// Whether `flag` is raised.
    pub fn has_flag(&self, flag: AttentionFlag) -> bool {
        self.needs_attention.contains(&flag)
    }
}

/// Where a record can be found in a store. Stores index each record under every key
/// [`record_keys`] gives and look events up with [`lookup_keys`], in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKey {
    /// By `external_metadata.id`.
    ExternalId(String),
    /// By SpotDraft's numeric contract id.
    ContractId(u64),
}

impl RecordKey {
    /// A flat string for key-value stores: `external:<id>` or `contract:<n>`. The prefixes
    /// keep an external id such as `"123"` apart from contract 123.
    pub fn storage_key(&self) -> String {
        match self {
            Self::ExternalId(id) => format!("external:{id}"),
            Self::ContractId(id) => format!("contract:{id}"),
        }
    }
}

/// Keys to look an event's record up by: `external_metadata.id` first, then the numeric
/// contract id (SpotDraft's playbook order).
///
/// SpotDraft does not enforce unique external ids, so a record found by external id may
/// belong to another contract: check it with [`record_matches_event`] and fall back to the
/// next key when it does not match.
pub fn lookup_keys(event: &WebhookEvent) -> Vec<RecordKey> {
    let mut keys = Vec::with_capacity(2);
    if let Some(id) = event.external_id() {
        keys.push(RecordKey::ExternalId(id.to_owned()));
    }
    keys.push(RecordKey::ContractId(event.contract_id));
    keys
}

/// Keys a record is stored under: its contract id, and its external id if known. A create
/// intent's placeholder (contract id 0) is stored under its external id only.
pub fn record_keys(record: &SyncRecord) -> Vec<RecordKey> {
    let mut keys = Vec::with_capacity(2);
    if record.contract_id != 0 {
        keys.push(RecordKey::ContractId(record.contract_id));
    }
    if let Some(id) = &record.external_id {
        keys.push(RecordKey::ExternalId(id.clone()));
    }
    keys
}

/// Whether `record` is the record of `event`'s contract.
pub(crate) fn record_matches_event(record: &SyncRecord, event: &WebhookEvent) -> bool {
    record.contract_id == event.contract_id
}

/// A new, empty record for the contract of `event`, to pass to [`super::apply_event`] when no
/// record exists yet. Everything else (status, ids, title) comes from applying the event, so
/// the result does not depend on which event created the record.
pub fn record_for_event(event: &WebhookEvent) -> SyncRecord {
    SyncRecord::new(event.contract_id, None, None, None)
}

/// Keeps the selected key pointers as `field_name → value`.
///
/// `selection` lists the field names to keep (`None` keeps all). Names are trimmed; empty
/// names are skipped; when a name repeats, the last occurrence wins (SpotDraft's list has
/// one entry per field, so a repeat is a later correction).
pub(crate) fn normalize_key_pointers<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a serde_json::Value)>,
    selection: Option<&[String]>,
) -> BTreeMap<String, serde_json::Value> {
    sort::map_from(
        items
            .into_iter()
            .map(|(name, value)| (name.trim(), value))
            .filter(|(name, _)| !name.is_empty())
            .filter(|(name, _)| selection.is_none_or(|keep| keep.iter().any(|k| k.trim() == *name)))
            .map(|(name, value)| (name.to_owned(), value.clone())),
    )
}

/// Stores fetched key pointers on a copy of `record`.
///
/// `as_of` is the `asOf` of the `FETCH_KEY_POINTERS` action that asked for them: it marks
/// which change the values answer, so a change that arrives during the fetch keeps
/// `KEY_POINTERS_STALE` raised. `fetched_at` is the caller's clock.
pub(crate) fn record_key_pointers(
    record: &SyncRecord,
    key_pointers: BTreeMap<String, serde_json::Value>,
    fetched_at: Timestamp,
    as_of: Option<Timestamp>,
) -> SyncRecord {
    let mut next = record.clone();
    next.key_pointers = key_pointers;
    next.key_pointers_fetched_at = Some(fetched_at);
    next.key_pointers_as_of = max_opt(next.key_pointers_as_of, as_of);
    next.refresh_derived();
    next
}

/// Whether `text` looks like a signed, expiring URL (which must never be the durable
/// reference: it expires, and it grants access to whoever holds it).
fn looks_like_signed_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let is_http = lower.starts_with("http://") || lower.starts_with("https://");
    let query = lower.split_once('?').map(|(_, q)| q).unwrap_or_default();
    is_http
        && [
            "signature",
            "x-amz-",
            "x-goog-",
            "sig=",
            "token=",
            "expires=",
        ]
        .iter()
        .any(|marker| query.contains(marker))
}

/// Stores the document reference on a copy of `record`.
///
/// # Errors
/// `INVALID_ARGUMENT` (path `document.storedAt`) when `storedAt` looks like a signed URL
/// (an `http(s)` URL whose query has a signature, token or expiry): store your own copy's
/// location instead. The message does not repeat the URL.
pub(crate) fn record_document(record: &SyncRecord, document: DocumentRef) -> Result<SyncRecord> {
    if document
        .stored_at
        .as_deref()
        .is_some_and(looks_like_signed_url)
    {
        return Err(Error::invalid_argument(
            "document.storedAt",
            "looks like a signed, expiring download link; SpotDraft's links expire and grant \
             access to whoever holds them. Store the file yourself and record that location \
             (a storage key or your system's file id), or leave storedAt out",
        ));
    }
    if document.file_name.contains('?') && looks_like_signed_url(&document.file_name) {
        return Err(Error::invalid_argument(
            "document.fileName",
            "looks like a signed download link; pass SpotDraft's `file_name`, not its `url`",
        ));
    }
    let mut next = record.clone();
    next.document = Some(document);
    next.refresh_derived();
    Ok(next)
}

/// Sets the composite id on a copy of `record` (e.g. resolved through
/// `GET /contracts/by_external_metadata/{id}`).
pub(crate) fn set_composite_id(record: &SyncRecord, composite_id: CompositeId) -> SyncRecord {
    let mut next = record.clone();
    next.composite_id = Some(composite_id);
    next.refresh_derived();
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn new_record_serialises_camel_case_and_flags_a_missing_composite_id() {
        let record = SyncRecord::new(19589, None, Some("hubspot-deal-10024".into()), None);
        let value = serde_json::to_value(&record).unwrap();
        assert_eq!(value["contractId"], 19589);
        assert_eq!(value["externalId"], "hubspot-deal-10024");
        assert_eq!(value["needsAttention"], json!(["COMPOSITE_ID_UNKNOWN"]));
        assert!(value.get("status").is_none());
        let back: SyncRecord = serde_json::from_value(value).unwrap();
        assert_eq!(back, record);
        let with_id = set_composite_id(&record, CompositeId::parse("T-19589").unwrap());
        assert!(with_id.needs_attention.is_empty());
        assert_eq!(
            serde_json::to_value(&with_id).unwrap()["compositeId"],
            "T-19589"
        );
    }

    #[test]
    fn derived_fields_are_recomputed_not_trusted() {
        let mut value = serde_json::to_value(SyncRecord::new(1, None, None, None)).unwrap();
        value["status"] = json!("EXECUTED");
        value["needsAttention"] = json!([]);
        let mut record: SyncRecord = serde_json::from_value(value).unwrap();
        record.refresh_derived();
        assert_eq!(record.status, None);
        assert_eq!(record.needs_attention, [AttentionFlag::CompositeIdUnknown]);
    }

    #[test]
    fn hold_is_shown_only_while_it_is_the_newest_report() {
        let mut record = SyncRecord::new(1, CompositeId::parse("T-1").ok(), None, None);
        record.note_status(ContractStatus::Sign, at("2024-01-01T00:00:00Z"));
        record.note_status(ContractStatus::OnHold, at("2024-01-02T00:00:00Z"));
        record.refresh_derived();
        assert_eq!(record.status, Some(ContractStatus::OnHold));
        assert_eq!(record.stage, Some(ContractStatus::Sign));
        assert_eq!(record.status_observed_at, Some(at("2024-01-02T00:00:00Z")));
        record.note_status(ContractStatus::Sign, at("2024-01-03T00:00:00Z"));
        record.refresh_derived();
        assert_eq!(record.status, Some(ContractStatus::Sign));
        record.note_status(ContractStatus::OnHold, at("2024-01-04T00:00:00Z"));
        record.note_status(ContractStatus::Voided, at("2024-01-01T12:00:00Z"));
        record.refresh_derived();
        assert_eq!(
            record.status,
            Some(ContractStatus::Voided),
            "terminal beats a hold"
        );
        assert!(record.has_flag(AttentionFlag::StatusRegressionRefused));
    }

    #[test]
    fn key_pointers_are_normalized_and_selected() {
        let amount = json!({"amount": 1200, "currency": "USD"});
        let date = json!("2024-05-01");
        let old = json!("old");
        let items = [
            (" contract_value ", &amount),
            ("effective_date", &date),
            ("", &old),
            ("internal_notes", &old),
        ];
        let all = normalize_key_pointers(items, None);
        assert_eq!(all.len(), 3);
        let selection = ["contract_value".to_owned(), "effective_date".to_owned()];
        let picked = normalize_key_pointers(items, Some(&selection));
        assert_eq!(
            picked.keys().collect::<Vec<_>>(),
            ["contract_value", "effective_date"]
        );
        assert_eq!(picked["contract_value"], amount);
    }

    #[test]
    fn a_key_pointer_named_twice_keeps_the_last_value() {
        let (first, last) = (json!(1), json!(2));
        let items = [
            (" amount", &first),
            ("effective_date", &first),
            ("amount ", &last),
        ];
        let all = normalize_key_pointers(items, None);
        assert_eq!(all.keys().collect::<Vec<_>>(), ["amount", "effective_date"]);
        assert_eq!(all["amount"], last);
    }

    #[test]
    fn stored_lists_come_out_in_their_fixed_orders() {
        // Whatever order storage gave them in: the history by lifecycle rank with ON_HOLD
        // last (of a status listed twice, the first listed is kept), the event keys sorted
        // and unique, the flags in declaration order.
        let span = |status, day: &str| StatusSpan {
            status,
            first: at(day),
            last: at(day),
        };
        let mut record = SyncRecord::new(1, None, None, None);
        record.status_history = vec![
            span(ContractStatus::OnHold, "2024-01-05T00:00:00Z"),
            span(ContractStatus::Executed, "2024-01-04T00:00:00Z"),
            span(ContractStatus::Voided, "2024-01-03T00:00:00Z"),
            span(ContractStatus::Executed, "2024-01-09T00:00:00Z"),
            span(ContractStatus::Draft, "2024-01-01T00:00:00Z"),
        ];
        record.applied_event_keys = ["c", "a", "b", "a"].map(String::from).to_vec();
        record.refresh_derived();
        assert_eq!(
            record.status_history,
            [
                span(ContractStatus::Draft, "2024-01-01T00:00:00Z"),
                span(ContractStatus::Voided, "2024-01-03T00:00:00Z"),
                span(ContractStatus::Executed, "2024-01-04T00:00:00Z"),
                span(ContractStatus::OnHold, "2024-01-05T00:00:00Z"),
            ]
        );
        assert_eq!(record.applied_event_keys, ["a", "b", "c"]);
        assert_eq!(
            record.needs_attention,
            [
                AttentionFlag::KeyPointersStale,
                AttentionFlag::DocumentMissing,
                AttentionFlag::CompositeIdUnknown,
                AttentionFlag::ConflictingTerminalStatus
            ]
        );
        // A status reported later joins the history at its rank.
        record.note_status(ContractStatus::Sign, at("2024-01-02T00:00:00Z"));
        let order: Vec<ContractStatus> = record.status_history.iter().map(|s| s.status).collect();
        assert_eq!(
            order,
            [
                ContractStatus::Draft,
                ContractStatus::Sign,
                ContractStatus::Voided,
                ContractStatus::Executed,
                ContractStatus::OnHold
            ]
        );
    }

    #[test]
    fn signed_urls_are_refused_as_the_stored_location() {
        let record = SyncRecord::new(1, CompositeId::parse("T-1").ok(), None, None);
        let document = |stored_at: Option<&str>| DocumentRef {
            file_name: "Standard NDA a3b2.pdf".into(),
            version_id: Some(1),
            fetched_at: at("2024-01-01T00:00:00Z"),
            stored_at: stored_at.map(str::to_owned),
        };
        for signed in [
            "https://storage.googleapis.com/some/path?signature=ASDASD",
            "https://bucket.s3.amazonaws.com/f.pdf?X-Amz-Signature=abc&X-Amz-Expires=60",
            "HTTPS://storage.googleapis.com/x?X-Goog-Credential=y",
        ] {
            let error = record_document(&record, document(Some(signed))).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument);
            assert!(!error.message.contains("ASDASD") && !error.message.contains("abc"));
        }
        for fine in [
            None,
            Some("s3://contracts/T-1/v1.pdf"),
            Some("hubspot-file-991"),
            Some("https://files.example.com/T-1.pdf"),
        ] {
            let stored = record_document(&record, document(fine)).unwrap();
            assert_eq!(stored.document.unwrap().stored_at.as_deref(), fine);
        }
    }

    #[test]
    fn lookup_prefers_the_external_id_and_keys_do_not_collide() {
        let event: WebhookEvent = serde_json::from_value(json!({
            "activity": "CONTRACT_CREATED", "contract_id": 123,
            "activity_data": {"timestamp": "2024-01-01T00:00:00Z"},
            "external_metadata": {"id": 123}
        }))
        .unwrap();
        let keys = lookup_keys(&event);
        assert_eq!(
            keys,
            [
                RecordKey::ExternalId("123".into()),
                RecordKey::ContractId(123)
            ]
        );
        assert_ne!(keys[0].storage_key(), keys[1].storage_key());
        let other_contract = SyncRecord::new(7, None, Some("123".into()), None);
        assert!(!record_matches_event(&other_contract, &event));
        assert!(record_matches_event(&record_for_event(&event), &event));
        assert_eq!(record_keys(&other_contract).len(), 2);
    }
}
