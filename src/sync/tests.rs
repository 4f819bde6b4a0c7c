//! The engine driven deterministically: `MockTransport` answers, a fake clock, an in-memory
//! store (optionally yielding before each operation, so concurrent calls interleave).

use super::*;
use crate::api::contracts::download_link::DownloadFormat;
use crate::client::{CallContext, Client};
use crate::core::config::{ClientConfig, ClientConfigInput, Runtime};
use crate::core::status::ContractStatus;
use crate::core::sync::{Disposition, RecordKey, SyncActionKind, SyncRecord};
use crate::core::webhook::WebhookEvent;
use crate::error::{Error, ErrorCode, Result};
use crate::transport::mock::{block_on, MockTransport};
use proptest::prelude::*;
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

const CONTRACT: u64 = 19589;

#[derive(Clone, Default)]
pub(super) struct FakeClock(Rc<Cell<f64>>);

impl FakeClock {
    pub(super) fn at(text: &str) -> Self {
        let clock = Self::default();
        clock.set(text);
        clock
    }

    pub(super) fn set(&self, text: &str) {
        let ts = crate::core::webhook::Timestamp::parse(text).unwrap();
        #[allow(clippy::cast_precision_loss)]
        self.0.set(ts.unix_millis() as f64);
    }
}

impl Clock for FakeClock {
    fn now_unix_ms(&self) -> f64 {
        self.0.get()
    }
}

/// Returns `Pending` once (waking itself), so that a future awaiting it gives way.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// An in-memory store that yields before every operation, like a real database.
#[derive(Default)]
struct SlowStore {
    inner: MemoryRecords,
    fail_puts: Cell<bool>,
    /// The next put to a key starting with this fails (once).
    fail_next_put_to: RefCell<Option<&'static str>>,
}

impl Store for SlowStore {
    async fn get(&self, key: &str) -> Result<Option<SyncRecord>> {
        YieldOnce(false).await;
        self.inner.get(key).await
    }

    async fn put(&self, key: &str, record: &SyncRecord) -> Result<()> {
        YieldOnce(false).await;
        let fail_once = self
            .fail_next_put_to
            .borrow()
            .is_some_and(|prefix| key.starts_with(prefix));
        if fail_once {
            self.fail_next_put_to.replace(None);
        }
        if self.fail_puts.get() || fail_once {
            return Err(Error::new(ErrorCode::StoreError, "disk full"));
        }
        self.inner.put(key, record).await
    }

    async fn list(&self) -> Result<Listing> {
        YieldOnce(false).await;
        self.inner.list().await
    }
}

type TestEngine = SyncEngine<MockTransport, SlowStore, FakeClock>;

/// A client over a fresh `MockTransport`, no retries, loopback credentials.
pub(super) fn test_client() -> Rc<Client<MockTransport>> {
    let config = ClientConfig::new(
        ClientConfigInput {
            max_retries: Some(0.0),
            ..ClientConfigInput::for_tests()
        },
        Runtime::Server,
        false,
    )
    .unwrap();
    Rc::new(Client::new(config, MockTransport::new()))
}

fn engine(fields: Option<Vec<String>>) -> (TestEngine, FakeClock) {
    let clock = FakeClock::at("2024-06-01T12:00:00Z");
    let client = test_client();
    (
        SyncEngine::new(client, SlowStore::default(), clock.clone(), fields),
        clock,
    )
}

pub(super) fn ctx() -> CallContext<()> {
    CallContext::new(())
}

fn event(activity: &str, status: Option<&str>, at: &str) -> WebhookEvent {
    event_for(CONTRACT, activity, status, at)
}

pub(super) fn event_for(
    contract_id: u64,
    activity: &str,
    status: Option<&str>,
    at: &str,
) -> WebhookEvent {
    let mut value = json!({
        "activity": activity,
        "contract_id": contract_id,
        "contract_kind": "TEMPLATE_CONTRACT",
        "contract_title": "Acme MSA",
        "activity_data": {"timestamp": at},
        "external_metadata": {"id": format!("deal-{contract_id}")}
    });
    if let Some(status) = status {
        value["contract_status"] = json!(status);
    }
    serde_json::from_value(value).unwrap()
}

fn stored(engine: &TestEngine, id: u64) -> SyncRecord {
    engine
        .store()
        .inner
        .peek(&format!("contract:{id}"))
        .unwrap()
}

const KEY_POINTERS: &str = r#"{"items": [{"id": 1, "value": "Acme", "field_name": "customer_name"}, {"id": 2, "value": "EUR", "field_name": "billing_currency"}]}"#;

fn link_body(version: u64) -> String {
    json!({
        "url": "https://files.example.com/__files/nda.pdf?X-Goog-Signature=abc",
        "file_name": "Standard NDA.pdf",
        "current_version_id": version
    })
    .to_string()
}

#[test]
fn an_executed_event_is_stored_then_key_pointers_and_the_file_are_noted() {
    let (engine, _) = engine(Some(vec!["customer_name".into()]));
    let transport = engine.client().transport();
    transport
        .respond(200, KEY_POINTERS)
        .respond(200, &link_body(3));
    let executed = event(
        "CONTRACT_EXECUTED",
        Some("EXECUTED"),
        "2024-06-01T10:00:00Z",
    );
    let result = block_on(engine.handle_event(&executed, true, &ctx())).unwrap();
    assert_eq!(result.disposition, Disposition::Applied);
    assert!(result.changed);
    let kinds: Vec<_> = result
        .action_results
        .iter()
        .map(|r| (r.kind, r.outcome))
        .collect();
    assert_eq!(
        kinds,
        [
            (SyncActionKind::FetchKeyPointers, SyncActionOutcome::Done),
            (SyncActionKind::FetchDocument, SyncActionOutcome::Done),
        ]
    );
    let record = stored(&engine, CONTRACT);
    assert_eq!(record, result.record);
    assert_eq!(record.status, Some(ContractStatus::Executed));
    assert_eq!(
        record.key_pointers.keys().collect::<Vec<_>>(),
        ["customer_name"]
    );
    assert_eq!(
        record.key_pointers_fetched_at.unwrap().to_string(),
        "2024-06-01T12:00:00.000000Z"
    );
    let document = record.document.as_ref().unwrap();
    assert_eq!(
        (document.file_name.as_str(), document.version_id),
        ("Standard NDA.pdf", Some(3))
    );
    assert!(
        record.needs_attention.is_empty(),
        "{:?}",
        record.needs_attention
    );
    // Stored under both keys; never the signed URL.
    assert_eq!(
        engine.store().inner.peek("external:deal-19589"),
        Some(record)
    );
    let puts = format!("{:?}", engine.store().inner.puts());
    assert!(!puts.contains("X-Goog-Signature") && !puts.contains("files.example.com"));
    let paths: Vec<_> = transport.sent().iter().map(|r| r.url.clone()).collect();
    assert_eq!(
        paths,
        [
            "http://127.0.0.1:4010/api/v2.1/public/contracts/T-19589/key_pointers",
            "http://127.0.0.1:4010/api/v2.1/public/contracts/T-19589/download_link",
        ]
    );

    // The same delivery again: nothing stored, nothing sent.
    let puts_before = engine.store().inner.puts().len();
    let again = block_on(engine.handle_event(&executed, true, &ctx())).unwrap();
    assert_eq!(again.disposition, Disposition::Duplicate);
    assert!(!again.changed && again.action_results.is_empty());
    assert_eq!(engine.store().inner.puts().len(), puts_before);
    assert_eq!(transport.sent().len(), 2);
}

#[test]
fn late_events_never_move_the_status_back_and_report_what_they_are() {
    let (engine, _) = engine(None);
    let executed = event(
        "CONTRACT_EXECUTED",
        Some("EXECUTED"),
        "2024-06-01T10:00:00Z",
    );
    block_on(engine.handle_event(&executed, false, &ctx())).unwrap();
    let late = event(
        "CONTRACT_SENT_TO_COUNTERPARTY",
        Some("REDLINING"),
        "2024-06-01T09:00:00Z",
    );
    let result = block_on(engine.handle_event(&late, false, &ctx())).unwrap();
    assert_eq!(result.disposition, Disposition::OutOfOrder);
    assert_eq!(result.record.status, Some(ContractStatus::Executed));
    assert_eq!(
        stored(&engine, CONTRACT).status,
        Some(ContractStatus::Executed)
    );
    let again = block_on(engine.handle_event(&late, false, &ctx())).unwrap();
    assert_eq!(again.disposition, Disposition::Duplicate);
}

#[test]
fn a_failed_action_is_reported_and_stays_pending_for_run_pending_actions() {
    let (engine, _) = engine(None);
    let transport = engine.client().transport();
    transport
        .respond(500, r#"{"detail":"boom"}"#)
        .respond(200, &link_body(1));
    let executed = event(
        "CONTRACT_EXECUTED",
        Some("EXECUTED"),
        "2024-06-01T10:00:00Z",
    );
    let result = block_on(engine.handle_event(&executed, true, &ctx())).unwrap();
    let outcomes: Vec<_> = result.action_results.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [SyncActionOutcome::Failed, SyncActionOutcome::Done]
    );
    let failure = result.action_results[0].error.as_ref().unwrap();
    assert_eq!(
        (failure.contract_id, failure.status),
        (Some(CONTRACT), Some(500))
    );

    transport.respond(200, KEY_POINTERS);
    let pending =
        block_on(engine.run_pending_actions(&RecordKey::ContractId(CONTRACT), &ctx())).unwrap();
    let kinds: Vec<_> = pending.actions.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [SyncActionKind::FetchKeyPointers]);
    assert_eq!(pending.action_results[0].outcome, SyncActionOutcome::Done);
    assert!(pending.record.needs_attention.is_empty());
    let missing = block_on(engine.run_pending_actions(&RecordKey::ContractId(7), &ctx()));
    assert_eq!(missing.unwrap_err().code, ErrorCode::NotFound);
}

#[test]
fn a_store_failure_fails_the_delivery() {
    let (engine, _) = engine(None);
    engine.store().fail_puts.set(true);
    let executed = event(
        "CONTRACT_EXECUTED",
        Some("EXECUTED"),
        "2024-06-01T10:00:00Z",
    );
    let error = block_on(engine.handle_event(&executed, true, &ctx())).unwrap_err();
    assert_eq!(error.code, ErrorCode::StoreError);
    assert!(engine.client().transport().sent().is_empty());
}

#[test]
fn a_redelivery_after_a_half_written_save_writes_the_missing_copy() {
    let (engine, _) = engine(None);
    let executed = event(
        "CONTRACT_EXECUTED",
        Some("EXECUTED"),
        "2024-06-01T10:00:00Z",
    );
    // The contract row is written, its `external:` copy is not: the delivery fails.
    engine.store().fail_next_put_to.replace(Some("external:"));
    let error = block_on(engine.handle_event(&executed, false, &ctx())).unwrap_err();
    assert_eq!(error.code, ErrorCode::StoreError);
    let external = format!("external:deal-{CONTRACT}");
    assert!(engine.store().inner.peek(&external).is_none());
    // SpotDraft redelivers: the event is already applied (a duplicate), and the copy is written.
    let again = block_on(engine.handle_event(&executed, false, &ctx())).unwrap();
    assert_eq!(again.disposition, Disposition::Duplicate);
    assert_eq!(
        engine.store().inner.peek(&external),
        Some(stored(&engine, CONTRACT))
    );
    // A plain duplicate of a whole save writes nothing.
    let puts = engine.store().inner.puts().len();
    block_on(engine.handle_event(&executed, false, &ctx())).unwrap();
    assert_eq!(engine.store().inner.puts().len(), puts);
}

/// Runs `futures` polled together on one thread (as the wasm executor would).
fn run_together<'a>(futures: Vec<Pin<Box<dyn Future<Output = ()> + 'a>>>) {
    block_on(join::join_all(futures));
}

#[test]
fn concurrent_deliveries_for_one_contract_are_serialised_and_lose_no_update() {
    let (engine, _) = engine(None);
    let first = event(
        "CONTRACT_SENT_TO_COUNTERPARTY",
        Some("REDLINING"),
        "2024-06-01T09:00:00Z",
    );
    let second = event(
        "CONTRACT_SIGNATURE_REQUESTED",
        Some("SIGN"),
        "2024-06-01T09:30:00Z",
    );
    let other = event_for(7, "CONTRACT_CREATED", Some("DRAFT"), "2024-06-01T09:10:00Z");
    let results = RefCell::new(Vec::new());
    let deliver = |e: &WebhookEvent| {
        let engine = &engine;
        let results = &results;
        let e = e.clone();
        Box::pin(async move {
            let r = engine.handle_event(&e, false, &ctx()).await.unwrap();
            results.borrow_mut().push((e.contract_id, r.disposition));
        }) as Pin<Box<dyn Future<Output = ()>>>
    };
    run_together(vec![deliver(&second), deliver(&other), deliver(&first)]);
    assert_eq!(results.borrow().len(), 3);
    let record = stored(&engine, CONTRACT);
    assert_eq!(record.status, Some(ContractStatus::Sign));
    // Both events of the contract are in its record: neither write overwrote the other.
    assert_eq!(
        record.applied_event_keys.len(),
        2,
        "{:?}",
        record.applied_event_keys
    );
    // Puts of one contract do not interleave: each delivery writes both keys in turn, and
    // each later write carries everything the earlier one had.
    let puts: Vec<_> = engine
        .store()
        .inner
        .puts()
        .into_iter()
        .filter(|(_, r)| r.contract_id == CONTRACT)
        .collect();
    assert_eq!(puts.len(), 4);
    assert_eq!(puts[0].1, puts[1].1);
    assert_eq!(puts[2].1, puts[3].1);
    assert_eq!(puts[0].1.applied_event_keys.len(), 1);
    assert!(puts[2]
        .1
        .applied_event_keys
        .contains(&puts[0].1.applied_event_keys[0]));
    assert_eq!(stored(&engine, 7).status, Some(ContractStatus::Draft));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Like the JS chaos test: deliveries duplicated and shuffled, several in flight at once;
    /// every record ends equal to folding its events in order, with the latest status.
    #[test]
    fn shuffled_duplicated_concurrent_deliveries_end_at_the_last_status(
        order in Just((0..24usize).collect::<Vec<_>>()).prop_shuffle(),
        width in 1..6usize,
    ) {
        const STEPS: [(&str, &str); 4] = [
            ("CONTRACT_CREATED", "DRAFT"),
            ("CONTRACT_SENT_TO_COUNTERPARTY", "REDLINING"),
            ("CONTRACT_SIGNATURE_REQUESTED", "SIGN"),
            ("CONTRACT_EXECUTED", "EXECUTED"),
        ];
        // Three contracts, four events each, every delivery twice.
        let events: Vec<WebhookEvent> = (0..24)
            .map(|i| {
                let (contract, step) = ((i / 2) % 3, (i / 2) / 3);
                let (activity, status) = STEPS[step];
                event_for(100 + contract as u64, activity, Some(status), &format!("2024-06-01T0{step}:00:00Z"))
            })
            .collect();
        let (engine, _) = engine(None);
        for chunk in order.chunks(width) {
            let futures = chunk
                .iter()
                .map(|&i| {
                    let engine = &engine;
                    let e = events[i].clone();
                    Box::pin(async move {
                        engine.handle_event(&e, false, &ctx()).await.unwrap();
                    }) as Pin<Box<dyn Future<Output = ()>>>
                })
                .collect();
            run_together(futures);
        }
        for contract in 100..103u64 {
            let record = stored(&engine, contract);
            prop_assert_eq!(record.status, Some(ContractStatus::Executed));
            prop_assert_eq!(record.applied_event_keys.len(), 4);
            let mut folded = crate::core::sync::record_for_event(&events[(contract as usize - 100) * 2]);
            for step in 0..4 {
                let e = &events[(step * 3 + (contract as usize - 100)) * 2];
                folded = crate::core::sync::apply_event(&folded, e).unwrap().record;
            }
            prop_assert_eq!(&record, &folded);
        }
    }
}

fn track(engine: &TestEngine, id: u64) {
    block_on(engine.track(id, Some(&format!("T-{id}")), None)).unwrap();
}

#[test]
fn reconcile_polls_within_the_budget_and_resumes_at_the_cursor() {
    let (engine, clock) = engine(None);
    for id in [3, 5, 9] {
        track(&engine, id);
    }
    clock.set("2024-06-01T14:00:00Z");
    let transport = engine.client().transport();
    transport
        .respond(200, r#"{"contract_status":"SIGN"}"#)
        .respond(404, r#"{"detail":"Not found."}"#);
    let progress = RefCell::new(Vec::new());
    let settings = ReconcileSettings {
        budget: 2,
        concurrency: 2,
        ..ReconcileSettings::default()
    };
    let first =
        block_on(engine.reconcile(settings, &|p| progress.borrow_mut().push(*p), &ctx())).unwrap();
    assert_eq!(
        (first.planned, first.polled, first.changed, first.not_found),
        (2, 2, 1, 1)
    );
    assert_eq!(first.next_cursor.map(|c| c.after_contract_id), Some(5));
    assert!(!first.aborted);
    assert_eq!(progress.borrow().len(), 2);
    assert_eq!(stored(&engine, 3).status, Some(ContractStatus::Sign));

    transport.respond(200, r#"{"contract_status":"EXECUTED"}"#);
    let second = block_on(engine.reconcile(
        ReconcileSettings {
            cursor: first.next_cursor,
            ..settings
        },
        &|_| {},
        &ctx(),
    ))
    .unwrap();
    assert_eq!((second.planned, second.polled), (1, 1));
    assert_eq!(second.next_cursor, None);
    let urls: Vec<_> = transport.sent().iter().map(|r| r.url.clone()).collect();
    assert!(urls[2].ends_with("/contracts/T-9/status"), "{urls:?}");

    // Fresh, settled and not-found records are skipped.
    let third = block_on(engine.reconcile(ReconcileSettings::default(), &|_| {}, &ctx())).unwrap();
    assert_eq!(
        (
            third.planned,
            third.skipped_settled,
            third.skipped_not_found
        ),
        (0, 1, 1)
    );
    assert_eq!(third.skipped_fresh, 1);
}

#[test]
fn an_aborted_reconcile_stops_and_resumes_before_what_it_did_not_poll() {
    let (engine, clock) = engine(None);
    for id in [3, 5, 9] {
        track(&engine, id);
    }
    clock.set("2024-06-01T14:00:00Z");
    let transport = engine.client().transport();
    transport.respond(200, r#"{"contract_status":"SIGN"}"#);
    let settings = ReconcileSettings {
        concurrency: 1,
        ..ReconcileSettings::default()
    };
    let result = block_on(engine.reconcile(settings, &|_| transport.abort(), &ctx())).unwrap();
    assert!(result.aborted);
    assert_eq!((result.planned, result.polled), (3, 1));
    assert_eq!(result.next_cursor.map(|c| c.after_contract_id), Some(3));
    assert_eq!(transport.sent().len(), 1);
}

#[test]
fn a_failed_poll_is_counted_and_listed_and_the_cursor_does_not_skip_it() {
    let (engine, clock) = engine(None);
    for id in [3, 5] {
        track(&engine, id);
    }
    clock.set("2024-06-01T14:00:00Z");
    let transport = engine.client().transport();
    transport.push(Err(Error::new(ErrorCode::Aborted, "cancelled")));
    let settings = ReconcileSettings {
        concurrency: 2,
        ..ReconcileSettings::default()
    };
    let result = block_on(engine.reconcile(settings, &|_| {}, &ctx())).unwrap();
    // Contract 3's request was aborted: the pass stops, and resumes before 3.
    assert!(result.aborted);
    assert_eq!((result.planned, result.polled, result.failed), (2, 0, 0));
    assert_eq!(result.next_cursor, None);

    transport.respond(503, r#"{"detail":"busy"}"#);
    transport.respond(200, r#"{"contract_status":"SIGN"}"#);
    let settings = ReconcileSettings {
        concurrency: 1,
        budget: 1,
        ..ReconcileSettings::default()
    };
    let result = block_on(engine.reconcile(settings, &|_| {}, &ctx())).unwrap();
    assert_eq!((result.planned, result.polled, result.failed), (1, 0, 1));
    assert_eq!(result.errors[0].contract_id, Some(3));
    assert_eq!(result.errors[0].status, Some(503));
    // A failed poll is done for this pass: the cursor moves on past it.
    assert_eq!(result.next_cursor.map(|c| c.after_contract_id), Some(3));
}

#[test]
fn fetch_document_gets_the_bytes_without_credentials_and_keeps_no_link() {
    let (engine, _) = engine(None);
    track(&engine, CONTRACT);
    let transport = engine.client().transport();
    transport
        .respond(200, &link_body(3))
        .respond_bytes(200, b"%PDF-1.7");
    let key = RecordKey::ContractId(CONTRACT);
    let document = block_on(engine.fetch_document(&key, DownloadFormat::Pdf, &ctx())).unwrap();
    assert_eq!(document.bytes, b"%PDF-1.7");
    assert_eq!(document.file_name, "Standard NDA.pdf");
    assert_eq!(document.version_id, Some(3));
    assert_eq!(document.fetched_at, "2024-06-01T12:00:00.000Z");
    assert_eq!(document.record, stored(&engine, CONTRACT));
    let sent = transport.sent();
    assert_eq!(sent.len(), 2);
    assert!(sent[0].headers.iter().any(|(k, _)| k == "client-secret"));
    assert!(sent[1].url.contains("X-Goog-Signature"));
    assert!(
        sent[1].headers.is_empty(),
        "the file host got {:?}",
        sent[1]
    );
    assert!(!format!("{:?}", engine.store().inner.puts()).contains("files.example.com"));

    // storedAt is kept when the same file is fetched again, refused when it is a link.
    let with_copy = block_on(engine.record_stored(&key, "bucket/nda.pdf".into())).unwrap();
    assert_eq!(
        with_copy.document.unwrap().stored_at.as_deref(),
        Some("bucket/nda.pdf")
    );
    let signed = block_on(engine.record_stored(&key, "https://x.example/f?sig=1".into()));
    assert_eq!(signed.unwrap_err().code, ErrorCode::InvalidArgument);
    transport
        .respond(200, &link_body(3))
        .respond_bytes(200, b"%PDF-1.7");
    let again = block_on(engine.fetch_document(&key, DownloadFormat::Pdf, &ctx())).unwrap();
    assert_eq!(
        again.record.document.unwrap().stored_at.as_deref(),
        Some("bucket/nda.pdf")
    );
}

#[test]
fn a_failed_download_names_no_link() {
    let (engine, _) = engine(None);
    track(&engine, CONTRACT);
    let transport = engine.client().transport();
    let key = RecordKey::ContractId(CONTRACT);
    transport
        .respond(200, &link_body(3))
        .respond_bytes(403, b"");
    let expired = block_on(engine.fetch_document(&key, DownloadFormat::Pdf, &ctx())).unwrap_err();
    assert_eq!(
        (expired.code, expired.status),
        (ErrorCode::HttpError, Some(403))
    );
    transport.respond(200, &link_body(3)).fail_bytes(Error::new(
        ErrorCode::Network,
        "failed: https://files.example.com/__files/nda.pdf?X-Goog-Signature=abc unreachable",
    ));
    let network = block_on(engine.fetch_document(&key, DownloadFormat::Pdf, &ctx())).unwrap_err();
    assert_eq!(network.code, ErrorCode::Network);
    assert_eq!(network.message, "failed: <download link> unreachable");
    assert_eq!(stored(&engine, CONTRACT).document, None);
}

#[test]
fn the_composite_id_is_resolved_by_external_id_before_other_actions() {
    let (engine, _) = engine(None);
    block_on(engine.track(CONTRACT, None, Some("deal-1".into()))).unwrap();
    let transport = engine.client().transport();
    transport.respond(
        200,
        r#"[{"id": "H-77", "contract_id": 5}, {"id": "T-19589"}]"#,
    );
    let result =
        block_on(engine.run_pending_actions(&RecordKey::ContractId(CONTRACT), &ctx())).unwrap();
    let kinds: Vec<_> = result
        .action_results
        .iter()
        .map(|r| (r.kind, r.outcome))
        .collect();
    assert_eq!(
        kinds,
        [(SyncActionKind::ResolveCompositeId, SyncActionOutcome::Done)]
    );
    assert_eq!(
        result.record.composite_id.as_ref().unwrap().to_string(),
        "T-19589"
    );
    assert_eq!(result.record, stored(&engine, CONTRACT));
    let sent = transport.sent();
    assert!(
        sent[0]
            .url
            .ends_with("/contracts/by_external_metadata/deal-1"),
        "{:?}",
        sent[0]
    );
    // Nothing is pending any more.
    let again =
        block_on(engine.run_pending_actions(&RecordKey::ContractId(CONTRACT), &ctx())).unwrap();
    assert!(again.actions.is_empty());
}

#[test]
fn track_keeps_an_existing_record_and_refuses_contract_zero() {
    let (engine, clock) = engine(None);
    let first = block_on(engine.track(CONTRACT, None, None)).unwrap();
    clock.set("2024-07-01T00:00:00Z");
    let filled = block_on(engine.track(CONTRACT, Some("T-19589"), Some("deal-1".into()))).unwrap();
    assert_eq!(filled.tracked_since, first.tracked_since);
    assert_eq!(filled, stored(&engine, CONTRACT));
    assert_eq!(
        engine.store().inner.peek("external:deal-1"),
        Some(filled.clone())
    );
    let puts = engine.store().inner.puts().len();
    let same = block_on(engine.track(CONTRACT, Some("T-1"), None)).unwrap();
    assert_eq!(same, filled);
    assert_eq!(engine.store().inner.puts().len(), puts);
    let zero = block_on(engine.track(0, None, None)).unwrap_err();
    assert_eq!(zero.code, ErrorCode::InvalidArgument);
}
