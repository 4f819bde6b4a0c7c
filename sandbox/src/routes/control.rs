//! Sandbox-only control endpoints under `/__sandbox/` (no SpotDraft auth).
//!
//! They drive what a counterparty or SpotDraft itself would do (sign, execute, hold), move the
//! clock, read and replace the fault config, reset state, and expose the truth (contracts,
//! webhook deliveries) for tests. `?workspace=<slug>` selects the workspace (default `acme`,
//! or the first workspace when there is no `acme`). Never subject to faults or rate limits.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Method, Request};
use serde_json::{json, Value};

use serde::Serialize;

use super::Handled;
use crate::app::{lock, App};
use crate::errors::ApiError;
use crate::faults::{FaultConfig, FaultState};
use crate::fixtures::WorkspaceFixture;
use crate::http;
use crate::model::contract::{parse_composite, Contract};
use crate::model::lifecycle::Action;
use crate::model::webhook::webhook_json;

/// Handles one control request.
pub async fn handle(app: &Arc<App>, req: Request<Incoming>) -> Handled {
    let (parts, body) = req.into_parts();
    let bytes = match http::read_body(
        &parts.headers,
        body,
        app.config.max_body_bytes,
        Duration::from_secs(10),
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return Handled::of(http::error(&e), None),
    };
    let query = http::query_pairs(parts.uri.query());
    let path = parts.uri.path().to_owned();
    let rest = path
        .strip_prefix("/__sandbox")
        .unwrap_or("")
        .trim_matches('/');
    let segs: Vec<&str> = rest.split('/').collect();
    let ws_param = query
        .iter()
        .find(|(k, _)| k == "workspace")
        .map(|(_, v)| v.clone());
    if let Some((k, _)) = query.iter().find(|(k, _)| k != "workspace") {
        return Handled::of(http::error(&ApiError::unknown_query_param(k)), None);
    }
    let ws = match &ws_param {
        Some(slug) => app.workspace(slug),
        None => app
            .workspace("acme")
            .or_else(|| app.fixtures.workspaces.first()),
    };
    let Some(ws) = ws else {
        return Handled::of(
            http::error(&ApiError::coded(
                404,
                "SD_SANDBOX_UNKNOWN_WORKSPACE",
                "Unknown workspace.",
            )),
            None,
        );
    };
    let body = match http::parse_json(&parts.headers, &bytes) {
        Ok(b) => b,
        Err(e) => return Handled::of(http::error(&e), Some(ws.slug.clone())),
    };
    let m = &parts.method;
    let result = match (m, segs.as_slice()) {
        (&Method::GET, ["health"]) => Ok(http::json(200, &health(app))),
        (&Method::GET, ["contracts"]) => Ok(contracts(app, ws)),
        (&Method::GET, ["contracts", c]) => one_contract(app, ws, c),
        (&Method::POST, ["contracts", c, action]) => {
            contract_action(app, ws, c, action, body.as_ref())
        }
        (&Method::GET, ["clock"]) => Ok(clock(app)),
        (&Method::POST, ["clock", "advance"]) => advance(app, body.as_ref()),
        (&Method::GET, ["faults"]) => Ok(http::json(200, &json!(lock(&app.faults).config))),
        (&Method::POST, ["faults"]) => set_faults(app, body),
        (&Method::POST, ["reset"]) => {
            app.reset(ws_param.as_deref());
            Ok(http::json(
                200,
                &json!({"reset": ws_param.unwrap_or_else(|| "all".into())}),
            ))
        }
        (&Method::GET, ["webhook-deliveries"]) => Ok(deliveries(app, ws)),
        (_, ["health" | "contracts" | "clock" | "faults" | "reset" | "webhook-deliveries", ..]) => {
            Err(ApiError::method_not_allowed(m.as_str(), "GET, POST"))
        }
        _ => Err(ApiError::not_found()),
    };
    match result {
        Ok(r) => Handled::of(r, Some(ws.slug.clone())),
        Err(e) => Handled::of(http::error(&e), Some(ws.slug.clone())),
    }
}

fn health(app: &App) -> Value {
    json!(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        uptime_ms: app.uptime_ms(),
        workspaces: app
            .fixtures
            .workspaces
            .iter()
            .map(|w| w.slug.as_str())
            .collect(),
        now: app.now().0,
    })
}

fn summary(c: &Contract, full: bool) -> Value {
    let mut v = json!({
        "id": c.id,
        "composite_id": c.composite_id(),
        "external_metadata_id": c.external_id(),
        "external_metadata": c.external_metadata,
        "status": c.status.as_str(),
        "created": c.created,
        "contract_name": c.contract_name,
        "template_id": c.template_id,
        "reference_id": c.reference_id,
        "counter_party_name": c.counter_party_name,
        "entity_reference_id": c.entity_reference_id,
        "created_by": c.created_by_email,
        "version": c.version,
        "signatures": c.signatures.iter().map(|s| json!({"name": s.name, "email": s.email, "at": s.at})).collect::<Vec<_>>(),
        "required_signatures": c.required_signatures,
        "key_pointers": c.key_pointers,
        "sent_to": c.sent_to,
        "void_note": c.void_note,
    });
    if full {
        if let Some(o) = v.as_object_mut() {
            o.insert("contract_data".into(), c.contract_data.clone());
            o.insert("counterparties".into(), json!(c.counterparties));
            o.insert("signatories".into(), json!(c.signatories));
            o.insert("last_event".into(), json!(c.last_event));
        }
    }
    v
}

fn contracts(app: &App, ws: &WorkspaceFixture) -> http::Resp {
    let st = lock(&app.state);
    let list: Vec<&Contract> = st
        .workspaces
        .get(&ws.slug)
        .map(|w| w.contracts.values().collect())
        .unwrap_or_default();
    let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for c in &list {
        if let Some(id) = c.external_id() {
            *counts.entry(id).or_default() += 1;
        }
    }
    counts.retain(|_, n| *n > 1);
    let items: Vec<Value> = list.iter().map(|c| summary(c, false)).collect();
    http::json(
        200,
        &json!({"workspace": ws.slug, "count": items.len(), "duplicates_by_external_metadata_id": counts, "contracts": items}),
    )
}

fn one_contract(app: &App, ws: &WorkspaceFixture, composite: &str) -> Result<http::Resp, ApiError> {
    let id = parse_composite(composite)?;
    let st = lock(&app.state);
    let c = st.contract(&ws.slug, id).ok_or_else(ApiError::not_found)?;
    Ok(http::json(200, &summary(c, true)))
}

fn contract_action(
    app: &App,
    ws: &WorkspaceFixture,
    composite: &str,
    action: &str,
    body: Option<&Value>,
) -> Result<http::Resp, ApiError> {
    let id = parse_composite(composite)?;
    let email = body
        .and_then(|b| b.get("email"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let action = match action {
        "sign" => Action::Sign {
            email: email.clone(),
        },
        "request_signature" => Action::RequestSignature,
        "execute" => Action::Execute,
        "hold" => Action::Hold,
        "release" => Action::Release,
        _ => return Err(ApiError::not_found()),
    };
    let performer = match &email {
        Some(e) => (e.as_str(), Some(e.as_str())),
        None => ("SYSTEM", None),
    };
    let c = app.act(ws, id, action, performer)?;
    Ok(http::json(200, &summary(&c, false)))
}

fn clock(app: &App) -> http::Resp {
    http::json(
        200,
        &json!({"now": app.now().0, "offset_secs": app.clock.offset_secs()}),
    )
}

fn advance(app: &App, body: Option<&Value>) -> Result<http::Resp, ApiError> {
    let secs = body
        .and_then(|b| b.get("seconds"))
        .and_then(Value::as_i64)
        .filter(|s| (0..=100 * 365 * 86_400).contains(s))
        .ok_or_else(|| {
            ApiError::coded(
                400,
                "SD_SANDBOX_INVALID_CLOCK",
                "Send {\"seconds\": n} with 0 <= n <= 3153600000.",
            )
        })?;
    app.clock.advance(secs);
    app.mark_dirty();
    Ok(clock(app))
}

fn set_faults(app: &App, body: Option<Value>) -> Result<http::Resp, ApiError> {
    let cfg: FaultConfig = serde_json::from_value(body.unwrap_or_else(|| json!({})))
        .map_err(|e| ApiError::coded(400, "SD_SANDBOX_INVALID_FAULTS", e.to_string()))?;
    cfg.validate()
        .map_err(|e| ApiError::coded(400, "SD_SANDBOX_INVALID_FAULTS", e))?;
    let v = json!(cfg);
    *lock(&app.faults) = FaultState::new(cfg);
    Ok(http::json(200, &v))
}

fn deliveries(app: &App, ws: &WorkspaceFixture) -> http::Resp {
    let items: Vec<Value> = lock(&app.deliveries)
        .iter()
        .filter(|d| d.workspace == ws.slug)
        .map(|d| json!(d))
        .collect();
    let hooks: Vec<Value> = lock(&app.state)
        .workspaces
        .get(&ws.slug)
        .map(|w| {
            w.webhooks
                .values()
                .map(|h| {
                    let mut v = webhook_json(h);
                    if let Some(o) = v.as_object_mut() {
                        o.insert("consecutive_failures".into(), json!(h.consecutive_failures));
                    }
                    v
                })
                .collect()
        })
        .unwrap_or_default();
    http::json(
        200,
        &json!({"workspace": ws.slug, "deliveries": items, "webhooks": hooks}),
    )
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
