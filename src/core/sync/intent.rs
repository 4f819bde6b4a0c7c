//! Create intents: what the sync engine writes to its store before it sends a create, so a
//! process that dies before learning the outcome does not make a second contract when it
//! starts again.
//!
//! An intent lives on a placeholder [`SyncRecord`] stored under `external:<id>` only, with
//! `contractId` 0 (no contract is known yet) and `createIntent` set. When the contract is
//! known (the create answered, a lookup found it, `track` or a webhook named it), the
//! contract's own record replaces the placeholder under `external:<id>`, which closes the
//! intent.
//!
//! [`after_intent_lookup`] decides what to do with an open intent after a lookup by
//! `external_metadata.id`, through the same settle rule as the client
//! ([`crate::core::settle`]). An intent whose outcome was never learned is treated like a
//! create that timed out at its last attempt: the request may have run for one timeout on
//! the server, the client would have waited one more timeout, then settled over the window.
//! So a "not found" is proof only at a lookup made at or after
//! `lastAttemptAt + 2 × timeoutMs + createSettleMs` ([`intent_deadline_ms`]).
//!
//! What it does not do: IO, clocks (times are arguments), or coordinate several processes
//! creating for one external id at once (each engine only serialises its own creates). It
//! cannot prove absence either: a lookup lagging behind the write by longer than the window
//! still ends in a second create, as in the client.

use super::record::SyncRecord;
use crate::core::settle::{SettlePolicy, SettleStep};
use crate::core::webhook::Timestamp;
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Where a create intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IntentState {
    /// A create was (or may have been) sent and its outcome is not known: it is resolved by
    /// lookup before any new create for this external id.
    Open,
    /// Known not to have made a contract: SpotDraft refused the create, or the lookups found
    /// nothing over the settle window. The next create is sent without a lookup.
    NotCreated,
}

/// A create the engine started for one external id and has not seen the contract of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CreateIntent {
    /// Where it stands.
    pub state: IntentState,
    /// When the first create for this external id was about to be sent (engine clock).
    pub first_attempt_at: Timestamp,
    /// When the latest create was about to be sent (engine clock); the settle deadline
    /// counts from here.
    pub last_attempt_at: Timestamp,
    /// Create requests about to be sent so far, over every process that worked on it.
    pub attempts: u32,
}

/// What to do with an open intent after a lookup.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum IntentStep {
    /// The contract exists: track it, which closes the intent. Nothing is created.
    Close,
    /// Look up again after `delay_ms`: the create may still commit or become visible.
    LookAgain {
        /// Wait before the next lookup.
        delay_ms: f64,
    },
    /// "Not found" held up to the deadline: the create may be sent again.
    CreateAgain,
}

/// The time (Unix ms) from which a "not found" proves that the intent's last create made
/// no contract: `last_attempt_at + 2 × timeout_ms + window_ms` (see the module docs).
pub(crate) fn intent_deadline_ms(intent: &CreateIntent, timeout_ms: u32, window_ms: u32) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let last = intent.last_attempt_at.unix_millis() as f64;
    last + 2.0 * f64::from(timeout_ms) + f64::from(window_ms)
}

/// Decides after lookup number `lookups` (1 for the first) of an open intent, made at
/// `now_ms` (Unix ms, the engine clock), found the contract or not. The re-look delays are
/// the client's settle backoff; the last one is cut so the final lookup is made exactly at
/// the deadline, never after it. `random` is uniform in `[0, 1)`.
///
/// Does not look at the intent's state (the caller only asks about open intents) and does
/// not decide what a failed lookup means (the intent stays open).
pub(crate) fn after_intent_lookup(
    found: bool,
    lookups: u32,
    now_ms: f64,
    deadline_ms: f64,
    random: f64,
) -> IntentStep {
    if found {
        return IntentStep::Close;
    }
    let left = SettlePolicy {
        window_ms: (deadline_ms - now_ms).max(0.0),
    };
    match left.after_not_found(lookups, 0.0, random) {
        SettleStep::Settled => IntentStep::CreateAgain,
        SettleStep::LookAgain { delay_ms } => IntentStep::LookAgain { delay_ms },
    }
}

/// The intent to store before a create is sent at `now`: a new one (attempt 1), or
/// `previous` with one more attempt, reopened. `first_attempt_at` is kept.
pub(crate) fn next_attempt(previous: Option<&CreateIntent>, now: Timestamp) -> CreateIntent {
    CreateIntent {
        state: IntentState::Open,
        first_attempt_at: previous.map_or(now, |p| p.first_attempt_at.min(now)),
        last_attempt_at: now,
        attempts: previous.map_or(1, |p| p.attempts.saturating_add(1)),
    }
}

/// The placeholder record holding `intent` for `external_id` (contract id 0, stored under
/// `external:<id>` only, see [`super::record_keys`]).
pub(crate) fn intent_record(external_id: &str, intent: CreateIntent) -> SyncRecord {
    let mut record = SyncRecord::new(0, None, Some(external_id.to_owned()), None);
    record.create_intent = Some(intent);
    record
}

/// The open intent a stored record holds, if any.
pub(crate) fn open_intent(record: &SyncRecord) -> Option<&CreateIntent> {
    record
        .create_intent
        .as_ref()
        .filter(|intent| intent.state == IntentState::Open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sync::record_keys;

    const T0: i64 = 1_717_243_200_000; // 2024-06-01T12:00:00Z

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms).unwrap()
    }

    fn intent(last_ms: i64) -> CreateIntent {
        CreateIntent {
            state: IntentState::Open,
            first_attempt_at: at(T0),
            last_attempt_at: at(last_ms),
            attempts: 1,
        }
    }

    /// Resolves an open intent on a fake clock starting `start_after_ms` after its last
    /// attempt, against a lookup that sees the contract from `visible_after_ms` after the
    /// last attempt on (`None`: never). Returns the step that ended it and the lookup times,
    /// relative to the last attempt.
    fn resolve(
        timeout_ms: u32,
        window_ms: u32,
        start_after_ms: f64,
        visible_after_ms: Option<f64>,
        random: f64,
    ) -> (IntentStep, Vec<f64>) {
        let intent = intent(T0);
        #[allow(clippy::cast_precision_loss)]
        let base = T0 as f64;
        let deadline = intent_deadline_ms(&intent, timeout_ms, window_ms);
        let mut now = base + start_after_ms;
        let mut times = Vec::new();
        for lookups in 1.. {
            times.push(now - base);
            let found = visible_after_ms.is_some_and(|v| now - base >= v);
            match after_intent_lookup(found, lookups, now, deadline, random) {
                IntentStep::LookAgain { delay_ms } => {
                    assert!(delay_ms > 0.0);
                    now += delay_ms;
                }
                end => return (end, times),
            }
        }
        unreachable!()
    }

    #[test]
    fn the_deadline_is_two_timeouts_and_the_window_after_the_last_attempt() {
        let intent = intent(T0 + 7_000);
        #[allow(clippy::cast_precision_loss)]
        let expected = (T0 + 7_000) as f64 + 2_000.0 + 5_000.0;
        assert_eq!(intent_deadline_ms(&intent, 1_000, 5_000), expected);
    }

    #[test]
    fn a_contract_found_at_once_closes_without_waiting() {
        let (end, times) = resolve(1_000, 5_000, 10.0, Some(0.0), 0.5);
        assert_eq!(end, IntentStep::Close);
        assert_eq!(times, [10.0]);
    }

    #[test]
    fn a_contract_turning_visible_at_each_point_of_the_window_is_found() {
        // Deadline: 2 × 1 s + 5 s = 7 s after the last attempt.
        for visible in [
            1.0, 250.0, 1_999.0, 2_000.0, 3_500.0, 6_000.0, 6_999.0, 7_000.0,
        ] {
            for random in [0.0, 0.5, 0.999] {
                let (end, times) = resolve(1_000, 5_000, 0.0, Some(visible), random);
                assert_eq!(end, IntentStep::Close, "visible at {visible}: {times:?}");
                let last = *times.last().unwrap();
                assert!(last >= visible && last <= 7_000.0, "{visible}: {times:?}");
                // Found by the first lookup at or after it turned visible.
                assert!(times[..times.len() - 1].iter().all(|t| *t < visible));
            }
        }
    }

    #[test]
    fn a_contract_turning_visible_after_the_deadline_is_created_again_after_a_final_lookup_at_it() {
        for random in [0.0, 0.5, 0.999] {
            let (end, times) = resolve(1_000, 5_000, 0.0, Some(7_001.0), random);
            assert_eq!(end, IntentStep::CreateAgain);
            assert_eq!(*times.last().unwrap(), 7_000.0, "{times:?}");
            assert!(times.iter().all(|t| *t <= 7_000.0));
        }
        assert_eq!(
            resolve(1_000, 5_000, 0.0, None, 0.5).0,
            IntentStep::CreateAgain
        );
    }

    #[test]
    fn an_intent_older_than_the_deadline_takes_one_lookup_then_creates_again() {
        let (end, times) = resolve(1_000, 5_000, 60_000.0, None, 0.5);
        assert_eq!(end, IntentStep::CreateAgain);
        assert_eq!(times.len(), 1);
        // Exactly at the deadline counts as past it.
        let (end, times) = resolve(1_000, 5_000, 7_000.0, None, 0.5);
        assert_eq!((end, times.len()), (IntentStep::CreateAgain, 1));
        // A moment before: one more look, at the deadline.
        let (end, times) = resolve(1_000, 5_000, 6_990.0, None, 0.5);
        assert_eq!(end, IntentStep::CreateAgain);
        assert_eq!(times, [6_990.0, 7_000.0]);
    }

    #[test]
    fn the_re_looks_follow_the_client_backoff_from_the_first_lookup() {
        let (_, times) = resolve(30_000, 5_000, 0.0, None, 0.999_999);
        let gaps: Vec<f64> = times.windows(2).map(|w| (w[1] - w[0]).round()).collect();
        assert_eq!(gaps[..5], [250.0, 500.0, 1_000.0, 2_000.0, 2_000.0]);
    }

    #[test]
    fn next_attempt_counts_attempts_keeps_the_first_time_and_reopens() {
        let first = next_attempt(None, at(T0));
        assert_eq!((first.attempts, first.state), (1, IntentState::Open));
        let settled = CreateIntent {
            state: IntentState::NotCreated,
            ..first
        };
        let second = next_attempt(Some(&settled), at(T0 + 9_000));
        assert_eq!(second.attempts, 2);
        assert_eq!(second.state, IntentState::Open);
        assert_eq!(second.first_attempt_at, at(T0));
        assert_eq!(second.last_attempt_at, at(T0 + 9_000));
    }

    #[test]
    fn a_placeholder_is_stored_under_its_external_id_only_and_round_trips() {
        let record = intent_record("deal-1", next_attempt(None, at(T0)));
        assert_eq!(record.contract_id, 0);
        assert_eq!(record_keys(&record).len(), 1);
        assert_eq!(record_keys(&record)[0].storage_key(), "external:deal-1");
        let value = serde_json::to_value(&record).unwrap();
        assert_eq!(value["createIntent"]["state"], "OPEN");
        assert_eq!(value["createIntent"]["attempts"], 1);
        let back: SyncRecord = serde_json::from_value(value).unwrap();
        assert_eq!(open_intent(&back), record.create_intent.as_ref());
        let closed = SyncRecord {
            create_intent: Some(CreateIntent {
                state: IntentState::NotCreated,
                ..record.create_intent.unwrap()
            }),
            ..record
        };
        assert!(open_intent(&closed).is_none());
    }
}
