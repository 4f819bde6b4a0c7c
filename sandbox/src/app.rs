//! The shared application object: config, fixtures, the locked [`State`], clock, faults,
//! rate limiter, delivery log and the job queue; persistence of the state file.
//!
//! It routes nothing and sends nothing: `crate::router` dispatches requests,
//! `crate::delivery` drains the job queue. Its `act`/`create_contract`/`retrigger` wrappers
//! lock the state, call the matching [`State`] method with the sandbox time, and queue the
//! jobs that method returned.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::{mpsc, Notify};

use crate::clock::{format_micros, format_secs, Clock};
use crate::config::SandboxConfig;
use crate::errors::ApiError;
use crate::faults::FaultState;
use crate::fixtures::{Fixtures, UserFixture, WorkspaceFixture};
use crate::http;
use crate::model::contract::Contract;
use crate::model::lifecycle::Action;
use crate::model::webhook::DeliveryRecord;
use crate::rng::fnv1a;
use crate::state::{Job, Now, Performer, State};
use crate::validate::ValidCreate;

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
    /// Queue to the job runner (`crate::delivery`).
    pub jobs: mpsc::Sender<Job>,
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
    pub fn new(config: SandboxConfig, jobs: mpsc::Sender<Job>) -> Result<Self, String> {
        let fixtures = match &config.fixtures {
            Some(p) => Fixtures::from_file(p)?,
            None => Fixtures::builtin()?,
        };
        let initial_state = State::fresh(&fixtures, config.seed);
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
            jobs,
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

    /// Next request id (`sbx-<hash>-<seq>`).
    pub fn request_id(&self) -> String {
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

    /// Workspace fixture by slug.
    pub fn workspace(&self, slug: &str) -> Option<&WorkspaceFixture> {
        self.fixtures.by_slug(slug)
    }

    /// Current sandbox time as (RFC 3339 seconds, RFC 3339 micros, epoch seconds).
    pub fn now(&self) -> (String, String, i64) {
        let Now {
            secs, micros, unix, ..
        } = self.stamp();
        (secs, micros, unix)
    }

    /// The sandbox time as a [`Now`] for one state command.
    pub fn stamp(&self) -> Now {
        let us = self.clock.now_micros();
        Now {
            secs: format_secs(us.div_euclid(1_000_000)),
            micros: format_micros(us),
            unix: us.div_euclid(1_000_000),
            unix_micros: us,
        }
    }

    /// The newest `created_micros` the lookups that the `lookup_lag_ms` fault delays see
    /// now (by_external_metadata, filtered lists). Locks the faults only: call it before
    /// locking the state.
    pub fn lookup_cutoff_micros(&self) -> i64 {
        lock(&self.faults).lookup_cutoff_micros(self.clock.now_micros())
    }

    /// [`State::act`] at the sandbox time; queues the jobs and marks the state dirty.
    ///
    /// # Errors
    /// As [`State::act`].
    pub fn act(
        &self,
        ws: &WorkspaceFixture,
        id: u64,
        action: Action,
        performer: Performer<'_>,
    ) -> Result<Contract, ApiError> {
        let now = self.stamp();
        let (contract, jobs) = lock(&self.state).act(ws, id, action, performer, &now.micros)?;
        self.enqueue(jobs);
        self.mark_dirty();
        Ok(contract)
    }

    /// [`State::create_contract`] at the sandbox time; queues the jobs, marks dirty.
    ///
    /// # Errors
    /// As [`State::create_contract`].
    pub fn create_contract(
        &self,
        ws: &WorkspaceFixture,
        user: &UserFixture,
        v: &ValidCreate<'_>,
    ) -> Result<Contract, ApiError> {
        let now = self.stamp();
        let (contract, jobs) = lock(&self.state).create_contract(ws, user, v, &now)?;
        self.enqueue(jobs);
        self.mark_dirty();
        Ok(contract)
    }

    /// [`State::retrigger`]; queues the jobs.
    ///
    /// # Errors
    /// As [`State::retrigger`].
    pub fn retrigger(&self, ws: &str, ids: &[u64]) -> Result<(), ApiError> {
        let jobs = lock(&self.state).retrigger(ws, ids)?;
        self.enqueue(jobs);
        Ok(())
    }

    /// Queues jobs for the runner; a job that does not fit is logged as skipped.
    pub fn enqueue(&self, jobs: Vec<Job>) {
        for j in jobs {
            if let Err(e) = self.jobs.try_send(j) {
                let (mpsc::error::TrySendError::Full(j) | mpsc::error::TrySendError::Closed(j)) = e;
                let d = match &j {
                    Job::Deliver(d) | Job::Later { delivery: d, .. } => d,
                };
                self.record_delivery(DeliveryRecord::skipped(
                    d,
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

fn load_state(path: &Path, fixtures: &Fixtures, seed: u64) -> Result<State, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read state {}: {e}", path.display()))?;
    let mut st: State = serde_json::from_str(&text).map_err(|e| {
        format!(
            "state file {} is not valid sandbox state ({e}); move it away to start fresh",
            path.display()
        )
    })?;
    st.add_missing_workspaces(fixtures, seed);
    Ok(st)
}
