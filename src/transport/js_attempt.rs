//! The pure half of the JS transport (`facade::fetch`): reading the one string an attempt in
//! `js/attempt.js` resolves to, and turning its `[kind, detail]` rejection into an error.
//!
//! No JS here, so it is tested natively; the facade only moves the string and the pair out
//! of JS values. Messages name a request by method and path, never its query or headers.

use super::{url_path, PreparedRequest};
use crate::api::HttpResponse;
use crate::error::{Error, ErrorCode};

/// The error of a call cancelled by its `AbortSignal`.
pub(crate) fn aborted_error() -> Error {
    Error::new(
        ErrorCode::Aborted,
        "The call was cancelled by its AbortSignal; no retry or timer is left running.",
    )
}

/// Reads `STATUS\nname\nvalue\n…\n\nBODY` (what an attempt resolves to) as a response.
/// `None` for text that is not in that shape (the caller reports it as `INTERNAL`).
pub(crate) fn parse_answer(mut text: String) -> Option<HttpResponse> {
    let head_end = text.find("\n\n")?;
    let mut lines = text.get(..head_end).unwrap_or_default().split('\n');
    let status: u16 = lines
        .next()
        .and_then(|line| line.parse().ok())
        .filter(|status| *status <= 999)?;
    let mut headers = Vec::new();
    while let (Some(name), Some(value)) = (lines.next(), lines.next()) {
        headers.push((name.to_owned(), value.to_owned()));
    }
    text.drain(..head_end + 2);
    Some(HttpResponse {
        status,
        headers,
        body: text,
    })
}

/// The error of an attempt that rejected with `[kind, detail]` (kind `aborted`, `timeout`,
/// `threw`, `refused`, `invalid`, anything else: no response).
pub(crate) fn attempt_failure(kind: &str, detail: &str, request: &PreparedRequest) -> Error {
    let method = request.method.as_str();
    let path = url_path(&request.url);
    match kind {
        "aborted" => aborted_error(),
        "timeout" => Error::new(
            ErrorCode::Timeout,
            format!(
                "{method} {path} took longer than {} ms. Raise `timeoutMs` if SpotDraft is slow, or check the network.",
                request.timeout_ms
            ),
        ),
        "threw" => Error::new(
            ErrorCode::Network,
            format!("{method} {path} could not be sent: {detail}"),
        ),
        "refused" => Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "{method} {path} was not sent: {}.",
                detail.trim_end_matches('.')
            ),
        ),
        "invalid" => Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "The fetch function returned {detail} for {method} {path}; it must resolve to a Response (status, headers, text())."
            ),
        ),
        _ => Error::new(
            ErrorCode::Network,
            format!(
                "{method} {path} got no response: {detail}. Check the network, `baseUrl`, and (in a browser) CORS on the proxy."
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Method;

    fn request() -> PreparedRequest {
        PreparedRequest {
            method: Method::Get,
            url: "https://api.example.com/v1/contracts/T-1/status?token=secret".into(),
            headers: vec![("client-secret".into(), "csecret".into())],
            body: None,
            timeout_ms: 1500,
        }
    }

    #[test]
    fn an_answer_is_status_header_pairs_and_the_body() {
        let answer =
            parse_answer("201\nx-request-id\nabc\nretry-after\n2\n\n{\"a\":\n\n1}".into()).unwrap();
        assert_eq!(answer.status, 201);
        assert_eq!(
            answer.headers,
            [
                ("x-request-id".to_owned(), "abc".to_owned()),
                ("retry-after".to_owned(), "2".to_owned())
            ]
        );
        assert_eq!(answer.body, "{\"a\":\n\n1}");
        let bare = parse_answer("0\n\n".into()).unwrap();
        assert_eq!((bare.status, bare.body.as_str()), (0, ""));
    }

    #[test]
    fn text_of_another_shape_is_no_answer() {
        for text in ["", "200", "200\nx\n", "abc\n\nbody", "1000\n\n", "-1\n\n"] {
            assert_eq!(parse_answer(text.into()), None, "{text:?}");
        }
    }

    #[test]
    fn failures_map_to_codes_and_name_no_query_or_secret() {
        let cases = [
            ("aborted", ErrorCode::Aborted),
            ("timeout", ErrorCode::Timeout),
            ("threw", ErrorCode::Network),
            ("refused", ErrorCode::InvalidArgument),
            ("invalid", ErrorCode::InvalidResponse),
            ("network", ErrorCode::Network),
            ("", ErrorCode::Network),
        ];
        for (kind, code) in cases {
            let error = attempt_failure(kind, "detail.", &request());
            assert_eq!(error.code, code, "{kind}");
            assert!(!error.message.contains("token=") && !error.message.contains("csecret"));
        }
        let timeout = attempt_failure("timeout", "", &request());
        assert!(timeout.message.starts_with(
            "GET https://api.example.com/v1/contracts/T-1/status took longer than 1500 ms"
        ));
        let refused = attempt_failure("refused", "its body is not JSON.", &request());
        assert!(refused
            .message
            .ends_with("was not sent: its body is not JSON."));
    }
}
