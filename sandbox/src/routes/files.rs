//! `GET /__files/{workspace}/{composite_id}/{file_name}?expires=…&signature=…`: the signed,
//! expiring download URLs that `download_link` hands out, served as a real PDF.
//!
//! The signature is HMAC-SHA256 over `workspace \n composite_id \n expires` with a key kept in
//! the sandbox state; `expires` is checked against the sandbox clock, so advancing the clock
//! expires links. The file name in the path is cosmetic. Nothing here logs the query string.

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Method, Request};
use serde_json::Value;

use super::Handled;
use crate::app::{lock, App};
use crate::errors::ApiError;
use crate::fixtures::{constant_time_eq, WorkspaceFixture};
use crate::http;
use crate::model::contract::{counterparty_display_name, file_name, parse_composite, Contract};

/// Serves one file request.
pub fn handle(app: &Arc<App>, req: Request<Incoming>) -> Handled {
    let result = serve(app, &req);
    match result {
        Ok((resp, ws)) => Handled::of(resp, Some(ws)),
        Err(e) => Handled::of(http::error(&e), None),
    }
}

fn serve(app: &App, req: &Request<Incoming>) -> Result<(http::Resp, String), ApiError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ApiError::method_not_allowed(
            req.method().as_str(),
            "GET, HEAD",
        ));
    }
    let rest = req.uri().path().strip_prefix("/__files/").unwrap_or("");
    let segs: Vec<&str> = rest.split('/').collect();
    let [ws_slug, composite, _name] = segs.as_slice() else {
        return Err(ApiError::not_found());
    };
    let invalid = || {
        ApiError::coded(
            403,
            "SD_SANDBOX_LINK_INVALID",
            "This download link is invalid.",
        )
    };
    let q = http::query_pairs(req.uri().query());
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let expires: i64 = get("expires")
        .and_then(|v| v.parse().ok())
        .ok_or_else(invalid)?;
    let sig = get("signature").ok_or_else(invalid)?;
    let expected = app.file_signature(ws_slug, composite, expires);
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), sig.as_bytes()) {
        return Err(invalid());
    }
    if app.clock.now_secs() > expires {
        return Err(ApiError::coded(
            403,
            "SD_SANDBOX_LINK_EXPIRED",
            "This download link has expired.",
        ));
    }
    let ws = app.workspace(ws_slug).ok_or_else(ApiError::not_found)?;
    let id = parse_composite(composite)?;
    let c = lock(&app.state)
        .contract(ws_slug, id)
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    let pdf = crate::pdf::render(&c.contract_name, &document_lines(ws, &c));
    let name = file_name(&c);
    let ascii_name: String = name
        .chars()
        .map(|ch| {
            if ch.is_ascii_graphic() && ch != '"' || ch == ' ' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    let body = if req.method() == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from(pdf)
    };
    let mut r = http::raw(200, Some("application/pdf"), body);
    http::set(
        &mut r,
        "content-disposition",
        &format!("attachment; filename=\"{ascii_name}\""),
    );
    http::set(&mut r, "cache-control", "no-store");
    Ok((r, ws.slug.clone()))
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The text of the contract document.
pub fn document_lines(ws: &WorkspaceFixture, c: &Contract) -> Vec<String> {
    let mut l = Vec::new();
    l.push(format!(
        "Contract {}   Reference {}",
        c.composite_id(),
        c.reference_id
    ));
    l.push(format!(
        "Status: {}   Version: {}",
        c.status.as_str(),
        c.version
    ));
    l.push(format!(
        "Type: {} (template {})",
        c.contract_type_name, c.template_id
    ));
    l.push(format!(
        "Created: {} by {} <{}>",
        c.created, c.created_by_name, c.created_by_email
    ));
    l.push(String::new());
    l.push("PARTIES".into());
    match ws.entity(&c.entity_reference_id) {
        Some(e) => l.push(format!(
            "  Creator: {} ({}), {}",
            e.name, e.reference_id, e.jurisdiction
        )),
        None => l.push(format!("  Creator: {}", ws.name)),
    }
    for cp in &c.counterparties {
        let poc = cp.get("poc_details");
        let first = poc
            .and_then(|p| p.get("first_name"))
            .map(compact)
            .unwrap_or_default();
        let last = poc
            .and_then(|p| p.get("last_name"))
            .map(compact)
            .unwrap_or_default();
        let email = poc
            .and_then(|p| p.get("email"))
            .map(compact)
            .unwrap_or_default();
        let kind = if cp
            .get("is_individual")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            "individual"
        } else {
            "organisation"
        };
        l.push(format!(
            "  Counterparty: {} ({kind}) - contact {first} {last} <{email}>",
            counterparty_display_name(cp)
        ));
    }
    l.push(String::new());
    l.push("CONTRACT DATA".into());
    if let Some(m) = c.contract_data.as_object() {
        for (k, v) in m {
            l.push(format!("  {k}: {}", compact(v)));
        }
    }
    if let Some(m) = c.external_metadata.as_object().filter(|m| !m.is_empty()) {
        l.push(String::new());
        l.push(format!("External metadata: {}", Value::Object(m.clone())));
    }
    l.push(String::new());
    l.push("SIGNATURES".into());
    if c.signatures.is_empty() {
        l.push("  (none yet)".into());
    }
    for s in &c.signatures {
        l.push(format!("  Signed by {} <{}> at {}", s.name, s.email, s.at));
    }
    l
}
