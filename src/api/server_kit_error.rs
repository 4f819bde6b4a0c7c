//! Errors the server kit's proxy made itself, told apart from SpotDraft's.
//!
//! `spotdraft-sync/server` answers its own failures (it could not reach SpotDraft, it refused
//! the caller, the body was too large) as `{"error": {"code", "message", "details?"}}` with
//! the header `spotdraft-sync-error: <code>` (src/entries/server/http.js). Without this rule
//! a client behind the proxy read a 502 "the proxy could not reach SpotDraft" as SpotDraft's
//! own `SERVER_ERROR`. With it the client keeps the kit's code when it is one of ours, quotes
//! the kit's message, and adds advice about the proxy rather than about SpotDraft.
//!
//! Does not trust the body alone: without the header the response is SpotDraft's and goes
//! through the status rules in [`super::errors`].

use super::errors::truncate;
use super::HttpResponse;
use crate::error::{Error, ErrorCode, ErrorDetail};
use serde_json::Value;

/// The header the server kit puts on every error answer it makes itself.
pub(crate) const OWN_ERROR_HEADER: &str = "spotdraft-sync-error";

/// The client's error for an answer the server kit made itself, or `None` when the answer
/// is not one (no header, or no `error` object in the body).
pub(crate) fn server_kit_error(
    operation: &str,
    response: &HttpResponse,
    body: Option<&Value>,
) -> Option<Error> {
    response.header(OWN_ERROR_HEADER)?;
    let envelope = body?.get("error")?.as_object()?;
    let message = envelope
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("");
    let code = envelope
        .get("code")
        .and_then(|c| serde_json::from_value::<ErrorCode>(c.clone()).ok())
        .unwrap_or_else(|| status_code(response.status));
    let status = response.status;
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(" The proxy said: \"{}\".", truncate(message))
    };
    let details = envelope
        .get("details")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(detail).collect::<Vec<_>>())
        .unwrap_or_default();
    Some(
        Error::new(
            code,
            format!(
                "{operation} failed with HTTP {status} from your proxy (spotdraft-sync/server), \
                 not from SpotDraft.{said} {}",
                advice(code)
            ),
        )
        .with_status(status)
        .with_request_id(response.request_id())
        .with_details(details),
    )
}

/// The code for a kit answer whose code is not one of the client's (e.g. `PAYLOAD_TOO_LARGE`).
fn status_code(status: u16) -> ErrorCode {
    match status {
        400 | 413 | 415 => ErrorCode::InvalidArgument,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        504 => ErrorCode::Timeout,
        502 => ErrorCode::Network,
        _ => ErrorCode::HttpError,
    }
}

fn advice(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Network => {
            "The proxy could not reach SpotDraft: check the proxy host's network and DNS, and \
             SpotDraft's status; retry later (a create is looked up before it is repeated)."
        }
        ErrorCode::Timeout => {
            "SpotDraft did not answer the proxy in time; retry later (a create is looked up \
             before it is repeated)."
        }
        ErrorCode::Unauthorized => {
            "The proxy did not recognise this caller: send the session, token or signature \
             your proxy's `authorize` expects."
        }
        ErrorCode::Forbidden => {
            "The proxy refused this operation for this caller (its `allow` or `operations` \
             settings, or a call outside the integration playbook)."
        }
        ErrorCode::RateLimited => {
            "The proxy's shared request budget is used up; retry after the advised delay."
        }
        ErrorCode::InvalidArgument => "Correct the request as `details` says, then retry.",
        _ => "See the proxy's log for this request.",
    }
}

fn detail(item: &Value) -> Option<ErrorDetail> {
    let path = item.get("path")?.as_str()?;
    let message = item.get("message")?.as_str()?;
    let code = item
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or("INVALID_ARGUMENT");
    Some(ErrorDetail::new(path, code, truncate(message)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::errors::error_from_response;

    fn kit(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![(OWN_ERROR_HEADER.into(), "X".into())],
            body: body.into(),
        }
    }

    #[test]
    fn keeps_the_kits_code_and_message_when_the_header_is_there() {
        let error = error_from_response(
            "getContractStatus",
            &kit(
                502,
                r#"{"error":{"code":"NETWORK","message":"The proxy could not reach SpotDraft."}}"#,
            ),
        );
        assert_eq!(error.code, ErrorCode::Network);
        assert_eq!(error.status, Some(502));
        assert!(
            error.message.contains("from your proxy"),
            "{}",
            error.message
        );
        assert!(error.message.contains("could not reach SpotDraft"));
        assert!(!error.message.contains("SpotDraft had a server error"));
    }

    #[test]
    fn without_the_header_the_same_body_is_spotdrafts_and_keeps_the_status_rules() {
        let response = HttpResponse {
            status: 502,
            headers: vec![],
            body: r#"{"error":{"code":"NETWORK","message":"x"}}"#.into(),
        };
        assert_eq!(
            error_from_response("getContractStatus", &response).code,
            ErrorCode::ServerError
        );
    }

    #[test]
    fn a_code_the_client_does_not_have_falls_back_to_the_status() {
        for (status, code, expected) in [
            (413, "PAYLOAD_TOO_LARGE", ErrorCode::InvalidArgument),
            (504, "SOMETHING_NEW", ErrorCode::Timeout),
            (401, "UNAUTHORIZED", ErrorCode::Unauthorized),
            (403, "FORBIDDEN", ErrorCode::Forbidden),
        ] {
            let body = format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#);
            assert_eq!(
                error_from_response("op", &kit(status, &body)).code,
                expected,
                "{code}"
            );
        }
    }

    #[test]
    fn carries_the_kits_located_details_and_ignores_malformed_ones() {
        let error = error_from_response(
            "createContract",
            &kit(
                400,
                r#"{"error":{"code":"INVALID_ARGUMENT","message":"bad","details":[{"path":"$.path","message":"the path holds %2f"},{"nope":1}]}}"#,
            ),
        );
        assert_eq!(error.code, ErrorCode::InvalidArgument);
        assert_eq!(error.details.len(), 1);
        assert_eq!(error.details[0].path, "$.path");
    }

    #[test]
    fn a_header_without_an_error_object_is_left_to_the_status_rules() {
        assert_eq!(
            error_from_response("op", &kit(502, "not json")).code,
            ErrorCode::ServerError
        );
    }
}
