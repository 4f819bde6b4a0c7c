//! `external_metadata`, `workflow_config` and `send_to_counterparty_config`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use tsify::Tsify;

/// The upstream record's id: SpotDraft leaves it untyped; strings are recommended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub enum ExternalId {
    /// `"hubspot-deal-10024"`
    Text(String),
    /// `10024`
    Number(#[tsify(type = "number")] Number),
}

/// `external_metadata`: the link from the contract back to the source record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ExternalMetadata {
    /// The source record's id; `GET /contracts/by_external_metadata/{id}` finds it.
    pub id: ExternalId,
    /// Source system, e.g. `"HubSpot"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub integration_name: Option<String>,
    /// Source record type, e.g. `"Deal"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub record_type: Option<String>,
    /// Free-form data kept with the contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "Record<string, unknown>")]
    pub record_data: Option<Map<String, Value>>,
    /// UUID of a native-integration object configuration (needs `record_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub object_configuration_id: Option<String>,
}

/// `workflow_config`: all default to false at SpotDraft.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct WorkflowConfig {
    /// Send to the counterparty right after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub auto_send_to_counterparty: Option<bool>,
    /// Only allow edits through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub api_only_contract_edits: Option<bool>,
    /// Skip collecting counterparty information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub skip_cp_info_collection: Option<bool>,
    /// Skip collecting creator information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub skip_creator_info_collection: Option<bool>,
}

/// Attachment format of a sent contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttachmentFormat {
    /// `DOCX`
    Docx,
    /// `PDF`
    Pdf,
    /// `TEMPLATE`
    Template,
}

/// An extra email attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct EmailAttachment {
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub mime_type: String,
    /// Content, standard base64.
    pub content_base64: String,
}

/// `send_to_counterparty_config` (same shape as the send-to-counterparties body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct SendToCounterpartyConfig {
    /// At least one format.
    pub attachment_formats: Vec<AttachmentFormat>,
    /// Primary recipients (default: the counterparty's configured recipients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub to_emails: Option<Vec<String>>,
    /// Copied recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub cc_emails: Option<Vec<String>>,
    /// Blind-copied recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub bcc_emails: Option<Vec<String>>,
    /// Extra attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub extra_attachments: Option<Vec<EmailAttachment>>,
    /// Message in the email body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub custom_message: Option<String>,
    /// Email subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub subject: Option<String>,
}
