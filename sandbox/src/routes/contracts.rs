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
    let st = lock(&ctx.app.state);
    let Some(w) = st.workspaces.get(&ctx.ws.slug) else {
        return Err(ApiError::not_found());
    };
    let matches = |c: &Contract| {
        filters.iter().all(|f| {
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
        }) && text.as_ref().is_none_or(|t| {
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
    let st = lock(&ctx.app.state);
    let Some(w) = st.workspaces.get(&ctx.ws.slug) else {
        return Err(ApiError::not_found());
    };
    let items: Vec<Value> = w
        .contracts
        .values()
        .rev()
        .filter(|c| c.external_id().as_deref() == Some(id.as_str()))
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
