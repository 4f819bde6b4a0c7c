//! Properties: the validator and the mapper never panic on arbitrary JSON, reports are
//! consistent, and the text entry point agrees with the value entry point.

// Test helpers outside #[test] fns: a failing fixture read should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use spotdraft_sync::mapping::{build_create_contract, Mapping};
use spotdraft_sync::template::{CompiledTemplate, TemplateMetadata};
use spotdraft_sync::validate::{
    validate_compiled, validate_create_contract, validate_create_contract_json, IssueCode,
    MAX_ISSUES,
};

fn fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Keys that matter to the validator, plus noise and hostile names.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("contract_template_id".to_owned()),
        Just("contract_data".to_owned()),
        Just("counter_party_details".to_owned()),
        Just("signatories".to_owned()),
        Just("external_metadata".to_owned()),
        Just("is_individual".to_owned()),
        Just("poc_details".to_owned()),
        Just("sign_order".to_owned()),
        Just("is_counterparty_signatory".to_owned()),
        Just("counterparty_name".to_owned()),
        Just("organization_details".to_owned()),
        Just("address".to_owned()),
        Just("billing_currency".to_owned()),
        Just("pricing_schedule".to_owned()),
        Just("type".to_owned()),
        Just("value".to_owned()),
        Just("__proto__".to_owned()),
        "\\PC{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,20}".prop_map(Value::String),
        Just(json!("2024-02-29")),
        Just(json!("USD")),
        Just(json!("a@b.co")),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The playbook payload with the value at one of its paths replaced.
fn mutated_playbook() -> impl Strategy<Value = Value> {
    let base = fixture("playbook-create-contract.json");
    let mut paths = Vec::new();
    collect_paths(&base, String::new(), &mut paths);
    (prop::sample::select(paths), json_value()).prop_map(move |(pointer, replacement)| {
        let mut v = base.clone();
        if let Some(slot) = v.pointer_mut(&pointer) {
            *slot = replacement;
        }
        v
    })
}

fn collect_paths(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| collect_paths(c, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| collect_paths(c, format!("{at}/{i}"), out)),
        _ => {}
    }
}

fn compiled() -> CompiledTemplate {
    CompiledTemplate::from_value(&fixture("templates/template-1204-metadata.json")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validate_never_panics_and_reports_consistently(v in json_value()) {
        let template = compiled();
        for report in [validate_compiled(&v, None), validate_compiled(&v, Some(&template))] {
            prop_assert_eq!(report.valid, report.issues.is_empty());
            prop_assert!(report.issues.len() <= MAX_ISSUES + 1);
            for issue in &report.issues {
                prop_assert!(!issue.message.is_empty());
            }
        }
        // Arbitrary JSON is also arbitrary template metadata.
        if let Ok(meta) = TemplateMetadata::from_value(&v) {
            let _ = validate_create_contract(&fixture("playbook-create-contract.json"), Some(&meta));
        }
    }

    #[test]
    fn a_mutated_playbook_reports_a_located_issue_or_is_still_valid(v in mutated_playbook()) {
        let template = compiled();
        let report = validate_compiled(&v, Some(&template));
        let text = serde_json::to_string(&v).unwrap();
        let from_text = validate_create_contract_json(&text, Some(&template));
        // serde_json does not round-trip every float bit for bit (subnormals), so the two
        // entry points are compared on where and what, not on echoed numbers.
        let located = |r: &spotdraft_sync::validate::ValidationReport| {
            r.issues.iter().map(|i| (i.path.clone(), i.code)).collect::<Vec<_>>()
        };
        prop_assert_eq!(located(&from_text), located(&report));
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&validate_compiled(&reparsed, Some(&template)), &from_text);
        for issue in &report.issues {
            // Every path names a place in the payload, or a missing key under one.
            prop_assert!(issue.code != IssueCode::TooManyIssues);
            prop_assert!(!issue.message.is_empty());
        }
    }

    #[test]
    fn removing_a_required_body_key_is_always_reported(key in prop::sample::select(vec![
        "contract_template_id", "contract_data", "counter_party_details", "external_metadata"])) {
        let mut v = fixture("playbook-create-contract.json");
        v.as_object_mut().unwrap().remove(key);
        let report = validate_compiled(&v, None);
        prop_assert!(report.issues.iter().any(|i| i.path == key && i.code == IssueCode::Required));
    }

    #[test]
    fn mapping_never_panics_on_arbitrary_records_and_mappings(record in json_value(), m in json_value()) {
        let hubspot = Mapping::from_value(&fixture("mappings/hubspot-deal.mapping.json")).unwrap();
        match build_create_contract(&record, &hubspot) {
            Ok(out) => prop_assert!(out.is_object()),
            Err(report) => prop_assert!(!report.issues.is_empty()),
        }
        if let Ok(mapping) = Mapping::from_value(&m) {
            let _ = build_create_contract(&record, &mapping);
        }
    }
}
