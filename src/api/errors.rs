//! Turns a non-success HTTP response into an [`Error`] with a stable code and advice.
//!
//! One pure function, [`error_from_response`], as stripe-node's `generateV1Error`: the
//! status is the primary branch, SpotDraft's body (`detail`, `code`, `message`, or a
//! per-field map) refines it. Bodies are parsed opportunistically: an unreadable body still
//! yields an error for its status.

use super::server_kit_error::server_kit_error;
use super::HttpResponse;
use crate::error::{Error, ErrorCode, ErrorDetail};
use serde_json::Value;

/// Most characters of SpotDraft's own text copied into a message.
const MAX_QUOTED_CHARS: usize = 300;

/// The error for a response that is not 2xx, from the call named `operation`.
pub(crate) fn error_from_response(operation: &str, response: &HttpResponse) -> Error {
    let body: Option<Value> = serde_json::from_str(&response.body).ok();
    if let Some(error) = server_kit_error(operation, response, body.as_ref()) {
        return error;
    }
    let detail = body.as_ref().and_then(|b| text_field(b, "detail"));
    let sd_message = body.as_ref().and_then(|b| text_field(b, "message"));
    let sd_code = body.as_ref().and_then(|b| text_field(b, "code"));
    let said = detail
        .clone()
        .or(sd_message)
        .map(|t| format!(" SpotDraft said: \"{}\".", truncate(&t)))
        .unwrap_or_default();
    let status = response.status;
    let (code, advice) = match status {
        0 | 300..=399 => (ErrorCode::Redirect, redirect_advice(response)),
        400 => (
            ErrorCode::ValidationFailed,
            "SpotDraft refused the request as invalid; see `details` for the fields it named."
                .to_owned(),
        ),
        401 => (
            ErrorCode::Unauthorized,
            "Check `clientId` and `clientSecret` (or what your proxy adds): they are missing, \
             wrong, revoked, or belong to another region's workspace."
                .to_owned(),
        ),
        402 => (
            ErrorCode::BusinessRule,
            "A business rule or the contract's workflow state refused this call.".to_owned(),
        ),
        403 => (
            ErrorCode::Forbidden,
            "These credentials may not do this. If you pass `userEmail`, it must be an active \
             member of the workspace with permission for this action."
                .to_owned(),
        ),
        404 => (
            ErrorCode::NotFound,
            "Not found, or not visible to these credentials: check the id and that it belongs \
             to the workspace of these credentials."
                .to_owned(),
        ),
        409 => (
            ErrorCode::Conflict,
            "SpotDraft reported a conflict (duplicate or version mismatch); re-read the current \
             state before trying again."
                .to_owned(),
        ),
        429 => (
            ErrorCode::RateLimited,
            "Over SpotDraft's rate limit (10 requests per second per workspace); slow down and \
             retry after the advised delay."
                .to_owned(),
        ),
        500..=599 => (
            ErrorCode::ServerError,
            "SpotDraft had a server error; requests that are safe to repeat may be retried later."
                .to_owned(),
        ),
        _ => (
            ErrorCode::HttpError,
            "SpotDraft answered with an unexpected status.".to_owned(),
        ),
    };
    let (code, advice) = match refine(operation, status, body.as_ref(), sd_code.as_deref()) {
        Some(refined) => refined,
        None => (code, advice),
    };
    let status_text = if status == 0 {
        "an opaque redirect".to_owned()
    } else {
        format!("HTTP {status}")
    };
    let mut error = Error::new(
        code,
        format!("{operation} failed with {status_text}.{said} {advice}"),
    )
    .with_request_id(response.request_id())
    .with_spotdraft_code(sd_code);
    if status != 0 {
        error = error.with_status(status);
    }
    if let Some(body) = &body {
        let mut details = field_details(body);
        if code == ErrorCode::TemplateFieldMismatch {
            mark_field_mismatches(&mut details);
        }
        error = error.with_details(details);
    }
    error
}

// --- Create and template failures -------------------------------------------------------
//
// SpotDraft's portal names three create failures (an inaccessible template id, `contract_data`
// keys that are not the template's fields, a creator entity that may not use the template)
// but documents no body for them (`shared/spotdraft-api.md` §5.1, §11.1). The heuristic, in
// order; the first rule that matches wins, and anything else keeps its status-based code:
//
// 1. The local sandbox's codes: `SD_SANDBOX_TEMPLATE_INACCESSIBLE` → TEMPLATE_INACCESSIBLE;
//    `SD_SANDBOX_ENTITY_NOT_ALLOWED`, `SD_SANDBOX_ENTITY_UNKNOWN` → CREATOR_ENTITY_MISMATCH.
// 2. 400/403/404 whose DRF/pydantic field map names `contract_template_id` →
//    TEMPLATE_INACCESSIBLE; names `entity_reference_id` → CREATOR_ENTITY_MISMATCH.
// 3. 400 whose field map has entries directly under `contract_data` saying a key is unknown
//    ("Unknown field", "Extra inputs are not permitted", "not defined" …) or missing
//    ("This field is required.", "Field required", "missing") → TEMPLATE_FIELD_MISMATCH, with
//    both lists in the message and those details coded UNKNOWN_FIELD / REQUIRED. Type errors
//    alone (a string where a number belongs) stay VALIDATION_FAILED.
// 4. Only for the calls that name a template (`createContract`, `getTemplate`,
//    `getTemplateMetadata`): a 404 of `getTemplate`/`getTemplateMetadata`, or a 400/403/404
//    whose `detail`/`message` mentions the template together with not-found/access wording →
//    TEMPLATE_INACCESSIBLE; for `createContract`, a 400/403 whose text mentions an entity →
//    CREATOR_ENTITY_MISMATCH; a 400 whose text mentions `contract_data` with unknown/missing
//    wording → TEMPLATE_FIELD_MISMATCH (without lists: SpotDraft's text is quoted instead).
//
// A wrong guess costs little: the HTTP status, SpotDraft's own `code` and text, and the
// field details are kept on the error either way.

/// Most field names listed in a TEMPLATE_FIELD_MISMATCH message.
const MAX_LISTED_FIELDS: usize = 20;

fn refine(
    operation: &str,
    status: u16,
    body: Option<&Value>,
    sd_code: Option<&str>,
) -> Option<(ErrorCode, String)> {
    match sd_code {
        Some("SD_SANDBOX_TEMPLATE_INACCESSIBLE") => return Some(template_inaccessible()),
        Some("SD_SANDBOX_ENTITY_NOT_ALLOWED") | Some("SD_SANDBOX_ENTITY_UNKNOWN") => {
            return Some(creator_entity_mismatch())
        }
        _ => {}
    }
    let fields = body.and_then(Value::as_object);
    if matches!(status, 400 | 403 | 404) {
        if fields.is_some_and(|m| m.contains_key("contract_template_id")) {
            return Some(template_inaccessible());
        }
        if fields.is_some_and(|m| m.contains_key("entity_reference_id")) {
            return Some(creator_entity_mismatch());
        }
    }
    if status == 400 {
        if let Some(data) = fields.and_then(|m| m.get("contract_data")) {
            let (unknown, missing) = contract_data_mismatches(data);
            if !unknown.is_empty() || !missing.is_empty() {
                return Some(field_mismatch(&unknown, &missing));
            }
        }
    }
    let text = body
        .map(|b| {
            ["detail", "message"]
                .iter()
                .filter_map(|k| text_field(b, k))
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .unwrap_or_default();
    let names_template = matches!(
        operation,
        "createContract" | "getTemplate" | "getTemplateMetadata"
    );
    if !names_template {
        return None;
    }
    if status == 404 && operation != "createContract" {
        return Some(template_inaccessible());
    }
    let mentions = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if matches!(status, 400 | 403 | 404)
        && text.contains("template")
        && mentions(&[
            "not found",
            "does not exist",
            "doesn't exist",
            "not accessible",
            "inaccessible",
            "access",
            "permission",
            "invalid pk",
            "not available",
            "archived",
        ])
    {
        return Some(template_inaccessible());
    }
    if operation == "createContract" && matches!(status, 400 | 403) && mentions_entity(&text) {
        return Some(creator_entity_mismatch());
    }
    if operation == "createContract"
        && status == 400
        && (text.contains("contract_data") || text.contains("contract data"))
        && mentions(&["unknown", "missing", "required", "not defined", "extra"])
    {
        return Some(field_mismatch(&[], &[]));
    }
    None
}

/// Whether `text` has the word "entity"/"entities" (not "identity").
fn mentions_entity(text: &str) -> bool {
    text.match_indices("entit").any(|(i, _)| {
        text.get(..i)
            .and_then(|before| before.chars().next_back())
            .is_none_or(|c| !c.is_alphabetic())
    })
}

fn template_inaccessible() -> (ErrorCode, String) {
    (
        ErrorCode::TemplateInaccessible,
        "The template id must belong to the workspace of these credentials (or of the \
         `userEmail` you act as) and be published, not archived: list the usable ids with \
         listTemplates(), and check the region or baseUrl points at the workspace the template \
         is in."
            .to_owned(),
    )
}

fn creator_entity_mismatch() -> (ErrorCode, String) {
    (
        ErrorCode::CreatorEntityMismatch,
        "The creator entity (`entity_reference_id`) does not exist in this workspace or may \
         not use this template: pass the reference id of an entity the template is enabled \
         for, or leave it out to use the workspace's primary entity. If signatories are set, \
         check they fit the creator entity's signing setup."
            .to_owned(),
    )
}

fn field_mismatch(unknown: &[String], missing: &[String]) -> (ErrorCode, String) {
    let list = |names: &[String]| {
        let mut shown: Vec<String> = names
            .iter()
            .take(MAX_LISTED_FIELDS)
            .map(|n| format!("`{}`", truncate(n)))
            .collect();
        if names.len() > MAX_LISTED_FIELDS {
            shown.push(format!("and {} more", names.len() - MAX_LISTED_FIELDS));
        }
        shown.join(", ")
    };
    let mut parts = Vec::new();
    if !unknown.is_empty() {
        parts.push(format!(
            "unknown fields (not in the template; check their spelling): {}",
            list(unknown)
        ));
    }
    if !missing.is_empty() {
        parts.push(format!("missing required fields: {}", list(missing)));
    }
    let found = if parts.is_empty() {
        String::new()
    } else {
        format!(" {}.", parts.join("; "))
    };
    (
        ErrorCode::TemplateFieldMismatch,
        format!(
            "`contract_data` does not match the template's fields.{found} Its keys must be the \
             template's `variable` names: read them with getTemplateMetadata(templateId) and \
             check the payload with validateCreateContract(payload, metadata) before creating."
        ),
    )
}

/// Keys directly under `contract_data` that SpotDraft calls unknown, and those it calls
/// missing, in body order.
fn contract_data_mismatches(data: &Value) -> (Vec<String>, Vec<String>) {
    let mut unknown = Vec::new();
    let mut missing = Vec::new();
    let Value::Object(map) = data else {
        return (unknown, missing);
    };
    for (key, messages) in map {
        let texts: Vec<String> = match messages {
            Value::String(s) => vec![s.to_lowercase()],
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect(),
            _ => Vec::new(),
        };
        if texts.iter().any(|t| is_unknown_field_message(t)) {
            unknown.push(key.clone());
        } else if texts.iter().any(|t| is_missing_field_message(t)) {
            missing.push(key.clone());
        }
    }
    (unknown, missing)
}

fn is_unknown_field_message(text: &str) -> bool {
    [
        "unknown field",
        "not defined",
        "extra inputs are not permitted",
        "extra fields not permitted",
        "unexpected field",
        "not a valid field",
        "not in the template",
        "not part of the template",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// DRF's "This field is required.", pydantic's "Field required", or "missing" — but not
/// DRF's type errors, which also say "required" ("A valid integer is required.").
fn is_missing_field_message(text: &str) -> bool {
    [
        "field is required",
        "field required",
        "required field",
        "missing",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Recodes the `contract_data.<key>` details of a field mismatch: `UNKNOWN_FIELD`,
/// `REQUIRED` (the codes local validation uses), so callers can branch on them.
fn mark_field_mismatches(details: &mut [ErrorDetail]) {
    for detail in details.iter_mut() {
        let Some(key) = detail.path.strip_prefix("contract_data.") else {
            continue;
        };
        if key.contains(['.', '[']) {
            continue;
        }
        let text = detail.message.to_lowercase();
        if is_unknown_field_message(&text) {
            detail.code = "UNKNOWN_FIELD".to_owned();
        } else if is_missing_field_message(&text) {
            detail.code = "REQUIRED".to_owned();
        }
    }
}

fn redirect_advice(response: &HttpResponse) -> String {
    let location = response
        .header("location")
        .map(location_path)
        .map(|p| format!(" It pointed to `{p}`."))
        .unwrap_or_default();
    format!(
        "SpotDraft answers a redirect when the path's trailing slash or the URL's scheme is \
         wrong, and redirects are never followed because the method and body could be lost.{location} \
         Check `baseUrl` (use https://) and, if you use a proxy, that it keeps paths exactly."
    )
}

/// Only the path of a `Location`: a query could carry a signature.
fn location_path(location: &str) -> String {
    let without_query = location.split(['?', '#']).next().unwrap_or_default();
    let path = match without_query.find("://") {
        Some(i) => without_query
            .get(i + 3..)
            .and_then(|rest| rest.find('/').and_then(|j| rest.get(j..)))
            .unwrap_or("/"),
        None => without_query,
    };
    truncate(path)
}

fn text_field(body: &Value, key: &str) -> Option<String> {
    match body.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// SpotDraft's per-field validation maps (`{"priority": ["…"]}`,
/// `{"assignees": {"0": {"entity_id": ["Field required"]}}}`) as located details.
fn field_details(body: &Value) -> Vec<ErrorDetail> {
    let mut details = Vec::new();
    if let Value::Object(map) = body {
        for (key, value) in map {
            if matches!(key.as_str(), "detail" | "code" | "message" | "status_code") {
                continue;
            }
            collect_field_errors(key.clone(), value, 0, &mut details);
        }
    }
    details
}

fn collect_field_errors(path: String, value: &Value, depth: usize, out: &mut Vec<ErrorDetail>) {
    const MAX_DEPTH: usize = 16;
    const MAX_DETAILS: usize = 200;
    if depth > MAX_DEPTH || out.len() >= MAX_DETAILS {
        return;
    }
    match value {
        Value::String(message) => out.push(ErrorDetail::new(
            path,
            "SPOTDRAFT_FIELD_ERROR",
            truncate(message),
        )),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(_) => collect_field_errors(path.clone(), item, depth + 1, out),
                    _ => collect_field_errors(format!("{path}[{i}]"), item, depth + 1, out),
                }
            }
        }
        Value::Object(map) => {
            for (key, inner) in map {
                let child = if key.bytes().all(|b| b.is_ascii_digit()) && !key.is_empty() {
                    format!("{path}[{key}]")
                } else {
                    format!("{path}.{key}")
                };
                collect_field_errors(child, inner, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// `text` cut to [`MAX_QUOTED_CHARS`] characters (with `…`), for quoting a server's own words
/// in an error message.
pub(crate) fn truncate(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTED_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_QUOTED_CHARS).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("x-request-id".into(), "req-42".into())],
            body: body.into(),
        }
    }

    #[test]
    fn statuses_map_to_stable_codes() {
        for (status, code) in [
            (400, ErrorCode::ValidationFailed),
            (401, ErrorCode::Unauthorized),
            (402, ErrorCode::BusinessRule),
            (403, ErrorCode::Forbidden),
            (404, ErrorCode::NotFound),
            (409, ErrorCode::Conflict),
            (429, ErrorCode::RateLimited),
            (500, ErrorCode::ServerError),
            (503, ErrorCode::ServerError),
            (302, ErrorCode::Redirect),
            (0, ErrorCode::Redirect),
            (418, ErrorCode::HttpError),
        ] {
            let error = error_from_response("getContractStatus", &response(status, ""));
            assert_eq!(error.code, code, "{status}");
            assert_eq!(error.request_id.as_deref(), Some("req-42"));
        }
    }

    #[test]
    fn keeps_spotdraft_code_and_detail() {
        let error = error_from_response(
            "updateContractData",
            &response(
                400,
                r#"{"detail":"Contract cannot be updated because it has been executed.","status_code":400,"code":"SD_PUBLIC_00009","message":"x"}"#,
            ),
        );
        assert_eq!(error.spotdraft_code.as_deref(), Some("SD_PUBLIC_00009"));
        assert!(error.message.contains("has been executed"));
        assert_eq!(error.status, Some(400));
    }

    #[test]
    fn field_maps_become_located_details() {
        let error = error_from_response(
            "createContract",
            &response(
                400,
                r#"{"priority":["Input should be 'LOW'"],"assignees":{"0":{"entity_id":["Field required"]}}}"#,
            ),
        );
        let paths: Vec<&str> = error.details.iter().map(|d| d.path.as_str()).collect();
        assert!(paths.contains(&"priority"));
        assert!(paths.contains(&"assignees[0].entity_id"));
    }

    #[test]
    fn sandbox_create_bodies_map_to_template_and_entity_codes() {
        let error = error_from_response(
            "createContract",
            &response(
                404,
                r#"{"detail":"Template 2101 does not exist or is not accessible to this workspace.","status_code":404,"code":"SD_SANDBOX_TEMPLATE_INACCESSIBLE","message":"Template 2101 does not exist or is not accessible to this workspace."}"#,
            ),
        );
        assert_eq!(error.code, ErrorCode::TemplateInaccessible);
        assert_eq!(
            error.spotdraft_code.as_deref(),
            Some("SD_SANDBOX_TEMPLATE_INACCESSIBLE")
        );
        assert!(error.message.contains("listTemplates"), "{}", error.message);
        assert_eq!(error.status, Some(404));
        for (status, code) in [
            (403, "SD_SANDBOX_ENTITY_NOT_ALLOWED"),
            (400, "SD_SANDBOX_ENTITY_UNKNOWN"),
        ] {
            let body =
                format!(r#"{{"detail":"x","status_code":{status},"code":"{code}","message":"x"}}"#);
            let error = error_from_response("createContract", &response(status, &body));
            assert_eq!(error.code, ErrorCode::CreatorEntityMismatch, "{code}");
            assert!(error.message.contains("entity_reference_id"));
        }
    }

    #[test]
    fn sandbox_field_map_lists_unknown_and_missing_contract_data_keys() {
        let body = r#"{"contract_data":{"bogus":["Unknown field: not defined by the template."],"customer_name":["This field is required."],"notice_period_days":["A valid integer is required."],"billing_currency":{"type":["This field is required."]}},
                       "detail":"Invalid input.","status_code":400,"code":"SD_SANDBOX_VALIDATION_ERROR","message":"…"}"#;
        let error = error_from_response("createContract", &response(400, body));
        assert_eq!(error.code, ErrorCode::TemplateFieldMismatch);
        assert!(
            error.message.contains("unknown fields"),
            "{}",
            error.message
        );
        assert!(error.message.contains("`bogus`"));
        assert!(error
            .message
            .contains("missing required fields: `customer_name`"));
        // A type error is not a missing field, even though its text says "required".
        assert!(!error.message.contains("`notice_period_days`"));
        assert!(error.message.contains("getTemplateMetadata"));
        let code_of = |path: &str| {
            error
                .details
                .iter()
                .find(|d| d.path == path)
                .map(|d| d.code.as_str())
        };
        assert_eq!(code_of("contract_data.bogus"), Some("UNKNOWN_FIELD"));
        assert_eq!(code_of("contract_data.customer_name"), Some("REQUIRED"));
        assert_eq!(
            code_of("contract_data.billing_currency.type"),
            Some("SPOTDRAFT_FIELD_ERROR")
        );
    }

    #[test]
    fn spotdraft_shaped_bodies_are_recognised_too() {
        let cases = [
            (
                "createContract",
                400,
                r#"{"contract_template_id":["Invalid pk \"2101\" - object does not exist."]}"#,
                ErrorCode::TemplateInaccessible,
            ),
            (
                "createContract",
                404,
                r#"{"detail":"Template not found."}"#,
                ErrorCode::TemplateInaccessible,
            ),
            (
                "createContract",
                403,
                r#"{"detail":"You do not have access to this template.","code":"SD_CONTRACTS_00012"}"#,
                ErrorCode::TemplateInaccessible,
            ),
            (
                "getTemplateMetadata",
                404,
                r#"{"detail":"Not found."}"#,
                ErrorCode::TemplateInaccessible,
            ),
            ("getTemplate", 404, "", ErrorCode::TemplateInaccessible),
            (
                "createContract",
                400,
                r#"{"contract_data":{"fee":["Extra inputs are not permitted"]}}"#,
                ErrorCode::TemplateFieldMismatch,
            ),
            (
                "createContract",
                400,
                r#"{"contract_data":{"term":["Field required"]}}"#,
                ErrorCode::TemplateFieldMismatch,
            ),
            (
                "createContract",
                400,
                r#"{"detail":"Unknown keys in contract_data: foo"}"#,
                ErrorCode::TemplateFieldMismatch,
            ),
            (
                "createContract",
                400,
                r#"{"entity_reference_id":["Invalid entity."]}"#,
                ErrorCode::CreatorEntityMismatch,
            ),
            (
                "createContract",
                403,
                r#"{"detail":"The selected organization entity cannot use this workflow."}"#,
                ErrorCode::CreatorEntityMismatch,
            ),
            // Not these: the status-based code stays.
            (
                "createContract",
                400,
                r#"{"contract_data":{"fee":["Input should be a valid number"]}}"#,
                ErrorCode::ValidationFailed,
            ),
            (
                "createContract",
                400,
                r#"{"contract_data":["This field is required."]}"#,
                ErrorCode::ValidationFailed,
            ),
            (
                "createContract",
                403,
                r#"{"detail":"Your identity could not be verified."}"#,
                ErrorCode::Forbidden,
            ),
            (
                "createContract",
                403,
                r#"{"detail":"x","code":"SD_SANDBOX_USER_NOT_ACTIVE","message":"The user-email header does not name an active member of this workspace."}"#,
                ErrorCode::Forbidden,
            ),
            (
                "getContractStatus",
                404,
                r#"{"detail":"Not found."}"#,
                ErrorCode::NotFound,
            ),
            (
                "getKeyPointers",
                404,
                r#"{"detail":"Template not found."}"#,
                ErrorCode::NotFound,
            ),
            (
                "createContract",
                500,
                r#"{"detail":"template service unavailable: not found"}"#,
                ErrorCode::ServerError,
            ),
        ];
        for (operation, status, body, code) in cases {
            let error = error_from_response(operation, &response(status, body));
            assert_eq!(error.code, code, "{operation} {status} {body}");
            assert_eq!(error.status, Some(status));
        }
    }

    #[test]
    fn long_mismatch_lists_are_capped() {
        let fields: Vec<String> = (0..30)
            .map(|i| format!(r#""f{i}":["Unknown field."]"#))
            .collect();
        let body = format!(r#"{{"contract_data":{{{}}}}}"#, fields.join(","));
        let error = error_from_response("createContract", &response(400, &body));
        assert_eq!(error.code, ErrorCode::TemplateFieldMismatch);
        assert!(error.message.contains("and 10 more"), "{}", error.message);
        assert_eq!(error.details.len(), 30);
    }

    #[test]
    fn redirect_names_the_cause_and_drops_any_query() {
        let mut r = response(302, "");
        r.headers.push((
            "location".into(),
            "https://api.us.spotdraft.com/api/v2.1/public/contracts/?sig=abc".into(),
        ));
        let error = error_from_response("createContract", &r);
        assert!(error.message.contains("trailing slash"));
        assert!(error.message.contains("/api/v2.1/public/contracts/"));
        assert!(!error.message.contains("sig=abc"));
    }
}
