//! `external_metadata`: the link back to the source record. Its `id` is what
//! `GET /contracts/by_external_metadata/{id}` finds, so the whole sync hangs on it; this
//! library therefore requires it although SpotDraft does not.

use super::check::{
    kind, object, optional, optional_nonempty_string, quote_str, required, unknown_keys,
};
use super::formats::is_uuid;
use super::json::Json;
use super::path::Path;
use super::report::{IssueCode, Issues};

const METADATA_KEYS: &[&str] = &[
    "id",
    "integration_name",
    "record_type",
    "record_data",
    "object_configuration_id",
];

/// Checks `external_metadata` (`value` is the body's member, `present` whether the key
/// exists).
pub fn validate(value: Option<&Json<'_>>, present: bool, root: &Path<'_>, issues: &mut Issues) {
    let path = root.key("external_metadata");
    let Some(value) = value.filter(|v| !v.is_null()) else {
        let state = if present { "is null" } else { "is missing" };
        issues.push(
            &path,
            IssueCode::Required,
            format!(
                "`external_metadata` {state}: give {{\"id\": <your record id>, \"integration_name\", \
                 \"record_type\"}} so the contract can be found again from your record."
            ),
        );
        return;
    };
    let Some(map) = object(value, &path, issues, "`external_metadata`") else {
        return;
    };
    unknown_keys(map, METADATA_KEYS, &path, issues);
    if let Some(id) = required(
        map,
        "id",
        &path,
        issues,
        "give your record's id (e.g. the CRM deal id); syncing finds the contract by it.",
    ) {
        let at = path.key("id");
        match id {
            Json::String(s) if s.trim().is_empty() => {
                issues.push(
                    &at,
                    IssueCode::Required,
                    "`external_metadata.id` is empty: give your record's id.",
                );
            }
            Json::String(_) | Json::Number(_) => {}
            other => {
                issues.push(
                    &at,
                    IssueCode::WrongType,
                    format!(
                        "`external_metadata.id` must be a string (or number), got {}.",
                        kind(other)
                    ),
                );
            }
        }
    }
    optional_nonempty_string(map, "integration_name", &path, issues);
    let record_type = optional_nonempty_string(map, "record_type", &path, issues);
    if let Some(data) = optional(map, "record_data", &path, issues) {
        // Free-form: only its type is checked, its content is never walked.
        object(data, &path.key("record_data"), issues, "`record_data`");
    }
    if let Some(config) = optional_nonempty_string(map, "object_configuration_id", &path, issues) {
        if !is_uuid(config) {
            issues.push(
                &path.key("object_configuration_id"),
                IssueCode::InvalidUuid,
                format!(
                    "{} is not a UUID; copy the object configuration id from SpotDraft.",
                    quote_str(config)
                ),
            );
        }
        if record_type.is_none() && !map.contains_key("record_type") {
            issues.push(
                &path.key("record_type"),
                IssueCode::Required,
                "`record_type` is missing: SpotDraft requires it with object_configuration_id.",
            );
        }
    }
}
