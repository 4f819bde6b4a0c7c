//! HubSpot's `hubspot.fetch` as pure decisions, for the transport of a UI-extension card
//! (`hubspotFetch(hubspot.fetch)` in JS): which client options and request headers can go
//! through it, and what its answers mean.
//!
//! No IO and no clock: the facade sends (`facade::fetch`, `js/attempt.js`) and passes the
//! elapsed time in. The facts, with their sources, are in `shared/hosts.md`
//! (`@hubspot/ui-extensions` 0.17.0 `HubSpotFetchOptions`; `@hubspot/ui-extensions-dev-server`
//! 2.1.2 `dist/lib/proxy/AppProxyService.js` and `constants.js`, which say they mirror
//! HubSpot's backend proxy; HubSpot's "Fetching data" docs):
//! - options `{ method, timeout, body, headers }`, no `signal`; the body is a JSON *object*,
//!   which HubSpot stringifies and sends as `application/json`;
//! - only the `Authorization` request header is allowed: any other is a 400
//!   `VALIDATION_ERROR` from HubSpot itself;
//! - an upstream status 300–599 comes back wrapped: proxy status 200, `status: "error"`,
//!   `category: "BAD_GATEWAY"`, the upstream body in `responseBody`, the upstream status in
//!   `context.appServerStatusCode` (an array of strings); no upstream response header is
//!   forwarded (so no `Retry-After`); HubSpot's own timeout is a 504 `GATEWAY_TIMEOUT`;
//! - timeout 15 s by default, at most 120 s; request and response at most 1 MB;
//! - HubSpot retries a request once after a connection failure or a 5xx. A create can thus
//!   reach the backend twice: the client's lookup by `external_metadata.id` after an
//!   ambiguous failure cannot undo a second contract that HubSpot's own retry made. Only a
//!   backend that deduplicates creates by `external_metadata.id` makes that safe.
//!
//! What the card's `Response` holds is not documented: the proxy's envelope
//! (`{status: "success", responseBody, context}` or the error shapes above) or the upstream
//! answer already unwrapped. [`read_response`] recognises the envelope by its shape and
//! otherwise takes status and body as they are.

use crate::api::errors::truncate;
use crate::api::HttpResponse;
use crate::core::config::ClientConfigInput;
use crate::error::{Error, ErrorCode, Result};
use crate::transport::{url_path, PreparedRequest};
use serde_json::{Map, Value};

/// The property (`Symbol.for(MARKER)`) that marks a `hubspotFetch` transport in JS and holds
/// the `hubspot.fetch` it wraps.
pub(crate) const MARKER: &str = "spotdraft-sync.hubspotFetch";

/// HubSpot's largest `timeout`.
pub(crate) const MAX_TIMEOUT_MS: u32 = 120_000;

/// HubSpot's request limit, "1MB". Whether that is 10^6 or 2^20 bytes, and whether it counts
/// the body alone, is UNKNOWN: the smaller reading is refused above, the safe side (a body
/// between the two would be refused by us rather than, maybe, by HubSpot after sending).
pub(crate) const MAX_BODY_BYTES: usize = 1_000_000;

/// How much longer than HubSpot's `timeout` the transport's own timer waits. HubSpot answers
/// a timeout itself (504), and that answer is the better error; the timer only guards against
/// a host that never settles.
pub(crate) const LOCAL_TIMER_GRACE_MS: u32 = 2_000;

/// The `timeout` option for an attempt that may take `requested` ms: HubSpot's cap applies.
pub(crate) fn timeout_ms(requested: u32) -> u32 {
    requested.min(MAX_TIMEOUT_MS)
}

/// Refuses client options that cannot work through `hubspot.fetch`, before anything else
/// reads them (so a secret is refused for this reason in every runtime).
///
/// # Errors
/// `INVALID_ARGUMENT` for `clientId`/`clientSecret` (SpotDraft credentials are never sent
/// from a card), `userEmail` (a header HubSpot refuses), `region` (SpotDraft itself cannot
/// be called without credentials) and a `baseUrl` that is not an `https://` URL of a
/// non-loopback host (HubSpot calls only such URLs, listed in `permittedUrls.fetch`).
pub(crate) fn check_client_options(input: &ClientConfigInput) -> Result<()> {
    if input.client_id.is_some() || input.client_secret.is_some() {
        let name = if input.client_secret.is_some() {
            "options.clientSecret"
        } else {
            "options.clientId"
        };
        return Err(Error::invalid_argument(
            name,
            "SpotDraft credentials are never sent from a HubSpot card: anyone who can open the \
             card can read them, and hubspot.fetch refuses the client-id and client-secret \
             headers anyway. Remove clientId and clientSecret here; your proxy (the `baseUrl`) \
             adds them to the requests it forwards to SpotDraft.",
        ));
    }
    if input.user_email.is_some() {
        return Err(Error::invalid_argument(
            "options.userEmail",
            "hubspot.fetch sends no user-email header (HubSpot allows only Authorization): \
             remove userEmail here and let your proxy set user-email for the HubSpot user it \
             has authenticated.",
        ));
    }
    if input.region.is_some() {
        return Err(Error::invalid_argument(
            "options.region",
            "a HubSpot card cannot call SpotDraft directly (no credentials may be sent from \
             it): pass `baseUrl`, the https URL of your proxy, listed in permittedUrls.fetch.",
        ));
    }
    if let Some(url) = &input.base_url {
        if !is_public_https(url) {
            return Err(Error::invalid_argument(
                "options.baseUrl",
                "hubspot.fetch calls only https URLs listed in permittedUrls.fetch, never \
                 localhost: pass your proxy's https URL (in local development, HubSpot's dev \
                 server maps it to a local server through localDevUrlMapping).",
            ));
        }
    }
    Ok(())
}

/// `https://` and a host that is not loopback (`localhost`, `127.x`, `[::1]`).
fn is_public_https(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    !(host.is_empty()
        || host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.starts_with("127."))
}

/// The `Authorization` value to send, from a request's headers (lowercase names).
///
/// `accept` and `content-type` are dropped: HubSpot sends JSON as `application/json` itself
/// and would refuse them. Every other header is refused, naming it (never its value).
///
/// # Errors
/// `INVALID_ARGUMENT` (path `options.headers`) for any header but those three.
pub(crate) fn authorization(headers: &[(String, String)]) -> Result<Option<&str>> {
    let mut authorization = None;
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "accept" | "content-type" => {}
            "authorization" => authorization = Some(value.as_str()),
            "client-id" | "client-secret" => {
                return Err(Error::invalid_argument(
                    "options.headers",
                    format!(
                        "returned a `{name}` header: SpotDraft credentials are never sent from a \
                         HubSpot card (hubspot.fetch would refuse the header, and anyone who can \
                         open the card could read it). Your proxy adds client-id and \
                         client-secret; return only `authorization` here."
                    ),
                ))
            }
            _ => {
                return Err(Error::invalid_argument(
                    "options.headers",
                    format!(
                        "returned a `{name}` header, but hubspot.fetch sends only Authorization \
                         (HubSpot answers any other with 400 VALIDATION_ERROR): return only \
                         `authorization`, and let your proxy add `{name}`."
                    ),
                ))
            }
        }
    }
    Ok(authorization)
}

/// Refuses a body over [`MAX_BODY_BYTES`] before it is sent. (That the body is a JSON object
/// is checked where it is parsed into one, in `js/attempt.js`.)
///
/// # Errors
/// `INVALID_ARGUMENT` naming the request and the size.
pub(crate) fn check_body(request: &PreparedRequest) -> Result<()> {
    let Some(body) = &request.body else {
        return Ok(());
    };
    if body.len() <= MAX_BODY_BYTES {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::InvalidArgument,
        format!(
            "{} {} was not sent: its body is {} bytes, and hubspot.fetch carries at most 1 MB \
             (taken as {MAX_BODY_BYTES} bytes). Send less from the card (e.g. fewer or shorter \
             contract_data values), or create the contract from a server.",
            request.method.as_str(),
            url_path(&request.url),
            body.len()
        ),
    ))
}

/// What HubSpot's answer means: the upstream status and body, or an error of HubSpot itself.
///
/// `response` is what `hubspot.fetch` resolved to (status and text); `elapsed_ms` is how long
/// the attempt took. The returned response has no headers: HubSpot forwards none.
///
/// - A success envelope: `context.appServerStatusCode` (else the proxy's status) and
///   `responseBody`.
/// - `BAD_GATEWAY`: the wrapped upstream status and body, so the usual mapping applies
///   (429 → `RATE_LIMITED`, 5xx → `SERVER_ERROR`, 4xx by status and body).
/// - `GATEWAY_TIMEOUT`, or a 5xx with no upstream body that came after the whole timeout:
///   `TIMEOUT`. (HubSpot's dev-server proxy reports its own axios timeout as a wrapped 500:
///   axios names it `ECONNABORTED`, which its error table does not list.)
/// - `VALIDATION_ERROR`: HubSpot refused the request (`INVALID_ARGUMENT`) or could not read
///   the upstream answer as JSON (`INVALID_RESPONSE`), with HubSpot's message.
/// - Any other error envelope (e.g. HubSpot's own 429 when more than 20 requests of the app
///   are in flight): the proxy's status, with the upstream body if there is one.
/// - Anything else is taken as an answer HubSpot already unwrapped.
///
/// # Errors
/// `TIMEOUT`, `INVALID_ARGUMENT`, `INVALID_RESPONSE` as above.
pub(crate) fn read_response(
    response: HttpResponse,
    request: &PreparedRequest,
    elapsed_ms: f64,
) -> Result<HttpResponse> {
    let parsed = serde_json::from_str::<Value>(&response.body).ok();
    let Some(envelope) = parsed.as_ref().and_then(Envelope::of) else {
        return Ok(HttpResponse {
            status: response.status,
            headers: Vec::new(),
            body: response.body,
        });
    };
    let answer = |status: u16| HttpResponse {
        status,
        headers: Vec::new(),
        body: envelope.body_text(),
    };
    if envelope.success {
        return Ok(answer(envelope.app_status.unwrap_or(response.status)));
    }
    let status = match envelope.category {
        Some("GATEWAY_TIMEOUT") => return Err(timeout_error(request, &envelope)),
        Some("VALIDATION_ERROR") => {
            return Err(validation_error(request, &envelope, response.status))
        }
        Some("BAD_GATEWAY") => envelope.app_status.unwrap_or(502),
        _ if (200..300).contains(&response.status) => envelope.app_status.unwrap_or(502),
        _ => response.status,
    };
    let timed_out = envelope.body.is_none()
        && (500..600).contains(&status)
        && elapsed_ms >= f64::from(timeout_ms(request.timeout_ms));
    if timed_out {
        return Err(timeout_error(request, &envelope));
    }
    Ok(answer(status))
}

/// The parts of a HubSpot proxy envelope that matter.
struct Envelope<'a> {
    success: bool,
    category: Option<&'a str>,
    message: Option<&'a str>,
    app_status: Option<u16>,
    correlation_id: Option<&'a str>,
    /// `responseBody`; `None` when absent or null (no upstream body).
    body: Option<&'a Value>,
}

impl<'a> Envelope<'a> {
    /// The envelope in `value`, recognised by its shape: `status` is `"success"` with a
    /// `context` object, or `"error"` with a `context` object or a `category` string (the
    /// shape of HubSpot's API errors). SpotDraft's own bodies never look like that.
    fn of(value: &'a Value) -> Option<Self> {
        let object = value.as_object()?;
        let success = match object.get("status")?.as_str()? {
            "success" => true,
            "error" => false,
            _ => return None,
        };
        let context = object.get("context").and_then(Value::as_object);
        let category = object.get("category").and_then(Value::as_str);
        if context.is_none() && (success || category.is_none()) {
            return None;
        }
        Some(Self {
            success,
            category,
            message: object.get("message").and_then(Value::as_str),
            app_status: context
                .and_then(|c| first(c, "appServerStatusCode"))
                .and_then(status_of),
            correlation_id: context
                .and_then(|c| first(c, "correlationId"))
                .and_then(Value::as_str)
                .or_else(|| object.get("correlationId").and_then(Value::as_str)),
            body: object.get("responseBody").filter(|b| !b.is_null()),
        })
    }

    /// The upstream body as text: a string as it is (a body that was not JSON), JSON otherwise.
    fn body_text(&self) -> String {
        match self.body {
            None => String::new(),
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        }
    }

    /// ` (HubSpot correlationId …)`, for support requests to HubSpot.
    fn correlation(&self) -> String {
        self.correlation_id
            .map(|id| format!(" (HubSpot correlationId {})", truncate(id)))
            .unwrap_or_default()
    }
}

/// The first value of a context field: HubSpot's context values are arrays of strings.
fn first<'a>(context: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    match context.get(key)? {
        Value::Array(values) => values.first(),
        other => Some(other),
    }
}

fn status_of(value: &Value) -> Option<u16> {
    let status = match value {
        Value::String(text) => text.trim().parse().ok()?,
        Value::Number(number) => u16::try_from(number.as_u64()?).ok()?,
        _ => return None,
    };
    (100..=999).contains(&status).then_some(status)
}

fn timeout_error(request: &PreparedRequest, envelope: &Envelope<'_>) -> Error {
    Error::new(
        ErrorCode::Timeout,
        format!(
            "HubSpot stopped waiting for {} {} after {} ms: raise `timeoutMs` (hubspot.fetch \
             allows up to {MAX_TIMEOUT_MS} ms) or make your proxy answer sooner. The request may \
             still have reached your proxy.{}",
            request.method.as_str(),
            url_path(&request.url),
            timeout_ms(request.timeout_ms),
            envelope.correlation()
        ),
    )
}

fn validation_error(request: &PreparedRequest, envelope: &Envelope<'_>, status: u16) -> Error {
    let method = request.method.as_str();
    let path = url_path(&request.url);
    let said = envelope
        .message
        .map(|m| format!(" HubSpot said: \"{}\".", truncate(m)))
        .unwrap_or_default();
    let correlation = envelope.correlation();
    // The dev server's table (constants.js) words the one answer-side refusal "Invalid JSON
    // Response Body"; every other VALIDATION_ERROR is about the request.
    let about_response = envelope
        .message
        .is_some_and(|m| m.to_ascii_lowercase().contains("response"));
    let error = if about_response {
        Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "HubSpot could not pass on your proxy's answer to {method} {path}.{said} \
                 hubspot.fetch carries JSON bodies only (at most 1 MB): make the proxy answer \
                 JSON.{correlation}"
            ),
        )
    } else {
        Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "HubSpot refused {method} {path} before sending it (VALIDATION_ERROR).{said} \
                 hubspot.fetch sends a JSON object body and only the Authorization header, to \
                 https URLs listed in permittedUrls.fetch: check `baseUrl` and the headers() \
                 provider.{correlation}"
            ),
        )
    };
    error.with_status(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Method;
    use serde_json::json;

    fn request(method: Method, path: &str, body: Option<&str>) -> PreparedRequest {
        PreparedRequest {
            method,
            url: format!("https://proxy.example.com/api/v2.1/public{path}"),
            headers: vec![("accept".into(), "application/json".into())],
            body: body.map(str::to_owned),
            timeout_ms: 5_000,
        }
    }

    fn status_call() -> PreparedRequest {
        request(Method::Get, "/contracts/T-1/status?sig=secret", None)
    }

    fn answer(status: u16, body: &Value) -> HttpResponse {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    /// The dev server's wrapped answer to an upstream `status` (AppProxyService.js).
    fn wrapped(status: &str, body: Option<Value>) -> Value {
        let mut envelope = json!({
            "status": "error",
            "context": {"portalId": ["1"], "httpMethod": ["POST"], "requestUri": ["https://proxy.example.com/x"], "correlationId": ["c-1"], "appServerStatusCode": [status]},
            "message": "Error returned from Request Uri",
            "errors": [{"message": format!("Unacceptable HTTP status {status} calling https://proxy.example.com/x")}],
            "category": "BAD_GATEWAY",
        });
        if let (Some(body), Some(object)) = (body, envelope.as_object_mut()) {
            object.insert("responseBody".into(), body);
        }
        envelope
    }

    #[test]
    fn the_timeout_is_capped_at_hubspots_maximum() {
        assert_eq!(timeout_ms(5_000), 5_000);
        assert_eq!(timeout_ms(120_000), 120_000);
        assert_eq!(timeout_ms(600_000), 120_000);
    }

    #[test]
    fn only_authorization_is_sent_and_accept_and_content_type_are_dropped() {
        let headers = vec![
            ("accept".to_owned(), "application/json".to_owned()),
            ("content-type".to_owned(), "application/json".to_owned()),
            (
                "authorization".to_owned(),
                "Bearer session-token".to_owned(),
            ),
        ];
        assert_eq!(
            authorization(&headers).unwrap(),
            Some("Bearer session-token")
        );
        assert_eq!(authorization(&headers[..2]).unwrap(), None);
    }

    #[test]
    fn credential_and_custom_headers_are_refused_by_name_never_by_value() {
        for (name, fragment) in [
            ("client-secret", "never sent from a HubSpot card"),
            ("client-id", "never sent from a HubSpot card"),
            ("user-email", "hubspot.fetch sends only Authorization"),
            ("x-session", "hubspot.fetch sends only Authorization"),
        ] {
            let headers = vec![(name.to_owned(), "v4lue-not-to-leak".to_owned())];
            let error = authorization(&headers).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{name}");
            assert!(error.message.contains(fragment), "{}", error.message);
            assert!(
                error.message.contains(&format!("`{name}`")),
                "{}",
                error.message
            );
            assert!(!error.message.contains("v4lue-not-to-leak"));
            assert_eq!(error.details[0].path, "options.headers");
        }
    }

    #[test]
    fn client_options_that_cannot_work_through_hubspot_are_refused() {
        let ok = ClientConfigInput {
            base_url: Some("https://sd-proxy.example.com/sd".into()),
            ..ClientConfigInput::default()
        };
        assert!(check_client_options(&ok).is_ok());
        type Change = fn(&mut ClientConfigInput);
        let cases: [(Change, &str); 7] = [
            (
                |i| i.client_secret = Some("s3cret".into()),
                "options.clientSecret",
            ),
            (|i| i.client_id = Some("id".into()), "options.clientId"),
            (
                |i| i.user_email = Some("a@b.example".into()),
                "options.userEmail",
            ),
            (
                |i| i.region = Some(crate::core::config::Region::Us),
                "options.region",
            ),
            (
                |i| i.base_url = Some("http://127.0.0.1:4010".into()),
                "options.baseUrl",
            ),
            (
                |i| i.base_url = Some("https://localhost:8443".into()),
                "options.baseUrl",
            ),
            (
                |i| i.base_url = Some("https://[::1]/x".into()),
                "options.baseUrl",
            ),
        ];
        for (change, path) in cases {
            let mut input = ok.clone();
            change(&mut input);
            let error = check_client_options(&input).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{path}");
            assert_eq!(error.details[0].path, path);
            assert!(!error.message.contains("s3cret"));
        }
        let mut both = ok;
        both.client_id = Some("id".into());
        both.client_secret = Some("s3cret".into());
        let error = check_client_options(&both).unwrap_err();
        assert!(error.message.contains("your proxy"), "{}", error.message);
    }

    #[test]
    fn a_body_over_one_megabyte_is_refused_before_sending() {
        let small = request(Method::Post, "/contracts/", Some(r#"{"a":1}"#));
        assert!(check_body(&small).is_ok());
        let body = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_BODY_BYTES));
        let big = request(Method::Post, "/contracts/", Some(&body));
        let error = check_body(&big).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidArgument);
        assert!(error.message.contains("1 MB"), "{}", error.message);
        assert!(error
            .message
            .contains("POST https://proxy.example.com/api/v2.1/public/contracts/"));
    }

    #[test]
    fn a_success_envelope_is_unwrapped_into_the_upstream_status_and_body() {
        let envelope = json!({
            "status": "success",
            "responseBody": {"id": "T-5", "contract_id": 5},
            "context": {"correlationId": ["c-1"], "appServerStatusCode": ["201"], "requestUri": ["https://proxy.example.com/x"]},
        });
        let response = read_response(answer(201, &envelope), &status_call(), 10.0).unwrap();
        assert_eq!(response.status, 201);
        assert_eq!(
            serde_json::from_str::<Value>(&response.body).unwrap(),
            json!({"id": "T-5", "contract_id": 5})
        );
        assert!(response.headers.is_empty());
        // An empty upstream body (send, void) leaves `responseBody` out.
        let empty = json!({"status": "success", "context": {"appServerStatusCode": ["204"]}});
        let response = read_response(answer(204, &empty), &status_call(), 10.0).unwrap();
        assert_eq!((response.status, response.body.as_str()), (204, ""));
        // A body that was not JSON arrives as a string.
        let html = json!({"status": "success", "responseBody": "<html>hi</html>", "context": {"appServerStatusCode": ["200"]}});
        let response = read_response(answer(200, &html), &status_call(), 10.0).unwrap();
        assert_eq!(response.body, "<html>hi</html>");
    }

    #[test]
    fn an_answer_hubspot_already_unwrapped_is_taken_as_it_is() {
        for (status, body) in [
            (200, r#"{"contract_status":"SIGN","contract_name":"x"}"#),
            (404, r#"{"detail":"Not found."}"#),
            (
                400,
                r#"{"detail":"x","status_code":400,"code":"SD_X","message":"y"}"#,
            ),
            (200, r#"{"status":"success"}"#),
            (200, "<html></html>"),
            (502, ""),
        ] {
            let response = HttpResponse {
                status,
                headers: vec![("retry-after".into(), "1".into())],
                body: body.into(),
            };
            let read = read_response(response, &status_call(), 10.0).unwrap();
            assert_eq!((read.status, read.body.as_str()), (status, body));
            assert!(
                read.headers.is_empty(),
                "HubSpot's own headers are not the upstream's"
            );
        }
    }

    #[test]
    fn wrapped_upstream_errors_come_out_with_their_own_status_and_body() {
        for (status, body) in [
            ("429", json!({"detail": "Request was throttled."})),
            ("500", json!({"detail": "boom"})),
            ("502", json!({"detail": "bad gateway"})),
            ("404", json!({"detail": "Not found."})),
            ("302", json!("")),
        ] {
            let response = read_response(
                answer(200, &wrapped(status, Some(body.clone()))),
                &status_call(),
                10.0,
            )
            .unwrap();
            assert_eq!(response.status.to_string(), status);
            let expected = match &body {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            assert_eq!(response.body, expected);
        }
    }

    #[test]
    fn hubspot_timeouts_are_timeout_in_both_shapes() {
        let production = json!({"status": "error", "message": "Gateway took too long to respond", "category": "GATEWAY_TIMEOUT", "context": {"correlationId": ["c-9"]}});
        let error = read_response(answer(504, &production), &status_call(), 5_001.0).unwrap_err();
        assert_eq!(error.code, ErrorCode::Timeout);
        assert!(error.message.contains("5000 ms"), "{}", error.message);
        assert!(error.message.contains("c-9"));
        assert!(!error.message.contains("sig=secret"));
        // The dev server: its own axios timeout is a wrapped 500 without an upstream body.
        let dev = wrapped("500", None);
        let error = read_response(answer(200, &dev), &status_call(), 5_003.0).unwrap_err();
        assert_eq!(error.code, ErrorCode::Timeout);
        // The same shape well within the timeout is a failed connection: a 500 to map.
        let response = read_response(answer(200, &dev), &status_call(), 40.0).unwrap();
        assert_eq!((response.status, response.body.as_str()), (500, ""));
        // An upstream 500 with a body after a long wait is still the upstream's answer.
        let slow = wrapped("500", Some(json!({"detail": "slow"})));
        assert_eq!(
            read_response(answer(200, &slow), &status_call(), 9_000.0)
                .unwrap()
                .status,
            500
        );
    }

    #[test]
    fn hubspot_validation_errors_name_hubspots_message() {
        let headers = json!({"category": "VALIDATION_ERROR", "status": "error", "message": "Invalid Request Headers provided. Only 'Authorization' header is allowed from hubspot.fetch()", "context": {"correlationId": ["c-2"]}});
        let error = read_response(answer(400, &headers), &status_call(), 5.0).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidArgument);
        assert_eq!(error.status, Some(400));
        assert!(
            error
                .message
                .contains("Only 'Authorization' header is allowed"),
            "{}",
            error.message
        );
        assert!(error.message.contains("HubSpot refused GET"));
        let response_side = json!({"category": "VALIDATION_ERROR", "status": "error", "message": "Invalid JSON Response Body", "context": {}});
        let error = read_response(answer(400, &response_side), &status_call(), 5.0).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidResponse);
        assert!(error.message.contains("Invalid JSON Response Body"));
    }

    #[test]
    fn hubspots_own_errors_keep_the_proxy_status() {
        // HubSpot's API error shape (no context): its concurrency limit.
        let limit = json!({"status": "error", "message": "You have reached your concurrent limit.", "category": "RATE_LIMITS", "correlationId": "c-3"});
        let response = read_response(answer(429, &limit), &status_call(), 5.0).unwrap();
        assert_eq!((response.status, response.body.as_str()), (429, ""));
        let internal = json!({"status": "error", "message": "Failure observed", "category": "INTERNAL_SERVER_ERROR", "context": {}});
        assert_eq!(
            read_response(answer(500, &internal), &status_call(), 5.0)
                .unwrap()
                .status,
            500
        );
    }
}
