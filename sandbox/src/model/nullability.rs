//! Where SpotDraft refuses an explicit `null` in a request body, derived from its OpenAPI
//! document: every field the document types without marking it `nullable` (today that is
//! every typed field of the bodies below). Untyped fields (`contract_data`,
//! `external_metadata`: `{}` in the document) take any JSON and are not listed.
//!
//! [`refused_nulls`] finds the optional ones sent as `null`; required fields sent as `null`
//! are left to the body's own validation, which reports them as required. This module does
//! not choose the error message: SpotDraft's contract serializer (DRF) and its webhook one
//! (pydantic) word it differently.

#[rustfmt::skip]
mod generated;

pub use generated::{CREATE_CONTRACT, REGISTER_WEBHOOK};

use serde_json::Value;

/// One typed, non-nullable field of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonNullable {
    /// Dotted path; `[]` stands for any list index (`signatories[].title`).
    pub path: &'static str,
    /// The document's `type` (`string`, `boolean`, `object`, `array`, `integer`).
    pub kind: &'static str,
    /// Listed in its object's `required`.
    pub required: bool,
}

/// Every optional field of `fields` that `body` sends as `null`, with its concrete path
/// (list indexes as strings, as DRF reports them), in the body's key order.
pub fn refused_nulls(body: &Value, fields: &[NonNullable]) -> Vec<(Vec<String>, NonNullable)> {
    let mut out = Vec::new();
    walk(body, "", &mut Vec::new(), fields, &mut out);
    out
}

fn walk(
    value: &Value,
    pattern: &str,
    at: &mut Vec<String>,
    fields: &[NonNullable],
    out: &mut Vec<(Vec<String>, NonNullable)>,
) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pattern = if pattern.is_empty() {
                    key.clone()
                } else {
                    format!("{pattern}.{key}")
                };
                let Some(field) = fields.iter().find(|f| f.path == child_pattern) else {
                    // Unknown or untyped (free JSON): not this module's business.
                    continue;
                };
                at.push(key.clone());
                if child.is_null() {
                    if !field.required {
                        out.push((at.clone(), *field));
                    }
                } else {
                    walk(child, &child_pattern, at, fields, out);
                }
                at.pop();
            }
        }
        Value::Array(items) => {
            let item_pattern = format!("{pattern}[]");
            for (i, item) in items.iter().enumerate() {
                at.push(i.to_string());
                walk(item, &item_pattern, at, fields, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(body: &Value, fields: &[NonNullable]) -> Vec<String> {
        let mut found: Vec<String> = refused_nulls(body, fields)
            .into_iter()
            .map(|(p, _)| p.join("."))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn the_issue_13_fields_are_listed_as_optional_and_non_nullable() {
        for name in [
            "contract_name",
            "signatories",
            "workflow_config",
            "send_to_counterparty_config",
            "entity_reference_id",
            "is_embedded_contract",
        ] {
            let f = CREATE_CONTRACT.iter().find(|f| f.path == name);
            assert!(f.is_some_and(|f| !f.required), "{name}");
        }
        for name in ["custom_headers", "description"] {
            let f = REGISTER_WEBHOOK.iter().find(|f| f.path == name);
            assert!(f.is_some_and(|f| !f.required), "{name}");
        }
        for untyped in ["contract_data", "external_metadata"] {
            assert!(CREATE_CONTRACT.iter().all(|f| f.path != untyped));
        }
    }

    #[test]
    fn finds_optional_nulls_at_any_depth_and_skips_required_and_untyped_ones() {
        let body = json!({
            "contract_template_id": null,
            "contract_name": null,
            "contract_data": {"x": null},
            "external_metadata": null,
            "workflow_config": {"auto_send_to_counterparty": null},
            "signatories": [{"name": "A", "title": null}, {"note": null}],
            "counter_party_details": [{"poc_details": {"last_name": null, "first_name": null}}],
            "unknown": null
        });
        assert_eq!(
            paths(&body, CREATE_CONTRACT),
            [
                "contract_name",
                "counter_party_details.0.poc_details.last_name",
                "signatories.0.title",
                "signatories.1.note",
                "workflow_config.auto_send_to_counterparty",
            ]
        );
        assert!(paths(&json!({"title": "t", "url": "u"}), REGISTER_WEBHOOK).is_empty());
    }
}
