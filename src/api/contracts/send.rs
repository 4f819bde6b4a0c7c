//! `POST /api/v2.1/public/contracts/{composite_id}/send_to_counterparties`: emails the contract
//! to its counterparties (DRAFT/REDLINING → REDLINING).
//!
//! The options are checked before anything is sent: emails, attachment formats, subject and
//! attachments. Not retry-safe: a repeated send emails the counterparty twice. No IO.

use crate::api::{Endpoint, HttpRequest, HttpResponse};
use crate::core::ids::CompositeId;
use crate::core::payload::AttachmentFormat;
use crate::core::validate::formats::{is_base64, is_email};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Most addresses accepted in one of `toEmails`, `ccEmails`, `bccEmails`. SpotDraft documents
/// no limit; a list this long is a mapping mistake, not a real recipient list.
const MAX_RECIPIENTS: usize = 100;
/// Longest subject accepted (RFC 5322's recommended line length is 78; mail clients cut
/// long subjects anyway). SpotDraft documents no limit.
const MAX_SUBJECT_CHARS: usize = 998;

/// An extra file sent with the email (`EmailBase64Attachment`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ExtraAttachment {
    /// File name shown to the recipient, e.g. `"Order form.pdf"`.
    pub file_name: String,
    /// MIME type, e.g. `"application/pdf"`.
    pub mime_type: String,
    /// The file's bytes, standard padded base64.
    pub content_base64: String,
}

/// Options of `sendToCounterparties`. All optional: with none, SpotDraft emails the
/// contract as a PDF to the counterparty recipients configured on the contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SendToCounterpartiesOptions {
    /// Formats attached to the email; default `["PDF"]`.
    #[serde(default)]
    #[tsify(optional)]
    pub attachment_formats: Option<Vec<AttachmentFormat>>,
    /// Primary recipients; omit to use the counterparty recipients configured on the contract.
    #[serde(default)]
    #[tsify(optional)]
    pub to_emails: Option<Vec<String>>,
    /// Copied recipients.
    #[serde(default)]
    #[tsify(optional)]
    pub cc_emails: Option<Vec<String>>,
    /// Blind-copied recipients.
    #[serde(default)]
    #[tsify(optional)]
    pub bcc_emails: Option<Vec<String>>,
    /// Email subject; omit for SpotDraft's default.
    #[serde(default)]
    #[tsify(optional)]
    pub subject: Option<String>,
    /// A message included in the email body.
    #[serde(default)]
    #[tsify(optional)]
    pub custom_message: Option<String>,
    /// Extra files attached to the email.
    #[serde(default)]
    #[tsify(optional)]
    pub extra_attachments: Option<Vec<ExtraAttachment>>,
}

/// What a successful send returns (SpotDraft's 200 has no documented body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendToCounterpartiesResult {
    /// The contract that was sent.
    pub id: String,
    /// The formats that were attached.
    pub attachment_formats: Vec<AttachmentFormat>,
}

/// Sends a contract to its counterparties.
#[derive(Debug, Clone)]
pub(crate) struct SendToCounterparties {
    /// The contract.
    pub id: CompositeId,
    /// What to send, to whom.
    pub options: SendToCounterpartiesOptions,
}

/// `SendToCounterparty` on the wire.
#[derive(Serialize)]
struct Wire<'a> {
    attachment_formats: Vec<AttachmentFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_emails: Option<&'a [String]>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    cc_emails: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    bcc_emails: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    extra_attachments: Vec<WireAttachment<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
}

#[derive(Serialize)]
struct WireAttachment<'a> {
    file_name: &'a str,
    mime_type: &'a str,
    content_base64: &'a str,
}

impl SendToCounterparties {
    /// The attachment formats to send: the given ones without repeats, or `["PDF"]`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for `options.attachmentFormats` when it is an empty list (SpotDraft
    /// requires at least one; omit it for PDF).
    pub(crate) fn attachment_formats(&self) -> Result<Vec<AttachmentFormat>> {
        let Some(given) = &self.options.attachment_formats else {
            return Ok(vec![AttachmentFormat::Pdf]);
        };
        if given.is_empty() {
            return Err(Error::invalid_argument(
                "options.attachmentFormats",
                "must list at least one of \"PDF\", \"DOCX\", \"TEMPLATE\"; omit it to attach a PDF",
            ));
        }
        let mut formats: Vec<AttachmentFormat> = Vec::with_capacity(given.len());
        for format in given {
            if !formats.contains(format) {
                formats.push(*format);
            }
        }
        Ok(formats)
    }

    /// Checks every option; the first problem is returned.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the option (`options.toEmails[1]`, `options.subject` …).
    pub(crate) fn validate(&self) -> Result<()> {
        let o = &self.options;
        self.attachment_formats()?;
        if let Some(to) = &o.to_emails {
            if to.is_empty() {
                return Err(Error::invalid_argument(
                    "options.toEmails",
                    "is an empty list; omit it to send to the counterparty recipients configured \
                     on the contract, or list at least one address",
                ));
            }
            check_emails("options.toEmails", to)?;
        }
        if let Some(cc) = &o.cc_emails {
            check_emails("options.ccEmails", cc)?;
        }
        if let Some(bcc) = &o.bcc_emails {
            check_emails("options.bccEmails", bcc)?;
        }
        if let Some(subject) = &o.subject {
            if subject.trim().is_empty() {
                return Err(Error::invalid_argument(
                    "options.subject",
                    "is empty; omit it to use SpotDraft's default subject",
                ));
            }
            // A line break in a subject is how mail headers get injected.
            if subject.chars().any(char::is_control) {
                return Err(Error::invalid_argument(
                    "options.subject",
                    "must be one line without control characters (no line breaks)",
                ));
            }
            if subject.chars().count() > MAX_SUBJECT_CHARS {
                return Err(Error::invalid_argument(
                    "options.subject",
                    format!("is longer than {MAX_SUBJECT_CHARS} characters"),
                ));
            }
        }
        for (i, file) in o.extra_attachments.iter().flatten().enumerate() {
            let at = |field: &str| format!("options.extraAttachments[{i}].{field}");
            if file.file_name.trim().is_empty() || file.file_name.chars().any(char::is_control) {
                return Err(Error::invalid_argument(
                    &at("fileName"),
                    "must be a non-empty file name without control characters",
                ));
            }
            if !file.mime_type.contains('/')
                || file.mime_type.bytes().any(|b| !b.is_ascii_graphic())
            {
                return Err(Error::invalid_argument(
                    &at("mimeType"),
                    "must be a MIME type such as \"application/pdf\"",
                ));
            }
            if !is_base64(&file.content_base64) {
                return Err(Error::invalid_argument(
                    &at("contentBase64"),
                    "must be the file's bytes as standard padded base64 (no line breaks, \
                     no URL-safe alphabet); in Node: buffer.toString(\"base64\")",
                ));
            }
        }
        Ok(())
    }
}

fn check_emails(argument: &str, emails: &[String]) -> Result<()> {
    if emails.len() > MAX_RECIPIENTS {
        return Err(Error::invalid_argument(
            argument,
            format!(
                "lists {} addresses; at most {MAX_RECIPIENTS} are accepted",
                emails.len()
            ),
        ));
    }
    for (i, email) in emails.iter().enumerate() {
        if !is_email(email) {
            return Err(Error::invalid_argument(
                &format!("{argument}[{i}]"),
                "is not an email address (expected one address such as \"legal@acme.example\", \
                 without a display name or surrounding spaces)",
            ));
        }
    }
    Ok(())
}

impl Endpoint for SendToCounterparties {
    type Output = SendToCounterpartiesResult;
    const NAME: &'static str = "sendToCounterparties";

    fn request(&self) -> Result<HttpRequest> {
        self.validate()?;
        let o = &self.options;
        let wire = Wire {
            attachment_formats: self.attachment_formats()?,
            to_emails: o.to_emails.as_deref(),
            cc_emails: o.cc_emails.as_deref().unwrap_or_default(),
            bcc_emails: o.bcc_emails.as_deref().unwrap_or_default(),
            extra_attachments: o
                .extra_attachments
                .iter()
                .flatten()
                .map(|a| WireAttachment {
                    file_name: &a.file_name,
                    mime_type: &a.mime_type,
                    content_base64: &a.content_base64,
                })
                .collect(),
            custom_message: o.custom_message.as_deref(),
            subject: o.subject.as_deref(),
        };
        // Path exactly as documented: no trailing slash.
        HttpRequest::post_json(
            format!("{}/send_to_counterparties", super::contract_path(&self.id)),
            &wire,
        )
    }

    /// SpotDraft documents no body for the 200; whatever comes back is ignored.
    fn parse(&self, _response: &HttpResponse) -> Result<Self::Output> {
        Ok(SendToCounterpartiesResult {
            id: self.id.as_str().to_owned(),
            attachment_formats: self.attachment_formats()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::{json, Value};

    fn send(options: SendToCounterpartiesOptions) -> SendToCounterparties {
        SendToCounterparties {
            id: CompositeId::parse("T-1234").unwrap(),
            options,
        }
    }

    fn body(request: &HttpRequest) -> Value {
        serde_json::from_str(request.body.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn defaults_to_a_pdf_and_the_documented_path() {
        let request = send(SendToCounterpartiesOptions::default())
            .request()
            .unwrap();
        assert_eq!(
            request.path,
            "/api/v2.1/public/contracts/T-1234/send_to_counterparties"
        );
        assert_eq!(request.method.as_str(), "POST");
        assert!(!request.retry_safe, "a repeated send emails twice");
        assert_eq!(body(&request), json!({"attachment_formats": ["PDF"]}));
    }

    #[test]
    fn sends_every_option_under_its_wire_name() {
        let options: SendToCounterpartiesOptions = serde_json::from_value(json!({
            "attachmentFormats": ["PDF", "DOCX", "PDF"],
            "toEmails": ["legal@acme.example"],
            "ccEmails": ["sales@example.com"],
            "bccEmails": [],
            "subject": "Acme MSA for signature",
            "customMessage": "Hi Avery,\nplease review.",
            "extraAttachments": [{"fileName": "Order.pdf", "mimeType": "application/pdf", "contentBase64": "JVBERg=="}]
        }))
        .unwrap();
        let request = send(options).request().unwrap();
        assert_eq!(
            body(&request),
            json!({
                "attachment_formats": ["PDF", "DOCX"],
                "to_emails": ["legal@acme.example"],
                "cc_emails": ["sales@example.com"],
                "extra_attachments": [{"file_name": "Order.pdf", "mime_type": "application/pdf", "content_base64": "JVBERg=="}],
                "custom_message": "Hi Avery,\nplease review.",
                "subject": "Acme MSA for signature"
            })
        );
    }

    #[test]
    fn unknown_options_and_formats_are_refused_by_the_reader() {
        assert!(serde_json::from_value::<SendToCounterpartiesOptions>(
            json!({"toEmail": ["a@b.example"]})
        )
        .is_err());
        assert!(serde_json::from_value::<SendToCounterpartiesOptions>(
            json!({"attachmentFormats": ["XLSX"]})
        )
        .is_err());
    }

    #[test]
    fn bad_options_are_refused_before_the_network_naming_the_option() {
        let cases: Vec<(Value, &str)> = vec![
            (
                json!({"attachmentFormats": []}),
                "options.attachmentFormats",
            ),
            (json!({"toEmails": []}), "options.toEmails"),
            (
                json!({"toEmails": ["ok@acme.example", "Avery <a@acme.example>"]}),
                "options.toEmails[1]",
            ),
            (json!({"ccEmails": ["not-an-email"]}), "options.ccEmails[0]"),
            (
                json!({"bccEmails": [" a@acme.example"]}),
                "options.bccEmails[0]",
            ),
            (json!({"subject": "  "}), "options.subject"),
            (
                json!({"subject": "Hi\r\nBcc: x@evil.example"}),
                "options.subject",
            ),
            (
                json!({"extraAttachments": [{"fileName": "a.pdf", "mimeType": "application/pdf", "contentBase64": "not base64!"}]}),
                "options.extraAttachments[0].contentBase64",
            ),
            (
                json!({"extraAttachments": [{"fileName": "", "mimeType": "application/pdf", "contentBase64": "JVBERg=="}]}),
                "options.extraAttachments[0].fileName",
            ),
            (
                json!({"extraAttachments": [{"fileName": "a", "mimeType": "pdf", "contentBase64": "JVBERg=="}]}),
                "options.extraAttachments[0].mimeType",
            ),
        ];
        for (options, path) in cases {
            let options: SendToCounterpartiesOptions =
                serde_json::from_value(options.clone()).unwrap();
            let error = send(options).request().unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{path}");
            assert_eq!(error.details[0].path, path);
        }
        let many: Vec<String> = (0..101).map(|i| format!("u{i}@acme.example")).collect();
        let error = send(SendToCounterpartiesOptions {
            cc_emails: Some(many),
            ..SendToCounterpartiesOptions::default()
        })
        .request()
        .unwrap_err();
        assert_eq!(error.details[0].path, "options.ccEmails");
    }

    #[test]
    fn any_success_body_is_accepted() {
        let endpoint = send(SendToCounterpartiesOptions::default());
        for body in ["", "{}", "not json"] {
            let result = endpoint
                .parse(&HttpResponse {
                    status: 200,
                    body: body.into(),
                    ..HttpResponse::default()
                })
                .unwrap();
            assert_eq!(result.id, "T-1234");
            assert_eq!(result.attachment_formats, vec![AttachmentFormat::Pdf]);
        }
    }
}
