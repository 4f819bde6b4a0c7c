//! `GET /api/v2.1/public/contracts/by_external_metadata/{external_metadata_id}`: the contracts
//! (at most 50) whose `external_metadata.id` equals the given id.

use super::create::{parse_contract, ContractSummary};
use crate::api::{encode_path_segment, Endpoint, HttpRequest, HttpResponse, API_PREFIX};
use crate::error::{Error, Result};
use serde_json::Value;

/// Finds contracts by the source system's record id.
#[derive(Debug, Clone)]
pub(crate) struct FindByExternalId {
    /// `external_metadata.id` as written at create time.
    pub external_id: String,
}

impl FindByExternalId {
    /// Checks the id: non-empty, at most 512 characters.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming `argument`.
    pub(crate) fn new(argument: &str, external_id: &str) -> Result<Self> {
        if external_id.trim().is_empty() || external_id.chars().count() > 512 {
            return Err(Error::invalid_argument(
                argument,
                "must be the non-empty external_metadata.id (at most 512 characters) written at create time",
            ));
        }
        Ok(Self {
            external_id: external_id.to_owned(),
        })
    }
}

impl Endpoint for FindByExternalId {
    type Output = Vec<ContractSummary>;
    const NAME: &'static str = "findContractsByExternalId";

    fn request(&self) -> Result<HttpRequest> {
        // Any character may appear in a source system's id: encode it as one path segment.
        Ok(HttpRequest::get(format!(
            "{API_PREFIX}/contracts/by_external_metadata/{}",
            encode_path_segment(&self.external_id)
        )))
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        let body: Value = response.json(Self::NAME)?;
        // The spec's example nests the array in another array; accept both.
        let items = match body {
            Value::Array(items) => items
                .into_iter()
                .flat_map(|item| match item {
                    Value::Array(inner) => inner,
                    other => vec![other],
                })
                .collect(),
            Value::Object(mut map) => match map.remove("results").or_else(|| map.remove("items")) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        items
            .into_iter()
            .map(|item| parse_contract(item, Self::NAME))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_external_id_as_one_segment() {
        let request = FindByExternalId::new("externalId", "hubspot/deal 1?x")
            .unwrap()
            .request()
            .unwrap();
        assert_eq!(
            request.path,
            "/api/v2.1/public/contracts/by_external_metadata/hubspot%2Fdeal%201%3Fx"
        );
        assert!(request.retry_safe);
        assert!(FindByExternalId::new("externalId", "  ").is_err());
    }

    #[test]
    fn parses_flat_and_nested_arrays() {
        let endpoint = FindByExternalId::new("x", "deal-1").unwrap();
        for body in [
            r#"[{"id": 12, "contract_status": "SIGN"}]"#,
            r#"[[{"id": "T-12"}]]"#,
        ] {
            let response = HttpResponse {
                status: 200,
                body: body.into(),
                ..HttpResponse::default()
            };
            let found = endpoint.parse(&response).unwrap();
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].id, "T-12");
        }
    }
}
