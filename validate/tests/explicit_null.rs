//! Explicit `null` on the optional, non-nullable fields of the create body (issue #13): the
//! client reports each one itself (`WRONG_TYPE` at its path), as SpotDraft refuses them.

use serde_json::{json, Value};
use spotdraft_validate::validate::{validate_create_contract, IssueCode};

fn body() -> Value {
    json!({
        "contract_template_id": 12,
        "contract_data": {},
        "external_metadata": {"id": "deal-1", "integration_name": "crm", "record_type": "deal"},
        "counter_party_details": [{
            "is_individual": false,
            "organization_name": "Acme Inc.",
            "organization_type": "company",
            "poc_details": {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.example"}
        }]
    })
}

#[test]
fn the_base_body_is_valid() {
    let report = validate_create_contract(&body(), None);
    assert!(report.issues.is_empty(), "{:?}", report.issues);
}

#[test]
fn each_optional_non_nullable_field_sent_as_null_is_wrong_type_at_its_path() {
    for field in [
        "contract_name",
        "signatories",
        "workflow_config",
        "send_to_counterparty_config",
        "entity_reference_id",
        "is_embedded_contract",
    ] {
        let mut b = body();
        b[field] = Value::Null;
        let report = validate_create_contract(&b, None);
        let issue = report.issues.iter().find(|i| i.path == field);
        assert!(
            issue.is_some_and(|i| i.code == IssueCode::WrongType),
            "{field}: {:?}",
            report.issues
        );
    }
}
