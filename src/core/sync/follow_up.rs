//! The rules of follow-up actions and of `track`: which action runs first, which results a
//! record keeps when two fetches race, which contract a lookup by external id means, and how
//! a `track` call merges into a record that already exists.
//!
//! Pure, like the rest of [`crate::core::sync`]: the engine (`crate::sync`) does the calls and
//! the storing. Nothing here does IO, reads a clock or logs.

use super::apply::{SyncAction, SyncActionKind};
use super::record::{
    record_document, record_key_pointers, set_composite_id, DocumentRef, SyncRecord,
};
use crate::core::ids::CompositeId;
use crate::core::sort;
use crate::core::webhook::Timestamp;
use crate::error::Result;
use serde_json::Value;
use std::collections::BTreeMap;

/// Puts `actions` in the order they run: resolving the composite id first (the others need
/// it), the rest in the order given.
pub(crate) fn order_actions(actions: &mut [SyncAction]) {
    sort::sort_by_key(actions, |a| a.kind != SyncActionKind::ResolveCompositeId);
}

/// The record after a key-pointer fetch that answered the change at `as_of`: unchanged when
/// a newer fetch (answering a later change) already stored its values, else with `selected`.
pub(crate) fn merge_key_pointers(
    current: &SyncRecord,
    selected: BTreeMap<String, Value>,
    fetched_at: Timestamp,
    as_of: Option<Timestamp>,
) -> SyncRecord {
    if current.key_pointers_as_of > as_of {
        current.clone()
    } else {
        record_key_pointers(current, selected, fetched_at, as_of)
    }
}

/// The record with a freshly fetched download link's file noted (the link's URL is not an
/// argument: it is never kept). Keeps `storedAt` when the file name and version are the ones
/// already stored; a new version drops it (that copy is of an older file).
///
/// # Errors
/// As [`record_document`] (a file name that looks like a signed URL).
pub(crate) fn note_document(
    current: &SyncRecord,
    file_name: String,
    version_id: Option<u64>,
    fetched_at: Timestamp,
) -> Result<SyncRecord> {
    let stored_at = current
        .document
        .as_ref()
        .filter(|d| d.version_id == version_id && d.file_name == file_name)
        .and_then(|d| d.stored_at.clone());
    record_document(
        current,
        DocumentRef {
            file_name,
            version_id,
            fetched_at,
            stored_at,
        },
    )
}

/// The record with `stored_at` noted on its document; `None` when the document was never
/// fetched (there is nothing to note it on).
///
/// # Errors
/// As [`record_document`] (a `stored_at` that looks like a signed URL).
pub(crate) fn note_stored(current: &SyncRecord, stored_at: String) -> Option<Result<SyncRecord>> {
    let document = current.document.clone()?;
    Some(record_document(
        current,
        DocumentRef {
            stored_at: Some(stored_at),
            ..document
        },
    ))
}

/// The record with a resolved composite id, unless it already has one (then unchanged: the
/// first resolution wins, as every resolution names the same contract).
pub(crate) fn fill_composite_id(current: &SyncRecord, resolved: CompositeId) -> SyncRecord {
    if current.composite_id.is_some() {
        current.clone()
    } else {
        set_composite_id(current, resolved)
    }
}

/// Which of the contracts found by an external id is `contract_id`: the one whose numeric id
/// matches, or (when SpotDraft leaves the numeric id out) the one whose composite id is
/// `T-<contract_id>`. Candidates are `(contract_id, composite id text)` pairs, in the order
/// SpotDraft listed them; the first match wins. Does not parse the composite id.
pub(crate) fn pick_composite_id<'a>(
    contract_id: u64,
    candidates: impl IntoIterator<Item = (Option<u64>, &'a str)>,
) -> Option<&'a str> {
    let template_id = format!("T-{contract_id}");
    candidates
        .into_iter()
        .find(|(numeric, id)| match numeric {
            Some(n) => *n == contract_id,
            None => *id == template_id,
        })
        .map(|(_, id)| id)
}

/// A `track` call merged into what is stored: a new record when there is none (tracked
/// since `now`); else the existing record, only filling in a missing composite or external
/// id. `None` when the existing record already says all of it (nothing to store).
///
/// Does not check the ids: the caller parsed them. An empty external id counts as absent.
pub(crate) fn merge_tracked(
    existing: Option<&SyncRecord>,
    contract_id: u64,
    composite_id: Option<CompositeId>,
    external_id: Option<String>,
    now: Timestamp,
) -> Option<SyncRecord> {
    let external_id = external_id.filter(|id| !id.is_empty());
    let Some(existing) = existing else {
        return Some(SyncRecord::new(
            contract_id,
            composite_id,
            external_id,
            Some(now),
        ));
    };
    let mut next = existing.clone();
    if next.composite_id.is_none() {
        next.composite_id = composite_id;
    }
    if next.external_id.is_none() {
        next.external_id = external_id;
    }
    next.refresh_derived();
    (next != *existing).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::AttentionFlag;
    use serde_json::json;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn action(kind: SyncActionKind) -> SyncAction {
        SyncAction {
            kind,
            contract_id: 7,
            composite_id: None,
            external_id: None,
            as_of: None,
        }
    }

    #[test]
    fn resolving_the_composite_id_runs_first_and_the_rest_keep_their_order() {
        let mut actions = vec![
            action(SyncActionKind::FetchKeyPointers),
            action(SyncActionKind::FetchDocument),
            action(SyncActionKind::ResolveCompositeId),
            action(SyncActionKind::RefreshStatus),
        ];
        order_actions(&mut actions);
        let kinds: Vec<_> = actions.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                SyncActionKind::ResolveCompositeId,
                SyncActionKind::FetchKeyPointers,
                SyncActionKind::FetchDocument,
                SyncActionKind::RefreshStatus,
            ]
        );
    }

    #[test]
    fn an_older_key_pointer_fetch_does_not_overwrite_a_newer_one() {
        let record = SyncRecord::new(7, Some(CompositeId::parse("T-7").unwrap()), None, None);
        let newer = merge_key_pointers(
            &record,
            BTreeMap::from([("a".to_owned(), json!("new"))]),
            at("2024-01-01T00:00:10Z"),
            Some(at("2024-01-01T00:00:05Z")),
        );
        let late = merge_key_pointers(
            &newer,
            BTreeMap::from([("a".to_owned(), json!("old"))]),
            at("2024-01-01T00:00:11Z"),
            Some(at("2024-01-01T00:00:01Z")),
        );
        assert_eq!(late, newer);
        let same_change = merge_key_pointers(
            &newer,
            BTreeMap::from([("a".to_owned(), json!("again"))]),
            at("2024-01-01T00:00:12Z"),
            Some(at("2024-01-01T00:00:05Z")),
        );
        assert_eq!(same_change.key_pointers["a"], json!("again"));
    }

    #[test]
    fn stored_at_survives_a_refetch_of_the_same_file_only() {
        let record = SyncRecord::new(7, Some(CompositeId::parse("T-7").unwrap()), None, None);
        let fetched =
            note_document(&record, "a.pdf".into(), Some(3), at("2024-01-01T00:00:00Z")).unwrap();
        let stored = note_stored(&fetched, "bucket/a.pdf".into())
            .unwrap()
            .unwrap();
        let again =
            note_document(&stored, "a.pdf".into(), Some(3), at("2024-01-02T00:00:00Z")).unwrap();
        assert_eq!(
            again.document.as_ref().unwrap().stored_at.as_deref(),
            Some("bucket/a.pdf")
        );
        let new_version =
            note_document(&stored, "a.pdf".into(), Some(4), at("2024-01-03T00:00:00Z")).unwrap();
        assert_eq!(new_version.document.as_ref().unwrap().stored_at, None);
        assert!(note_stored(&record, "bucket/a.pdf".into()).is_none());
        assert!(
            note_stored(&fetched, "https://x.example/f?X-Goog-Signature=1".into())
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn the_first_resolved_composite_id_wins() {
        let record = SyncRecord::new(7, None, Some("deal-1".into()), None);
        assert!(record.has_flag(AttentionFlag::CompositeIdUnknown));
        let first = fill_composite_id(&record, CompositeId::parse("T-7").unwrap());
        let second = fill_composite_id(&first, CompositeId::parse("H-9").unwrap());
        assert_eq!(
            second
                .composite_id
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("T-7")
        );
        assert!(!second.has_flag(AttentionFlag::CompositeIdUnknown));
    }

    #[test]
    fn a_lookup_by_external_id_picks_the_contract_by_number_then_by_template_id() {
        let found = [(Some(5), "H-5"), (Some(7), "H-70"), (None, "T-7")];
        assert_eq!(pick_composite_id(7, found), Some("H-70"));
        assert_eq!(
            pick_composite_id(7, [(None, "H-7"), (None, "T-7")]),
            Some("T-7")
        );
        // A numeric id that names another contract is not overridden by the text.
        assert_eq!(pick_composite_id(7, [(Some(8), "T-7")]), None);
        assert_eq!(pick_composite_id(7, []), None);
    }

    #[test]
    fn track_creates_fills_in_or_leaves_alone() {
        let now = at("2024-01-01T00:00:00Z");
        let created = merge_tracked(None, 7, None, Some(String::new()), now).unwrap();
        assert_eq!(created.tracked_since, Some(now));
        assert_eq!(created.external_id, None);
        let filled = merge_tracked(
            Some(&created),
            7,
            Some(CompositeId::parse("T-7").unwrap()),
            Some("deal-1".into()),
            at("2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(filled.tracked_since, Some(now));
        assert_eq!(filled.external_id.as_deref(), Some("deal-1"));
        let kept = merge_tracked(
            Some(&filled),
            7,
            Some(CompositeId::parse("H-9").unwrap()),
            Some("deal-2".into()),
            now,
        );
        assert_eq!(kept, None);
    }
}
