//! `GET /api/v2.1/public/templates/`: the published templates of the workspace (not
//! paginated), optionally filtered.

use super::{Template, WireTemplate};
use crate::api::{Endpoint, HttpRequest, HttpResponse, API_PREFIX};
use crate::error::Result;
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Counterparty kind of the `cp_types` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum CounterpartyType {
    /// Organisations (SpotDraft's spelling).
    Organisation,
    /// Individuals.
    Individual,
}

impl CounterpartyType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Organisation => "Organisation",
            Self::Individual => "Individual",
        }
    }
}

/// Filters of the template list, as SpotDraft documents them. Empty means all published,
/// non-archived templates. (Not yet offered by the JS `listTemplates`, so no TS type.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct TemplateFilter {
    /// Only templates whose tags are a subset of these (`tags`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only templates that have all of these tags (`tags_all`).
    #[serde(default)]
    pub tags_all: Vec<String>,
    /// Only templates that accept this kind of counterparty (`cp_types`).
    #[serde(default)]
    pub cp_types: Option<CounterpartyType>,
    /// With `cpTypes`: every counterparty must be of that kind (`cp_types_all`).
    #[serde(default)]
    pub cp_types_all: bool,
    /// Leave out multi-party templates (`exclude_multi_party`).
    #[serde(default)]
    pub exclude_multi_party: bool,
    /// Include archived templates (`include_archived`).
    #[serde(default)]
    pub include_archived: bool,
}

/// Lists templates.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListTemplates {
    /// Filters; default none.
    pub filter: TemplateFilter,
}

/// The template list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TemplateList {
    /// The templates, in SpotDraft's order.
    pub items: Vec<Template>,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    items: Option<Vec<WireTemplate>>,
}

impl Endpoint for ListTemplates {
    type Output = TemplateList;
    const NAME: &'static str = "listTemplates";

    fn request(&self) -> Result<HttpRequest> {
        let f = &self.filter;
        let mut request = HttpRequest::get(format!("{API_PREFIX}/templates/"));
        // Only what differs from SpotDraft's defaults is sent; lists repeat the parameter.
        for tag in &f.tags {
            request.query.push(("tags".into(), tag.clone()));
        }
        for tag in &f.tags_all {
            request.query.push(("tags_all".into(), tag.clone()));
        }
        if let Some(kind) = f.cp_types {
            request
                .query
                .push(("cp_types".into(), kind.as_str().into()));
        }
        for (name, on) in [
            ("cp_types_all", f.cp_types_all),
            ("exclude_multi_party", f.exclude_multi_party),
            ("include_archived", f.include_archived),
        ] {
            if on {
                request.query.push((name.into(), "true".into()));
            }
        }
        Ok(request)
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        let wire: Wire = response.json(Self::NAME)?;
        Ok(TemplateList {
            items: wire
                .items
                .unwrap_or_default()
                .into_iter()
                .map(Template::from)
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            body: body.into(),
            ..HttpResponse::default()
        }
    }

    #[test]
    fn builds_the_documented_path_with_its_trailing_slash() {
        let request = ListTemplates::default().request().unwrap();
        assert_eq!(request.path_and_query(), "/api/v2.1/public/templates/");
        assert!(request.retry_safe);
    }

    #[test]
    fn sends_only_the_filters_that_are_set() {
        let request = ListTemplates {
            filter: TemplateFilter {
                tags: vec!["MSA".into(), "Sales & Legal".into()],
                cp_types: Some(CounterpartyType::Organisation),
                include_archived: true,
                ..TemplateFilter::default()
            },
        }
        .request()
        .unwrap();
        assert_eq!(
            request.path_and_query(),
            "/api/v2.1/public/templates/?tags=MSA&tags=Sales%20%26%20Legal&cp_types=Organisation&include_archived=true"
        );
    }

    #[test]
    fn parses_the_spec_example_and_tolerates_string_ids_and_nulls() {
        let list = ListTemplates::default()
            .parse(&ok(r#"{"items":[{"id":1,"name":"Basic Non Disclosure Agreement","contract_type_id":10}]}"#))
            .unwrap();
        assert_eq!(
            list.items,
            vec![Template {
                id: 1,
                name: "Basic Non Disclosure Agreement".into(),
                contract_type_id: Some(10),
                tags: vec![],
            }]
        );
        let list = ListTemplates::default()
            .parse(&ok(r#"{"items":[{"id":"1204","name":null,"contract_type_id":null,"tags":null,"archived":false}]}"#))
            .unwrap();
        assert_eq!(list.items[0].id, 1204);
        assert_eq!(list.items[0].name, "");
        assert_eq!(list.items[0].contract_type_id, None);
        assert!(ListTemplates::default()
            .parse(&ok(r#"{"items":null}"#))
            .unwrap()
            .items
            .is_empty());
    }

    #[test]
    fn a_template_without_a_usable_id_is_refused() {
        for body in [
            r#"{"items":[{"name":"x"}]}"#,
            r#"{"items":[{"id":"T-1","name":"x"}]}"#,
            r#"{"items":[{"id":-1,"name":"x"}]}"#,
            r#"[{"id":1}]"#,
        ] {
            let error = ListTemplates::default().parse(&ok(body)).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidResponse, "{body}");
        }
    }
}
