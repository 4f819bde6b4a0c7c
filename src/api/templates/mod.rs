//! Endpoints under `/api/v2.1/public/templates/`, one file each: list, details, metadata.

pub(crate) mod get;
pub(crate) mod list;
pub(crate) mod metadata;

use crate::api::lenient::{
    deserialize_id, deserialize_opt_id, deserialize_strings, deserialize_text,
};
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// `/api/v2.1/public/templates/{template_id}` (the caller adds the rest and any slash).
/// An id is an integer, so it needs no encoding.
pub(crate) fn template_path(template_id: u64) -> String {
    format!("{}/templates/{template_id}", super::API_PREFIX)
}

/// A template the workspace can use (`TemplateResponse`, `TemplateResponseV2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Template {
    /// The template id (`contract_template_id` of a create).
    pub id: u64,
    /// The template's name.
    pub name: String,
    /// The contract type the template belongs to, when SpotDraft sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub contract_type_id: Option<u64>,
    /// Tags (only the details endpoint sends them; empty in lists).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A template on the wire: ids as integers or digit strings, `null` text and tags tolerated,
/// unknown fields ignored. The template id is required.
#[derive(Deserialize)]
pub(crate) struct WireTemplate {
    #[serde(deserialize_with = "deserialize_id")]
    id: u64,
    #[serde(default, deserialize_with = "deserialize_text")]
    name: String,
    #[serde(default, deserialize_with = "deserialize_opt_id")]
    contract_type_id: Option<u64>,
    #[serde(default, deserialize_with = "deserialize_strings")]
    tags: Vec<String>,
}

impl From<WireTemplate> for Template {
    fn from(wire: WireTemplate) -> Self {
        Self {
            id: wire.id,
            name: wire.name,
            contract_type_id: wire.contract_type_id,
            tags: wire.tags,
        }
    }
}
