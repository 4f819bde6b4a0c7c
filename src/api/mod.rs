//! SpotDraft's endpoints as transport-free descriptions: each endpoint builds an
//! [`HttpRequest`] and parses an [`HttpResponse`]. No IO, no clock, no JS.
//!
//! The shape follows async-stripe: an endpoint is a value; [`Endpoint::request`] says what to
//! send and [`Endpoint::parse`] turns a *successful* response into typed output. Non-success
//! statuses are turned into errors in one place, [`errors::error_from_response`].

pub(crate) mod contracts;
pub(crate) mod errors;
pub(crate) mod lenient;
pub(crate) mod retry;
pub(crate) mod server_kit_error;
pub(crate) mod templates;
pub(crate) mod webhooks;

use crate::error::{Error, ErrorCode, Result};
use serde::de::DeserializeOwned;

/// Every path of SpotDraft's public v2.1 API starts with this.
pub(crate) const API_PREFIX: &str = "/api/v2.1/public";

/// HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

/// A request to send, relative to the client's base URL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Path from the base URL, starting with `/api/v2.1/public`, already percent-encoded.
    pub path: String,
    /// Query parameters, not yet encoded.
    pub query: Vec<(String, String)>,
    /// JSON body, when there is one.
    pub body: Option<String>,
    /// Whether sending it twice has the same effect as once (GETs, `download_link`), so a
    /// failed attempt may be retried.
    pub retry_safe: bool,
}

impl HttpRequest {
    /// A GET of `path` (retry-safe).
    pub(crate) fn get(path: String) -> Self {
        Self {
            method: Method::Get,
            path,
            query: Vec::new(),
            body: None,
            retry_safe: true,
        }
    }

    /// A POST of `body` as JSON to `path` (not retry-safe unless marked).
    ///
    /// # Errors
    /// `INTERNAL` if `body` cannot be serialised (it always can for the crate's own types).
    pub(crate) fn post_json<B: serde::Serialize>(path: String, body: &B) -> Result<Self> {
        let body = serde_json::to_string(body).map_err(Error::internal)?;
        Ok(Self {
            method: Method::Post,
            path,
            query: Vec::new(),
            body: Some(body),
            retry_safe: false,
        })
    }

    /// The path with the encoded query string, as sent.
    pub(crate) fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    encode_query_component(k),
                    encode_query_component(v)
                )
            })
            .collect();
        format!("{}?{}", self.path, query.join("&"))
    }
}

/// A response as the transport received it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct HttpResponse {
    /// HTTP status (0 for a browser's opaque redirect).
    pub status: u16,
    /// Headers with lowercase names.
    pub headers: Vec<(String, String)>,
    /// Body as text.
    pub body: String,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// SpotDraft's request id, when the response carries one. The header's name is not
    /// documented, so the common ones are tried.
    pub(crate) fn request_id(&self) -> Option<String> {
        [
            "x-request-id",
            "request-id",
            "x-sd-request-id",
            "x-correlation-id",
        ]
        .iter()
        .find_map(|name| self.header(name))
        .map(str::to_owned)
    }

    /// Parses the body as JSON of type `T`, with the JSON path of a failure (`core::tracked`:
    /// parsed into a tree, then read from it). Text after the first JSON value is not looked
    /// at.
    ///
    /// # Errors
    /// `INVALID_RESPONSE` naming `what` and the JSON path where parsing failed.
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        crate::core::tracked::from_str_start(&self.body).map_err(|e| {
            let path = e.path;
            Error::new(
                ErrorCode::InvalidResponse,
                format!(
                    "SpotDraft's response to {what} could not be understood at `{path}`: {}. \
                     If you use a proxy, check that it passes SpotDraft's JSON through unchanged.",
                    e.error
                ),
            )
            .with_status(self.status)
            .with_request_id(self.request_id())
        })
    }
}

/// One SpotDraft endpoint: what to send and how to read a successful answer.
pub(crate) trait Endpoint {
    /// Typed result of a successful call.
    type Output;

    /// Short name for messages and hooks, e.g. `"getContractStatus"`.
    const NAME: &'static str;

    /// The request to send.
    ///
    /// # Errors
    /// When the endpoint's own inputs cannot form a request.
    fn request(&self) -> Result<HttpRequest>;

    /// Parses a 2xx response.
    ///
    /// # Errors
    /// `INVALID_RESPONSE` when the body does not have the documented shape.
    fn parse(&self, response: &HttpResponse) -> Result<Self::Output>;
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay as they are).
pub(crate) fn encode_path_segment(segment: &str) -> String {
    encode(segment, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
    })
}

fn encode_query_component(value: &str) -> String {
    encode(value, |b| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'[' | b']' | b'$' | b',')
    })
}

fn encode(value: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded_so_no_traversal_survives() {
        assert_eq!(
            encode_path_segment("hubspot-deal-10024"),
            "hubspot-deal-10024"
        );
        assert_eq!(encode_path_segment("../a b/c?d"), "..%2Fa%20b%2Fc%3Fd");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn query_keeps_filter_brackets() {
        let mut request = HttpRequest::get("/x".into());
        request
            .query
            .push(("filter__display_status[$in]".into(), "SIGN,EXECUTED".into()));
        request.query.push(("query".into(), "a&b".into()));
        assert_eq!(
            request.path_and_query(),
            "/x?filter__display_status[$in]=SIGN,EXECUTED&query=a%26b"
        );
    }

    #[test]
    fn json_errors_name_the_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Shape {
            inner: Vec<u8>,
        }
        let response = HttpResponse {
            status: 200,
            body: r#"{"inner":[1,"x"]}"#.into(),
            ..HttpResponse::default()
        };
        let error = response.json::<Shape>("a test").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidResponse);
        assert!(error.message.contains("inner[1]"), "{}", error.message);
    }
}
