//! The shared application object: fixtures, state, clock, faults, limiter, delivery log, and
//! the top-level request dispatch (CORS, request ids, logging, route families).

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use base64::Engine as _;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use hyper::body::Incoming;
use hyper::{Method, Request};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::{mpsc, Notify};

use crate::clock::{format_micros, format_secs, Clock};
use crate::config::SandboxConfig;
use crate::errors::ApiError;
use crate::faults::FaultState;
use crate::fixtures::{Descriptor, Fixtures, WorkspaceFixture};
use crate::http::{self, Resp};
use crate::lifecycle::{self, Action, Fired};
use crate::rng::{fnv1a, SplitMix64};
use crate::state::{Contract, KeyPointer, State, WorkspaceState};
use crate::webhooks::{DeliveryRecord, Job};
use crate::{api, control, files};

/// Most delivery records kept in memory (oldest dropped first), so a long run stays flat.
const DELIVERY_LOG_CAP: usize = 10_000;

/// Locks a mutex, recovering the data if a previous holder panicked.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Token bucket for one workspace.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// What the server should do with a request.
pub enum Outcome {
    /// Send this response.
    Respond(Resp),
    /// Drop the connection with a reset (fault injection).
    Reset,
}

/// Result of one route family: response, workspace for the log, reset request.
pub struct Handled {
    /// Response (ignored when `reset`).
    pub resp: Resp,
    /// Workspace slug, for the log line.
    pub workspace: Option<String>,
    /// Reset the connection instead of answering.
    pub reset: bool,
}

impl Handled {
    /// A plain response.
    pub fn of(resp: Resp, workspace: Option<String>) -> Self {
        Self {
            resp,
            workspace,
            reset: false,
        }
    }
}

/// Shared application state.
pub struct App {
    /// Config.
    pub config: SandboxConfig,
    /// Fixtures.
    pub fixtures: Fixtures,
    /// Mutable state.
    pub state: Mutex<State>,
    /// Sandbox clock.
    pub clock: Clock,
    /// Faults.
    pub faults: Mutex<FaultState>,
    /// Delivery log (bounded).
    pub deliveries: Mutex<VecDeque<DeliveryRecord>>,
    /// Sequence number of the next delivery record.
    pub delivery_seq: AtomicU64,
    /// Queue to the webhook dispatcher.
    pub webhook_tx: mpsc::Sender<Job>,
    /// Base URL (`http://host:port`), set after bind.
    pub base_url: Mutex<String>,
    /// Signalled when state changed and should be saved.
    pub dirty: Notify,
    limiter: Mutex<HashMap<String, Bucket>>,
    request_seq: AtomicU64,
    started: Instant,
    initial_state: State,
}

impl App {
    /// Builds the app: loads fixtures, then the state file if any.
    ///
    /// # Errors
    /// Unreadable fixtures or state file (a corrupt state file is never overwritten).
    pub fn new(config: SandboxConfig, webhook_tx: mpsc::Sender<Job>) -> Result<Self, String> {
        let fixtures = match &config.fixtures {
            Some(p) => Fixtures::from_file(p)?,
            None => Fixtures::builtin()?,
        };
        let initial_state = fresh_state(&fixtures, config.seed);
        let state = match &config.state_file {
            Some(p) if p.exists() => load_state(p, &fixtures, config.seed)?,
            _ => initial_state.clone(),
        };
        let clock = Clock::with_offset(state.clock_offset_secs);
        let mut faults = config.faults.clone();
        faults.seed = config.seed;
        Ok(Self {
            faults: Mutex::new(FaultState::new(faults)),
            config,
            fixtures,
            state: Mutex::new(state),
            clock,
            deliveries: Mutex::new(VecDeque::new()),
            delivery_seq: AtomicU64::new(1),
            webhook_tx,
            base_url: Mutex::new(String::new()),
            dirty: Notify::new(),
            limiter: Mutex::new(HashMap::new()),
            request_seq: AtomicU64::new(1),
            started: Instant::now(),
            initial_state,
        })
    }

    /// Milliseconds since start.
    pub fn uptime_ms(&self) -> u128 {
        self.started.elapsed().as_millis()
    }

    /// Marks state as changed (the persister saves it soon).
    pub fn mark_dirty(&self) {
        self.dirty.notify_one();
    }

    /// Serialises state for the state file.
    pub fn snapshot(&self) -> Result<Vec<u8>, String> {
        let mut st = lock(&self.state).clone();
        st.clock_offset_secs = self.clock.offset_secs();
        serde_json::to_vec_pretty(&st).map_err(|e| e.to_string())
    }

    /// Writes the state file (atomically: temp file + rename). No-op without `--state`.
    ///
    /// # Errors
    /// IO errors, as text.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.config.state_file else {
            return Ok(());
        };
        let bytes = self.snapshot()?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &bytes).map_err(|e| format!("write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("rename to {}: {e}", path.display()))
    }

    /// Resets state (all workspaces, or one), the clock, the faults and the limiter.
    pub fn reset(&self, workspace: Option<&str>) {
        {
            let mut st = lock(&self.state);
            match workspace {
                Some(ws) => {
                    if let Some(init) = self.initial_state.workspaces.get(ws) {
                        st.workspaces.insert(ws.to_owned(), init.clone());
                    }
                }
                None => *st = self.initial_state.clone(),
            }
        }
        if workspace.is_none() {
            self.clock.reset();
            let mut f = self.config.faults.clone();
            f.seed = self.config.seed;
            *lock(&self.faults) = FaultState::new(f);
            lock(&self.limiter).clear();
            lock(&self.deliveries).clear();
        } else {
            lock(&self.deliveries).retain(|d| Some(d.workspace.as_str()) != workspace);
        }
        self.mark_dirty();
    }

    /// Next request id.
    fn request_id(&self) -> String {
        let n = self.request_seq.fetch_add(1, Ordering::Relaxed);
        format!(
            "sbx-{:08x}-{:06x}",
            (fnv1a(&n.to_string()) >> 32) as u32,
            n & 0xFF_FFFF
        )
    }

    /// Takes one token from `workspace`'s bucket.
    ///
    /// # Errors
    /// 429 with `Retry-After` when empty.
    pub fn rate_limit(&self, workspace: &str) -> Result<(), ApiError> {
        let rate = f64::from(self.config.rate_limit);
        if self.config.rate_limit == 0 {
            return Ok(());
        }
        let mut l = lock(&self.limiter);
        let now = Instant::now();
        let b = l.entry(workspace.to_owned()).or_insert(Bucket {
            tokens: rate,
            last: now,
        });
        let elapsed = now.duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(rate);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - b.tokens) / rate).ceil().max(1.0);
            // wait is in 1..=1 for rate >= 1; kept general for fractional buckets.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Err(ApiError::throttled(wait as u64))
        }
    }

    /// Top-level dispatch of one request.
    pub async fn handle(self: &Arc<Self>, req: Request<Incoming>) -> Outcome {
        let started = Instant::now();
        let rid = self.request_id();
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let h = if method == Method::OPTIONS {
            Handled::of(http::preflight(), None)
        } else if path == "/__sandbox" || path.starts_with("/__sandbox/") {
            control::handle(self, req).await
        } else if path.starts_with("/__files/") {
            files::handle(self, req)
        } else if path.starts_with("/api/") {
            api::handle(self, req).await
        } else {
            Handled::of(http::error(&ApiError::not_found()), None)
        };
        let ms = started.elapsed().as_millis();
        let ws = h.workspace.as_deref().unwrap_or("-");
        if h.reset {
            if self.config.log_requests {
                eprintln!(
                    "{method} {} RESET {ms}ms ws={ws} rid={rid}",
                    loggable(&path)
                );
            }
            return Outcome::Reset;
        }
        let mut resp = h.resp;
        http::add_common_headers(&mut resp, &rid);
        if self.config.log_requests {
            // Path only: never the query (signed URLs), never headers (secrets).
            eprintln!(
                "{method} {} {} {ms}ms ws={ws} rid={rid}",
                loggable(&path),
                resp.status().as_u16()
            );
        }
        Outcome::Respond(resp)
    }

    /// Workspace fixture by slug.
    pub fn workspace(&self, slug: &str) -> Option<&WorkspaceFixture> {
        self.fixtures.by_slug(slug)
    }

    /// Current sandbox time as (RFC 3339 seconds, RFC 3339 micros, epoch seconds).
    pub fn now(&self) -> (String, String, i64) {
        let us = self.clock.now_micros();
        (
            format_secs(us.div_euclid(1_000_000)),
            format_micros(us),
            us.div_euclid(1_000_000),
        )
    }

    /// Applies a lifecycle action to contract `id` of `ws`, fills key pointers on execution,
    /// fires webhooks. `performer` is (name, email).
    ///
    /// # Errors
    /// 404 for an unknown contract; lifecycle errors.
    pub fn act(
        &self,
        ws: &WorkspaceFixture,
        id: u64,
        action: Action,
        performer: (&str, Option<&str>),
    ) -> Result<Contract, ApiError> {
        let (_, now_us, _) = self.now();
        let (contract, jobs) = {
            let mut st = lock(&self.state);
            let mut next_kp = st.next_key_pointer_id;
            let c = st
                .contract_mut(&ws.slug, id)
                .ok_or_else(ApiError::not_found)?;
            let (fired, executed) = lifecycle::apply(c, action, &now_us)?;
            if executed {
                let descs = ws
                    .template(c.template_id)
                    .and_then(|t| t.resolved.as_ref())
                    .map(|m| m.attributes.clone())
                    .unwrap_or_default();
                c.key_pointers = key_pointers(&descs, &c.contract_data, &mut next_kp);
            }
            let payloads: Vec<(String, Value)> = fired
                .iter()
                .map(|f| {
                    (
                        f.activity.to_owned(),
                        event_payload(ws, c, f, performer, &now_us),
                    )
                })
                .collect();
            if let Some((_, last)) = payloads.last() {
                c.last_event = Some(last.clone());
            }
            let snapshot = c.clone();
            st.next_key_pointer_id = next_kp;
            let jobs = jobs_for(&st, &ws.slug, id, &payloads);
            (snapshot, jobs)
        };
        self.enqueue(jobs);
        self.mark_dirty();
        Ok(contract)
    }

    /// Fires `activity` events that were built outside `act` (create).
    pub fn fire(
        &self,
        ws: &WorkspaceFixture,
        id: u64,
        fired: &[Fired],
        performer: (&str, Option<&str>),
    ) {
        let (_, now_us, _) = self.now();
        let jobs = {
            let mut st = lock(&self.state);
            let Some(c) = st.contract_mut(&ws.slug, id) else {
                return;
            };
            let payloads: Vec<(String, Value)> = fired
                .iter()
                .map(|f| {
                    (
                        f.activity.to_owned(),
                        event_payload(ws, c, f, performer, &now_us),
                    )
                })
                .collect();
            if let Some((_, last)) = payloads.last() {
                c.last_event = Some(last.clone());
            }
            jobs_for(&st, &ws.slug, id, &payloads)
        };
        self.enqueue(jobs);
    }

    /// Re-sends the last payload of each contract.
    ///
    /// # Errors
    /// 404 `{"detail":"Not Found"}` if any id is unknown in this workspace.
    pub fn retrigger(&self, ws: &str, ids: &[u64]) -> Result<(), ApiError> {
        let jobs = {
            let st = lock(&self.state);
            let mut jobs = Vec::new();
            for id in ids {
                let c = st
                    .contract(ws, *id)
                    .ok_or_else(|| ApiError::detail(404, "Not Found"))?;
                if let Some(ev) = &c.last_event {
                    let activity = ev
                        .get("activity")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    jobs.extend(jobs_for(&st, ws, *id, &[(activity, ev.clone())]));
                }
            }
            jobs
        };
        self.enqueue(jobs);
        Ok(())
    }

    fn enqueue(&self, jobs: Vec<Job>) {
        for j in jobs {
            if let Err(e) = self.webhook_tx.try_send(j) {
                let j = match e {
                    mpsc::error::TrySendError::Full(j) | mpsc::error::TrySendError::Closed(j) => j,
                };
                self.record_delivery(DeliveryRecord::skipped(
                    &j,
                    "delivery queue full or closed",
                    &self.now().1,
                ));
            }
        }
    }

    /// Appends to the bounded delivery log.
    pub fn record_delivery(&self, mut r: DeliveryRecord) {
        r.seq = self.delivery_seq.fetch_add(1, Ordering::Relaxed);
        let mut log = lock(&self.deliveries);
        if log.len() >= DELIVERY_LOG_CAP {
            log.pop_front();
        }
        log.push_back(r);
    }

    /// Signed download URL for a contract file.
    pub fn signed_file_url(
        &self,
        ws: &str,
        composite: &str,
        file_name: &str,
        expires: i64,
    ) -> String {
        let sig = self.file_signature(ws, composite, expires);
        let base = lock(&self.base_url).clone();
        format!(
            "{base}/__files/{ws}/{composite}/{}?expires={expires}&signature={sig}",
            http::percent_encode(file_name)
        )
    }

    /// HMAC-SHA256 over `ws\ncomposite\nexpires` with the state's file key.
    pub fn file_signature(&self, ws: &str, composite: &str, expires: i64) -> String {
        let key = lock(&self.state).file_key.clone();
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes()) else {
            return String::new();
        };
        mac.update(format!("{ws}\n{composite}\n{expires}").as_bytes());
        http::hex(&mac.finalize().into_bytes())
    }
}

/// Path for logs: printable ASCII only, capped.
fn loggable(path: &str) -> String {
    path.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(200)
        .collect()
}

fn fresh_state(fixtures: &Fixtures, seed: u64) -> State {
    let mut rng = SplitMix64::new(seed ^ 0xF11E_5EED);
    let mut st = State::new(http::hex(&rng.bytes(32)));
    for ws in &fixtures.workspaces {
        st.workspaces
            .insert(ws.slug.clone(), fresh_workspace(ws, seed));
    }
    st
}

fn fresh_workspace(ws: &WorkspaceFixture, seed: u64) -> WorkspaceState {
    let key = ws.hmac_key.clone().unwrap_or_else(|| {
        let mut rng = SplitMix64::new(seed ^ fnv1a(&ws.slug));
        base64::engine::general_purpose::STANDARD.encode(rng.bytes(64))
    });
    WorkspaceState {
        hmac_key: key,
        ..WorkspaceState::default()
    }
}

fn load_state(path: &Path, fixtures: &Fixtures, seed: u64) -> Result<State, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read state {}: {e}", path.display()))?;
    let mut st: State = serde_json::from_str(&text).map_err(|e| {
        format!(
            "state file {} is not valid sandbox state ({e}); move it away to start fresh",
            path.display()
        )
    })?;
    for ws in &fixtures.workspaces {
        st.workspaces
            .entry(ws.slug.clone())
            .or_insert_with(|| fresh_workspace(ws, seed));
    }
    Ok(st)
}

/// Jobs for every ACTIVE webhook of `ws` subscribed to each payload's activity.
fn jobs_for(st: &State, ws: &str, contract_id: u64, payloads: &[(String, Value)]) -> Vec<Job> {
    let Some(w) = st.workspaces.get(ws) else {
        return Vec::new();
    };
    let mut jobs = Vec::new();
    for (activity, payload) in payloads {
        let body = Bytes::from(serde_json::to_vec(payload).unwrap_or_default());
        for hook in w.webhooks.values() {
            if hook.status == "ACTIVE" && hook.only_for_activities.iter().any(|a| a == activity) {
                jobs.push(Job {
                    workspace: ws.to_owned(),
                    webhook_id: hook.id,
                    activity: activity.clone(),
                    contract_id,
                    body: body.clone(),
                    attempt: 1,
                });
            }
        }
    }
    jobs
}

/// Builds a `ContractActivityDomainModel` payload.
pub fn event_payload(
    ws: &WorkspaceFixture,
    c: &Contract,
    f: &Fired,
    performer: (&str, Option<&str>),
    now_us: &str,
) -> Value {
    let mut performed_by = json!({ "name": performer.0 });
    if let (Some(e), Some(obj)) = (performer.1, performed_by.as_object_mut()) {
        obj.insert("email".into(), json!(e));
    }
    let mut activity_data = serde_json::Map::new();
    activity_data.insert("performed_by".into(), performed_by);
    activity_data.insert("timestamp".into(), json!(now_us));
    for (k, v) in &f.extra {
        activity_data.insert(k.clone(), v.clone());
    }
    let counterparties: Vec<Value> = c
        .counterparties
        .iter()
        .map(|cp| {
            let individual = cp
                .get("is_individual")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let poc = cp.get("poc_details");
            let first = poc
                .and_then(|p| p.get("first_name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let last = poc
                .and_then(|p| p.get("last_name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            json!({
                "type": if individual { "Individual" } else { "Organization" },
                "organization_name": crate::validate::counterparty_display_name(cp),
                "poc_name": format!("{first} {last}").trim(),
                "poc_email": poc.and_then(|p| p.get("email")).cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    let mut v = json!({
        "activity": f.activity,
        "activity_data": activity_data,
        "contract_id": c.id,
        "contract_title": c.contract_name,
        "contract_type": c.contract_type_name,
        "contract_type_name": c.contract_type_name,
        "contract_type_id": c.contract_type_id,
        "contract_status": f.status.as_str(),
        "contract_kind": "TEMPLATE_CONTRACT",
        "business_user": { "name": c.created_by_name, "email": c.created_by_email },
        "created_at": c.created,
        "counterparties": counterparties,
        "contract_reference_id": c.reference_id,
        "contract_template_id": c.template_id,
    });
    if let Some(obj) = v.as_object_mut() {
        if c.external_metadata
            .as_object()
            .is_some_and(|m| !m.is_empty())
        {
            obj.insert("external_metadata".into(), c.external_metadata.clone());
        }
        if let Some(e) = ws.entity(&c.entity_reference_id) {
            obj.insert(
                "entity".into(),
                json!({"reference_id": e.reference_id, "name": e.name, "jurisdiction": e.jurisdiction, "type": e.kind}),
            );
        }
    }
    v
}

/// Key pointers from `contract_data`: one per plain field and one per group (currency,
/// duration, address …), for the fields present in the data.
pub fn key_pointers(descs: &[Descriptor], data: &Value, next_id: &mut u64) -> Vec<KeyPointer> {
    let mut out: Vec<KeyPointer> = Vec::new();
    for d in descs {
        let (field, label, data_type) = match &d.parent_variable {
            Some(parent) => {
                if out.iter().any(|k| &k.field_name == parent) {
                    continue;
                }
                let label = d
                    .display_label
                    .split_once(" > ")
                    .map_or_else(|| parent.clone(), |(l, _)| l.to_owned());
                (
                    parent.clone(),
                    label,
                    d.parent_type.clone().unwrap_or_else(|| "object".into()),
                )
            }
            None => (d.variable.clone(), d.display_label.clone(), d.kind.clone()),
        };
        let Some(value) = data.get(&field) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        out.push(KeyPointer {
            id: *next_id,
            value: value.clone(),
            label,
            field_name: field,
            data_type,
            format_option: json!({}),
        });
        *next_id += 1;
    }
    out
}

/// Serialisable summary used by control endpoints.
#[derive(Serialize)]
pub struct Health<'a> {
    /// Always "ok".
    pub status: &'a str,
    /// Crate version.
    pub version: &'a str,
    /// Uptime.
    pub uptime_ms: u128,
    /// Workspace slugs.
    pub workspaces: Vec<&'a str>,
    /// Sandbox time.
    pub now: String,
}
