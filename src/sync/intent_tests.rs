//! Create intents across a simulated restart: `MockTransport` answers, a fake wall clock, and
//! one store shared by an engine that "dies" (is dropped after the create was sent) and the
//! engine that starts after it.

use super::*;
use crate::client::{CallContext, Client, CreateOutcome};
use crate::core::config::{ClientConfig, ClientConfigInput, Runtime};
use crate::core::sync::{IntentState, SyncRecord};
use crate::error::{Error, ErrorCode, Result};
use crate::transport::mock::{block_on, MockTransport};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

const T0_MS: f64 = 1_717_243_200_000.0; // 2024-06-01T12:00:00Z
const POST: &str = "Post /contracts/";
const LOOKUP: &str = "Get /contracts/by_external_metadata/deal-1";
const CREATED: &str =
    r#"{"id":"T-5","contract_id":5,"contract_status":"DRAFT","external_metadata":{"id":"deal-1"}}"#;

/// The wall clock: `base` plus the transport's fake clock (which sleeps move), so time moves
/// on during the settle waits and `base` can jump for a restart much later.
struct WallClock {
    base: Rc<Cell<f64>>,
    client: Rc<Client<MockTransport>>,
}

impl Clock for WallClock {
    fn now_unix_ms(&self) -> f64 {
        self.base.get() + self.client.transport().clock_ms()
    }
}

/// One store shared by the engines, logging each put with the number of requests sent by
/// then (of the engine that put it).
#[derive(Default)]
struct Shared {
    records: MemoryRecords,
    /// `(key, state of its createIntent or "RECORD", requests sent before the put)`.
    log: RefCell<Vec<(String, String, usize)>>,
    sent: RefCell<Option<Rc<Client<MockTransport>>>>,
}

#[derive(Clone, Default)]
struct SharedStore(Rc<Shared>);

impl Store for SharedStore {
    async fn get(&self, key: &str) -> Result<Option<SyncRecord>> {
        self.0.records.get(key).await
    }

    async fn put(&self, key: &str, record: &SyncRecord) -> Result<()> {
        let sent = self
            .0
            .sent
            .borrow()
            .as_ref()
            .map_or(0, |c| c.transport().sent().len());
        let what = match &record.create_intent {
            Some(intent) => format!("{:?}", intent.state),
            None => "RECORD".into(),
        };
        self.0.log.borrow_mut().push((key.to_owned(), what, sent));
        self.0.records.put(key, record).await
    }

    async fn list(&self) -> Result<Listing> {
        self.0.records.list().await
    }
}

type Engine = SyncEngine<MockTransport, SharedStore, WallClock>;

/// An engine over `store` whose wall clock starts at `T0 + start_ms`, with `timeoutMs` 1 s
/// and the default 5 s settle window: an intent's deadline is 7 s after its last attempt.
fn engine(store: &SharedStore, start_ms: f64) -> Engine {
    let config = ClientConfig::new(
        ClientConfigInput {
            max_retries: Some(0.0),
            timeout_ms: Some(1_000.0),
            ..ClientConfigInput::for_tests()
        },
        Runtime::Server,
        false,
    )
    .unwrap();
    let client = Rc::new(Client::new(config, MockTransport::new()));
    *store.0.sent.borrow_mut() = Some(Rc::clone(&client));
    let clock = WallClock {
        base: Rc::new(Cell::new(T0_MS + start_ms)),
        client: Rc::clone(&client),
    };
    SyncEngine::new(client, store.clone(), clock, None)
}

fn ctx() -> CallContext<()> {
    CallContext::new(())
}

fn body() -> Value {
    json!({"contract_template_id": 1204, "contract_data": {}, "counter_party_details": [],
           "external_metadata": {"id": "deal-1"}})
}

fn paths(engine: &Engine) -> Vec<String> {
    engine
        .client()
        .transport()
        .sent()
        .iter()
        .map(|r| {
            let path = r
                .url
                .trim_start_matches("http://127.0.0.1:4010/api/v2.1/public");
            format!("{:?} {path}", r.method)
        })
        .collect()
}

fn posts(engine: &Engine) -> usize {
    paths(engine).iter().filter(|p| *p == POST).count()
}

/// The first engine sends the create, the connection resets after SpotDraft committed, and
/// the process dies during the first settle lookup (the call is dropped there).
fn crash_after_the_send(store: &SharedStore) {
    let first = engine(store, 0.0);
    first
        .client()
        .transport()
        .push(Err(Error::new(ErrorCode::Network, "reset after commit")));
    first.client().transport().abort_after_sends(1);
    // Cancelled at the lookup, which reports it as an unknown outcome; the store is left
    // as a killed process leaves it.
    let error = block_on(first.create_contract(body(), false, &ctx())).unwrap_err();
    assert_eq!(error.code, ErrorCode::AmbiguousCreate);
    assert_eq!(paths(&first), [POST]);
    assert_eq!(intent_state(store), Some(IntentState::Open));
    drop(first);
}

fn intent_state(store: &SharedStore) -> Option<IntentState> {
    store
        .0
        .records
        .peek("external:deal-1")
        .and_then(|r| r.create_intent)
        .map(|i| i.state)
}

#[test]
fn the_intent_is_stored_before_the_create_is_sent_and_a_new_engine_resolves_it_without_a_second_create(
) {
    let store = SharedStore::default();
    crash_after_the_send(&store);
    // Put order: the intent (0 requests sent yet), nothing after the send.
    assert_eq!(
        *store.0.log.borrow(),
        [("external:deal-1".to_owned(), "Open".to_owned(), 0)]
    );
    let intent = store
        .0
        .records
        .peek("external:deal-1")
        .unwrap()
        .create_intent
        .unwrap();
    assert_eq!((intent.state, intent.attempts), (IntentState::Open, 1));
    assert!(store.0.records.peek("contract:0").is_none());

    // Restart 200 ms later: the lookup sees the committed contract.
    let second = engine(&store, 200.0);
    second
        .client()
        .transport()
        .respond(200, &format!("[{CREATED}]"));
    let result = block_on(second.create_contract(body(), false, &ctx())).unwrap();
    assert_eq!(result.outcome, CreateOutcome::FoundExisting);
    assert_eq!(result.attempts, 0);
    assert_eq!(result.contract.unwrap().id, "T-5");
    assert_eq!(paths(&second), [LOOKUP], "no second create");
    assert_eq!(result.record.contract_id, 5);
    let by_external = store.0.records.peek("external:deal-1").unwrap();
    assert_eq!(by_external.contract_id, 5, "the placeholder is replaced");
    assert!(by_external.create_intent.is_none());
    assert_eq!(store.0.records.peek("contract:5"), Some(by_external));

    // A third call finds the contract in the store and sends nothing.
    let third = engine(&store, 60_000.0);
    let again = block_on(third.create_contract(body(), false, &ctx())).unwrap();
    assert_eq!(again.outcome, CreateOutcome::FoundExisting);
    assert!(again.contract.is_none());
    assert!(paths(&third).is_empty());
}

#[test]
fn a_lookup_turning_visible_late_within_the_window_is_waited_for() {
    let store = SharedStore::default();
    crash_after_the_send(&store);
    // Restart at once; the lookup lags: three "not found", then found (the mock's jitter is
    // 0.5: re-looks after 187.5, 375, 750 ms), well inside the 7 s deadline.
    let second = engine(&store, 10.0);
    for _ in 0..3 {
        second.client().transport().respond(200, "[]");
    }
    second
        .client()
        .transport()
        .respond(200, &format!("[{CREATED}]"));
    let result = block_on(second.resolve_open_intents(&ctx())).unwrap();
    assert_eq!((result.open, result.found, result.failed), (1, 1, 0));
    assert_eq!(paths(&second), [LOOKUP, LOOKUP, LOOKUP, LOOKUP]);
    assert_eq!(second.client().transport().clock_ms(), 1_312.5);
    assert_eq!(
        store.0.records.peek("external:deal-1").unwrap().contract_id,
        5
    );
    // Nothing open is left: a second pass looks nothing up.
    let again = block_on(second.resolve_open_intents(&ctx())).unwrap();
    assert_eq!(again.open, 0);
    assert_eq!(paths(&second).len(), 4);
}

#[test]
fn a_not_found_up_to_the_deadline_creates_once_after_the_final_lookup() {
    let store = SharedStore::default();
    crash_after_the_send(&store);
    // Restart 3 s after the send: lookups until the deadline (7 s), then one create.
    let second = engine(&store, 3_000.0);
    for _ in 0..20 {
        second.client().transport().respond(200, "[]");
    }
    let result = block_on(second.resolve_open_intents(&ctx())).unwrap();
    assert_eq!((result.not_created, result.found), (1, 0));
    let lookups = paths(&second).len();
    assert!(lookups >= 3, "{:?}", paths(&second));
    assert_eq!(
        second.client().transport().clock_ms(),
        4_000.0,
        "the final lookup is exactly at the deadline"
    );
    assert_eq!(intent_state(&store), Some(IntentState::NotCreated));
    // Marked NOT_CREATED: the next create is sent without a lookup.
    let third = engine(&store, 4_000.0);
    third.client().transport().respond(201, CREATED);
    let created = block_on(third.create_contract(body(), false, &ctx())).unwrap();
    assert_eq!(created.outcome, CreateOutcome::Created);
    assert_eq!(paths(&third), [POST]);
    assert_eq!(created.record.contract_id, 5);
    let intent_puts: Vec<_> = store
        .0
        .log
        .borrow()
        .iter()
        .map(|(k, w, _)| format!("{k} {w}"))
        .collect();
    assert_eq!(
        intent_puts,
        [
            "external:deal-1 Open",
            "external:deal-1 NotCreated",
            "external:deal-1 Open",
            "contract:5 RECORD",
            "external:deal-1 RECORD"
        ]
    );
}

#[test]
fn an_intent_older_than_the_deadline_with_nothing_found_creates_once() {
    let store = SharedStore::default();
    crash_after_the_send(&store);
    // Restart an hour later: one lookup (nothing), then one create, in the same call.
    let second = engine(&store, 3_600_000.0);
    second
        .client()
        .transport()
        .respond(200, "[]")
        .respond(201, CREATED);
    let result = block_on(second.create_contract(body(), false, &ctx())).unwrap();
    assert_eq!(result.outcome, CreateOutcome::Created);
    assert_eq!(result.attempts, 1);
    assert_eq!(paths(&second), [LOOKUP, POST]);
    assert_eq!(posts(&second), 1);
    // No settle wait (a re-look waits at least 125 ms); the client's pacing may space the
    // two requests.
    assert!(second.client().transport().clock_ms() < 125.0);
    let record = store.0.records.peek("external:deal-1").unwrap();
    assert_eq!(record.contract_id, 5);
}

#[test]
fn a_refused_create_marks_the_intent_not_created_and_an_unknown_outcome_keeps_it_open() {
    let store = SharedStore::default();
    let first = engine(&store, 0.0);
    first
        .client()
        .transport()
        .respond(400, r#"{"contract_data":["bad"]}"#);
    let error = block_on(first.create_contract(body(), false, &ctx())).unwrap_err();
    assert_eq!(error.code, ErrorCode::ValidationFailed);
    assert_eq!(intent_state(&store), Some(IntentState::NotCreated));
    // Retried at once: no lookup, no wait, the attempts add up.
    first.client().transport().respond(201, CREATED);
    let created = block_on(first.create_contract(body(), false, &ctx())).unwrap();
    assert_eq!(created.outcome, CreateOutcome::Created);
    assert_eq!(paths(&first), [POST, POST]);

    // A failed lookup after an ambiguous failure: the outcome is unknown, the intent open.
    let store = SharedStore::default();
    let other = engine(&store, 0.0);
    other
        .client()
        .transport()
        .push(Err(Error::new(ErrorCode::Network, "reset")));
    for _ in 0..3 {
        other.client().transport().respond(503, "");
    }
    let error = block_on(other.create_contract(body(), false, &ctx())).unwrap_err();
    assert_eq!(error.code, ErrorCode::AmbiguousCreate);
    assert_eq!(intent_state(&store), Some(IntentState::Open));
    // A webhook naming the contract closes it: the next create sends nothing.
    block_on(other.track(5, Some("T-5"), Some("deal-1".into()))).unwrap();
    let sent = paths(&other).len();
    let found = block_on(other.create_contract(body(), false, &ctx())).unwrap();
    assert_eq!(found.outcome, CreateOutcome::FoundExisting);
    assert_eq!(paths(&other).len(), sent);
}

#[test]
fn a_placeholder_is_not_polled_nor_acted_on() {
    let store = SharedStore::default();
    crash_after_the_send(&store);
    let second = engine(&store, 10.0);
    let result = block_on(second.reconcile(ReconcileSettings::default(), &|_| {}, &ctx())).unwrap();
    assert_eq!((result.planned, result.failed), (0, 0));
    let error = block_on(second.run_pending_actions(
        &crate::core::sync::RecordKey::ExternalId("deal-1".into()),
        &ctx(),
    ))
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(error.message.contains("create intent"), "{}", error.message);
    assert!(paths(&second).is_empty());
}

#[test]
fn a_webhook_for_the_contract_replaces_the_placeholder_and_closes_the_intent() {
    let store = SharedStore::default();
    crash_after_the_send(&store);
    let second = engine(&store, 10.0);
    let event: crate::core::webhook::WebhookEvent = serde_json::from_value(json!({
        "activity": "CONTRACT_CREATED", "contract_id": 5, "contract_kind": "TEMPLATE_CONTRACT",
        "contract_status": "DRAFT", "activity_data": {"timestamp": "2024-06-01T12:00:01Z"},
        "external_metadata": {"id": "deal-1"}
    }))
    .unwrap();
    let handled = block_on(second.handle_event(&event, false, &ctx())).unwrap();
    assert_eq!(handled.record.contract_id, 5);
    let by_external = store.0.records.peek("external:deal-1").unwrap();
    assert_eq!(by_external.contract_id, 5);
    assert!(by_external.create_intent.is_none());
    let result = block_on(second.resolve_open_intents(&ctx())).unwrap();
    assert_eq!(result.open, 0);
    let found = block_on(second.create_contract(body(), false, &ctx())).unwrap();
    assert_eq!(found.outcome, CreateOutcome::FoundExisting);
    assert!(paths(&second).is_empty());
}

#[test]
fn concurrent_creates_for_one_external_id_in_one_engine_send_one_create() {
    let store = SharedStore::default();
    let engine = engine(&store, 0.0);
    engine.client().transport().respond(201, CREATED);
    let outcomes = RefCell::new(Vec::new());
    let run = || async {
        let result = engine.create_contract(body(), false, &ctx()).await.unwrap();
        outcomes.borrow_mut().push(result.outcome);
    };
    block_on(super::join::join_all([run(), run()]));
    assert_eq!(
        outcomes.into_inner(),
        [CreateOutcome::Created, CreateOutcome::FoundExisting]
    );
    assert_eq!(paths(&engine), [POST]);
}
