//! Validation of a v2.1 create-contract body (`POST /api/v2.1/public/contracts/`) before it
//! leaves the machine: every problem, each with a JSON path, a stable [`IssueCode`] and a
//! message that says what to do.
//!
//! It reads a JSON tree ([`json::Json`], borrowing its strings from the JSON text), not the
//! typed model, so a wrong type anywhere is reported with its path instead of stopping at the
//! first serde error. Time is linear in the payload:
//! the validator walks a fixed schema (plus the template's fields, whose nesting is capped
//! when compiled), never recurses into free-form data such as `record_data`, builds path
//! strings only for reported issues, and stops collecting after [`report::MAX_ISSUES`].
//!
//! It does not call SpotDraft: whether the template id is accessible to the workspace, or
//! whether `entity_reference_id` may use it, can only be known there.

mod body;
pub mod check;
mod contract_data;
mod counterparty;
pub mod formats;
pub mod iso;
pub mod json;
mod metadata;
pub mod path;
pub mod report;
mod signatory;
pub mod suggest;

pub use report::{IssueCode, Issues, ValidationIssue, ValidationReport, MAX_ISSUES};

use crate::template::{CompiledTemplate, TemplateMetadata};
use json::Json;
use path::Path;
use serde_json::Value;

/// Validates a create body, optionally against the template's metadata.
///
/// Compiles `template` on every call; to validate many payloads against one template,
/// compile it once with [`CompiledTemplate::compile`] and call [`validate_compiled`].
/// Never panics, whatever `payload` holds.
pub fn validate_create_contract(
    payload: &Value,
    template: Option<&TemplateMetadata>,
) -> ValidationReport {
    match template.map(CompiledTemplate::compile).transpose() {
        Ok(compiled) => validate_compiled(payload, compiled.as_ref()),
        Err(error) => {
            let mut issues = Issues::new();
            let at = error
                .details
                .first()
                .map(|d| d.path.clone())
                .unwrap_or_default();
            issues.push_at(
                at,
                IssueCode::InvalidTemplate,
                format!("The template metadata cannot be used: {}", error.message),
            );
            // Still check everything that does not need the template.
            body::validate(&Json::from_value(payload), None, &mut issues);
            issues.into_report()
        }
    }
}

/// Validates a create body against an already compiled template (or none).
pub fn validate_compiled(payload: &Value, template: Option<&CompiledTemplate>) -> ValidationReport {
    validate_tree(&Json::from_value(payload), template)
}

/// Validates a create body already parsed into the validator's tree (see [`Json::parse`]).
pub fn validate_tree(payload: &Json<'_>, template: Option<&CompiledTemplate>) -> ValidationReport {
    let mut issues = Issues::new();
    body::validate(payload, template, &mut issues);
    issues.into_report()
}

/// Validates a create body given as JSON text. A syntax error, or nesting deeper than
/// serde_json's limit of 128, is reported as one issue (`WRONG_TYPE` at the position given
/// in the message, or `TOO_DEEP`) instead of an error.
pub fn validate_create_contract_json(
    json: &str,
    template: Option<&CompiledTemplate>,
) -> ValidationReport {
    // Parsed into the borrowed tree, not a `Value`: no allocation per key or string.
    match Json::parse(json) {
        Ok(payload) => validate_tree(&payload, template),
        Err(error) => ValidationReport::from_issues(vec![json_error_issue(&error)]),
    }
}

/// The issue for JSON text that does not parse.
pub fn json_error_issue(error: &serde_json::Error) -> ValidationIssue {
    let text = error.to_string();
    let (code, message) = if text.starts_with("recursion limit exceeded") {
        (
            IssueCode::TooDeep,
            format!(
                "The JSON nests deeper than 128 levels ({text}); a create body is never that deep."
            ),
        )
    } else {
        (
            IssueCode::WrongType,
            format!("The payload is not valid JSON: {text}. Send a JSON object."),
        )
    };
    ValidationIssue {
        path: String::new(),
        code,
        message,
        source_path: None,
        suggestion: None,
    }
}

/// Root path helper for the rule modules.
fn root() -> Path<'static> {
    Path::root()
}
