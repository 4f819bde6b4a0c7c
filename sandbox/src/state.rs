//! The sandbox's mutable state and the only code that changes it.
//!
//! [`State`] is plain data that serialises to the `--state FILE` JSON (fixtures are not part
//! of it: they come from the fixtures file on every start). Its methods apply one command
//! each (create a contract, act on one, register or delete a webhook, account for a delivery
//! attempt) and return the [`Job`]s the change causes, like quinn-proto's `handle_*` /
//! `poll_*`: nothing here sends a webhook, sleeps or reads the clock. The caller passes
//! `now`, runs the jobs (`crate::delivery`) and persists the state.
//!
//! Call order per request: lock, call one method, unlock, enqueue the returned jobs.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::errors::ApiError;
use crate::fixtures::{Fixtures, UserFixture, WorkspaceFixture};
use crate::http;
use crate::model::contract::{self, counterparty_display_name, Contract, Status};
use crate::model::event::event_payload;
use crate::model::lifecycle::{self, Action, Fired};
use crate::model::webhook::{Delivery, Webhook, MAX_CONSECUTIVE_FAILURES};
use crate::rng::{fnv1a, SplitMix64};
use crate::validate::ValidCreate;

/// Who performed an action: (name, email). `("SYSTEM", None)` for the sandbox itself.
pub type Performer<'a> = (&'a str, Option<&'a str>);

/// Sandbox time of one command, in the three forms the records use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Now {
    /// RFC 3339, seconds (`created`).
    pub secs: String,
    /// RFC 3339, microseconds (event timestamps, signatures).
    pub micros: String,
    /// Epoch seconds.
    pub unix: i64,
    /// Epoch microseconds.
    pub unix_micros: i64,
}

/// Work a state change causes, for the caller to run.
#[derive(Debug, Clone)]
pub enum Job {
    /// Attempt this webhook delivery now.
    Deliver(Delivery),
    /// Attempt this delivery again after `after` (retry backoff).
    Later {
        /// How long to wait.
        after: Duration,
        /// The next attempt.
        delivery: Delivery,
    },
}

/// How failed deliveries are retried: `base_ms * 2^(attempt-1)`, capped at 60 s, up to
/// `max_attempts` attempts in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay before the second attempt.
    pub base_ms: u64,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
}

/// Whole sandbox state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// Format version of the state file.
    pub version: u32,
    /// Next numeric contract id (global, like SpotDraft's).
    pub next_contract_id: u64,
    /// Next webhook id.
    pub next_webhook_id: u64,
    /// Next key pointer id.
    pub next_key_pointer_id: u64,
    /// Sandbox clock offset in seconds.
    pub clock_offset_secs: i64,
    /// Hex key that signs download links.
    pub file_key: String,
    /// Per-workspace state keyed by slug.
    pub workspaces: BTreeMap<String, WorkspaceState>,
}

/// State of one workspace.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkspaceState {
    /// Base64 webhook HMAC key.
    pub hmac_key: String,
    /// Contracts by numeric id.
    pub contracts: BTreeMap<u64, Contract>,
    /// Webhooks by id.
    pub webhooks: BTreeMap<u64, Webhook>,
}

impl State {
    /// Empty state.
    pub fn new(file_key: String) -> Self {
        Self {
            version: 1,
            next_contract_id: 1001,
            next_webhook_id: 501,
            next_key_pointer_id: 1,
            clock_offset_secs: 0,
            file_key,
            workspaces: BTreeMap::new(),
        }
    }

    /// Finds a contract in a workspace.
    pub fn contract(&self, ws: &str, id: u64) -> Option<&Contract> {
        self.workspaces.get(ws).and_then(|w| w.contracts.get(&id))
    }

    /// Finds a contract in a workspace, mutably.
    pub fn contract_mut(&mut self, ws: &str, id: u64) -> Option<&mut Contract> {
        self.workspaces
            .get_mut(ws)
            .and_then(|w| w.contracts.get_mut(&id))
    }

    /// A fresh state for `fixtures`: one empty workspace per fixture workspace, keys derived
    /// from `seed` (or the fixture's own `hmac_key`).
    pub fn fresh(fixtures: &Fixtures, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed ^ 0xF11E_5EED);
        let mut st = Self::new(http::hex(&rng.bytes(32)));
        for ws in &fixtures.workspaces {
            st.workspaces
                .insert(ws.slug.clone(), fresh_workspace(ws, seed));
        }
        st
    }

    /// Adds the fixture workspaces a loaded state file does not know yet.
    pub fn add_missing_workspaces(&mut self, fixtures: &Fixtures, seed: u64) {
        for ws in &fixtures.workspaces {
            self.workspaces
                .entry(ws.slug.clone())
                .or_insert_with(|| fresh_workspace(ws, seed));
        }
    }

    /// Creates a contract from a validated body: `CONTRACT_CREATED`, then (with
    /// `workflow_config.auto_send_to_counterparty`) the send. Returns the contract as stored
    /// and the deliveries it causes.
    ///
    /// # Errors
    /// 500 when the workspace has no state (fixtures and state out of step).
    pub fn create_contract(
        &mut self,
        ws: &WorkspaceFixture,
        user: &UserFixture,
        v: &ValidCreate<'_>,
        now: &Now,
    ) -> Result<(Contract, Vec<Job>), ApiError> {
        let id = self.next_contract_id;
        let mut c = Contract {
            id,
            template_id: v.template.id,
            contract_name: v.contract_name.clone(),
            status: Status::Draft,
            held_from: None,
            created: now.secs.clone(),
            created_unix: now.unix,
            created_micros: now.unix_micros,
            created_by_email: user.email.clone(),
            created_by_name: user.name.clone(),
            contract_type_id: v.template.contract_type_id,
            contract_type_name: v.template.contract_type_name.clone(),
            counter_party_name: v
                .counterparties
                .first()
                .map(counterparty_display_name)
                .unwrap_or_default(),
            counterparties: v.counterparties.clone(),
            signatories: v.signatories.clone(),
            contract_data: v.contract_data.clone(),
            external_metadata: v.external_metadata.clone(),
            entity_reference_id: v.entity.reference_id.clone(),
            reference_id: format!("SD-{id}"),
            signatures: Vec::new(),
            required_signatures: 1,
            key_pointers: Vec::new(),
            sent_to: Vec::new(),
            void_note: None,
            last_event: None,
            version: 1,
        };
        c.required_signatures = lifecycle::required_signatures(&c);
        let to = v
            .send_to
            .clone()
            .unwrap_or_else(|| contract::counterparty_emails(&c));
        self.workspaces
            .get_mut(&ws.slug)
            .ok_or_else(|| ApiError::detail(500, "workspace state missing"))?
            .contracts
            .insert(id, c);
        self.next_contract_id += 1;
        let performer = (user.name.as_str(), Some(user.email.as_str()));
        let created = [lifecycle::fired("CONTRACT_CREATED", Status::Draft)];
        let mut jobs = self.fire(ws, id, &created, performer, &now.micros);
        if v.auto_send {
            let send = Action::Send { to, cc: Vec::new() };
            let (_, more) = self.act(ws, id, send, performer, &now.micros)?;
            jobs.extend(more);
        }
        let c = self
            .contract(&ws.slug, id)
            .cloned()
            .ok_or_else(ApiError::not_found)?;
        Ok((c, jobs))
    }

    /// Applies a lifecycle action to contract `id` of `ws` at `now_us`, fills key pointers
    /// on execution, and returns the contract afterwards with the deliveries it causes.
    ///
    /// # Errors
    /// 404 for an unknown contract; lifecycle errors (as before this split, a `sign` that
    /// fails on its signer keeps the move to SIGN it made first, without webhooks).
    pub fn act(
        &mut self,
        ws: &WorkspaceFixture,
        id: u64,
        action: Action,
        performer: Performer<'_>,
        now_us: &str,
    ) -> Result<(Contract, Vec<Job>), ApiError> {
        let mut next_kp = self.next_key_pointer_id;
        let c = self
            .contract_mut(&ws.slug, id)
            .ok_or_else(ApiError::not_found)?;
        let (fired, executed) = lifecycle::apply(c, action, now_us)?;
        if executed {
            let descs = ws
                .template(c.template_id)
                .and_then(|t| t.resolved.as_ref())
                .map(|m| m.attributes.clone())
                .unwrap_or_default();
            c.key_pointers = contract::key_pointers(&descs, &c.contract_data, &mut next_kp);
        }
        self.next_key_pointer_id = next_kp;
        let jobs = self.fire(ws, id, &fired, performer, now_us);
        let c = self
            .contract(&ws.slug, id)
            .cloned()
            .ok_or_else(ApiError::not_found)?;
        Ok((c, jobs))
    }

    /// Builds the payloads of `fired` for contract `id`, keeps the last as the contract's
    /// `last_event`, and returns one delivery per subscribed ACTIVE webhook.
    fn fire(
        &mut self,
        ws: &WorkspaceFixture,
        id: u64,
        fired: &[Fired],
        performer: Performer<'_>,
        now_us: &str,
    ) -> Vec<Job> {
        let Some(c) = self.contract_mut(&ws.slug, id) else {
            return Vec::new();
        };
        let payloads: Vec<(String, Value)> = fired
            .iter()
            .map(|f| {
                (
                    f.activity.to_owned(),
                    event_payload(ws, c, f, performer, now_us),
                )
            })
            .collect();
        if let Some((_, last)) = payloads.last() {
            c.last_event = Some(last.clone());
        }
        self.jobs_for(&ws.slug, id, &payloads)
    }

    /// The last payload of each contract again, to every subscribed ACTIVE webhook.
    ///
    /// # Errors
    /// 404 `{"detail":"Not Found"}` if any id is unknown in this workspace (no jobs then).
    pub fn retrigger(&self, ws: &str, ids: &[u64]) -> Result<Vec<Job>, ApiError> {
        let mut jobs = Vec::new();
        for id in ids {
            let c = self
                .contract(ws, *id)
                .ok_or_else(|| ApiError::detail(404, "Not Found"))?;
            if let Some(ev) = &c.last_event {
                let activity = ev
                    .get("activity")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                jobs.extend(self.jobs_for(ws, *id, &[(activity, ev.clone())]));
            }
        }
        Ok(jobs)
    }

    /// Jobs for every ACTIVE webhook of `ws` subscribed to each payload's activity.
    fn jobs_for(&self, ws: &str, contract_id: u64, payloads: &[(String, Value)]) -> Vec<Job> {
        let Some(w) = self.workspaces.get(ws) else {
            return Vec::new();
        };
        let mut jobs = Vec::new();
        for (activity, payload) in payloads {
            let body = Bytes::from(serde_json::to_vec(payload).unwrap_or_default());
            for hook in w.webhooks.values() {
                if hook.status == "ACTIVE" && hook.only_for_activities.iter().any(|a| a == activity)
                {
                    jobs.push(Job::Deliver(Delivery {
                        workspace: ws.to_owned(),
                        webhook_id: hook.id,
                        activity: activity.clone(),
                        contract_id,
                        body: body.clone(),
                        attempt: 1,
                    }));
                }
            }
        }
        jobs
    }

    /// Stores `hook` under the next webhook id and returns it as stored.
    ///
    /// # Errors
    /// 500 when the workspace has no state.
    pub fn register_webhook(&mut self, ws: &str, mut hook: Webhook) -> Result<Webhook, ApiError> {
        let id = self.next_webhook_id;
        hook.id = id;
        self.workspaces
            .get_mut(ws)
            .ok_or_else(|| ApiError::detail(500, "workspace state missing"))?
            .webhooks
            .insert(id, hook.clone());
        self.next_webhook_id += 1;
        Ok(hook)
    }

    /// Removes webhook `id` of `ws`; `None` when there is none.
    pub fn delete_webhook(&mut self, ws: &str, id: u64) -> Option<Webhook> {
        self.workspaces.get_mut(ws)?.webhooks.remove(&id)
    }

    /// Accounts for one delivery attempt: a success clears the webhook's failure count, a
    /// failure adds to it, and more than [`MAX_CONSECUTIVE_FAILURES`] in a row set
    /// `DISABLED_BY_ERROR`. Returns the webhook's status afterwards (`DELETED` if gone).
    pub fn record_attempt(&mut self, d: &Delivery, ok: bool) -> String {
        let Some(h) = self
            .workspaces
            .get_mut(&d.workspace)
            .and_then(|w| w.webhooks.get_mut(&d.webhook_id))
        else {
            return "DELETED".into();
        };
        if ok {
            h.consecutive_failures = 0;
        } else {
            h.consecutive_failures += 1;
            if h.consecutive_failures > MAX_CONSECUTIVE_FAILURES && h.status == "ACTIVE" {
                h.status = "DISABLED_BY_ERROR".into();
            }
        }
        h.status.clone()
    }
}

impl RetryPolicy {
    /// The retry that follows a failed attempt `d`, or `None` when attempts are used up.
    pub fn after_failure(self, d: &Delivery) -> Option<Job> {
        if d.attempt >= self.max_attempts {
            return None;
        }
        let shift = d.attempt.saturating_sub(1).min(16);
        let after = self.base_ms.saturating_mul(1u64 << shift).min(60_000);
        Some(Job::Later {
            after: Duration::from_millis(after),
            delivery: Delivery {
                attempt: d.attempt + 1,
                ..d.clone()
            },
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::validate_create;
    use serde_json::json;

    const PLAYBOOK: &str = include_str!("../../tests/fixtures/playbook-create-contract.json");

    fn now(n: i64) -> Now {
        Now {
            secs: format!("2026-01-01T00:00:{n:02}Z"),
            micros: format!("2026-01-01T00:00:{n:02}.000000Z"),
            unix: 1_767_225_600 + n,
            unix_micros: (1_767_225_600 + n) * 1_000_000,
        }
    }

    fn hook(activities: &[&str]) -> Webhook {
        Webhook {
            id: 0,
            title: "t".into(),
            url: "http://127.0.0.1:9/h".into(),
            only_for_activities: activities.iter().map(|a| (*a).to_owned()).collect(),
            description: None,
            custom_headers: BTreeMap::new(),
            status: "ACTIVE".into(),
            consecutive_failures: 0,
            created_by_user: json!({}),
        }
    }

    fn activities(jobs: &[Job]) -> Vec<String> {
        jobs.iter()
            .map(|j| match j {
                Job::Deliver(d) | Job::Later { delivery: d, .. } => d.activity.clone(),
            })
            .collect()
    }

    #[test]
    fn lifecycle_create_send_sign_executed_returns_the_webhook_jobs() {
        let fixtures = Fixtures::builtin().unwrap();
        let ws = fixtures.by_slug("acme").unwrap();
        let user = ws.active_user(&ws.default_user).unwrap();
        let mut st = State::fresh(&fixtures, 7);
        let all = [
            "CONTRACT_CREATED",
            "CONTRACT_SENT_TO_COUNTERPARTY",
            "CONTRACT_SIGNATURE_REQUESTED",
            "CONTRACT_SIGNED",
            "CONTRACT_EXECUTED",
        ];
        let h = st.register_webhook("acme", hook(&all)).unwrap();
        let only_executed = st
            .register_webhook("acme", hook(&["CONTRACT_EXECUTED"]))
            .unwrap();
        assert_ne!(h.id, only_executed.id);

        let mut body: serde_json::Value = serde_json::from_str(PLAYBOOK).unwrap();
        body.as_object_mut().unwrap().remove("workflow_config");
        let v = validate_create(ws, &body).unwrap();
        let (c, jobs) = st.create_contract(ws, user, &v, &now(1)).unwrap();
        assert_eq!(c.status, Status::Draft);
        assert_eq!(c.created, now(1).secs);
        assert_eq!(activities(&jobs), ["CONTRACT_CREATED"]);
        let Some(Job::Deliver(d)) = jobs.first() else {
            panic!("expected a delivery");
        };
        assert_eq!((d.webhook_id, d.contract_id, d.attempt), (h.id, c.id, 1));
        let payload: serde_json::Value = serde_json::from_slice(&d.body).unwrap();
        assert_eq!(payload["activity"], "CONTRACT_CREATED");
        assert_eq!(payload["contract_status"], "DRAFT");
        assert_eq!(payload["activity_data"]["timestamp"], now(1).micros);

        let send = Action::Send {
            to: vec!["a@example.com".into()],
            cc: Vec::new(),
        };
        let (c, jobs) = st
            .act(ws, c.id, send, ("SYSTEM", None), &now(2).micros)
            .unwrap();
        assert_eq!(c.status, Status::Redlining);
        assert_eq!(activities(&jobs), ["CONTRACT_SENT_TO_COUNTERPARTY"]);

        let mut fired = Vec::new();
        let mut c = c;
        while c.status != Status::Executed {
            let sign = Action::Sign { email: None };
            let (next, jobs) = st
                .act(ws, c.id, sign, ("SYSTEM", None), &now(3).micros)
                .unwrap();
            fired.extend(activities(&jobs));
            c = next;
            assert!(fired.len() < 50, "signing never finished");
        }
        assert_eq!(
            fired.first().map(String::as_str),
            Some("CONTRACT_SIGNATURE_REQUESTED")
        );
        assert!(fired.iter().any(|a| a == "CONTRACT_SIGNED"));
        // Both webhooks receive CONTRACT_EXECUTED, the narrow one nothing else.
        assert_eq!(
            fired.iter().filter(|a| *a == "CONTRACT_EXECUTED").count(),
            2
        );
        assert!(
            !c.key_pointers.is_empty(),
            "key pointers are filled on execution"
        );
        assert_eq!(c.version, 2);
        assert_eq!(
            c.last_event.as_ref().unwrap()["activity"],
            "CONTRACT_EXECUTED"
        );

        // A finished contract refuses further sends, and fires nothing.
        let send = Action::Send {
            to: Vec::new(),
            cc: Vec::new(),
        };
        assert!(st
            .act(ws, c.id, send, ("SYSTEM", None), &now(4).micros)
            .is_err());

        // re_trigger_latest: the last payload again, to both subscribers.
        let jobs = st.retrigger("acme", &[c.id]).unwrap();
        assert_eq!(
            activities(&jobs),
            ["CONTRACT_EXECUTED", "CONTRACT_EXECUTED"]
        );
        assert_eq!(
            st.retrigger("acme", &[c.id, 999_999]).unwrap_err().status,
            404
        );
    }

    #[test]
    fn failures_disable_a_webhook_and_retries_back_off() {
        let fixtures = Fixtures::builtin().unwrap();
        let mut st = State::fresh(&fixtures, 7);
        let h = st
            .register_webhook("acme", hook(&["CONTRACT_CREATED"]))
            .unwrap();
        let d = Delivery {
            workspace: "acme".into(),
            webhook_id: h.id,
            activity: "CONTRACT_CREATED".into(),
            contract_id: 1,
            body: Bytes::from_static(b"{}"),
            attempt: 1,
        };
        for _ in 0..MAX_CONSECUTIVE_FAILURES {
            assert_eq!(st.record_attempt(&d, false), "ACTIVE");
        }
        assert_eq!(
            st.record_attempt(&d, true),
            "ACTIVE",
            "a success clears the count"
        );
        for _ in 0..MAX_CONSECUTIVE_FAILURES {
            st.record_attempt(&d, false);
        }
        assert_eq!(st.record_attempt(&d, false), "DISABLED_BY_ERROR");
        assert!(st.delete_webhook("acme", h.id).is_some());
        assert_eq!(st.record_attempt(&d, false), "DELETED");

        let policy = RetryPolicy {
            base_ms: 100,
            max_attempts: 3,
        };
        let Some(Job::Later { after, delivery }) = policy.after_failure(&d) else {
            panic!("expected a retry");
        };
        assert_eq!((after, delivery.attempt), (Duration::from_millis(100), 2));
        let Some(Job::Later { after, delivery }) = policy.after_failure(&delivery) else {
            panic!("expected a retry");
        };
        assert_eq!((after, delivery.attempt), (Duration::from_millis(200), 3));
        assert!(policy.after_failure(&delivery).is_none());
        let long = RetryPolicy {
            base_ms: 50_000,
            max_attempts: 10,
        };
        let Some(Job::Later { after, .. }) = long.after_failure(&Delivery { attempt: 4, ..d })
        else {
            panic!("expected a retry");
        };
        assert_eq!(after, Duration::from_secs(60), "capped at 60 s");
    }
}
