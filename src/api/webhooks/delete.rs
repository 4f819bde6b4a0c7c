//! `DELETE /api/v2.1/public/webhooks/{webhook_id}` → 204: removes a webhook subscription.
//!
//! Not retry-safe in practice: a repeat after a delete that reached SpotDraft answers 404,
//! which would hide the success. No IO.

use crate::api::{Endpoint, HttpRequest, HttpResponse, Method, API_PREFIX};
use crate::error::Result;
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Deletes a webhook.
#[derive(Debug, Clone)]
pub(crate) struct DeleteWebhook {
    /// The id `registerWebhook` returned.
    pub id: u64,
}

/// What a successful delete returns (SpotDraft's 204 has no body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookDeleted {
    /// The id of the deleted webhook.
    pub id: u64,
}

impl Endpoint for DeleteWebhook {
    type Output = WebhookDeleted;
    const NAME: &'static str = "deleteWebhook";

    fn request(&self) -> Result<HttpRequest> {
        Ok(HttpRequest {
            method: Method::Delete,
            // No trailing slash, as documented; an integer needs no encoding.
            path: format!("{API_PREFIX}/webhooks/{}", self.id),
            query: Vec::new(),
            body: None,
            retry_safe: false,
        })
    }

    fn parse(&self, _response: &HttpResponse) -> Result<Self::Output> {
        Ok(WebhookDeleted { id: self.id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_documented_delete() {
        let request = DeleteWebhook { id: 511 }.request().unwrap();
        assert_eq!(request.method, Method::Delete);
        assert_eq!(request.path, "/api/v2.1/public/webhooks/511");
        assert_eq!(request.body, None);
        assert!(!request.retry_safe);
        let done = DeleteWebhook { id: 511 }
            .parse(&HttpResponse {
                status: 204,
                ..HttpResponse::default()
            })
            .unwrap();
        assert_eq!(done.id, 511);
    }
}
