//! `contracts/…`: create, list, send, status, key pointers, download link, void, lookup by
//! external id, and `contracts/webhooks/re_trigger_latest/`.

use serde_json::{json, Value};

use super::{field_error, Ctx, Out};
use crate::app::lock;
use crate::errors::ApiError;
use crate::http;
use crate::model::contract::{counterparty_emails, file_name, Contract, Status};
use crate::model::lifecycle::Action;
use crate::validate::{self, FieldErrors};

/// Dispatches a `contracts/` request (`POST` creates, anything else the router let through lists).
///
/// # Errors
/// The handler's.
pub fn contracts(ctx: &Ctx<'_>, post: bool) -> Out {
    if post {
        create(ctx)
    } else {
        list(ctx)
    }
}

/// `ExternalCreateContractResponse`.
fn create_response(ctx: &Ctx<'_>, c: &Contract) -> Value {
    json!({
        "id": c.composite_id(),
        "contract_id": c.id,
        "created": c.created,
        "contract_name": c.contract_name,
        "contract_link": ctx.link(c),
        "contract_status": c.status.as_str(),
        "created_by": c.created_by_email,
        "counter_party_name": c.counter_party_name,
        "contract_type_name": c.contract_type_name,
        "contract_type_id": c.contract_type_id,
        "created_by_workspace": ctx.ws.id,
        "external_metadata": c.external_metadata,
        "reference_id": c.reference_id,
    })
}

fn create(ctx: &Ctx<'_>) -> Out {
    ctx.no_query()?;
    let body = ctx.json_body()?;
    let v = validate::validate_create(ctx.ws, &body)?;
    let c = ctx.app.create_contract(ctx.ws, ctx.user, &v)?;
    Ok((http::json(201, &create_response(ctx, &c)), true))
}

fn list_item(ctx: &Ctx<'_>, c: &Contract) -> Value {
    json!({
        "id": c.composite_id(),
        "created": c.created,
        "contract_name": c.contract_name,
        "contract_link": ctx.link(c),
        "contract_status": c.status.as_str(),
        "created_by": c.created_by_name,
        "counter_party_name": c.counter_party_name,
        "contract_type_name": c.contract_type_name,
        "contract_type_id": c.contract_type_id,
        "external_metadata": c.external_metadata,
        "reference_id": c.reference_id,
        "created_by_user_name": c.created_by_name,
        "created_by_user_email": c.created_by_email,
        "created_by_workspace": ctx.ws.id,
    })
}

/// One `filter__field[$op]=value` condition.
struct Filter {
    field: String,
    op: String,
    values: Vec<String>,
}

fn parse_int_param(name: &str, v: &str, min: u64, max: u64) -> Result<u64, ApiError> {
    let n: u64 = v
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_query_param(name, "expected a positive integer"))?;
    if n < min || n > max {
        return Err(ApiError::invalid_query_param(
            name,
            &format!("must be between {min} and {max}"),
        ));
    }
    Ok(n)
}

fn list(ctx: &Ctx<'_>) -> Out {
    let mut page = 1u64;
    let mut limit = 10u64;
    let mut text: Option<String> = None;
    let mut filters: Vec<Filter> = Vec::new();
    for (k, v) in ctx.query {
        match k.as_str() {
            "page" => page = parse_int_param(k, v, 1, 1_000_000)?,
            "limit" => limit = parse_int_param(k, v, 1, 100)?,
            "query" => text = Some(v.to_lowercase()),
            _ => {
                let Some(spec) = k.strip_prefix("filter__") else {
                    return Err(ApiError::unknown_query_param(k));
                };
                let (field, op) = match spec.split_once('[') {
                    Some((f, rest)) => (f, rest.strip_suffix(']').unwrap_or("?")),
                    None => (spec, "$eq"),
                };
                if !matches!(field, "display_status" | "contract_id" | "contract_type_id") {
                    return Err(ApiError::invalid_query_param(
                        k,
                        "this filter is not supported by the sandbox",
                    ));
                }
                if !matches!(op, "$eq" | "$ne" | "$in") {
                    return Err(ApiError::invalid_query_param(
                        k,
                        "operator must be $eq, $ne or $in",
                    ));
                }
                let values: Vec<String> = if op == "$in" {
                    v.split(',').map(|s| s.trim().to_owned()).collect()
                } else {
                    vec![v.trim().to_owned()]
                };
                for val in &values {
                    let ok = match field {
                        "display_status" => Status::parse(val).is_some(),
                        "contract_id" => {
                            val.parse::<u64>().is_ok()
                                || val
                                    .strip_prefix("T-")
                                    .is_some_and(|n| n.parse::<u64>().is_ok())
                        }
                        _ => val.parse::<i64>().is_ok(),
                    };
                    if !ok {
                        return Err(ApiError::invalid_query_param(k, "unrecognised value"));
                    }
                }
                filters.push(Filter {
                    field: field.to_owned(),
                    op: op.to_owned(),
                    values,
                });
            }
        }
    }
    // A filtered list is search-backed like the lookup by external id: the lag fault hides
    // new contracts from it too.
    let cutoff = if filters.is_empty() && text.is_none() {
        i64::MAX
    } else {
        ctx.app.lookup_cutoff_micros()
    };
    let st = lock(&ctx.app.state);
    let Some(w) = st.workspaces.get(&ctx.ws.slug) else {
        return Err(ApiError::not_found());
    };
    let matches = |c: &Contract| {
        c.created_micros <= cutoff
            && filters.iter().all(|f| {
                let actual = match f.field.as_str() {
                    "display_status" => c.status.as_str().to_owned(),
                    "contract_id" => c.id.to_string(),
                    _ => c.contract_type_id.to_string(),
                };
                let hit = f
                    .values
                    .iter()
                    .any(|v| v.strip_prefix("T-").unwrap_or(v) == actual);
                if f.op == "$ne" {
                    !hit
                } else {
                    hit
                }
            })
            && text.as_ref().is_none_or(|t| {
                c.contract_name.to_lowercase().contains(t)
                    || c.counter_party_name.to_lowercase().contains(t)
            })
    };
    // Newest first (SpotDraft's default order is undocumented).
    let all: Vec<&Contract> = w.contracts.values().rev().filter(|c| matches(c)).collect();
    let total = all.len();
    let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
    let results: Vec<Value> = all
        .into_iter()
        .skip(skip)
        .take(usize::try_from(limit).unwrap_or(10))
        .map(|c| list_item(ctx, c))
        .collect();
    Ok((
        http::json(
            200,
            &json!({"page": page, "limit": limit, "total_results": total, "results": results}),
        ),
        false,
    ))
}

pub fn send(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = ctx.contract(composite)?;
    let body = ctx.json_body()?;
    let to = validate::validate_send(&body)?;
    let cc: Vec<String> = body
        .get("cc_emails")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let to = to.unwrap_or_else(|| counterparty_emails(&c));
    ctx.app
        .act(ctx.ws, c.id, Action::Send { to, cc }, ctx.performer())?;
    Ok((http::empty(200), true))
}

pub fn status(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = ctx.contract(composite)?;
    Ok((
        http::json(
            200,
            &json!({"contract_status": c.status.as_str(), "contract_name": c.contract_name}),
        ),
        false,
    ))
}

pub fn key_pointers(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = ctx.contract(composite)?;
    let v = serde_json::to_value(&c.key_pointers).unwrap_or_else(|_| json!([]));
    Ok((http::json(200, &v), false))
}

pub fn download_link(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = ctx.contract(composite)?;
    let body = ctx.json_body()?;
    let mut errs = FieldErrors::default();
    if let Some(obj) = body.as_object() {
        for k in obj.keys() {
            if k != "format" {
                errs.add(std::slice::from_ref(k), "Unknown field.");
            }
        }
        match obj.get("format") {
            None | Some(Value::Null) => {}
            Some(Value::String(f)) if f == "PDF" || f == "DOCX_WITH_FALLBACK_TO_PDF" => {}
            Some(Value::String(f)) if f == "DOCX" => {
                return Err(ApiError::coded(
                    400,
                    "SD_SANDBOX_FORMAT_UNSUPPORTED",
                    "The sandbox renders PDF only; use PDF or DOCX_WITH_FALLBACK_TO_PDF.",
                ))
            }
            Some(other) => errs.add(
                &["format".to_owned()],
                format!("{other} is not a valid choice."),
            ),
        }
    } else {
        errs.add(&[], "Expected a dictionary of items.");
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs.into_map()));
    }
    let (_, _, now) = ctx.app.now();
    let ttl = i64::try_from(ctx.app.config.download_ttl_secs).unwrap_or(i64::MAX);
    let expires = now.saturating_add(ttl);
    let file_name = file_name(&c);
    let url = ctx
        .app
        .signed_file_url(&ctx.ws.slug, &c.composite_id(), &file_name, expires);
    Ok((
        http::json(
            200,
            &json!({"url": url, "file_name": file_name, "current_version_id": c.version}),
        ),
        false,
    ))
}

pub fn void(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = ctx.contract(composite)?;
    let body = ctx.json_body()?;
    let note = match body.get("note") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => return Err(field_error("note", "This field may not be blank.")),
        None | Some(Value::Null) => return Err(field_error("note", "This field is required.")),
        Some(_) => return Err(field_error("note", "Not a valid string.")),
    };
    ctx.app
        .act(ctx.ws, c.id, Action::Void { note }, ctx.performer())?;
    Ok((http::empty(204), true))
}

pub fn by_external(ctx: &Ctx<'_>, raw_id: &str) -> Out {
    ctx.no_query()?;
    let id = http::percent_decode(raw_id).ok_or_else(ApiError::not_found)?;
    let cutoff = ctx.app.lookup_cutoff_micros();
    let st = lock(&ctx.app.state);
    let Some(w) = st.workspaces.get(&ctx.ws.slug) else {
        return Err(ApiError::not_found());
    };
    let items: Vec<Value> = w
        .contracts
        .values()
        .rev()
        .filter(|c| c.created_micros <= cutoff && c.external_id().as_deref() == Some(id.as_str()))
        .take(50)
        .map(|c| {
            json!({
                "id": c.id,
                "created": c.created,
                "contract_name": c.contract_name,
                "contract_link": ctx.link(c),
                "contract_status": c.status.as_str(),
                "created_by": c.created_by_email,
                "counter_party_name": c.counter_party_name,
                "contract_type_name": c.contract_type_name,
                "contract_type_id": c.contract_type_id,
                "created_by_workspace": ctx.ws.id,
                "external_metadata": c.external_metadata,
                "reference_id": c.reference_id,
            })
        })
        .collect();
    Ok((http::json(200, &Value::Array(items)), false))
}

pub fn retrigger(ctx: &Ctx<'_>) -> Out {
    ctx.no_query()?;
    let body = ctx.json_body()?;
    let ids = match body.get("contract_ids") {
        Some(Value::Array(a)) if a.is_empty() => {
            return Err(field_error(
                "contract_ids",
                "Provide one or more contract ids.",
            ))
        }
        Some(Value::Array(a)) => {
            let mut ids = Vec::with_capacity(a.len());
            for v in a {
                ids.push(v.as_u64().ok_or_else(|| {
                    field_error("contract_ids", "Contract ids must be integers.")
                })?);
            }
            ids
        }
        None | Some(Value::Null) => {
            return Err(field_error("contract_ids", "This field is required."))
        }
        Some(_) => return Err(field_error("contract_ids", "Expected a list of items.")),
    };
    ctx.app.retrigger(&ctx.ws.slug, &ids)?;
    Ok((http::json(200, &json!({"message": "Success"})), true))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::app::App;
    use crate::config::SandboxConfig;
    use crate::faults::{FaultConfig, FaultState};
    use bytes::Bytes;
    use http_body_util::BodyExt;
    use hyper::HeaderMap;

    const PLAYBOOK: &str = include_str!("../../../tests/fixtures/playbook-create-contract.json");

    fn body_of(resp: crate::http::Resp) -> Value {
        let bytes = ready(resp.into_body().collect()).unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// The bodies here are complete in memory: their futures are ready at the first poll.
    fn ready<F: std::future::Future>(f: F) -> F::Output
    where
        F::Output: Sized,
    {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => panic!("a full body is ready at once"),
        }
    }

    /// Runs `handler` as an authenticated acme request with `query`, no server involved.
    fn call(app: &App, query: &[(&str, &str)], handler: impl Fn(&Ctx<'_>) -> Out) -> Value {
        let ws = app.workspace("acme").unwrap();
        let user = ws.active_user(&ws.default_user).unwrap();
        let headers = HeaderMap::new();
        let body = Bytes::new();
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let ctx = Ctx {
            app,
            ws,
            user,
            headers: &headers,
            body: &body,
            query: &query,
        };
        body_of(handler(&ctx).unwrap().0)
    }

    #[test]
    fn the_lookup_lag_hides_a_new_contract_from_lookups_until_created_plus_lag() {
        let (jobs, _queue) = tokio::sync::mpsc::channel(64);
        let app = App::new(SandboxConfig::for_tests(), jobs).unwrap();
        *lock(&app.faults) = FaultState::new(FaultConfig {
            lookup_lag_ms: 60_000,
            ..FaultConfig::default()
        });
        let ws = app.workspace("acme").unwrap();
        let user = ws.active_user(&ws.default_user).unwrap();
        let playbook: Value = serde_json::from_str(PLAYBOOK).unwrap();
        let v = validate::validate_create(ws, &playbook).unwrap();
        let c = app.create_contract(ws, user, &v).unwrap();
        let external = c.external_id().unwrap();
        let lookup = |app: &App| call(app, &[], |ctx| by_external(ctx, &external));
        let filtered = |app: &App| {
            call(app, &[("filter__display_status", "DRAFT")], list)["total_results"].clone()
        };
        let searched = |app: &App| call(app, &[("query", "acme")], list)["total_results"].clone();

        assert_eq!(lookup(&app), json!([]), "committed but not yet visible");
        assert_eq!(filtered(&app), json!(0));
        assert_eq!(searched(&app), json!(0));
        // An unfiltered list and the read by id are not search-backed: visible at once.
        assert_eq!(call(&app, &[], list)["total_results"], json!(1));
        let id = c.composite_id();
        assert_eq!(
            call(&app, &[], |ctx| status(ctx, &id))["contract_status"],
            json!("DRAFT")
        );

        // 59 s later on the sandbox clock: still hidden; 61 s: visible.
        app.clock.advance(59);
        assert_eq!(lookup(&app), json!([]));
        app.clock.advance(2);
        assert_eq!(lookup(&app)[0]["id"], json!(c.id));
        assert_eq!(filtered(&app), json!(1));
        assert_eq!(searched(&app), json!(1));

        // Without the fault, a new contract is visible at once.
        *lock(&app.faults) = FaultState::new(FaultConfig::default());
        let second = app.create_contract(ws, user, &v).unwrap();
        assert_eq!(lookup(&app)[0]["id"], json!(second.id));
        assert_eq!(lookup(&app).as_array().unwrap().len(), 2);
    }
}
