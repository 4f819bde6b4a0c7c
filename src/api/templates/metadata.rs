//! `GET /api/v2.1/public/templates/{template_id}/metadata`: the fields a create's
//! `contract_data` must fill, as [`TemplateMetadata`] (compile it with
//! `CompiledTemplate::compile` to validate payloads).
//!
//! Lenient where SpotDraft's document is loose: its only example is `{}`, so an absent or
//! `null` `attributes` is an empty list (a template without fields); an unrecognised
//! `counter_party_kind` becomes "not checked locally" (SpotDraft still checks it on create).
//! Strict on each descriptor: one without `variable` or `type` cannot be validated against.

use super::template_path;
use crate::api::lenient::invalid_response;
use crate::api::{Endpoint, HttpRequest, HttpResponse};
use crate::core::template::{CounterPartyKind, TemplateAttribute, TemplateMetadata};
use crate::error::Result;
use serde_json::Value;

/// Reads a template's field descriptors.
#[derive(Debug, Clone)]
pub(crate) struct GetTemplateMetadata {
    /// The template id.
    pub template_id: u64,
}

impl Endpoint for GetTemplateMetadata {
    type Output = TemplateMetadata;
    const NAME: &'static str = "getTemplateMetadata";

    fn request(&self) -> Result<HttpRequest> {
        // No trailing slash, as documented (unlike the template details path).
        Ok(HttpRequest::get(format!(
            "{}/metadata",
            template_path(self.template_id)
        )))
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        let body: Value = response.json(Self::NAME)?;
        let Value::Object(mut map) = body else {
            return Err(invalid_response(
                Self::NAME,
                response,
                ".",
                "expected an object with `attributes`",
            ));
        };
        let attributes = match map.remove("attributes") {
            None | Some(Value::Null) => Vec::new(),
            Some(value) => crate::core::tracked::from_value::<Vec<TemplateAttribute>>(&value)
                .map_err(|e| {
                    invalid_response(
                        Self::NAME,
                        response,
                        &format!("attributes{}", bracket_path(&e.path)),
                        &e.error.to_string(),
                    )
                })?,
        };
        let counter_party_kind = match map.get("counter_party_kind").and_then(Value::as_str) {
            Some("Organisation") | Some("Organization") => Some(CounterPartyKind::Organisation),
            Some("Individual") => Some(CounterPartyKind::Individual),
            Some("Both") => Some(CounterPartyKind::Both),
            _ => None,
        };
        Ok(TemplateMetadata {
            attributes,
            counter_party_kind,
        })
    }
}

/// `core::tracked` writes a top-level index as `[3].x`, and the root as `.`.
fn bracket_path(inner: &str) -> String {
    if inner == "." {
        String::new()
    } else if inner.starts_with('[') {
        inner.to_owned()
    } else {
        format!(".{inner}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::template::CompiledTemplate;
    use crate::error::ErrorCode;

    fn endpoint() -> GetTemplateMetadata {
        GetTemplateMetadata { template_id: 1204 }
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            body: body.into(),
            ..HttpResponse::default()
        }
    }

    #[test]
    fn builds_the_documented_path_without_a_trailing_slash() {
        let request = endpoint().request().unwrap();
        assert_eq!(request.path, "/api/v2.1/public/templates/1204/metadata");
        assert!(request.retry_safe);
    }

    #[test]
    fn parses_the_fixture_into_a_compilable_template() {
        let fixture = include_str!("../../../tests/fixtures/templates/template-1204-metadata.json");
        let metadata = endpoint().parse(&ok(fixture)).unwrap();
        assert_eq!(
            metadata.counter_party_kind,
            Some(CounterPartyKind::Organisation)
        );
        assert!(metadata
            .attributes
            .iter()
            .any(|a| a.variable == "customer_name"));
        let expected: TemplateMetadata = serde_json::from_str(fixture).unwrap();
        assert_eq!(metadata, expected);
        CompiledTemplate::compile(&metadata).unwrap();
    }

    #[test]
    fn parses_the_spec_example_and_nulls() {
        let metadata = endpoint().parse(&ok("{}")).unwrap();
        assert!(metadata.attributes.is_empty());
        assert_eq!(metadata.counter_party_kind, None);
        let metadata = endpoint()
            .parse(&ok(
                r#"{"attributes":null,"counter_party_kind":"Organization","x":1}"#,
            ))
            .unwrap();
        assert_eq!(
            metadata.counter_party_kind,
            Some(CounterPartyKind::Organisation)
        );
        let metadata = endpoint()
            .parse(&ok(r#"{"attributes":[{"variable":"term","type":"date","mandatory":true}],"counter_party_kind":"Alien"}"#))
            .unwrap();
        assert_eq!(metadata.attributes[0].required, Some(true));
        assert_eq!(metadata.counter_party_kind, None);
    }

    #[test]
    fn a_descriptor_without_variable_is_refused_with_its_path() {
        let error = endpoint()
            .parse(&ok(
                r#"{"attributes":[{"variable":"a","type":"string"},{"type":"string"}]}"#,
            ))
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidResponse);
        assert!(
            error.message.contains("`attributes[1]`"),
            "{}",
            error.message
        );
        let error = endpoint().parse(&ok("[]")).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidResponse);
    }
}
