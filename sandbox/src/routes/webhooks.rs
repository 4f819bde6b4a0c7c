//! `webhooks/hmac_key/`, `POST webhooks/` and `DELETE webhooks/{id}`.
//!
//! Registration is checked the way SpotDraft's (pydantic) serializer words it; an explicit
//! `null` on an optional field is refused where the OpenAPI document does not mark it
//! nullable ([`crate::model::nullability`]).

use serde_json::{json, Value};

use super::{field_error, Ctx, Out};
use crate::app::lock;
use crate::errors::ApiError;
use crate::http;
use crate::model::nullability::{refused_nulls, REGISTER_WEBHOOK};
use crate::model::webhook::{
    check_url, webhook_json, Webhook, ACTIVITIES, RESERVED_HEADER_PREFIXES,
};
use crate::validate::FieldErrors;

/// `GET webhooks/hmac_key/`.
///
/// # Errors
/// 400 on a query parameter.
pub fn hmac_key(ctx: &Ctx<'_>) -> Out {
    ctx.no_query()?;
    let key = lock(&ctx.app.state)
        .workspaces
        .get(&ctx.ws.slug)
        .map(|w| w.hmac_key.clone())
        .unwrap_or_default();
    Ok((http::json(200, &json!({ "hmac_key": key })), false))
}

/// `POST webhooks/`.
///
/// # Errors
/// 400 with every field problem.
pub fn create_webhook(ctx: &Ctx<'_>) -> Out {
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
    for (path, field) in refused_nulls(&body, REGISTER_WEBHOOK) {
        errs.add(&path, pydantic_null_message(field.kind));
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
            if let Err(msg) = check_url(u) {
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
    let hook = Webhook {
        id: 0,
        title,
        url,
        only_for_activities: activities,
        description,
        custom_headers,
        status: "ACTIVE".into(),
        consecutive_failures: 0,
        created_by_user,
    };
    let hook = lock(&ctx.app.state).register_webhook(&ctx.ws.slug, hook)?;
    ctx.app.mark_dirty();
    Ok((http::json(201, &webhook_json(&hook)), true))
}

/// `DELETE webhooks/{id}`.
///
/// # Errors
/// 404 for an unknown id.
pub fn delete_webhook(ctx: &Ctx<'_>, raw_id: &str) -> Out {
    ctx.no_query()?;
    let not_found = || ApiError::coded(404, "SD_SANDBOX_WEBHOOK_NOT_FOUND", "Webhook not found.");
    let id: u64 = raw_id.parse().map_err(|_| not_found())?;
    let removed = lock(&ctx.app.state).delete_webhook(&ctx.ws.slug, id);
    removed.ok_or_else(not_found)?;
    ctx.app.mark_dirty();
    Ok((http::empty(204), true))
}

/// What SpotDraft's pydantic serializer says for `null` in a field of type `kind`.
fn pydantic_null_message(kind: &str) -> &'static str {
    match kind {
        "string" => "Input should be a valid string",
        "object" => "Input should be a valid dictionary",
        "array" => "Input should be a valid list",
        "boolean" => "Input should be a valid boolean",
        "integer" => "Input should be a valid integer",
        _ => "Input should not be null",
    }
}
