//! Every error body the sandbox sends, in one place.
//!
//! SpotDraft documents three body shapes (see `shared/spotdraft-api.md` §10): DRF's
//! `{"detail": "…"}`, the coded `{"detail", "status_code", "code", "message"}`, and per-field
//! maps such as `{"contract_data": {"customer_name": ["This field is required."]}}`. Where
//! SpotDraft documents the body, the sandbox sends exactly that. Where it does not, the
//! sandbox's choice is listed below and uses a `SD_SANDBOX_*` code, so a client can tell a
//! documented SpotDraft code from a sandbox invention. Field-validation bodies carry the field
//! map at the top level (DRF style) plus `detail`/`status_code`/`code`/`message`, so a client
//! that reads either shape finds what it needs.
//!
//! | Situation | Status | Body | Source |
//! |---|---|---|---|
//! | missing `client-id`/`client-secret` | 401 | `{"detail":"Authentication credentials were not provided."}` | SPEC |
//! | wrong credentials | 401 | `{"detail":"Incorrect authentication credentials."}` | DRF default |
//! | `user-email` unknown or inactive | 403 | coded `SD_SANDBOX_USER_NOT_ACTIVE` | sandbox |
//! | unknown path / unknown id / id of another workspace | 404 | `{"detail":"Not found."}` | DRF default |
//! | malformed composite id (not `T-123`/`H-123`) | 404 | coded `SD_SANDBOX_MALFORMED_COMPOSITE_ID` | sandbox (SpotDraft's URL pattern would not match: 404) |
//! | wrong trailing slash | 302 | empty body, `Location` = the right path | SPEC |
//! | wrong method | 405 | `{"detail":"Method \"X\" not allowed."}` + `Allow` | DRF default |
//! | body not `application/json` | 415 | `{"detail":"Unsupported media type \"…\" in request."}` | DRF default |
//! | malformed JSON | 400 | `{"detail":"JSON parse error - …"}` | DRF default |
//! | body over `--max-body-bytes` | 413 | coded `SD_SANDBOX_BODY_TOO_LARGE` | sandbox |
//! | unknown query parameter | 400 | coded `SD_SANDBOX_UNKNOWN_QUERY_PARAMETER` | sandbox |
//! | bad `page`/`limit`/filter value | 400 | coded `SD_SANDBOX_INVALID_QUERY_PARAMETER` | sandbox |
//! | create: template not in this workspace (or unknown) | 404 | coded `SD_SANDBOX_TEMPLATE_INACCESSIBLE` | sandbox (portal names the failure, no body) |
//! | create: field errors (`contract_data` keys/types, counterparties, signatories, top-level fields) | 400 | field map + coded `SD_SANDBOX_VALIDATION_ERROR` | sandbox (DRF field-map shape) |
//! | create: unknown `entity_reference_id` | 400 | coded `SD_SANDBOX_ENTITY_UNKNOWN` | sandbox |
//! | create: template restricted to other creator entities | 403 | coded `SD_SANDBOX_ENTITY_NOT_ALLOWED` | sandbox |
//! | send / sign / hold in a state that does not allow it | 402 | coded `SD_SANDBOX_INVALID_CONTRACT_STATE` | sandbox (402 = "business-rule or workflow state" per SPEC) |
//! | void an executed contract | 400 | `{"detail":"Cannot void an executed contract."}` | SPEC |
//! | void an already voided contract | 400 | `{"detail":"Contract is already voided."}` | sandbox |
//! | download link format `DOCX` | 400 | coded `SD_SANDBOX_FORMAT_UNSUPPORTED` | sandbox (the sandbox renders PDF only) |
//! | webhook create: bad url / headers / activities / title | 400 | field map + coded `SD_SANDBOX_VALIDATION_ERROR` | sandbox (SPEC: 400 coded shape) |
//! | re-trigger / void / send / download_link body field errors | 400 | field map + coded `SD_SANDBOX_VALIDATION_ERROR` | sandbox |
//! | webhook delete: unknown id | 404 | coded `SD_SANDBOX_WEBHOOK_NOT_FOUND` | sandbox (SPEC: 404 with coded shape) |
//! | re-trigger: unknown contract id | 404 | `{"detail":"Not Found"}` | SPEC |
//! | rate limit (per workspace) | 429 | `{"detail":"Request was throttled. Expected available in N seconds."}` + `Retry-After: N` | DRF default |
//! | injected 429 fault | 429 | same as rate limit, `Retry-After` from the fault config | sandbox |
//! | injected 5xx fault | 500/502/503/504 | coded `SD_SANDBOX_INJECTED_FAULT` | sandbox |
//! | download link expired / tampered | 403 | coded `SD_SANDBOX_LINK_EXPIRED` / `SD_SANDBOX_LINK_INVALID` | sandbox |
//! | body read too slow | 408 | coded `SD_SANDBOX_REQUEST_TIMEOUT` | sandbox |
//!
//! This module does not decide *when* an error applies; handlers do.

use serde_json::{json, Map, Value};

/// An error response: status, JSON body, and optional extra headers.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// JSON body.
    pub body: Value,
    /// `Retry-After` seconds, for 429.
    pub retry_after: Option<u64>,
    /// `Allow` header, for 405.
    pub allow: Option<&'static str>,
}

impl ApiError {
    fn new(status: u16, body: Value) -> Self {
        Self {
            status,
            body,
            retry_after: None,
            allow: None,
        }
    }

    /// DRF-style `{"detail": …}` body.
    pub fn detail(status: u16, detail: impl Into<String>) -> Self {
        Self::new(status, json!({ "detail": detail.into() }))
    }

    /// SpotDraft coded body `{"detail","status_code","code","message"}`.
    pub fn coded(status: u16, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            status,
            json!({ "detail": message, "status_code": status, "code": code, "message": message }),
        )
    }

    /// 404 `{"detail":"Not found."}`.
    pub fn not_found() -> Self {
        Self::detail(404, "Not found.")
    }

    /// 401 for missing credentials (documented body).
    pub fn credentials_missing() -> Self {
        Self::detail(401, "Authentication credentials were not provided.")
    }

    /// 401 for credentials that match no workspace.
    pub fn credentials_invalid() -> Self {
        Self::detail(401, "Incorrect authentication credentials.")
    }

    /// 403 for an unknown or inactive `user-email`.
    pub fn user_not_active() -> Self {
        Self::coded(
            403,
            "SD_SANDBOX_USER_NOT_ACTIVE",
            "The user-email header does not name an active member of this workspace.",
        )
    }

    /// 404 for a composite id that is not `T-<n>` or `H-<n>`.
    pub fn malformed_composite_id() -> Self {
        Self::coded(
            404,
            "SD_SANDBOX_MALFORMED_COMPOSITE_ID",
            "Contract ids in this path look like T-123 or H-123.",
        )
    }

    /// 405 with the allowed methods.
    pub fn method_not_allowed(method: &str, allow: &'static str) -> Self {
        let mut e = Self::detail(405, format!("Method \"{method}\" not allowed."));
        e.allow = Some(allow);
        e
    }

    /// 415 for a body that is not JSON.
    pub fn unsupported_media_type(content_type: &str) -> Self {
        // Only echo printable ASCII; the header is attacker-controlled.
        let shown: String = content_type
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .take(100)
            .collect();
        Self::detail(
            415,
            format!("Unsupported media type \"{shown}\" in request."),
        )
    }

    /// 400 for JSON that does not parse.
    pub fn json_parse(err: &serde_json::Error) -> Self {
        Self::detail(400, format!("JSON parse error - {err}"))
    }

    /// 413 for a body over the limit.
    pub fn body_too_large(limit: usize) -> Self {
        Self::coded(
            413,
            "SD_SANDBOX_BODY_TOO_LARGE",
            format!("Request body exceeds the sandbox limit of {limit} bytes."),
        )
    }

    /// 408 when the body does not arrive in time.
    pub fn request_timeout() -> Self {
        Self::coded(
            408,
            "SD_SANDBOX_REQUEST_TIMEOUT",
            "The request body was not received in time.",
        )
    }

    /// 400 for a query parameter the endpoint does not know.
    pub fn unknown_query_param(name: &str) -> Self {
        let shown: String = name.chars().take(80).collect();
        Self::coded(
            400,
            "SD_SANDBOX_UNKNOWN_QUERY_PARAMETER",
            format!("Unknown query parameter: {shown}"),
        )
    }

    /// 400 for a query parameter with a bad value.
    pub fn invalid_query_param(name: &str, why: &str) -> Self {
        let shown: String = name.chars().take(80).collect();
        Self::coded(
            400,
            "SD_SANDBOX_INVALID_QUERY_PARAMETER",
            format!("Invalid value for query parameter {shown}: {why}"),
        )
    }

    /// 404 for a template the workspace cannot access (unknown, or another workspace's).
    pub fn template_inaccessible(template_id: i64) -> Self {
        Self::coded(
            404,
            "SD_SANDBOX_TEMPLATE_INACCESSIBLE",
            format!(
                "Template {template_id} does not exist or is not accessible to this workspace."
            ),
        )
    }

    /// 400 with a DRF field map plus the coded keys.
    pub fn validation(fields: Map<String, Value>) -> Self {
        let summary = summarize(&Value::Object(fields.clone()), "");
        let mut body = fields;
        let message = if summary.is_empty() {
            "Invalid input.".to_owned()
        } else {
            summary.join("; ")
        };
        body.insert("detail".into(), json!("Invalid input."));
        body.insert("status_code".into(), json!(400));
        body.insert("code".into(), json!("SD_SANDBOX_VALIDATION_ERROR"));
        body.insert("message".into(), json!(message));
        Self::new(400, Value::Object(body))
    }

    /// 400 for an unknown creator entity.
    pub fn entity_unknown(reference_id: &str) -> Self {
        let shown: String = reference_id.chars().take(80).collect();
        Self::coded(
            400,
            "SD_SANDBOX_ENTITY_UNKNOWN",
            format!("No organization entity with reference id {shown:?} in this workspace."),
        )
    }

    /// 403 for a template restricted to other creator entities.
    pub fn entity_not_allowed(template_id: i64, reference_id: &str) -> Self {
        Self::coded(
            403,
            "SD_SANDBOX_ENTITY_NOT_ALLOWED",
            format!("Template {template_id} cannot be used by creator entity {reference_id:?}."),
        )
    }

    /// 402 for an action the contract's current state does not allow.
    pub fn invalid_state(action: &str, status: &str) -> Self {
        Self::coded(
            402,
            "SD_SANDBOX_INVALID_CONTRACT_STATE",
            format!("Cannot {action} a contract in status {status}."),
        )
    }

    /// 429 with `Retry-After`.
    pub fn throttled(retry_after: u64) -> Self {
        let unit = if retry_after == 1 {
            "second"
        } else {
            "seconds"
        };
        let mut e = Self::detail(
            429,
            format!("Request was throttled. Expected available in {retry_after} {unit}."),
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// Injected server error.
    pub fn injected_5xx(status: u16) -> Self {
        Self::coded(
            status,
            "SD_SANDBOX_INJECTED_FAULT",
            "Injected server error (sandbox fault injection).",
        )
    }
}

/// Flattens a field map into `path: message` strings for the `message` key.
fn summarize(v: &Value, prefix: &str) -> Vec<String> {
    match v {
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                summarize(v, &p)
            })
            .collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(|s| format!("{prefix}: {s}")))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_body_keeps_field_map_and_code() {
        let mut m = Map::new();
        m.insert(
            "contract_data".into(),
            json!({"customer_name": ["This field is required."]}),
        );
        let e = ApiError::validation(m);
        assert_eq!(e.status, 400);
        assert_eq!(e.body["code"], "SD_SANDBOX_VALIDATION_ERROR");
        assert_eq!(
            e.body["contract_data"]["customer_name"][0],
            "This field is required."
        );
        assert_eq!(
            e.body["message"],
            "contract_data.customer_name: This field is required."
        );
    }

    #[test]
    fn throttled_has_retry_after() {
        let e = ApiError::throttled(3);
        assert_eq!(e.retry_after, Some(3));
        assert_eq!(
            e.body["detail"],
            "Request was throttled. Expected available in 3 seconds."
        );
    }
}
