//! `POST /api/v2.1/public/contracts/{composite_id}/download_link`: a temporary, signed URL of
//! the contract's file.
//!
//! The URL is a bearer credential until it expires (SpotDraft documents no lifetime), so it
//! never appears in an error or in `Debug` output: the response is read as a JSON value and
//! checked field by field with messages that quote nothing from it. Retry-safe: asking for a
//! link twice changes nothing. No IO, no clock: the caller passes `now`.

use crate::api::lenient::{id_value, invalid_response, text_value};
use crate::api::{Endpoint, HttpRequest, HttpResponse};
use crate::core::ids::CompositeId;
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use tsify::Tsify;

/// The file format asked for (`EditableDocumentDownloadFormat`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum DownloadFormat {
    /// PDF (SpotDraft's default).
    #[default]
    Pdf,
    /// DOCX; fails for contracts that have no DOCX.
    Docx,
    /// DOCX when there is one, otherwise PDF.
    DocxWithFallbackToPdf,
}

/// Options of `getDownloadLink`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DownloadLinkOptions {
    /// The format; default `"PDF"`.
    #[serde(default)]
    #[tsify(optional)]
    pub format: Option<DownloadFormat>,
}

/// A temporary link to a contract's file. Fetch it right away: SpotDraft documents no
/// lifetime. `Debug` shows only the URL's length.
#[derive(Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DownloadLink {
    /// The signed URL. Treat it as a secret: do not log or store it.
    pub url: String,
    /// The file's name, e.g. `"Standard NDA a3b2.pdf"`.
    pub file_name: String,
    /// SpotDraft's id of the contract version the file belongs to (`current_version_id`),
    /// when SpotDraft sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub version_id: Option<u64>,
    /// When the link was requested (ISO 8601, the caller's clock): the link cannot be
    /// older than this.
    pub fetched_at: String,
}

impl fmt::Debug for DownloadLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadLink")
            .field("url", &format_args!("<redacted, {} chars>", self.url.len()))
            .field("file_name", &self.file_name)
            .field("version_id", &self.version_id)
            .field("fetched_at", &self.fetched_at)
            .finish()
    }
}

/// Asks for a download link.
#[derive(Debug, Clone)]
pub(crate) struct GetDownloadLink {
    /// The contract.
    pub id: CompositeId,
    /// The format.
    pub format: DownloadFormat,
    /// The current time, ISO 8601 (becomes `fetched_at`).
    pub now: String,
}

#[derive(Serialize)]
struct Wire {
    format: DownloadFormat,
}

impl Endpoint for GetDownloadLink {
    type Output = DownloadLink;
    const NAME: &'static str = "getDownloadLink";

    fn request(&self) -> Result<HttpRequest> {
        // Path exactly as documented: no trailing slash. The format is always sent, so the
        // answer does not depend on SpotDraft's default.
        let mut request = HttpRequest::post_json(
            format!("{}/download_link", super::contract_path(&self.id)),
            &Wire {
                format: self.format,
            },
        )?;
        // A POST only because SpotDraft chose one: it creates nothing, so repeating it is safe.
        request.retry_safe = true;
        Ok(request)
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        // Not `response.json::<T>()`: serde's messages quote the offending value, which
        // could be the signed URL.
        let body: Value = serde_json::from_str(&response.body)
            .map_err(|_| invalid_response(Self::NAME, response, ".", "the body is not JSON"))?;
        let invalid =
            |path: &str, problem: &str| invalid_response(Self::NAME, response, path, problem);
        let Value::Object(map) = body else {
            return Err(invalid(
                ".",
                "expected an object with `url` and `file_name`",
            ));
        };
        let url = match map.get("url") {
            Some(Value::String(url)) => url.clone(),
            _ => return Err(invalid("url", "expected the download URL as a string")),
        };
        if !is_http_url(&url) {
            return Err(invalid(
                "url",
                "expected an absolute http(s) URL (the value is not shown: it may be signed)",
            ));
        }
        let file_name = text_value(map.get("file_name"))
            .filter(|name| !name.trim().is_empty())
            .ok_or_else(|| invalid("file_name", "expected the file's name"))?;
        let version_id = match map.get("current_version_id") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                id_value(value)
                    .ok_or_else(|| invalid("current_version_id", "expected an integer id"))?,
            ),
        };
        Ok(DownloadLink {
            url,
            file_name,
            version_id,
            fetched_at: self.now.clone(),
        })
    }
}

impl GetDownloadLink {
    /// A request for `id` in `format`, at `now` (ISO 8601).
    ///
    /// # Errors
    /// `INTERNAL` if `now` is empty: the facade always passes the clock's time.
    pub(crate) fn new(id: CompositeId, format: DownloadFormat, now: String) -> Result<Self> {
        if now.is_empty() {
            return Err(Error::new(
                ErrorCode::Internal,
                "getDownloadLink needs the current time",
            ));
        }
        Ok(Self { id, format, now })
    }
}

/// `http://` or `https://` followed by a host: SpotDraft's links are https; the local
/// sandbox serves http on loopback.
fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SIGNED: &str = "https://storage.googleapis.com/some/path?signature=ASDASD";

    fn endpoint(format: DownloadFormat) -> GetDownloadLink {
        GetDownloadLink::new(
            CompositeId::parse("T-1234").unwrap(),
            format,
            "2026-03-28T10:15:00.000Z".into(),
        )
        .unwrap()
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            body: body.into(),
            ..HttpResponse::default()
        }
    }

    #[test]
    fn builds_the_documented_retry_safe_post() {
        let request = endpoint(DownloadFormat::default()).request().unwrap();
        assert_eq!(
            request.path,
            "/api/v2.1/public/contracts/T-1234/download_link"
        );
        assert_eq!(request.method.as_str(), "POST");
        assert!(request.retry_safe);
        assert_eq!(request.body.as_deref(), Some(r#"{"format":"PDF"}"#));
        let request = endpoint(DownloadFormat::DocxWithFallbackToPdf)
            .request()
            .unwrap();
        assert_eq!(
            request.body.as_deref(),
            Some(r#"{"format":"DOCX_WITH_FALLBACK_TO_PDF"}"#)
        );
    }

    #[test]
    fn parses_the_spec_example() {
        let link = endpoint(DownloadFormat::Pdf)
            .parse(&ok(&json!({"url": SIGNED, "file_name": "Standard NDA a3b2.pdf", "current_version_id": 1}).to_string()))
            .unwrap();
        assert_eq!(link.url, SIGNED);
        assert_eq!(link.file_name, "Standard NDA a3b2.pdf");
        assert_eq!(link.version_id, Some(1));
        assert_eq!(link.fetched_at, "2026-03-28T10:15:00.000Z");
        let json = serde_json::to_value(&link).unwrap();
        assert_eq!(json["fileName"], "Standard NDA a3b2.pdf");
        assert_eq!(json["versionId"], 1);
        assert_eq!(json["fetchedAt"], "2026-03-28T10:15:00.000Z");
    }

    #[test]
    fn older_responses_without_a_version_and_string_versions_are_read() {
        let link = endpoint(DownloadFormat::Pdf)
            .parse(&ok(
                &json!({"url": SIGNED, "file_name": "a.pdf", "extra": 1}).to_string(),
            ))
            .unwrap();
        assert_eq!(link.version_id, None);
        let link = endpoint(DownloadFormat::Pdf)
            .parse(&ok(
                &json!({"url": SIGNED, "file_name": "a.pdf", "current_version_id": "3"})
                    .to_string(),
            ))
            .unwrap();
        assert_eq!(link.version_id, Some(3));
    }

    #[test]
    fn the_url_never_appears_in_debug_or_errors() {
        let link = endpoint(DownloadFormat::Pdf)
            .parse(&ok(
                &json!({"url": SIGNED, "file_name": "a.pdf"}).to_string()
            ))
            .unwrap();
        let debug = format!("{link:?}");
        assert!(!debug.contains("signature=ASDASD"), "{debug}");
        assert!(!debug.contains("storage.googleapis"), "{debug}");
        for body in [
            json!({"url": SIGNED}),
            json!({"url": SIGNED, "file_name": "a.pdf", "current_version_id": SIGNED}),
            json!({"url": "ftp://x?signature=ASDASD", "file_name": "a.pdf"}),
            json!({"url": SIGNED, "file_name": SIGNED, "current_version_id": [SIGNED]}),
            json!([SIGNED]),
        ] {
            let error = endpoint(DownloadFormat::Pdf)
                .parse(&ok(&body.to_string()))
                .unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidResponse);
            let text = format!("{error:?} {error}");
            assert!(!text.contains("ASDASD"), "{text}");
        }
        let error = endpoint(DownloadFormat::Pdf)
            .parse(&ok(&format!("{{\"url\": \"{SIGNED}\", ")))
            .unwrap_err();
        assert!(!format!("{error:?}").contains("ASDASD"));
    }

    #[test]
    fn format_options_read_the_documented_names() {
        let options: DownloadLinkOptions =
            serde_json::from_value(json!({"format": "DOCX_WITH_FALLBACK_TO_PDF"})).unwrap();
        assert_eq!(options.format, Some(DownloadFormat::DocxWithFallbackToPdf));
        assert!(serde_json::from_value::<DownloadLinkOptions>(json!({"format": "pdf"})).is_err());
        assert!(serde_json::from_value::<DownloadLinkOptions>(json!({"fmt": "PDF"})).is_err());
    }
}
