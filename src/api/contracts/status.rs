//! `GET /api/v2.1/public/contracts/{composite_id}/status`: a contract's display status.

use crate::api::{Endpoint, HttpRequest, HttpResponse};
use crate::core::ids::CompositeId;
use crate::core::status::ContractStatus;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Reads a contract's status: for repair and reconciliation, not for polling (webhooks drive
/// the sync).
#[derive(Debug, Clone)]
pub(crate) struct GetContractStatus {
    /// The contract.
    pub id: CompositeId,
}

/// A contract's status and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContractStatusResult {
    /// The display status.
    pub contract_status: ContractStatus,
    /// The contract's name.
    pub contract_name: String,
}

#[derive(Deserialize)]
struct Wire {
    contract_status: ContractStatus,
    #[serde(default)]
    contract_name: Option<String>,
}

impl Endpoint for GetContractStatus {
    type Output = ContractStatusResult;
    const NAME: &'static str = "getContractStatus";

    fn request(&self) -> Result<HttpRequest> {
        Ok(HttpRequest::get(format!(
            "{}/status",
            super::contract_path(&self.id)
        )))
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        let wire: Wire = response.json(Self::NAME)?;
        Ok(ContractStatusResult {
            contract_status: wire.contract_status,
            contract_name: wire.contract_name.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn builds_the_documented_path() {
        let endpoint = GetContractStatus {
            id: CompositeId::parse("T-1234").unwrap(),
        };
        let request = endpoint.request().unwrap();
        assert_eq!(request.path, "/api/v2.1/public/contracts/T-1234/status");
        assert!(request.retry_safe);
    }

    #[test]
    fn parses_the_spec_example_and_refuses_unknown_statuses() {
        let endpoint = GetContractStatus {
            id: CompositeId::parse("T-1").unwrap(),
        };
        let ok = HttpResponse {
            status: 200,
            body: r#"{"contract_status":"EXECUTED","contract_name":"Service Agreement - Acme Corp","extra":1}"#.into(),
            ..HttpResponse::default()
        };
        let parsed = endpoint.parse(&ok).unwrap();
        assert_eq!(parsed.contract_status, ContractStatus::Executed);
        assert_eq!(parsed.contract_name, "Service Agreement - Acme Corp");
        let bad = HttpResponse {
            status: 200,
            body: r#"{"contract_status":"SIGNED"}"#.into(),
            ..HttpResponse::default()
        };
        assert_eq!(
            endpoint.parse(&bad).unwrap_err().code,
            ErrorCode::InvalidResponse
        );
    }
}
