//! `GET /api/v2.1/public/webhooks/hmac_key/`: the workspace's webhook signing key (base64).
//!
//! The key is a secret: it never appears in `Debug` output or in an error. The response is
//! read as a JSON value and checked with messages that quote nothing from it, and the key is
//! checked to decode (a key that does not would make every later signature check fail with
//! a less helpful error). No IO.

use crate::api::lenient::invalid_response;
use crate::api::{Endpoint, HttpRequest, HttpResponse, API_PREFIX};
use crate::core::webhook::verify::WebhookKey;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use tsify::Tsify;

/// Reads the webhook signing key.
#[derive(Debug, Clone, Default)]
pub(crate) struct GetWebhookHmacKey;

/// The webhook signing key. Store it as a secret; pass it to `verifyWebhook`.
/// `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookHmacKey {
    /// SpotDraft's `hmac_key`: standard base64 of the HMAC-SHA512 key.
    pub hmac_key: String,
}

impl fmt::Debug for WebhookHmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WebhookHmacKey(<redacted, {} chars>)",
            self.hmac_key.len()
        )
    }
}

impl Endpoint for GetWebhookHmacKey {
    type Output = WebhookHmacKey;
    const NAME: &'static str = "getWebhookHmacKey";

    fn request(&self) -> Result<HttpRequest> {
        // Trailing slash as documented.
        Ok(HttpRequest::get(format!("{API_PREFIX}/webhooks/hmac_key/")))
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        let invalid =
            |path: &str, problem: &str| invalid_response(Self::NAME, response, path, problem);
        // Not `response.json::<T>()`: serde's messages may quote the value.
        let body: Value = serde_json::from_str(&response.body)
            .map_err(|_| invalid(".", "the body is not JSON"))?;
        let key = match body.get("hmac_key") {
            Some(Value::String(key)) if !key.trim().is_empty() => key.trim().to_owned(),
            _ => {
                return Err(invalid(
                    "hmac_key",
                    "expected the key as a non-empty string",
                ))
            }
        };
        if WebhookKey::from_base64(&key).is_err() {
            return Err(invalid(
                "hmac_key",
                "the key is not base64 of at least 16 bytes (the value is not shown: it is a secret)",
            ));
        }
        Ok(WebhookHmacKey { hmac_key: key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const SPEC_KEY: &str =
        "zJDCvFUXhByUkPcQIzf+dt2W7bqm6x6Fb2o/gLhfUgXyPqvPcrZ6P9yYtoUrI4dErHzq2t+4gjZ4zH2btdpoSA==";

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            body: body.into(),
            ..HttpResponse::default()
        }
    }

    #[test]
    fn builds_the_documented_path_and_parses_the_spec_example() {
        let request = GetWebhookHmacKey.request().unwrap();
        assert_eq!(request.path, "/api/v2.1/public/webhooks/hmac_key/");
        assert!(request.retry_safe);
        let key = GetWebhookHmacKey
            .parse(&ok(&format!(r#"{{"hmac_key":"{SPEC_KEY}","extra":1}}"#)))
            .unwrap();
        assert_eq!(key.hmac_key, SPEC_KEY);
        let json = serde_json::to_value(&key).unwrap();
        assert_eq!(json["hmacKey"], SPEC_KEY);
    }

    #[test]
    fn the_key_never_appears_in_debug_or_errors() {
        let key = GetWebhookHmacKey
            .parse(&ok(&format!(r#"{{"hmac_key":"{SPEC_KEY}"}}"#)))
            .unwrap();
        assert!(!format!("{key:?}").contains("zJDCv"));
        let short = "c2VjcmV0LXNob3J0"; // "secret-short": too short to be a key
        for body in [
            format!(r#"{{"hmac_key":"{short}"}}"#),
            format!(r#"{{"hmac_key":"not base64 {SPEC_KEY}"}}"#),
            format!(r#"{{"hmac_key":["{SPEC_KEY}"]}}"#),
            format!(r#"{{"hmac_key":"{SPEC_KEY}""#),
            r#"{"hmac_key":""}"#.to_owned(),
            "[]".to_owned(),
        ] {
            let error = GetWebhookHmacKey.parse(&ok(&body)).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidResponse, "{body}");
            let text = format!("{error:?}");
            assert!(!text.contains("zJDCv") && !text.contains(short), "{text}");
        }
    }
}
