//! Record mapping with the shipped HubSpot and Salesforce examples.

// Test helpers outside #[test] fns: a failing fixture read should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::{json, Value};
use spotdraft_sync::mapping::{build_create_contract, Mapping};
use spotdraft_sync::template::TemplateMetadata;
use spotdraft_sync::validate::{validate_create_contract, IssueCode};

fn fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn mapping(name: &str) -> Mapping {
    Mapping::from_value(&fixture(&format!("mappings/{name}.mapping.json"))).unwrap()
}

fn template() -> TemplateMetadata {
    TemplateMetadata::from_value(&fixture("templates/template-1204-metadata.json")).unwrap()
}

#[test]
fn the_hubspot_deal_maps_to_the_playbook_payload_exactly() {
    let record = fixture("records/hubspot-deal.json");
    let payload = build_create_contract(&record, &mapping("hubspot-deal")).unwrap();
    assert_eq!(payload, fixture("playbook-create-contract.json"));
    assert!(validate_create_contract(&payload, Some(&template())).valid);
}

#[test]
fn the_salesforce_opportunity_maps_to_a_valid_payload() {
    let record = fixture("records/salesforce-opportunity.json");
    let payload = build_create_contract(&record, &mapping("salesforce-opportunity")).unwrap();
    let expected = json!({
        "contract_template_id": 1204,
        "contract_name": "Globex Master Services Agreement",
        "contract_data": {
            "agreement_date": "2026-04-15",
            "renewal_review_at": "2028-03-15T09:00:00.000Z",
            "customer_name": "Globex GmbH",
            "billing_currency": {"type": "EUR", "value": 48000.0},
            "subscription_term": {"type": "MONTHS", "value": 24, "days": 730},
            "auto_renewal": false,
            "notice_period_days": 60,
            "service_countries": ["DE", "GB"],
            "billing_address": {"line_one": "Friedrichstraße 68", "city": "Berlin", "country": "Germany", "zipcode": "10117"},
            "pricing_schedule": [
                {"milestone": "Implementation", "amount": {"type": "EUR", "value": 8000.0}},
                {"milestone": "Annual subscription", "amount": {"type": "EUR", "value": 40000.0}}
            ],
            "payment_terms": "quarterly_invoice"
        },
        "counter_party_details": [{
            "is_individual": false,
            "organization_type": "company",
            "organization_name": "Globex GmbH",
            "poc_details": {"first_name": "Hana", "last_name": "Schulz", "email": "hana.schulz@globex.example"},
            "organization_details": {
                "jurisdiction_iso_code": "DE",
                "address": {"line_one": "Friedrichstraße 68", "city": "Berlin", "country": "Germany",
                            "country_iso_code": "DE", "zipcode": "10117"}
            }
        }],
        "signatories": [
            {"name": "Hana Schulz", "email": "hana.schulz@globex.example", "title": "General Counsel",
             "is_counterparty_signatory": true, "counterparty_name": "Globex GmbH", "sign_order": 1},
            {"name": "Priya Nair", "email": "priya.nair@initech.example", "title": "VP Sales",
             "is_counterparty_signatory": false, "sign_order": 2}
        ],
        "external_metadata": {
            "id": "0065g00000XyZ12AAB",
            "integration_name": "Salesforce",
            "record_type": "Opportunity",
            "record_data": {"stage": "Negotiation/Review", "account_id": "0015g00000QwErTAAZ"}
        }
    });
    assert_eq!(payload, expected);
    let report = validate_create_contract(&payload, Some(&template()));
    assert!(report.valid, "{:#?}", report.issues);
}

#[test]
fn a_broken_record_reports_every_failure_with_source_and_target_paths() {
    let mut record = fixture("records/hubspot-deal.json");
    record["properties"]["amount"] = json!("twelve thousand");
    record["properties"]["closedate"] = json!("next spring");
    record["contact"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    record["company"]["properties"]["country"] = json!("Atlantis");
    record["line_items"][1]["properties"]["amount"] = json!(null);
    let report = build_create_contract(&record, &mapping("hubspot-deal")).unwrap_err();
    let got: Vec<(&str, IssueCode, Option<&str>)> = report
        .issues
        .iter()
        .map(|i| (i.path.as_str(), i.code, i.source_path.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "contract_data.agreement_date",
                IssueCode::TransformFailed,
                Some("properties.closedate")
            ),
            (
                "contract_data.billing_currency.value",
                IssueCode::TransformFailed,
                Some("properties.amount")
            ),
            (
                "contract_data.pricing_schedule[1].amount.value",
                IssueCode::MissingSourceValue,
                Some("line_items[1].properties.amount")
            ),
            (
                "counter_party_details[0].poc_details.email",
                IssueCode::MissingSourceValue,
                Some("contact.properties.email")
            ),
            (
                "counter_party_details[0].organization_details.jurisdiction_iso_code",
                IssueCode::TransformFailed,
                Some("company.properties.country")
            ),
            (
                "counter_party_details[0].organization_details.address.country_iso_code",
                IssueCode::TransformFailed,
                Some("company.properties.country")
            ),
        ]
    );
    let error: spotdraft_sync::Error = report.into();
    assert_eq!(error.code, spotdraft_sync::ErrorCode::ValidationFailed);
    assert_eq!(
        error.details[2].source_path.as_deref(),
        Some("line_items[1].properties.amount")
    );
}

#[test]
fn mappings_round_trip_as_plain_json() {
    for name in ["hubspot-deal", "salesforce-opportunity"] {
        let m = mapping(name);
        let back = serde_json::to_value(&m).unwrap();
        assert_eq!(Mapping::from_value(&back).unwrap(), m);
    }
}
