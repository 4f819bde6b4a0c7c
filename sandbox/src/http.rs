//! Small HTTP helpers: building responses, CORS, query strings, percent-decoding, body reading.
//!
//! Responses are built with `Response::new` plus header inserts from static or checked values,
//! so building one can never fail or panic.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::Value;

use crate::errors::ApiError;

/// Response type of every handler.
pub type Resp = Response<Full<Bytes>>;

/// A response with `status`, optional content type and body.
pub fn raw(status: u16, content_type: Option<&'static str>, body: Bytes) -> Resp {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type {
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    r
}

/// JSON response.
pub fn json(status: u16, v: &Value) -> Resp {
    let body = serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec());
    raw(status, Some("application/json"), Bytes::from(body))
}

/// Empty response.
pub fn empty(status: u16) -> Resp {
    raw(status, None, Bytes::new())
}

/// Response for an [`ApiError`].
pub fn error(e: &ApiError) -> Resp {
    let mut r = json(e.status, &e.body);
    if let Some(s) = e.retry_after {
        set(&mut r, "retry-after", &s.to_string());
    }
    if let Some(a) = e.allow {
        r.headers_mut().insert("allow", HeaderValue::from_static(a));
    }
    r
}

/// 302 to `location`.
pub fn redirect(location: &str) -> Resp {
    let mut r = empty(302);
    set(&mut r, "location", location);
    r
}

/// Sets a header if the value is a valid header value (it always is for our own strings).
pub fn set(r: &mut Resp, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// Headers every response carries: CORS and the request id.
pub fn add_common_headers(r: &mut Resp, request_id: &str) {
    let h = r.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("retry-after, x-request-id, location"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
    }
}

/// Answer to a CORS preflight.
pub fn preflight() -> Resp {
    let mut r = empty(204);
    let h = r.headers_mut();
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, PATCH, DELETE, OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(
            "client-id, client-secret, user-email, content-type, enforce-user-scoping, x-request-id",
        ),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("600"));
    r
}

/// Header as trimmed UTF-8, if present.
pub fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// Decodes `%XX` escapes; `None` for bad escapes or non-UTF-8 results.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes everything but unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Parsed query pairs (in order; repeated names kept).
pub fn query_pairs(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

/// Reads a body of at most `limit` bytes within `timeout`.
///
/// # Errors
/// 413 when over the limit (checked on `Content-Length` first), 408 on timeout, 400 on a
/// broken body stream.
pub async fn read_body<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    if let Some(len) = header(headers, CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok())
    {
        if len > limit as u64 {
            return Err(ApiError::body_too_large(limit));
        }
    }
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(ApiError::request_timeout()),
        Ok(Ok(c)) => Ok(c.to_bytes()),
        Ok(Err(e)) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(ApiError::body_too_large(limit))
            } else {
                Err(ApiError::detail(400, "Malformed request body."))
            }
        }
    }
}

/// Parses a JSON body. An empty body is `None`. A non-empty body must be `application/json`.
///
/// # Errors
/// 415 for another content type, 400 for malformed JSON.
pub fn parse_json(headers: &HeaderMap, body: &Bytes) -> Result<Option<Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let ct = header(headers, CONTENT_TYPE.as_str()).unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "application/json" && !(mime.starts_with("application/") && mime.ends_with("+json"))
    {
        return Err(ApiError::unsupported_media_type(ct));
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| ApiError::json_parse(&e))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(
            D.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
        ));
        s.push(char::from(
            D.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_round_trip() {
        assert_eq!(percent_decode("a%20b%2Fc").as_deref(), Some("a b/c"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_encode("Acme MSA 1.pdf"), "Acme%20MSA%201.pdf");
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
    }
}
