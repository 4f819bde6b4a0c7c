//! Turns a non-success HTTP response into an [`Error`] with a stable code and advice.
//!
//! One pure function, [`error_from_response`], as stripe-node's `generateV1Error`: the
//! status is the primary branch, SpotDraft's body (`detail`, `code`, `message`, or a
//! per-field map) refines it. Bodies are parsed opportunistically: an unreadable body still
//! yields an error for its status.

use super::HttpResponse;
use crate::error::{Error, ErrorCode, ErrorDetail};
use serde_json::Value;

/// Most characters of SpotDraft's own text copied into a message.
const MAX_QUOTED_CHARS: usize = 300;

/// The error for a response that is not 2xx, from the call named `operation`.
pub fn error_from_response(operation: &str, response: &HttpResponse) -> Error {
    let body: Option<Value> = serde_json::from_str(&response.body).ok();
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
        error = error.with_details(field_details(body));
    }
    error
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

fn truncate(text: &str) -> String {
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
