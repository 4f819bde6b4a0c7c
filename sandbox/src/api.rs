//! SpotDraft API routes under `/api/v2.1/public/`: routing (with SpotDraft's 302 on a wrong
//! trailing slash), faults, auth, rate limit, and the handlers.
//!
//! Order per request: route (404) → trailing slash (302) → method (405) → injected latency and
//! faults → body (413/408) → credentials (401/403) → rate limit (429) → query parameters (400)
//! → handler → optional reset after commit.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{HeaderMap, Method, Request};
use serde_json::{json, Value};

use crate::app::{lock, App, Handled};
use crate::errors::ApiError;
use crate::faults::PreFault;
use crate::fixtures::{UserFixture, WorkspaceFixture};
use crate::http::{self, Resp};
use crate::lifecycle::{self, Action};
use crate::state::{Contract, Status, Webhook};
use crate::validate::{self, FieldErrors};

const PREFIX: &str = "/api/v2.1/public/";
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// A matched API route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `contracts/` GET list, POST create.
    Contracts,
    /// `contracts/{c}/send_to_counterparties`.
    Send(String),
    /// `contracts/{c}/status`.
    Status(String),
    /// `contracts/{c}/key_pointers`.
    KeyPointers(String),
    /// `contracts/{c}/download_link`.
    DownloadLink(String),
    /// `contracts/{c}/status/void`.
    Void(String),
    /// `contracts/by_external_metadata/{id}`.
    ByExternal(String),
    /// `templates/`.
    Templates,
    /// `templates/{id}/`.
    Template(String),
    /// `templates/{id}/metadata`.
    TemplateMetadata(String),
    /// `webhooks/hmac_key/`.
    HmacKey,
    /// `webhooks/`.
    Webhooks,
    /// `webhooks/{id}`.
    Webhook(String),
    /// `contracts/webhooks/re_trigger_latest/`.
    Retrigger,
}

/// Matches the path after the prefix; returns the route and whether its canonical form ends
/// with a slash.
pub fn match_route(rest: &str) -> Option<(Route, bool)> {
    let trimmed = rest.strip_suffix('/').unwrap_or(rest);
    let segs: Vec<&str> = trimmed.split('/').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return None;
    }
    let s = |x: &str| x.to_owned();
    Some(match segs.as_slice() {
        ["contracts"] => (Route::Contracts, true),
        ["contracts", "webhooks", "re_trigger_latest"] => (Route::Retrigger, true),
        ["contracts", "by_external_metadata", id] => (Route::ByExternal(s(id)), false),
        ["contracts", c, "send_to_counterparties"] => (Route::Send(s(c)), false),
        ["contracts", c, "status"] => (Route::Status(s(c)), false),
        ["contracts", c, "key_pointers"] => (Route::KeyPointers(s(c)), false),
        ["contracts", c, "download_link"] => (Route::DownloadLink(s(c)), false),
        ["contracts", c, "status", "void"] => (Route::Void(s(c)), false),
        ["templates"] => (Route::Templates, true),
        ["templates", id] => (Route::Template(s(id)), true),
        ["templates", id, "metadata"] => (Route::TemplateMetadata(s(id)), false),
        ["webhooks"] => (Route::Webhooks, true),
        ["webhooks", "hmac_key"] => (Route::HmacKey, true),
        ["webhooks", id] => (Route::Webhook(s(id)), false),
        _ => return None,
    })
}

fn allowed(r: &Route) -> &'static str {
    match r {
        Route::Contracts => "GET, POST",
        Route::Send(_)
        | Route::DownloadLink(_)
        | Route::Void(_)
        | Route::Webhooks
        | Route::Retrigger => "POST",
        Route::Webhook(_) => "DELETE",
        _ => "GET",
    }
}

/// Handles one API request.
pub async fn handle(app: &Arc<App>, req: Request<Incoming>) -> Handled {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let Some((route, slash)) = path.strip_prefix(PREFIX).and_then(match_route) else {
        return Handled::of(http::error(&ApiError::not_found()), None);
    };
    if path.ends_with('/') != slash {
        let mut fixed = if slash {
            format!("{path}/")
        } else {
            path.trim_end_matches('/').to_owned()
        };
        if let Some(q) = parts.uri.query() {
            fixed.push('?');
            fixed.push_str(q);
        }
        return Handled::of(http::redirect(&fixed), None);
    }
    let allow = allowed(&route);
    if !allow.split(", ").any(|m| m == parts.method.as_str()) {
        return Handled::of(
            http::error(&ApiError::method_not_allowed(parts.method.as_str(), allow)),
            None,
        );
    }

    let latency = lock(&app.faults).latency_ms();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let pre = lock(&app.faults).pre();
    match pre {
        PreFault::None => {}
        PreFault::ResetBefore => {
            return Handled {
                resp: http::empty(500),
                workspace: None,
                reset: true,
            }
        }
        PreFault::ServerError(s) => {
            return Handled::of(http::error(&ApiError::injected_5xx(s)), None)
        }
        PreFault::TooMany(s) => return Handled::of(http::error(&ApiError::throttled(s)), None),
    }

    let bytes = match http::read_body(
        &parts.headers,
        body,
        app.config.max_body_bytes,
        BODY_TIMEOUT,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return Handled::of(http::error(&e), None),
    };
    let (ws, user) = match authenticate(app, &parts.headers) {
        Ok(x) => x,
        Err(e) => return Handled::of(http::error(&e), None),
    };
    let slug = Some(ws.slug.clone());
    if let Err(e) = app.rate_limit(&ws.slug) {
        return Handled::of(http::error(&e), slug);
    }
    let query = http::query_pairs(parts.uri.query());
    let ctx = Ctx {
        app,
        ws,
        user,
        headers: &parts.headers,
        body: &bytes,
        query: &query,
    };
    let result = dispatch(&ctx, &route, &parts.method);
    match result {
        Ok((resp, mutated)) => {
            let reset =
                mutated && resp.status().is_success() && lock(&app.faults).reset_after_commit();
            Handled {
                resp,
                workspace: slug,
                reset,
            }
        }
        Err(e) => Handled::of(http::error(&e), slug),
    }
}

struct Ctx<'a> {
    app: &'a App,
    ws: &'a WorkspaceFixture,
    user: &'a UserFixture,
    headers: &'a HeaderMap,
    body: &'a Bytes,
    query: &'a [(String, String)],
}

impl Ctx<'_> {
    fn performer(&self) -> (&str, Option<&str>) {
        (self.user.name.as_str(), Some(self.user.email.as_str()))
    }

    fn no_query(&self) -> Result<(), ApiError> {
        match self.query.first() {
            Some((k, _)) => Err(ApiError::unknown_query_param(k)),
            None => Ok(()),
        }
    }

    fn json_body(&self) -> Result<Value, ApiError> {
        Ok(http::parse_json(self.headers, self.body)?.unwrap_or_else(|| json!({})))
    }

    fn link(&self, c: &Contract) -> String {
        let base = lock(&self.app.base_url).clone();
        format!(
            "{base}/__sandbox/contracts/{}?workspace={}",
            c.composite_id(),
            self.ws.slug
        )
    }
}

type Out = Result<(Resp, bool), ApiError>;

fn dispatch(ctx: &Ctx<'_>, route: &Route, method: &Method) -> Out {
    match route {
        Route::Contracts if method == Method::POST => create(ctx),
        Route::Contracts => list(ctx),
        Route::Send(c) => send(ctx, c),
        Route::Status(c) => status(ctx, c),
        Route::KeyPointers(c) => key_pointers(ctx, c),
        Route::DownloadLink(c) => download_link(ctx, c),
        Route::Void(c) => void(ctx, c),
        Route::ByExternal(id) => by_external(ctx, id),
        Route::Templates => templates(ctx),
        Route::Template(id) => template(ctx, id, false),
        Route::TemplateMetadata(id) => template(ctx, id, true),
        Route::HmacKey => hmac_key(ctx),
        Route::Webhooks => create_webhook(ctx),
        Route::Webhook(id) => delete_webhook(ctx, id),
        Route::Retrigger => retrigger(ctx),
    }
}

/// Resolves the workspace and acting user from the headers.
fn authenticate<'a>(
    app: &'a App,
    h: &HeaderMap,
) -> Result<(&'a WorkspaceFixture, &'a UserFixture), ApiError> {
    let id = http::header(h, "client-id").filter(|s| !s.is_empty());
    let secret = http::header(h, "client-secret").filter(|s| !s.is_empty());
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(ApiError::credentials_missing());
    };
    let ws = app
        .fixtures
        .by_credentials(id, secret)
        .ok_or_else(ApiError::credentials_invalid)?;
    let user = match http::header(h, "user-email").filter(|s| !s.is_empty()) {
        Some(email) => ws
            .active_user(email)
            .ok_or_else(ApiError::user_not_active)?,
        None => ws
            .active_user(&ws.default_user)
            .ok_or_else(ApiError::user_not_active)?,
    };
    Ok((ws, user))
}

/// Parses `T-<n>`; `H-<n>` is well-formed but the sandbox holds no historical contracts.
///
/// # Errors
/// 404 malformed, or 404 not found for `H-` ids.
pub fn parse_composite(s: &str) -> Result<u64, ApiError> {
    let (prefix, num) = s
        .split_once('-')
        .ok_or_else(ApiError::malformed_composite_id)?;
    if num.is_empty() || num.len() > 18 || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::malformed_composite_id());
    }
    let n: u64 = num
        .parse()
        .map_err(|_| ApiError::malformed_composite_id())?;
    match prefix {
        "T" => Ok(n),
        "H" => Err(ApiError::not_found()),
        _ => Err(ApiError::malformed_composite_id()),
    }
}

fn contract(ctx: &Ctx<'_>, composite: &str) -> Result<Contract, ApiError> {
    let id = parse_composite(composite)?;
    lock(&ctx.app.state)
        .contract(&ctx.ws.slug, id)
        .cloned()
        .ok_or_else(ApiError::not_found)
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
    let (created, _, created_unix) = ctx.app.now();
    let cp_name = v
        .counterparties
        .first()
        .map(validate::counterparty_display_name)
        .unwrap_or_default();
    let cp_emails: Vec<String> = v
        .counterparties
        .iter()
        .filter_map(|cp| {
            cp.get("poc_details")?
                .get("email")?
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    let id = {
        let mut st = lock(&ctx.app.state);
        let id = st.next_contract_id;
        st.next_contract_id += 1;
        let mut c = Contract {
            id,
            template_id: v.template.id,
            contract_name: v.contract_name.clone(),
            status: Status::Draft,
            held_from: None,
            created,
            created_unix,
            created_by_email: ctx.user.email.clone(),
            created_by_name: ctx.user.name.clone(),
            contract_type_id: v.template.contract_type_id,
            contract_type_name: v.template.contract_type_name.clone(),
            counter_party_name: cp_name,
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
        let ws = st
            .workspaces
            .get_mut(&ctx.ws.slug)
            .ok_or_else(|| ApiError::detail(500, "workspace state missing"))?;
        ws.contracts.insert(id, c);
        id
    };
    ctx.app.fire(
        ctx.ws,
        id,
        &[lifecycle::fired("CONTRACT_CREATED", Status::Draft)],
        ctx.performer(),
    );
    let c = if v.auto_send {
        let to = v.send_to.clone().unwrap_or(cp_emails);
        ctx.app.act(
            ctx.ws,
            id,
            Action::Send { to, cc: Vec::new() },
            ctx.performer(),
        )?
    } else {
        ctx.app.mark_dirty();
        lock(&ctx.app.state)
            .contract(&ctx.ws.slug, id)
            .cloned()
            .ok_or_else(ApiError::not_found)?
    };
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

fn send(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = contract(ctx, composite)?;
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
    let to = to.unwrap_or_else(|| {
        c.counterparties
            .iter()
            .filter_map(|cp| {
                cp.get("poc_details")?
                    .get("email")?
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    });
    ctx.app
        .act(ctx.ws, c.id, Action::Send { to, cc }, ctx.performer())?;
    Ok((http::empty(200), true))
}

fn status(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = contract(ctx, composite)?;
    Ok((
        http::json(
            200,
            &json!({"contract_status": c.status.as_str(), "contract_name": c.contract_name}),
        ),
        false,
    ))
}

fn key_pointers(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = contract(ctx, composite)?;
    let v = serde_json::to_value(&c.key_pointers).unwrap_or_else(|_| json!([]));
    Ok((http::json(200, &v), false))
}

fn download_link(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = contract(ctx, composite)?;
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

/// `"<contract name> <4 hex>.pdf"`, like SpotDraft's `"Standard NDA a3b2.pdf"`.
pub fn file_name(c: &Contract) -> String {
    let tag = crate::rng::fnv1a(&format!("{}-{}", c.id, c.version)) & 0xFFFF;
    let clean: String = c
        .contract_name
        .chars()
        .map(|ch| {
            if ch == '/' || ch == '\\' || ch.is_control() {
                '_'
            } else {
                ch
            }
        })
        .collect();
    format!("{clean} {tag:04x}.pdf")
}

fn void(ctx: &Ctx<'_>, composite: &str) -> Out {
    ctx.no_query()?;
    let c = contract(ctx, composite)?;
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

fn field_error(field: &str, msg: &str) -> ApiError {
    let mut e = FieldErrors::default();
    e.add(&[field.to_owned()], msg);
    ApiError::validation(e.into_map())
}

fn by_external(ctx: &Ctx<'_>, raw_id: &str) -> Out {
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

fn parse_bool(name: &str, v: &str) -> Result<bool, ApiError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::invalid_query_param(
            name,
            "expected true or false",
        )),
    }
}

fn templates(ctx: &Ctx<'_>) -> Out {
    let mut tags: Vec<String> = Vec::new();
    let mut tags_all: Vec<String> = Vec::new();
    let mut cp_type: Option<String> = None;
    let mut exclude_multi = false;
    let mut include_archived = false;
    for (k, v) in ctx.query {
        match k.as_str() {
            "tags" => tags.push(v.clone()),
            "tags_all" => tags_all.push(v.clone()),
            "cp_types" => {
                if v != "Organisation" && v != "Individual" {
                    return Err(ApiError::invalid_query_param(
                        k,
                        "must be Organisation or Individual",
                    ));
                }
                cp_type = Some(v.clone());
            }
            "cp_types_all" => {
                parse_bool(k, v)?;
            }
            "exclude_multi_party" => exclude_multi = parse_bool(k, v)?,
            "include_archived" => include_archived = parse_bool(k, v)?,
            _ => return Err(ApiError::unknown_query_param(k)),
        }
    }
    let items: Vec<Value> = ctx
        .ws
        .templates
        .iter()
        .filter(|t| include_archived || !t.archived)
        .filter(|t| !exclude_multi || !t.multi_party)
        .filter(|t| tags.is_empty() || t.tags.iter().all(|tag| tags.contains(tag)))
        .filter(|t| tags_all.iter().all(|tag| t.tags.contains(tag)))
        .filter(|t| {
            cp_type.as_ref().is_none_or(|want| {
                t.resolved.as_ref().is_some_and(|m| {
                    m.counter_party_kind == "Both" || &m.counter_party_kind == want
                })
            })
        })
        .map(|t| json!({"id": t.id, "name": t.name, "contract_type_id": t.contract_type_id}))
        .collect();
    Ok((http::json(200, &json!({ "items": items })), false))
}

fn template(ctx: &Ctx<'_>, raw_id: &str, metadata: bool) -> Out {
    ctx.no_query()?;
    // Django's int path converter would not match a non-numeric id: plain 404.
    let id: i64 = raw_id.parse().map_err(|_| ApiError::not_found())?;
    let t = ctx
        .ws
        .template(id)
        .ok_or_else(|| ApiError::template_inaccessible(id))?;
    let v = if metadata {
        t.resolved
            .as_ref()
            .map_or_else(|| json!({}), |m| m.raw.clone())
    } else {
        json!({"id": t.id, "name": t.name, "contract_type_id": t.contract_type_id, "tags": t.tags})
    };
    Ok((http::json(200, &v), false))
}

fn hmac_key(ctx: &Ctx<'_>) -> Out {
    ctx.no_query()?;
    let key = lock(&ctx.app.state)
        .workspaces
        .get(&ctx.ws.slug)
        .map(|w| w.hmac_key.clone())
        .unwrap_or_default();
    Ok((http::json(200, &json!({ "hmac_key": key })), false))
}

const ACTIVITIES: &[&str] = &[
    "CONTRACT_VERSION_UPLOADED",
    "CONTRACT_APPROVAL_COMPLETED",
    "CONTRACT_APPROVAL_REQUESTED",
    "CONTRACT_CREATED",
    "CONTRACT_DATA_UPDATED",
    "CONTRACT_DELETED",
    "CONTRACT_EXECUTED",
    "CONTRACT_MARK_FOR_EXECUTION",
    "CONTRACT_SENT_TO_COUNTERPARTY",
    "CONTRACT_SIGNATURE_DECLINED",
    "CONTRACT_SIGNATURE_REQUESTED",
    "CONTRACT_SIGNED",
    "CONTRACT_UNMARK_FOR_EXECUTION",
    "POSTMARK_EMAIL_EVENT",
    "CONTRACT_KEY_POINTER_UPDATION",
    "CONTRACT_KEY_POINTER_CREATION",
    "SIGNING_EMAIL_DELIVERED",
    "SIGNING_EMAIL_OPENED",
    "SIGNING_EMAIL_NOT_DELIVERED",
    "SIGNING_EMAIL_LINK_CLICKED",
    "REDLINING_EMAIL_DELIVERED",
    "REDLINING_EMAIL_OPENED",
    "REDLINING_EMAIL_NOT_DELIVERED",
    "REDLINING_EMAIL_LINK_CLICKED",
    "CONTRACT_SIGNATURE_REQUESTED_NOTIFICATION_SENT",
    "COUNTER_PARTY_CREATED",
    "COUNTER_PARTY_UPDATED",
    "COUNTER_PARTY_CONTACT_CREATED",
    "COUNTER_PARTY_CONTACT_UPDATED",
    "COUNTER_PARTY_ADDRESS_CREATED",
    "COUNTER_PARTY_ADDRESS_UPDATED",
    "CONTRACT_ACTIVITY_LOG_COMMENT_CREATED",
    "CONTRACT_VOIDED",
    "CONTRACT_PROCESS_METRIC_UPDATED",
    "CONTRACT_EXTERNAL_METADATA_CREATED",
    "CONTRACT_EXTERNAL_METADATA_UPDATED",
    "CONTRACT_ENTITY_UPDATED",
];

const RESERVED_HEADER_PREFIXES: &[&str] = &[
    "x-google-",
    "x-goog-",
    "x-gfe-",
    "x-amz-",
    "x-ms-",
    "x-dd-",
    "x-datadog-",
    "x-b3-",
    "x-sd-",
    "x-spotdraft-",
];

fn create_webhook(ctx: &Ctx<'_>) -> Out {
    ctx.no_query()?;
    let body = ctx.json_body()?;
    let mut errs = FieldErrors::default();
    let Some(obj) = body.as_object() else {
        return Err(field_error(
            "non_field_errors",
            "Expected a dictionary of items.",
        ));
    };
    for k in obj.keys() {
        if !matches!(
            k.as_str(),
            "title" | "url" | "only_for_activities" | "description" | "custom_headers"
        ) {
            errs.add(std::slice::from_ref(k), "Unknown field.");
        }
    }
    let title = match obj.get("title") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => {
            errs.add(&["title".into()], "String should have at least 1 character");
            String::new()
        }
        None | Some(Value::Null) => {
            errs.add(&["title".into()], "Field required");
            String::new()
        }
        Some(_) => {
            errs.add(&["title".into()], "Input should be a valid string");
            String::new()
        }
    };
    let url = match obj.get("url").and_then(Value::as_str) {
        Some(u) => {
            if let Err(msg) = crate::webhooks::check_url(u) {
                errs.add(&["url".into()], msg);
            }
            u.to_owned()
        }
        None => {
            errs.add(&["url".into()], "Field required");
            String::new()
        }
    };
    let mut activities: Vec<String> = Vec::new();
    match obj.get("only_for_activities") {
        Some(Value::Array(a)) if a.is_empty() => errs.add(
            &["only_for_activities".into()],
            "List should have at least 1 item",
        ),
        Some(Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                match v.as_str() {
                    Some(s) if ACTIVITIES.contains(&s) => {
                        if !activities.iter().any(|x| x == s) {
                            activities.push(s.to_owned());
                        }
                    }
                    _ => errs.add(
                        &["only_for_activities".into(), i.to_string()],
                        "Input should be a valid webhook activity type",
                    ),
                }
            }
        }
        None | Some(Value::Null) => errs.add(&["only_for_activities".into()], "Field required"),
        Some(_) => errs.add(
            &["only_for_activities".into()],
            "Input should be a valid list",
        ),
    }
    let description = match obj.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.add(&["description".into()], "Input should be a valid string");
            None
        }
    };
    let mut custom_headers = std::collections::BTreeMap::new();
    match obj.get("custom_headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                let name = k.trim();
                let lower = name.to_ascii_lowercase();
                let valid_token = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !lower.starts_with("x-") || !valid_token {
                    errs.add(&["custom_headers".into(), k.clone()], "Header names must start with X- and contain only letters, digits, - and _.");
                } else if RESERVED_HEADER_PREFIXES
                    .iter()
                    .any(|p| lower.starts_with(p))
                {
                    errs.add(
                        &["custom_headers".into(), k.clone()],
                        "This header prefix is reserved.",
                    );
                }
                match v.as_str() {
                    Some(s) if hyper::header::HeaderValue::from_str(s).is_ok() => {
                        custom_headers.insert(name.to_owned(), s.to_owned());
                    }
                    _ => errs.add(
                        &["custom_headers".into(), k.clone()],
                        "Header values must be strings of visible ASCII.",
                    ),
                }
            }
        }
        Some(_) => errs.add(
            &["custom_headers".into()],
            "Input should be a valid dictionary",
        ),
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs.into_map()));
    }
    let created_by_user = json!({
        "id": ctx.user.id, "name": ctx.user.name, "email": ctx.user.email, "designation": ctx.user.designation,
    });
    let hook = {
        let mut st = lock(&ctx.app.state);
        let id = st.next_webhook_id;
        st.next_webhook_id += 1;
        let hook = Webhook {
            id,
            title,
            url,
            only_for_activities: activities,
            description,
            custom_headers,
            status: "ACTIVE".into(),
            consecutive_failures: 0,
            created_by_user,
        };
        st.workspaces
            .get_mut(&ctx.ws.slug)
            .ok_or_else(|| ApiError::detail(500, "workspace state missing"))?
            .webhooks
            .insert(id, hook.clone());
        hook
    };
    ctx.app.mark_dirty();
    Ok((http::json(201, &webhook_json(&hook)), true))
}

/// `PublicWebhookResponse`.
pub fn webhook_json(h: &Webhook) -> Value {
    let mut v = json!({
        "id": h.id,
        "title": h.title,
        "only_for_activities": h.only_for_activities,
        "url": h.url,
        "created_by_user": h.created_by_user,
        "custom_headers": h.custom_headers,
        "status": h.status,
    });
    if let (Some(d), Some(o)) = (&h.description, v.as_object_mut()) {
        o.insert("description".into(), json!(d));
    }
    v
}

fn delete_webhook(ctx: &Ctx<'_>, raw_id: &str) -> Out {
    ctx.no_query()?;
    let not_found = || ApiError::coded(404, "SD_SANDBOX_WEBHOOK_NOT_FOUND", "Webhook not found.");
    let id: u64 = raw_id.parse().map_err(|_| not_found())?;
    let removed = lock(&ctx.app.state)
        .workspaces
        .get_mut(&ctx.ws.slug)
        .and_then(|w| w.webhooks.remove(&id));
    removed.ok_or_else(not_found)?;
    ctx.app.mark_dirty();
    Ok((http::empty(204), true))
}

fn retrigger(ctx: &Ctx<'_>) -> Out {
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
    use super::*;

    #[test]
    fn routes_and_slashes() {
        assert_eq!(match_route("contracts/"), Some((Route::Contracts, true)));
        assert_eq!(match_route("contracts"), Some((Route::Contracts, true)));
        assert_eq!(
            match_route("contracts/T-1/status"),
            Some((Route::Status("T-1".into()), false))
        );
        assert_eq!(
            match_route("contracts/T-1/status/void"),
            Some((Route::Void("T-1".into()), false))
        );
        assert_eq!(
            match_route("contracts/webhooks/re_trigger_latest/"),
            Some((Route::Retrigger, true))
        );
        assert_eq!(
            match_route("templates/12/metadata"),
            Some((Route::TemplateMetadata("12".into()), false))
        );
        assert_eq!(
            match_route("webhooks/hmac_key/"),
            Some((Route::HmacKey, true))
        );
        assert_eq!(
            match_route("webhooks/5"),
            Some((Route::Webhook("5".into()), false))
        );
        assert_eq!(match_route("contracts//status"), None);
        assert_eq!(match_route("nope/"), None);
    }

    #[test]
    fn composite_ids() {
        assert_eq!(parse_composite("T-12").unwrap(), 12);
        assert_eq!(parse_composite("H-12").unwrap_err().status, 404);
        for bad in ["12", "T-", "T-1x", "X-1", "T--1", "T-99999999999999999999"] {
            let e = parse_composite(bad).unwrap_err();
            assert_eq!(e.body["code"], "SD_SANDBOX_MALFORMED_COMPOSITE_ID", "{bad}");
        }
    }
}
