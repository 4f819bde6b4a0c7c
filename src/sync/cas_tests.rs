//! Compare-and-set against a store where a rival writer (another process) slips in between
//! the engine's read and its write.

use super::tests::{ctx, event_for, test_client, FakeClock};
use super::*;
use crate::core::status::ContractStatus;
use crate::core::sync::{apply_event, merge_tracked, record_for_event, SyncRecord};
use crate::core::webhook::{Timestamp, WebhookEvent};
use crate::error::{ErrorCode, Result};
use crate::transport::mock::{block_on, MockTransport};
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

const CONTRACT: u64 = 19589;

/// What the rival writes under a key, given what is there (`None`: it writes nothing).
type Rival = Box<dyn Fn(&str, Option<&SyncRecord>) -> Option<SyncRecord>>;

/// A versioned in-memory store: each key's version counts its writes. While `slips` > 0,
/// each `put_if_version` first lets the rival write that key (as another process would,
/// between the engine's read and its write).
#[derive(Default)]
struct RivalStore {
    rows: RefCell<BTreeMap<String, (SyncRecord, u64)>>,
    rival: RefCell<Option<Rival>>,
    slips: Cell<u32>,
    cas_calls: Cell<u32>,
}

impl RivalStore {
    fn write(&self, key: &str, record: SyncRecord) {
        let mut rows = self.rows.borrow_mut();
        let version = rows.get(key).map_or(0, |(_, v)| *v) + 1;
        rows.insert(key.to_owned(), (record, version));
    }

    fn peek(&self, key: &str) -> Option<SyncRecord> {
        self.rows.borrow().get(key).map(|(r, _)| r.clone())
    }

    fn rival(&self, slips: u32, rival: Rival) {
        self.slips.set(slips);
        *self.rival.borrow_mut() = Some(rival);
    }
}

impl Store for RivalStore {
    async fn get(&self, key: &str) -> Result<Option<SyncRecord>> {
        Ok(self.peek(key))
    }

    async fn put(&self, key: &str, record: &SyncRecord) -> Result<()> {
        self.write(key, record.clone());
        Ok(())
    }

    async fn list(&self) -> Result<Listing> {
        Ok(Listing {
            records: self
                .rows
                .borrow()
                .values()
                .map(|(r, _)| r.clone())
                .collect(),
            invalid: 0,
        })
    }

    fn versioned(&self) -> bool {
        true
    }

    async fn get_versioned(&self, key: &str) -> Result<Option<(SyncRecord, Version)>> {
        Ok(self
            .rows
            .borrow()
            .get(key)
            .map(|(r, v)| (r.clone(), Version(json!(v)))))
    }

    async fn put_if_version(
        &self,
        key: &str,
        record: &SyncRecord,
        expected: Option<&Version>,
    ) -> Result<bool> {
        self.cas_calls.set(self.cas_calls.get() + 1);
        if self.slips.get() > 0 {
            self.slips.set(self.slips.get() - 1);
            let written = self
                .rival
                .borrow()
                .as_ref()
                .and_then(|rival| rival(key, self.peek(key).as_ref()));
            if let Some(written) = written {
                self.write(key, written);
            }
        }
        let current = self.rows.borrow().get(key).map(|(_, v)| Version(json!(v)));
        if current.as_ref() != expected {
            return Ok(false);
        }
        self.write(key, record.clone());
        Ok(true)
    }
}

type Engine = SyncEngine<MockTransport, RivalStore, FakeClock>;

fn engine() -> Engine {
    let clock = FakeClock::at("2024-06-01T12:00:00Z");
    SyncEngine::new(test_client(), RivalStore::default(), clock, None)
}

fn event(activity: &str, status: &str, at: &str) -> WebhookEvent {
    event_for(CONTRACT, activity, Some(status), at)
}

/// The rival applies `event` to whatever the contract row holds.
fn applies(event: WebhookEvent) -> Rival {
    Box::new(move |key, current| {
        (key == "contract:19589").then(|| {
            let base = current.cloned().unwrap_or_else(|| record_for_event(&event));
            apply_event(&base, &event).unwrap().record
        })
    })
}

#[test]
fn a_rival_write_between_read_and_write_is_merged_again_and_no_update_is_lost() {
    let engine = engine();
    let ours = event(
        "CONTRACT_SENT_TO_COUNTERPARTY",
        "REDLINING",
        "2024-06-01T09:00:00Z",
    );
    let theirs = event(
        "CONTRACT_SIGNATURE_REQUESTED",
        "SIGN",
        "2024-06-01T09:30:00Z",
    );
    engine.store().rival(1, applies(theirs.clone()));
    let result = block_on(engine.handle_event(&ours, false, &ctx())).unwrap();
    // Read, lost to the rival, read again, won.
    assert_eq!(engine.store().cas_calls.get(), 2);
    let stored = engine.store().peek("contract:19589").unwrap();
    assert_eq!(stored.status, Some(ContractStatus::Sign), "no regress");
    assert_eq!(stored.applied_event_keys.len(), 2, "both events are in it");
    assert_eq!(result.record, stored);
    // The same as applying both events one after the other.
    let folded = apply_event(&record_for_event(&ours), &theirs)
        .unwrap()
        .record;
    assert_eq!(stored, apply_event(&folded, &ours).unwrap().record);
    assert_eq!(engine.store().peek("external:deal-19589"), Some(stored));
}

#[test]
fn track_redoes_its_merge_over_a_rival_track() {
    let engine = engine();
    let earlier = Timestamp::parse("2024-06-01T08:00:00Z").unwrap();
    let theirs = merge_tracked(None, CONTRACT, None, Some("deal-9".into()), earlier).unwrap();
    let rival = theirs.clone();
    engine.store().rival(
        1,
        Box::new(move |key, _| (key == "contract:19589").then(|| rival.clone())),
    );
    let tracked = block_on(engine.track(CONTRACT, Some("T-19589"), None)).unwrap();
    assert_eq!(engine.store().cas_calls.get(), 2);
    // Their external id and tracking time, our composite id.
    assert_eq!(tracked.external_id.as_deref(), Some("deal-9"));
    assert_eq!(tracked.tracked_since, theirs.tracked_since);
    assert_eq!(
        tracked.composite_id.as_ref().map(|id| id.as_str()),
        Some("T-19589")
    );
    assert_eq!(engine.store().peek("contract:19589"), Some(tracked.clone()));
    assert_eq!(engine.store().peek("external:deal-9"), Some(tracked));
}

#[test]
fn a_follow_up_result_is_applied_over_a_rival_webhook() {
    let engine = engine();
    block_on(engine.track(CONTRACT, Some("T-19589"), None)).unwrap();
    let theirs = event("CONTRACT_EXECUTED", "EXECUTED", "2024-06-01T10:00:00Z");
    engine.store().rival(1, applies(theirs));
    engine
        .client()
        .transport()
        .respond(200, r#"{"contract_status": "SIGN"}"#);
    let result = block_on(engine.reconcile(
        ReconcileSettings {
            stale_after_ms: 0,
            ..ReconcileSettings::default()
        },
        &|_| {},
        &ctx(),
    ))
    .unwrap();
    assert_eq!((result.polled, result.failed), (1, 0));
    let stored = engine.store().peek("contract:19589").unwrap();
    // The rival's EXECUTED survives the older SIGN the poll saw, and its event key too.
    assert_eq!(stored.status, Some(ContractStatus::Executed));
    assert_eq!(stored.applied_event_keys.len(), 1);
    assert!(
        stored.status_observed_at.is_some(),
        "the poll is noted on top"
    );
}

#[test]
fn endless_contention_fails_with_a_store_error_after_bounded_attempts_and_writes_nothing() {
    let engine = engine();
    let mut n = 0u32;
    let rival_events: Vec<_> = (0..CAS_ATTEMPTS)
        .map(|i| {
            n += 1;
            event(
                "CONTRACT_CREATED",
                "DRAFT",
                &format!("2024-06-01T0{}:00:00Z", i % 10),
            )
        })
        .collect();
    let next = Cell::new(0usize);
    engine.store().rival(
        u32::MAX,
        Box::new(move |key, current| {
            let e = &rival_events[next.get() % rival_events.len()];
            next.set(next.get() + 1);
            let base = current.cloned().unwrap_or_else(|| record_for_event(e));
            (key == "contract:19589").then(|| {
                let mut record = apply_event(&base, e).unwrap().record;
                // Every rival write differs, as another process's would.
                record.contract_title = Some(format!("rival {}", next.get()));
                record
            })
        }),
    );
    let start = engine.client().transport().clock_ms();
    let ours = event("CONTRACT_EXECUTED", "EXECUTED", "2024-06-01T10:00:00Z");
    let error = block_on(engine.handle_event(&ours, false, &ctx())).unwrap_err();
    assert_eq!(error.code, ErrorCode::StoreError);
    assert!(error.message.contains("contention"), "{}", error.message);
    assert_eq!(engine.store().cas_calls.get(), CAS_ATTEMPTS);
    let stored = engine.store().peek("contract:19589").unwrap();
    assert_ne!(
        stored.status,
        Some(ContractStatus::Executed),
        "ours never won"
    );
    assert_eq!(
        engine.store().peek("external:deal-19589"),
        None,
        "nothing half-written under the other key"
    );
    let waited = engine.client().transport().clock_ms() - start;
    assert!(waited > 0.0, "backed off between attempts, no busy spin");
    assert_eq!(n, CAS_ATTEMPTS);
}

#[test]
fn a_create_intent_never_hides_a_contract_another_engine_tracked() {
    let engine = engine();
    let now = Timestamp::parse("2024-06-01T11:00:00Z").unwrap();
    let tracked = merge_tracked(None, 77, None, Some("deal-1".into()), now).unwrap();
    let copy = tracked.clone();
    // The other engine tracks contract 77 for deal-1 just before our intent is written.
    engine.store().rival(
        1,
        Box::new(move |key, _| (key == "external:deal-1").then(|| copy.clone())),
    );
    let body = json!({"contract_template_id": 1204, "contract_data": {},
                      "counter_party_details": [], "external_metadata": {"id": "deal-1"}});
    let error = block_on(engine.create_contract(body, false, &ctx())).unwrap_err();
    assert_eq!(error.code, ErrorCode::Conflict, "{}", error.message);
    assert!(
        engine.client().transport().sent().is_empty(),
        "nothing sent"
    );
    assert_eq!(engine.store().peek("external:deal-1"), Some(tracked));
}
