//! The top level of the create body and its small option objects (`workflow_config`,
//! `send_to_counterparty_config`).

use super::check::{
    array, integer, object, optional, optional_bool, optional_nonempty_string, optional_string,
    quote_str, required, required_string, string, unknown_keys,
};
use super::formats::{is_base64, is_email};
use super::json::{Json, Object};
use super::path::Path;
use super::report::{IssueCode, Issues};
use super::{contract_data, counterparty, metadata, signatory};
use crate::template::CompiledTemplate;

/// Keys of `ExternalCreateContractSerializerV2_1`.
pub const BODY_KEYS: &[&str] = &[
    "contract_template_id",
    "contract_name",
    "contract_data",
    "counter_party_details",
    "external_metadata",
    "entity_reference_id",
    "signatories",
    "workflow_config",
    "send_to_counterparty_config",
    "is_embedded_contract",
];

const WORKFLOW_KEYS: &[&str] = &[
    "auto_send_to_counterparty",
    "api_only_contract_edits",
    "skip_cp_info_collection",
    "skip_creator_info_collection",
];

const SEND_KEYS: &[&str] = &[
    "to_emails",
    "cc_emails",
    "bcc_emails",
    "attachment_formats",
    "extra_attachments",
    "custom_message",
    "subject",
];

const ATTACHMENT_FORMATS: &[&str] = &["DOCX", "PDF", "TEMPLATE"];
const ATTACHMENT_KEYS: &[&str] = &["file_name", "mime_type", "content_base64"];

/// Checks the whole body.
pub fn validate(payload: &Json<'_>, template: Option<&CompiledTemplate>, issues: &mut Issues) {
    let root = super::root();
    let Some(body) = object(payload, &root, issues, "The create-contract body") else {
        return;
    };
    unknown_keys(body, BODY_KEYS, &root, issues);

    if let Some(v) = required(
        body,
        "contract_template_id",
        &root,
        issues,
        "give the numeric id of a template your workspace can use (GET /templates/).",
    ) {
        let path = root.key("contract_template_id");
        if let Some(id) = integer(v, &path, issues) {
            if id <= 0 {
                issues.push(
                    &path,
                    IssueCode::OutOfRange,
                    "A template id is a positive integer.",
                );
            }
        }
    }
    optional_nonempty_string(body, "contract_name", &root, issues);
    optional_nonempty_string(body, "entity_reference_id", &root, issues);
    optional_bool(body, "is_embedded_contract", &root, issues);

    match required(
        body,
        "contract_data",
        &root,
        issues,
        "send an object of template field values (an empty object {} when the template has no fields).",
    ) {
        Some(data) => contract_data::validate(data, template, &root.key("contract_data"), issues),
        None => {
            // Still report the template's required fields, so one round shows everything.
            if let Some(t) = template {
                contract_data::validate(&Json::Object(Object::default()), Some(t), &root.key("contract_data"), issues);
            }
        }
    }

    let counterparties = required(
        body,
        "counter_party_details",
        &root,
        issues,
        "add an array with at least one counterparty.",
    )
    .and_then(|v| counterparty::validate(v, template, &root.key("counter_party_details"), issues));

    metadata::validate(
        body.get("external_metadata"),
        body.contains_key("external_metadata"),
        &root,
        issues,
    );

    if let Some(v) = optional(body, "signatories", &root, issues) {
        signatory::validate(
            v,
            counterparties.as_deref(),
            &root.key("signatories"),
            issues,
        );
    }
    if let Some(v) = optional(body, "workflow_config", &root, issues) {
        workflow_config(v, &root.key("workflow_config"), issues);
    }
    if let Some(v) = optional(body, "send_to_counterparty_config", &root, issues) {
        send_config(v, &root.key("send_to_counterparty_config"), issues);
    }
}

fn workflow_config(v: &Json<'_>, path: &Path<'_>, issues: &mut Issues) {
    let Some(map) = object(v, path, issues, "`workflow_config`") else {
        return;
    };
    unknown_keys(map, WORKFLOW_KEYS, path, issues);
    for key in WORKFLOW_KEYS {
        optional_bool(map, key, path, issues);
    }
}

fn send_config(v: &Json<'_>, path: &Path<'_>, issues: &mut Issues) {
    let Some(map) = object(v, path, issues, "`send_to_counterparty_config`") else {
        return;
    };
    unknown_keys(map, SEND_KEYS, path, issues);
    if let Some(formats) = required(
        map,
        "attachment_formats",
        path,
        issues,
        "list at least one of \"DOCX\", \"PDF\", \"TEMPLATE\".",
    ) {
        let at = path.key("attachment_formats");
        if let Some(items) = array(formats, &at, issues, "`attachment_formats`") {
            if items.is_empty() {
                issues.push(
                    &at,
                    IssueCode::Required,
                    "`attachment_formats` is empty: list at least one of \"DOCX\", \"PDF\", \"TEMPLATE\".",
                );
            }
            for (i, item) in items.iter().enumerate() {
                if issues.is_full() {
                    break;
                }
                let p = at.index(i);
                if let Some(s) = string(item, &p, issues) {
                    if !ATTACHMENT_FORMATS.contains(&s) {
                        let upper = s.trim().to_ascii_uppercase();
                        let suggestion = ATTACHMENT_FORMATS
                            .contains(&upper.as_str())
                            .then_some(upper);
                        issues.push_suggest(
                            &p,
                            IssueCode::NotAnOption,
                            format!("{} is not an attachment format; use \"DOCX\", \"PDF\" or \"TEMPLATE\".", quote_str(s)),
                            suggestion,
                        );
                    }
                }
            }
        }
    }
    for key in ["to_emails", "cc_emails", "bcc_emails"] {
        let Some(list) = optional(map, key, path, issues) else {
            continue;
        };
        let at = path.key(key);
        let Some(items) = array(list, &at, issues, &format!("`{key}`")) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            if issues.is_full() {
                break;
            }
            let p = at.index(i);
            if let Some(s) = string(item, &p, issues) {
                if !is_email(s) {
                    issues.push(
                        &p,
                        IssueCode::InvalidEmail,
                        format!("{} is not an email address.", quote_str(s)),
                    );
                }
            }
        }
    }
    optional_string(map, "custom_message", path, issues);
    optional_string(map, "subject", path, issues);
    if let Some(list) = optional(map, "extra_attachments", path, issues) {
        let at = path.key("extra_attachments");
        if let Some(items) = array(list, &at, issues, "`extra_attachments`") {
            for (i, item) in items.iter().enumerate() {
                if issues.is_full() {
                    break;
                }
                let p = at.index(i);
                let Some(att) = object(item, &p, issues, "An attachment") else {
                    continue;
                };
                unknown_keys(att, ATTACHMENT_KEYS, &p, issues);
                required_string(
                    att,
                    "file_name",
                    &p,
                    issues,
                    "give the file name, e.g. \"terms.pdf\".",
                );
                required_string(
                    att,
                    "mime_type",
                    &p,
                    issues,
                    "give the MIME type, e.g. \"application/pdf\".",
                );
                if let Some(content) = required_string(
                    att,
                    "content_base64",
                    &p,
                    issues,
                    "give the file content as standard base64.",
                ) {
                    if !is_base64(content) {
                        issues.push(
                            &p.key("content_base64"),
                            IssueCode::InvalidBase64,
                            "Is not standard padded base64 (A–Z, a–z, 0–9, +, /, = padding, no line breaks).",
                        );
                    }
                }
            }
        }
    }
}
