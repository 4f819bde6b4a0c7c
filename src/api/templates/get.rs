//! `GET /api/v2.1/public/templates/{template_id}/`: one template's details.

use super::{template_path, Template, WireTemplate};
use crate::api::{Endpoint, HttpRequest, HttpResponse};
use crate::error::Result;

/// Reads one template.
#[derive(Debug, Clone)]
pub(crate) struct GetTemplate {
    /// The template id.
    pub template_id: u64,
}

impl Endpoint for GetTemplate {
    type Output = Template;
    const NAME: &'static str = "getTemplate";

    fn request(&self) -> Result<HttpRequest> {
        // Trailing slash as documented; without it SpotDraft answers 302.
        Ok(HttpRequest::get(format!(
            "{}/",
            template_path(self.template_id)
        )))
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        let wire: WireTemplate = response.json(Self::NAME)?;
        Ok(wire.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_documented_path_and_parses_the_spec_example() {
        let endpoint = GetTemplate { template_id: 1 };
        let request = endpoint.request().unwrap();
        assert_eq!(request.path, "/api/v2.1/public/templates/1/");
        assert!(request.retry_safe);
        let template = endpoint
            .parse(&HttpResponse {
                status: 200,
                body: r#"{"id":1,"name":"Basic Non Disclosure Agreement","tags":["Tag1","Tag2"],"contract_type_id":10}"#.into(),
                ..HttpResponse::default()
            })
            .unwrap();
        assert_eq!(template.id, 1);
        assert_eq!(template.tags, vec!["Tag1", "Tag2"]);
        assert_eq!(template.contract_type_id, Some(10));
    }
}
