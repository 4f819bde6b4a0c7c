//! Validation of create-contract bodies against SpotDraft's rules and template 1204.

// Test helpers outside #[test] fns: a failing fixture read should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::{json, Value};
use spotdraft_sync::template::{CompiledTemplate, TemplateMetadata};
use spotdraft_sync::validate::{
    validate_compiled, validate_create_contract, validate_create_contract_json, IssueCode,
    ValidationReport, MAX_ISSUES,
};
use spotdraft_sync::ErrorCode;

fn fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn playbook() -> Value {
    fixture("playbook-create-contract.json")
}

fn template() -> TemplateMetadata {
    TemplateMetadata::from_value(&fixture("templates/template-1204-metadata.json")).unwrap()
}

fn pairs(report: &ValidationReport) -> Vec<(&str, IssueCode)> {
    report
        .issues
        .iter()
        .map(|i| (i.path.as_str(), i.code))
        .collect()
}

#[test]
fn the_playbook_payload_is_valid_with_and_without_its_template() {
    let payload = playbook();
    let report = validate_create_contract(&payload, None);
    assert!(report.valid, "{:#?}", report.issues);
    let report = validate_create_contract(&payload, Some(&template()));
    assert!(report.valid, "{:#?}", report.issues);
    assert!(report.issues.is_empty());
}

#[test]
fn every_problem_is_reported_with_its_path_not_just_the_first() {
    let payload = json!({
        "contract_template_id": "1204",
        "contract_nmae": "Acme MSA",
        "counter_party_details": [
            {
                "is_individual": false,
                "organization_name": "",
                "poc_details": {"first_name": "Avery", "email": "Avery Stone"},
                "organization_details": {
                    "jurisdiction_iso_code": "us",
                    "address": {"line_one": "350 Fifth Avenue", "country_iso_code": "USA"}
                }
            },
            {"is_individual": "no", "poc_details": {"email": "x@y.co"}}
        ],
        "external_metadata": {"id": "", "integration_name": "HubSpot"},
        "signatories": [
            {"name": "Avery Stone", "email": "legal@acme.example", "is_counterparty_signatory": true,
             "counterparty_name": "Acme", "sign_order": 1},
            {"name": "Jordan", "email": "owner@acme.example", "is_counterparty_signatory": false}
        ],
        "workflow_config": {"auto_send_to_counterparty": "true"}
    });
    let report = validate_create_contract(&payload, None);
    assert!(!report.valid);
    assert_eq!(
        pairs(&report),
        vec![
            ("contract_nmae", IssueCode::UnknownField),
            ("contract_template_id", IssueCode::WrongType),
            ("contract_data", IssueCode::Required),
            (
                "counter_party_details[0].organization_type",
                IssueCode::Required
            ),
            (
                "counter_party_details[0].organization_name",
                IssueCode::Required
            ),
            (
                "counter_party_details[0].poc_details.email",
                IssueCode::InvalidEmail
            ),
            (
                "counter_party_details[0].organization_details.jurisdiction_iso_code",
                IssueCode::InvalidCountryCode
            ),
            (
                "counter_party_details[0].organization_details.address.city",
                IssueCode::Required
            ),
            (
                "counter_party_details[0].organization_details.address.country_iso_code",
                IssueCode::InvalidCountryCode
            ),
            (
                "counter_party_details[1].is_individual",
                IssueCode::WrongType
            ),
            (
                "counter_party_details[1].poc_details.first_name",
                IssueCode::Required
            ),
            ("external_metadata.id", IssueCode::Required),
            (
                "signatories[1].sign_order",
                IssueCode::SignOrderInconsistent
            ),
            (
                "workflow_config.auto_send_to_counterparty",
                IssueCode::WrongType
            ),
        ]
    );
    let by_path = |p: &str| report.issues.iter().find(|i| i.path == p).unwrap();
    assert_eq!(
        by_path("contract_nmae").suggestion.as_deref(),
        Some("contract_name")
    );
    assert_eq!(
        by_path("contract_template_id").suggestion.as_deref(),
        Some("1204")
    );
    assert_eq!(
        by_path("counter_party_details[0].organization_details.jurisdiction_iso_code")
            .suggestion
            .as_deref(),
        Some("US")
    );
    assert_eq!(
        by_path("workflow_config.auto_send_to_counterparty")
            .suggestion
            .as_deref(),
        Some("true")
    );
    // No counterparty name is readable (one is empty, one has no readable kind), so the
    // signatory's counterparty_name is not compared: no guessed COUNTERPARTY_NAME_MISMATCH.
    for issue in &report.issues {
        assert!(!issue.message.is_empty());
    }
}

#[test]
fn counterparty_signatory_names_follow_individuals_and_organisations() {
    let mut payload = playbook();
    payload["counter_party_details"] = json!([
        {"is_individual": false, "organization_type": "company", "organization_name": "Acme Inc.",
         "poc_details": {"first_name": "Avery", "last_name": "Stone", "email": "legal@acme.example"}},
        {"is_individual": true, "poc_details": {"first_name": "John", "last_name": "Doe", "email": "john@doe.example"}}
    ]);
    payload["signatories"] = json!([
        {"name": "Avery Stone", "email": "legal@acme.example", "is_counterparty_signatory": true, "counterparty_name": "Acme Inc."},
        {"name": "John Doe", "email": "john@doe.example", "is_counterparty_signatory": true, "counterparty_name": "John Doe"},
        {"name": "John Doe", "email": "john@doe.example", "is_counterparty_signatory": true, "counterparty_name": "acme inc."},
        {"name": "Jordan", "email": "owner@acme.example", "is_counterparty_signatory": false, "counterparty_name": "Acme Inc."},
        {"name": "Jo", "email": "jo@x.example", "is_counterparty_signatory": true}
    ]);
    let report = validate_create_contract(&payload, None);
    assert_eq!(
        pairs(&report),
        vec![
            (
                "signatories[2].counterparty_name",
                IssueCode::CounterpartyNameMismatch
            ),
            (
                "signatories[3].counterparty_name",
                IssueCode::CounterpartyNameNotAllowed
            ),
            ("signatories[4].counterparty_name", IssueCode::Required),
        ]
    );
    assert_eq!(report.issues[0].suggestion.as_deref(), Some("Acme Inc."));
}

#[test]
fn sign_order_needs_a_counterparty_signatory() {
    let mut payload = playbook();
    payload["signatories"] = json!([
        {"name": "Jordan", "email": "owner@acme.example", "is_counterparty_signatory": false, "sign_order": 1},
        {"name": "Sam", "email": "sam@acme.example", "is_counterparty_signatory": false, "sign_order": 0}
    ]);
    let report = validate_create_contract(&payload, None);
    assert_eq!(
        pairs(&report),
        vec![
            ("signatories[1].sign_order", IssueCode::OutOfRange),
            ("signatories", IssueCode::NoCounterpartySignatory),
        ]
    );
    // Without sign_order the same signatories are fine.
    payload["signatories"] = json!([
        {"name": "Jordan", "email": "owner@acme.example", "is_counterparty_signatory": false}
    ]);
    assert!(validate_create_contract(&payload, None).valid);
}

#[test]
fn contract_data_is_matched_against_the_template() {
    let mut payload = playbook();
    let data = payload["contract_data"].as_object_mut().unwrap();
    data.remove("customer_name");
    data.remove("billing_address");
    data.insert("agreement_date".into(), json!("2026-02-29"));
    data.insert("customer_nme".into(), json!("Acme Inc."));
    data.insert("Notice Period (days)".into(), json!(30));
    data.insert("auto_renewal".into(), json!("yes"));
    data.insert("notice_period_days".into(), json!("30"));
    data.insert("service_countries".into(), json!(["US", "FR"]));
    data.insert("payment_terms".into(), json!("Annual invoice"));
    data.insert(
        "billing_currency".into(),
        json!({"type": "usd", "value": "12000"}),
    );
    data.insert(
        "subscription_term".into(),
        json!({"type": "month", "value": 12.5}),
    );
    data.insert(
        "pricing_schedule".into(),
        json!([
            {"milestone": "Implementation", "amount": {"type": "USD", "value": 5000}},
            {"amount": {"type": "EUR", "valu": 7000}, "note": "x"},
            "row"
        ]),
    );
    let report = validate_create_contract(&payload, Some(&template()));
    assert_eq!(
        pairs(&report),
        vec![
            (
                "contract_data[\"Notice Period (days)\"]",
                IssueCode::UnknownField
            ),
            ("contract_data.agreement_date", IssueCode::InvalidDate),
            ("contract_data.auto_renewal", IssueCode::WrongType),
            (
                "contract_data.billing_currency.type",
                IssueCode::InvalidCurrencyCode
            ),
            ("contract_data.billing_currency.value", IssueCode::WrongType),
            ("contract_data.customer_nme", IssueCode::UnknownField),
            ("contract_data.notice_period_days", IssueCode::WrongType),
            ("contract_data.payment_terms", IssueCode::NotAnOption),
            (
                "contract_data.pricing_schedule[1].amount.valu",
                IssueCode::UnknownField
            ),
            (
                "contract_data.pricing_schedule[1].amount.value",
                IssueCode::Required
            ),
            (
                "contract_data.pricing_schedule[1].note",
                IssueCode::UnknownField
            ),
            (
                "contract_data.pricing_schedule[1].milestone",
                IssueCode::Required
            ),
            ("contract_data.pricing_schedule[2]", IssueCode::WrongType),
            ("contract_data.service_countries[1]", IssueCode::NotAnOption),
            (
                "contract_data.subscription_term.type",
                IssueCode::NotAnOption
            ),
            (
                "contract_data.subscription_term.value",
                IssueCode::OutOfRange
            ),
            ("contract_data.subscription_term.days", IssueCode::Required),
            ("contract_data.customer_name", IssueCode::Required),
            ("contract_data.billing_address", IssueCode::Required),
        ]
    );
    let suggestion = |p: &str| {
        report
            .issues
            .iter()
            .find(|i| i.path == p)
            .unwrap()
            .suggestion
            .clone()
    };
    assert_eq!(
        suggestion("contract_data[\"Notice Period (days)\"]").as_deref(),
        Some("notice_period_days")
    );
    assert_eq!(
        suggestion("contract_data.customer_nme").as_deref(),
        Some("customer_name")
    );
    assert_eq!(
        suggestion("contract_data.payment_terms").as_deref(),
        Some("annual_invoice")
    );
    assert_eq!(
        suggestion("contract_data.billing_currency.type").as_deref(),
        Some("USD")
    );
    assert_eq!(
        suggestion("contract_data.subscription_term.type").as_deref(),
        Some("MONTHS")
    );
    assert_eq!(
        suggestion("contract_data.notice_period_days").as_deref(),
        Some("30")
    );
    assert_eq!(
        suggestion("contract_data.pricing_schedule[1].amount.valu").as_deref(),
        Some("value")
    );
}

#[test]
fn contract_data_must_exist_even_for_a_template_with_few_fields() {
    let mut payload = playbook();
    payload.as_object_mut().unwrap().remove("contract_data");
    let few = TemplateMetadata::from_value(&json!({"counter_party_kind": "Both", "attributes": [
        {"display_label": "Note", "variable": "note", "type": "string", "required": false}
    ]}))
    .unwrap();
    let report = validate_create_contract(&payload, Some(&few));
    assert_eq!(pairs(&report), vec![("contract_data", IssueCode::Required)]);
    payload["contract_data"] = json!({});
    assert!(validate_create_contract(&payload, Some(&few)).valid);
}

#[test]
fn counter_party_kind_is_checked_against_is_individual() {
    let payload = playbook();
    let individual_only = TemplateMetadata::from_value(
        &json!({"counter_party_kind": "Individual", "attributes": []}),
    )
    .unwrap();
    let mut payload_no_data = payload.clone();
    payload_no_data["contract_data"] = json!({});
    let report = validate_create_contract(&payload_no_data, Some(&individual_only));
    assert_eq!(
        pairs(&report),
        vec![(
            "counter_party_details[0].is_individual",
            IssueCode::CounterpartyKindMismatch
        )]
    );
    assert_eq!(report.issues[0].suggestion.as_deref(), Some("true"));
}

#[test]
fn external_metadata_id_is_required_for_sync() {
    let mut payload = playbook();
    payload.as_object_mut().unwrap().remove("external_metadata");
    assert_eq!(
        pairs(&validate_create_contract(&payload, None)),
        vec![("external_metadata", IssueCode::Required)]
    );
    payload["external_metadata"] =
        json!({"id": "  ", "object_configuration_id": "not-a-uuid", "record_data": []});
    assert_eq!(
        pairs(&validate_create_contract(&payload, None)),
        vec![
            ("external_metadata.id", IssueCode::Required),
            ("external_metadata.record_data", IssueCode::WrongType),
            (
                "external_metadata.object_configuration_id",
                IssueCode::InvalidUuid
            ),
            ("external_metadata.record_type", IssueCode::Required),
        ]
    );
    payload["external_metadata"] = json!({"id": 10024});
    assert!(validate_create_contract(&payload, None).valid);
}

#[test]
fn send_config_is_checked() {
    let mut payload = playbook();
    payload["send_to_counterparty_config"] = json!({
        "attachment_formats": ["pdf", "DOCX"],
        "to_emails": ["legal@acme.example", "nope"],
        "extra_attachments": [{"file_name": "a.pdf", "mime_type": "application/pdf", "content_base64": "JVBER i0="}]
    });
    let report = validate_create_contract(&payload, None);
    assert_eq!(
        pairs(&report),
        vec![
            (
                "send_to_counterparty_config.attachment_formats[0]",
                IssueCode::NotAnOption
            ),
            (
                "send_to_counterparty_config.to_emails[1]",
                IssueCode::InvalidEmail
            ),
            (
                "send_to_counterparty_config.extra_attachments[0].content_base64",
                IssueCode::InvalidBase64
            ),
        ]
    );
    assert_eq!(report.issues[0].suggestion.as_deref(), Some("PDF"));
}

#[test]
fn a_report_becomes_a_validation_failed_error() {
    let mut payload = playbook();
    payload["counter_party_details"][0]["poc_details"]["email"] = json!("not an email");
    let error = validate_create_contract(&payload, None)
        .into_result()
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::ValidationFailed);
    assert_eq!(error.details.len(), 1);
    assert_eq!(
        error.details[0].path,
        "counter_party_details[0].poc_details.email"
    );
    assert_eq!(error.details[0].code, "INVALID_EMAIL");
    assert!(validate_create_contract(&playbook(), None)
        .into_result()
        .is_ok());
}

#[test]
fn json_text_entry_point_matches_and_reports_bad_json() {
    let compiled = CompiledTemplate::compile(&template()).unwrap();
    let mut payload = playbook();
    payload["contract_data"]["agreement_date"] = json!("28/03/2026");
    let text = serde_json::to_string(&payload).unwrap();
    assert_eq!(
        validate_create_contract_json(&text, Some(&compiled)),
        validate_compiled(&payload, Some(&compiled))
    );

    let report = validate_create_contract_json("{\"contract_template_id\": ", None);
    assert_eq!(report.codes(), vec![IssueCode::WrongType]);
    // Lone UTF-16 surrogate escapes are refused by the JSON reader: a report, not a panic.
    let report = validate_create_contract_json(r#"{"contract_name": "\ud800"}"#, None);
    assert_eq!(report.codes(), vec![IssueCode::WrongType]);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        validate_create_contract_json(&deep, None).codes(),
        vec![IssueCode::TooDeep]
    );
    // NaN/Infinity are not JSON.
    assert!(!validate_create_contract_json(r#"{"contract_template_id": NaN}"#, None).valid);
}

#[test]
fn hostile_payloads_give_bounded_reports() {
    // A hundred thousand broken signatories: capped, with one TOO_MANY_ISSUES at the end.
    let mut payload = playbook();
    payload["signatories"] = Value::Array(vec![json!({"email": 1}); 100_000]);
    let report = validate_create_contract(&payload, None);
    assert_eq!(report.issues.len(), MAX_ISSUES + 1);
    assert_eq!(report.issues.last().unwrap().code, IssueCode::TooManyIssues);

    // Prototype-pollution keys and megabyte keys are just unknown fields, with short paths.
    let mut payload = playbook();
    let huge = "k".repeat(1_000_000);
    payload["__proto__"] = json!({"polluted": true});
    payload[huge.as_str()] = json!(1);
    payload["contract_data"]["constructor"] = json!({"prototype": {}});
    let report = validate_create_contract(&payload, Some(&template()));
    let codes = report.codes();
    assert_eq!(codes, vec![IssueCode::UnknownField; 3]);
    assert!(report
        .issues
        .iter()
        .all(|i| i.path.len() < 200 && i.message.len() < 2000));

    // Wrong type at every level of the body.
    for body in [json!(null), json!([]), json!("x"), json!(1.5), json!(true)] {
        let report = validate_create_contract(&body, Some(&template()));
        assert_eq!(pairs(&report), vec![("", IssueCode::WrongType)]);
    }
}

#[test]
fn an_unusable_template_is_reported_and_the_body_still_checked() {
    let mut attribute = json!({"variable": "leaf", "type": "string"});
    for _ in 0..40 {
        attribute = json!({"variable": "r", "type": "repeating", "attributes": [attribute]});
    }
    let deep = TemplateMetadata::from_value(&json!({"attributes": [attribute]})).unwrap();
    let mut payload = playbook();
    payload["counter_party_details"][0]["poc_details"]["email"] = json!("x");
    let report = validate_create_contract(&payload, Some(&deep));
    assert_eq!(
        report.codes(),
        vec![IssueCode::InvalidTemplate, IssueCode::InvalidEmail]
    );
}

#[test]
fn many_counterparties_signatories_and_options_stay_cheap() {
    // Without the sorted name index and option index these are 20 000 × 20 000 comparisons;
    // the test has no time limit, but a quadratic regression makes it visibly slow.
    let n = 20_000;
    let mut payload = playbook();
    payload["counter_party_details"] = Value::Array(
        (0..n)
            .map(|i| json!({"is_individual": false, "organization_type": "company", "organization_name": format!("Org {i}"),
                "poc_details": {"first_name": "A", "email": "a@b.co"}}))
            .collect(),
    );
    payload["signatories"] = Value::Array(
        (0..n)
            .map(|i| json!({"name": "A", "email": "a@b.co", "is_counterparty_signatory": true, "counterparty_name": format!("Org {}", n - 1 - i)}))
            .collect(),
    );
    let options: Vec<Value> = (0..n)
        .map(|i| json!({"label": format!("L{i}"), "value": format!("v{i}")}))
        .collect();
    let template = TemplateMetadata::from_value(&json!({"counter_party_kind": "Organisation", "attributes": [
        {"display_label": "Many", "variable": "many", "type": "array of options", "options": options}
    ]}))
    .unwrap();
    payload["contract_data"] =
        json!({"many": (0..n).rev().map(|i| format!("v{i}")).collect::<Vec<_>>()});
    let report = validate_create_contract(&payload, Some(&template));
    assert!(report.valid, "{:?}", report.issues.first());

    payload["contract_data"]["many"][7] = json!("nope");
    payload["signatories"][3]["counterparty_name"] = json!("org 5");
    let report = validate_create_contract(&payload, Some(&template));
    assert_eq!(
        pairs(&report),
        vec![
            ("contract_data.many[7]", IssueCode::NotAnOption),
            (
                "signatories[3].counterparty_name",
                IssueCode::CounterpartyNameMismatch
            ),
        ]
    );
    assert_eq!(report.issues[1].suggestion.as_deref(), Some("Org 5"));
}
