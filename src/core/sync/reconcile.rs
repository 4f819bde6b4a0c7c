//! Planning bounded reconciliation: which records to poll, within a budget, resumably.
//!
//! SpotDraft's status endpoint is for repair and *bounded* reconciliation, not polling. A
//! plan picks records that may have drifted (not settled, no news for `staleAfter`) in a
//! stable order (ascending contract id), at most `budget` of them, and returns a cursor to
//! continue from. Running the polls, pacing them under the rate limit and applying results
//! ([`super::apply_status_observation`], [`super::apply_not_found`]) is the caller's job.
//!
//! What it does NOT do: IO, clocks (`now` is an argument), or rate limiting.

use super::record::{AttentionFlag, SyncRecord};
use crate::core::ids::CompositeId;
use crate::core::sort;
use crate::core::webhook::Timestamp;
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Where a reconciliation pass stopped: the next plan starts after this contract id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileCursor {
    /// The last contract id the previous plan covered.
    pub after_contract_id: u64,
}

/// What a plan needs besides the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconcileInput {
    /// The caller's clock.
    pub now: Timestamp,
    /// Poll a record only when its last news (event, poll, or start of tracking) is older
    /// than this many milliseconds.
    pub stale_after_ms: u64,
    /// At most this many polls in the plan (one request each).
    pub budget: usize,
    /// Continue after this cursor (`None`: from the start).
    pub cursor: Option<ReconcileCursor>,
}

/// One record to poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PollTarget {
    /// The contract.
    pub contract_id: u64,
    /// The composite id for `GET /contracts/{compositeId}/status`; absent when unknown
    /// (resolve it first, see `RESOLVE_COMPOSITE_ID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string")]
    pub composite_id: Option<CompositeId>,
    /// The source system's id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub external_id: Option<String>,
}

/// A reconciliation plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ReconcilePlan {
    /// Records to poll, by ascending contract id.
    pub targets: Vec<PollTarget>,
    /// Pass this to the next plan to continue; `None` when this plan reached the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub next_cursor: Option<ReconcileCursor>,
    /// Records after the cursor that were looked at.
    pub scanned: usize,
    /// Skipped: executed, voided or deleted.
    pub skipped_settled: usize,
    /// Skipped: news within `staleAfter`.
    pub skipped_fresh: usize,
    /// Skipped: flagged `NOT_FOUND` (polled again only once an event or a poll finds it).
    pub skipped_not_found: usize,
}

/// Why a record is or is not polled.
enum Verdict {
    Poll,
    Settled,
    Fresh,
    NotFound,
}

fn verdict(record: &SyncRecord, cutoff: Timestamp) -> Verdict {
    if record.is_settled() {
        return Verdict::Settled;
    }
    if record.has_flag(AttentionFlag::NotFound) {
        return Verdict::NotFound;
    }
    // A status nobody could read is repaired regardless of age.
    if record.has_flag(AttentionFlag::StatusUnknown) {
        return Verdict::Poll;
    }
    match record.last_news_at() {
        Some(news) if news > cutoff => Verdict::Fresh,
        _ => Verdict::Poll,
    }
}

/// Plans the next slice of a reconciliation pass over `records` (any order; duplicates of a
/// contract id are considered once, the first given).
///
/// A record is polled when it is not settled (executed, voided, deleted), not flagged
/// `NOT_FOUND`, and either flagged `STATUS_UNKNOWN` or without news for `stale_after_ms`
/// (a record with no news at all counts as stale). A create intent's placeholder (contract
/// id 0) is never polled nor counted. Records are taken by ascending contract
/// id after the cursor, up to `budget`. The derived flags are recomputed on a copy, so
/// records straight from storage are judged correctly.
///
/// The returned cursor is the last contract id planned when the budget ran out before the
/// end, so the next plan resumes right after it; records added or changed meanwhile are
/// judged afresh. With `budget` 0 the plan is empty and the cursor unchanged.
pub fn plan_reconciliation<'a>(
    records: impl IntoIterator<Item = &'a SyncRecord>,
    input: &ReconcileInput,
) -> ReconcilePlan {
    let cutoff = input.now.saturating_sub_millis(input.stale_after_ms);
    let after = input.cursor.map(|c| c.after_contract_id);
    let mut candidates: Vec<&SyncRecord> = records
        .into_iter()
        // A create intent's placeholder (contract id 0) has no contract to poll.
        .filter(|r| r.contract_id != 0)
        .filter(|r| after.is_none_or(|after| r.contract_id > after))
        .collect();
    // Stable sort keeps the first of duplicate ids first; dedup then keeps it.
    sort::sort_by_key(&mut candidates, |r| r.contract_id);
    candidates.dedup_by_key(|r| r.contract_id);

    let mut plan = ReconcilePlan {
        targets: Vec::new(),
        next_cursor: None,
        scanned: 0,
        skipped_settled: 0,
        skipped_fresh: 0,
        skipped_not_found: 0,
    };
    if input.budget == 0 {
        plan.next_cursor = input.cursor;
        return plan;
    }
    for record in candidates {
        if plan.targets.len() >= input.budget {
            // Budget spent with records left: resume after the last one planned.
            plan.next_cursor = plan.targets.last().map(|t| ReconcileCursor {
                after_contract_id: t.contract_id,
            });
            return plan;
        }
        plan.scanned += 1;
        let mut judged = record.clone();
        judged.refresh_derived();
        match verdict(&judged, cutoff) {
            Verdict::Poll => plan.targets.push(PollTarget {
                contract_id: judged.contract_id,
                composite_id: judged.composite_id.clone(),
                external_id: judged.external_id.clone(),
            }),
            Verdict::Settled => plan.skipped_settled += 1,
            Verdict::Fresh => plan.skipped_fresh += 1,
            Verdict::NotFound => plan.skipped_not_found += 1,
        }
    }
    plan
}

/// One copy per contract id from a listing in which a record stored under several keys
/// appears several times: the most informed copy (latest news, then most applied events,
/// then latest key-pointer fetch, then one with a document), in ascending contract id.
///
/// Two keys of one record can disagree when a write under the second key failed; the copy
/// that saw more is the one to judge. Does not merge copies.
pub(crate) fn most_informed_per_contract(mut records: Vec<SyncRecord>) -> Vec<SyncRecord> {
    let informed = |r: &SyncRecord| {
        (
            r.last_news_at(),
            r.applied_event_keys.len(),
            r.key_pointers_fetched_at,
            r.document.is_some(),
        )
    };
    sort::sort_by(&mut records, |a, b| {
        a.contract_id
            .cmp(&b.contract_id)
            .then_with(|| informed(b).cmp(&informed(a)))
    });
    records.dedup_by_key(|r| r.contract_id);
    records
}

/// Where the next call resumes after polling some of `plan_targets`, `done[i]` telling
/// whether target `i` was polled (answered or failed; not when aborted before it). Polls
/// run concurrently, so the done ones need not be a prefix: the cursor is after the last
/// target of the done *prefix*, so nothing unpolled is skipped (a done target after a gap
/// is polled again). All done: the plan's own cursor. None done: the cursor this call
/// started from.
pub(crate) fn resume_cursor(
    plan_targets: &[PollTarget],
    done: &[bool],
    plan_next: Option<ReconcileCursor>,
    started_from: Option<ReconcileCursor>,
) -> Option<ReconcileCursor> {
    let prefix = done.iter().take_while(|d| **d).count();
    if prefix >= plan_targets.len() {
        plan_next
    } else if let Some(last) = prefix.checked_sub(1).and_then(|i| plan_targets.get(i)) {
        Some(ReconcileCursor {
            after_contract_id: last.contract_id,
        })
    } else {
        started_from
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::status::ContractStatus;
    use crate::core::sync::apply::{apply_not_found, apply_status_observation};
    use proptest::prelude::*;

    const HOUR_MS: u64 = 3_600_000;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn now() -> Timestamp {
        ts("2024-06-01T12:00:00Z")
    }

    fn record(id: u64, status: Option<ContractStatus>, news: &str) -> SyncRecord {
        let base = SyncRecord::new(
            id,
            CompositeId::parse(&format!("T-{id}")).ok(),
            None,
            Some(ts(news)),
        );
        match status {
            Some(status) => apply_status_observation(&base, status, ts(news)).record,
            None => base,
        }
    }

    fn input(budget: usize, cursor: Option<ReconcileCursor>) -> ReconcileInput {
        ReconcileInput {
            now: now(),
            stale_after_ms: HOUR_MS,
            budget,
            cursor,
        }
    }

    fn ids(plan: &ReconcilePlan) -> Vec<u64> {
        plan.targets.iter().map(|t| t.contract_id).collect()
    }

    #[test]
    fn polls_only_stale_unsettled_records_in_id_order() {
        let old = "2024-06-01T09:00:00Z";
        let recent = "2024-06-01T11:30:00Z";
        let records = vec![
            record(5, Some(ContractStatus::Sign), old),
            record(1, Some(ContractStatus::Executed), old),
            record(3, Some(ContractStatus::Redlining), recent),
            record(2, Some(ContractStatus::Voided), old),
            record(4, None, old),
            record(6, Some(ContractStatus::OnHold), old),
        ];
        let plan = plan_reconciliation(&records, &input(10, None));
        assert_eq!(ids(&plan), [4, 5, 6]);
        assert_eq!(plan.next_cursor, None);
        assert_eq!(
            (plan.scanned, plan.skipped_settled, plan.skipped_fresh),
            (6, 2, 1)
        );
        assert_eq!(
            plan.targets[0].composite_id.as_ref().unwrap().as_str(),
            "T-4"
        );
    }

    #[test]
    fn a_create_intent_placeholder_is_neither_polled_nor_counted() {
        let intent = crate::core::sync::next_attempt(None, now());
        let placeholder = crate::core::sync::intent_record("deal-1", intent);
        let stale = record(4, None, "2024-06-01T09:00:00Z");
        let plan = plan_reconciliation([&placeholder, &stale], &input(10, None));
        assert_eq!(ids(&plan), [4]);
        assert_eq!(plan.scanned, 1);
    }

    #[test]
    fn not_found_records_are_skipped_and_unknown_statuses_are_polled_early() {
        let old = "2024-06-01T09:00:00Z";
        let gone = apply_not_found(
            &record(1, Some(ContractStatus::Sign), old),
            ts("2024-06-01T09:30:00Z"),
        )
        .record;
        let mut unknown = record(2, Some(ContractStatus::Sign), "2024-06-01T11:59:00Z");
        unknown.status_unknown_at = Some(ts("2024-06-01T11:59:30Z"));
        let plan = plan_reconciliation([&gone, &unknown], &input(10, None));
        assert_eq!(ids(&plan), [2]);
        assert_eq!(plan.skipped_not_found, 1);
    }

    #[test]
    fn the_budget_bounds_a_plan_and_the_cursor_resumes_it() {
        let records: Vec<SyncRecord> = (1..=10)
            .rev()
            .map(|id| record(id, Some(ContractStatus::Sign), "2024-06-01T00:00:00Z"))
            .collect();
        let first = plan_reconciliation(&records, &input(4, None));
        assert_eq!(ids(&first), [1, 2, 3, 4]);
        let cursor = first.next_cursor;
        assert_eq!(
            cursor,
            Some(ReconcileCursor {
                after_contract_id: 4
            })
        );
        let second = plan_reconciliation(&records, &input(4, cursor));
        assert_eq!(ids(&second), [5, 6, 7, 8]);
        let third = plan_reconciliation(&records, &input(4, second.next_cursor));
        assert_eq!(ids(&third), [9, 10]);
        assert_eq!(third.next_cursor, None);
        let empty = plan_reconciliation(&records, &input(0, cursor));
        assert!(empty.targets.is_empty());
        assert_eq!(empty.next_cursor, cursor);
    }

    #[test]
    fn an_exactly_spent_budget_at_the_end_completes_the_pass() {
        let records: Vec<SyncRecord> = (1..=3)
            .map(|id| record(id, None, "2024-01-01T00:00:00Z"))
            .collect();
        let plan = plan_reconciliation(&records, &input(3, None));
        assert_eq!(ids(&plan), [1, 2, 3]);
        assert_eq!(plan.next_cursor, None);
    }

    proptest! {
        /// Following cursors from the start visits every eligible record exactly once, in
        /// order, whatever the budget and the input order.
        #[test]
        fn cursors_cover_every_eligible_record_once(
            specs in proptest::collection::vec((1u64..200, 0usize..4, any::<bool>()), 0..60),
            budget in 1usize..7,
        ) {
            let statuses = [None, Some(ContractStatus::Sign), Some(ContractStatus::Executed), Some(ContractStatus::Draft)];
            let records: Vec<SyncRecord> = specs
                .iter()
                .map(|(id, s, stale)| record(*id, statuses[*s], if *stale { "2024-01-01T00:00:00Z" } else { "2024-06-01T11:59:00Z" }))
                .collect();
            let everything = plan_reconciliation(&records, &input(usize::MAX, None));
            let mut visited = Vec::new();
            let mut cursor = None;
            for _ in 0..records.len() + 2 {
                let plan = plan_reconciliation(&records, &input(budget, cursor));
                prop_assert!(plan.targets.len() <= budget);
                visited.extend(ids(&plan));
                cursor = plan.next_cursor;
                if cursor.is_none() { break; }
            }
            prop_assert_eq!(cursor, None);
            prop_assert_eq!(visited, ids(&everything));
        }
    }

    fn target(id: u64) -> PollTarget {
        PollTarget {
            contract_id: id,
            composite_id: None,
            external_id: None,
        }
    }

    #[test]
    fn the_cursor_resumes_after_the_done_prefix() {
        let targets = [target(3), target(5), target(9)];
        let start = Some(ReconcileCursor {
            after_contract_id: 1,
        });
        let end = Some(ReconcileCursor {
            after_contract_id: 9,
        });
        let at = |id| {
            Some(ReconcileCursor {
                after_contract_id: id,
            })
        };
        assert_eq!(
            resume_cursor(&targets, &[true, true, true], end, start),
            end
        );
        assert_eq!(
            resume_cursor(&targets, &[true, false, true], end, start),
            at(3)
        );
        assert_eq!(
            resume_cursor(&targets, &[false, true, true], end, start),
            start
        );
        assert_eq!(resume_cursor(&[], &[], None, start), None);
    }

    #[test]
    fn the_most_informed_copy_of_a_contract_is_kept() {
        let old = record(4, Some(ContractStatus::Draft), "2024-06-01T00:00:00Z");
        let newer =
            apply_status_observation(&old, ContractStatus::Sign, ts("2024-06-01T05:00:00Z")).record;
        let other = record(2, None, "2024-06-01T00:00:00Z");
        let kept = most_informed_per_contract(vec![old.clone(), other.clone(), newer.clone(), old]);
        assert_eq!(kept, vec![other, newer]);
    }
}
