//! `templates/`, `templates/{id}/` and `templates/{id}/metadata`, served from the fixtures.

use serde_json::{json, Value};

use super::{parse_bool, Ctx, Out};
use crate::errors::ApiError;
use crate::http;

/// `GET templates/` with its filters.
///
/// # Errors
/// 400 on an unknown or malformed query parameter.
pub fn templates(ctx: &Ctx<'_>) -> Out {
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

/// `GET templates/{id}/` (or its `metadata` when `metadata`).
///
/// # Errors
/// 404 for an unknown or inaccessible template.
pub fn template(ctx: &Ctx<'_>, raw_id: &str, metadata: bool) -> Out {
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
