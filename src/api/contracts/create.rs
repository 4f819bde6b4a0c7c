//! `POST /api/v2.1/public/contracts/`: create a contract from a template.
//!
//! Not retry-safe: SpotDraft has no idempotency key, so a repeated create can make a second
//! contract. [`crate::client::Client::create_contract`] handles ambiguous failures by looking
//! the contract up by `external_metadata.id`.

use super::ids::{composite_from, LenientU64};
use crate::api::{Endpoint, HttpRequest, HttpResponse, API_PREFIX};
use crate::core::status::ContractStatus;
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsify::Tsify;

/// Creates a contract from a validated v2.1 create body.
#[derive(Debug, Clone)]
pub(crate) struct CreateContract {
    /// The body, as SpotDraft documents it (`ExternalCreateContractSerializerV2_1`).
    pub body: Value,
}

/// A contract as SpotDraft returns it on create and in lookups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContractSummary {
    /// Composite id, e.g. `T-1234`: the id every other call takes.
    pub id: String,
    /// Numeric id (webhooks carry only this).
    #[tsify(optional)]
    pub contract_id: Option<u64>,
    /// Display status.
    #[tsify(optional)]
    pub contract_status: Option<ContractStatus>,
    /// Name.
    #[tsify(optional)]
    pub contract_name: Option<String>,
    /// Link to the contract in SpotDraft's app.
    #[tsify(optional)]
    pub contract_link: Option<String>,
    /// When it was created (ISO 8601, as sent).
    #[tsify(optional)]
    pub created: Option<String>,
    /// Human contract number, e.g. `SD-1234`.
    #[tsify(optional)]
    pub reference_id: Option<String>,
    /// Counterparty name.
    #[tsify(optional)]
    pub counter_party_name: Option<String>,
    /// Contract type.
    #[tsify(optional)]
    pub contract_type_name: Option<String>,
    /// `external_metadata` as stored, unchanged.
    #[tsify(optional, type = "Record<string, unknown>")]
    pub external_metadata: Option<Value>,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    contract_id: Option<LenientU64>,
    #[serde(default)]
    contract_status: Option<ContractStatus>,
    #[serde(default)]
    contract_name: Option<String>,
    #[serde(default)]
    contract_link: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    reference_id: Option<String>,
    #[serde(default)]
    counter_party_name: Option<String>,
    #[serde(default)]
    contract_type_name: Option<String>,
    #[serde(default)]
    external_metadata: Option<Value>,
}

/// Parses one contract object (create response, by_external_metadata item, list item).
///
/// # Errors
/// `INVALID_RESPONSE` when no composite id can be read from `id` or `contract_id`.
pub(crate) fn parse_contract(value: Value, what: &str) -> Result<ContractSummary> {
    let wire: Wire = crate::core::tracked::from_value(&value).map_err(|e| {
        Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "SpotDraft's response to {what} could not be understood at `{}`: {}",
                e.path, e.error
            ),
        )
    })?;
    let contract_id = wire.contract_id.map(LenientU64::get);
    let id = composite_from(&wire.id, contract_id).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidResponse,
            format!(
                "SpotDraft's response to {what} has no usable contract id: neither `id` nor \
                 `contract_id` holds one."
            ),
        )
    })?;
    Ok(ContractSummary {
        contract_id: contract_id.or_else(|| id.number()),
        id: id.to_string(),
        contract_status: wire.contract_status,
        contract_name: wire.contract_name,
        contract_link: wire.contract_link,
        created: wire.created,
        reference_id: wire.reference_id,
        counter_party_name: wire.counter_party_name,
        contract_type_name: wire.contract_type_name,
        external_metadata: wire.external_metadata,
    })
}

impl Endpoint for CreateContract {
    type Output = ContractSummary;
    const NAME: &'static str = "createContract";

    fn request(&self) -> Result<HttpRequest> {
        HttpRequest::post_json(format!("{API_PREFIX}/contracts/"), &self.body)
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        parse_contract(response.json(Self::NAME)?, Self::NAME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn posts_to_the_trailing_slash_path_and_is_not_retry_safe() {
        let request = CreateContract {
            body: json!({"contract_template_id": 1}),
        }
        .request()
        .unwrap();
        assert_eq!(request.path, "/api/v2.1/public/contracts/");
        assert!(!request.retry_safe);
    }

    #[test]
    fn parses_the_documented_response() {
        let body = json!({"id": "T-1234", "contract_id": 1234, "created": "2026-03-28T10:15:00Z", "contract_name": "Acme MSA",
            "contract_link": "https://app.spotdraft.com/contracts/v2/1234", "contract_status": "DRAFT", "created_by": "owner@acme.example",
            "counter_party_name": "Acme Inc.", "contract_type_name": "MSA", "contract_type_id": 100, "created_by_workspace": 1,
            "external_metadata": {"id": "deal-122"}, "reference_id": "SD-1234"});
        let response = HttpResponse {
            status: 201,
            body: body.to_string(),
            ..HttpResponse::default()
        };
        let contract = CreateContract { body: json!({}) }.parse(&response).unwrap();
        assert_eq!(contract.id, "T-1234");
        assert_eq!(contract.contract_id, Some(1234));
        assert_eq!(contract.contract_status, Some(ContractStatus::Draft));
        assert_eq!(contract.external_metadata, Some(json!({"id": "deal-122"})));
    }

    #[test]
    fn falls_back_to_contract_id_when_id_is_unusable() {
        for id in [
            json!("not-an-id"),
            json!(-3),
            json!(1.5),
            json!(null),
            json!({}),
        ] {
            let contract = parse_contract(json!({"id": id, "contract_id": 42}), "t").unwrap();
            assert_eq!(contract.id, "T-42", "{id}");
            assert_eq!(contract.contract_id, Some(42));
        }
        let contract = parse_contract(json!({"contract_id": "43"}), "t").unwrap();
        assert_eq!(contract.id, "T-43");
        let contract = parse_contract(json!({"id": "T-7", "contract_id": 42}), "t").unwrap();
        assert_eq!(contract.id, "T-7");
    }

    #[test]
    fn refuses_a_response_without_ids() {
        let error =
            parse_contract(json!({"id": "garbage", "contract_name": "x"}), "t").unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidResponse);
        assert!(
            error.message.contains("neither `id` nor `contract_id`"),
            "{}",
            error.message
        );
        assert_eq!(
            parse_contract(json!({"contract_name": "x"}), "t")
                .unwrap_err()
                .code,
            ErrorCode::InvalidResponse
        );
    }
}
