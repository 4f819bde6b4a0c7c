//! The client: runs [`Endpoint`]s through a [`Transport`] with the configured base URL and
//! credentials, and turns non-success responses into errors.
//!
//! Generic over the transport so the same code runs on wasm (JS fetch) and in native tests
//! (mock). Does not know JS.

use crate::api::errors::error_from_response;
use crate::api::{Endpoint, HttpRequest};
use crate::core::config::ClientConfig;
use crate::error::Result;
use crate::transport::{PreparedRequest, Transport};

/// A configured client over transport `T`.
pub struct Client<T> {
    config: ClientConfig,
    transport: T,
}

impl<T: Transport> Client<T> {
    /// A client with a validated `config`.
    pub fn new(config: ClientConfig, transport: T) -> Self {
        Self { config, transport }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The request as it will be sent: absolute URL, JSON and auth headers.
    pub fn prepare(&self, request: &HttpRequest) -> PreparedRequest {
        let mut headers: Vec<(String, String)> = vec![("accept".into(), "application/json".into())];
        if request.body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        headers.extend(
            self.config
                .auth_headers()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v)),
        );
        PreparedRequest {
            method: request.method,
            url: self.config.url(&request.path_and_query()),
            headers,
            body: request.body.clone(),
            timeout_ms: self.config.timeout_ms,
        }
    }

    /// Sends `endpoint` once and parses the answer.
    ///
    /// # Errors
    /// The endpoint's own argument errors; transport errors (`NETWORK`, `TIMEOUT`,
    /// `ABORTED`); the mapped error of a non-2xx status (see [`error_from_response`]);
    /// `INVALID_RESPONSE` when a 2xx body has the wrong shape.
    pub async fn call<E: Endpoint>(&self, endpoint: &E, call: &T::Call) -> Result<E::Output> {
        let request = endpoint.request()?;
        let response = self.transport.send(self.prepare(&request), call).await?;
        if response.is_success() {
            endpoint.parse(&response)
        } else {
            Err(error_from_response(E::NAME, &response))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::contracts::status::GetContractStatus;
    use crate::core::config::{ClientConfigInput, Runtime};
    use crate::core::ids::CompositeId;
    use crate::core::status::ContractStatus;
    use crate::error::ErrorCode;
    use crate::transport::mock::{block_on, MockTransport};

    fn client() -> Client<MockTransport> {
        let config = ClientConfig::new(
            ClientConfigInput {
                base_url: Some("http://127.0.0.1:4010".into()),
                client_id: Some("cid".into()),
                client_secret: Some("csecret".into()),
                user_email: Some("owner@acme.example".into()),
                ..ClientConfigInput::default()
            },
            Runtime::Server,
            false,
        )
        .unwrap();
        Client::new(config, MockTransport::new())
    }

    #[test]
    fn status_call_sends_credentials_and_parses() {
        let client = client();
        client.transport().respond(
            200,
            r#"{"contract_status":"SIGN","contract_name":"Acme MSA"}"#,
        );
        let endpoint = GetContractStatus {
            id: CompositeId::parse("T-7").unwrap(),
        };
        let result = block_on(client.call(&endpoint, &())).unwrap();
        assert_eq!(result.contract_status, ContractStatus::Sign);
        let sent = client.transport().sent();
        assert_eq!(
            sent[0].url,
            "http://127.0.0.1:4010/api/v2.1/public/contracts/T-7/status"
        );
        let header = |name: &str| {
            sent[0]
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("client-id").as_deref(), Some("cid"));
        assert_eq!(header("client-secret").as_deref(), Some("csecret"));
        assert_eq!(header("user-email").as_deref(), Some("owner@acme.example"));
        assert!(!format!("{:?}", sent[0]).contains("csecret"));
    }

    #[test]
    fn non_success_maps_to_error() {
        let client = client();
        client.transport().respond(
            401,
            r#"{"detail":"Authentication credentials were not provided."}"#,
        );
        let endpoint = GetContractStatus {
            id: CompositeId::parse("T-7").unwrap(),
        };
        let error = block_on(client.call(&endpoint, &())).unwrap_err();
        assert_eq!(error.code, ErrorCode::Unauthorized);
        assert_eq!(error.status, Some(401));
        assert!(!error.message.contains("csecret"));
    }
}
