//! The typed v2.1 create-contract body (`ExternalCreateContractSerializerV2_1`), for
//! building payloads in Rust and for generated TypeScript types.
//!
//! Wire names are SpotDraft's, exactly; every optional member is skipped when absent so a
//! parsed payload serialises back to the same JSON. Unknown keys are refused when parsing
//! (`deny_unknown_fields`) rather than silently dropped. Parsing checks shapes only: the
//! rules (emails, codes, counterparty names, template fields) are in `core::validate`,
//! which works on raw JSON so it can report every problem at once.

pub(crate) mod counterparty;
pub(crate) mod metadata;
pub(crate) mod signatory;
pub(crate) mod values;

pub use counterparty::{CounterPartyDetails, OrganizationAddress, OrganizationDetails, PocDetails};
pub use metadata::{
    AttachmentFormat, EmailAttachment, ExternalId, ExternalMetadata, SendToCounterpartyConfig,
    WorkflowConfig,
};
pub use signatory::Signatory;
pub use values::{
    Address, Currency, DurationUnit, DurationValue, FieldValue, FileRef, OptionValue, Phone,
};

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use tsify::Tsify;

/// The body of `POST /api/v2.1/public/contracts/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct CreateContractPayload {
    /// Template to create from (must be accessible to the workspace).
    pub contract_template_id: u64,
    /// Display name; SpotDraft derives one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub contract_name: Option<String>,
    /// Template field values, keyed by the template's variable names.
    #[tsify(type = "Record<string, FieldValue>")]
    pub contract_data: BTreeMap<String, FieldValue>,
    /// Counterparties.
    pub counter_party_details: Vec<CounterPartyDetails>,
    /// Link back to the source record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub external_metadata: Option<ExternalMetadata>,
    /// Creator organisation entity; SpotDraft uses the primary entity when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub entity_reference_id: Option<String>,
    /// Signatories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub signatories: Option<Vec<Signatory>>,
    /// Workflow switches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub workflow_config: Option<WorkflowConfig>,
    /// Email delivery settings for sending to the counterparty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub send_to_counterparty_config: Option<SendToCounterpartyConfig>,
    /// For embedded signing flows (SpotDraft's default: false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub is_embedded_contract: Option<bool>,
}

impl CreateContractPayload {
    /// Reads a payload from JSON, naming the path of the first value of the wrong shape.
    /// Use `core::validate` first to see every problem; this stops at the first. The path is
    /// looked for only when the read fails (`core::tracked`: collected as the failure
    /// returns, with no second read).
    ///
    /// # Errors
    /// `VALIDATION_FAILED` with one detail (code `WRONG_TYPE`) at the failing path.
    pub fn from_value(value: &Value) -> Result<Self> {
        crate::core::tracked::from_value(value).map_err(|e| {
            let path = if e.path == "." { String::new() } else { e.path };
            let message = e.error.to_string();
            Error::new(
                ErrorCode::ValidationFailed,
                format!("The contract payload does not have the documented shape: {message}"),
            )
            .with_details([crate::error::ErrorDetail::new(
                path,
                "WRONG_TYPE",
                message,
            )])
        })
    }

    /// The payload as JSON.
    ///
    /// # Errors
    /// `INTERNAL` if serialisation fails (it does not for these types).
    pub fn to_value(&self) -> Result<Value> {
        serde_json::to_value(self).map_err(Error::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn playbook_fixture_round_trips_unchanged() {
        let text = include_str!("../../../tests/fixtures/playbook-create-contract.json");
        let original: Value = serde_json::from_str(text).unwrap();
        let payload = CreateContractPayload::from_value(&original).unwrap();
        assert_eq!(payload.contract_template_id, 1204);
        assert_eq!(
            payload.counter_party_details[0]
                .organization_type
                .as_deref(),
            Some("company")
        );
        assert!(matches!(
            payload.contract_data.get("billing_currency"),
            Some(FieldValue::Currency(c)) if c.code == "USD"
        ));
        assert!(matches!(
            payload.contract_data.get("subscription_term"),
            Some(FieldValue::Duration(d)) if d.days == 365 && d.unit == DurationUnit::Months
        ));
        assert_eq!(payload.to_value().unwrap(), original);
    }

    #[test]
    fn unknown_keys_are_refused_with_their_path() {
        let value = json!({"contract_template_id": 1, "contract_data": {},
            "counter_party_details": [{"is_individual": true, "poc_details":
                {"first_name": "A", "email": "a@b.co", "phone": "1"}}]});
        let error = CreateContractPayload::from_value(&value).unwrap_err();
        assert_eq!(error.code, ErrorCode::ValidationFailed);
        assert_eq!(
            error.details[0].path,
            "counter_party_details[0].poc_details.phone"
        );
        assert!(error.details[0].message.contains("phone"));
    }
}
