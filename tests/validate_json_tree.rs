//! The validator reads JSON text through its own borrowed tree (`core::validate::json`), and a
//! `serde_json::Value` through a view of it: both must give the same report, with
//! `serde_json::Value`'s rules (member order, last duplicate key wins).

// Test helpers outside #[test] fns: a failing fixture read should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde_json::{json, Value};
use spotdraft_sync::template::CompiledTemplate;
use spotdraft_sync::validate::{
    validate_compiled, validate_create_contract_json, IssueCode, ValidationReport,
};

fn fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn templates() -> Vec<CompiledTemplate> {
    [
        "templates/template-1204-metadata.json",
        "templates/template-bench-40-metadata.json",
    ]
    .iter()
    .map(|p| CompiledTemplate::from_value(&fixture(p)).unwrap())
    .collect()
}

/// The playbook payload with the ten mistakes of `benches/validate.bench.mjs`.
fn broken() -> Value {
    let mut p = fixture("playbook-create-contract.json");
    p["contract_template_id"] = json!("1204");
    let data = &mut p["contract_data"];
    data["agreement_date"] = json!("2026-02-30x");
    data["auto_renewal"] = json!("yes");
    data["notice_period_days"] = json!("30");
    data["service_countries"] = json!(["US", "FR"]);
    data["billing_currency"] = json!({"type": "usd", "value": "12000"});
    data["customer_nme"] = json!("Acme Inc.");
    data.as_object_mut().unwrap().remove("customer_name");
    p["counter_party_details"][0]["poc_details"]["email"] = json!("Avery Stone");
    p["counter_party_details"][0]["organization_details"]["jurisdiction_iso_code"] = json!("us");
    p
}

fn both(
    value: &Value,
    template: Option<&CompiledTemplate>,
) -> (ValidationReport, ValidationReport) {
    let text = serde_json::to_string(value).unwrap();
    (
        validate_create_contract_json(&text, template),
        validate_compiled(value, template),
    )
}

#[test]
fn text_and_value_give_the_same_report() {
    let templates = templates();
    for payload in [
        fixture("playbook-create-contract.json"),
        broken(),
        json!({}),
        json!([1]),
    ] {
        for template in std::iter::once(None).chain(templates.iter().map(Some)) {
            let (text, value) = both(&payload, template);
            assert_eq!(text, value);
        }
    }
    // The broken payload is reported in full, in member order.
    let (report, _) = both(&broken(), templates.get(1));
    assert!(report.issues.len() >= 10, "{:?}", report.codes());
}

#[test]
fn a_key_given_twice_counts_once_with_its_last_value() {
    let template = &templates()[0];
    let good = serde_json::to_string(&fixture("playbook-create-contract.json")).unwrap();
    let body = good.strip_prefix('{').unwrap().strip_suffix('}').unwrap();
    // `contract_name` given first as a number, then as the playbook's string: valid.
    let number_first = format!("{{\"contract_name\": 5, {body}}}");
    // The playbook's string first, then a number: the number decides.
    let number_last = format!("{{{body}, \"contract_name\": 5}}");
    for text in [&number_first, &number_last] {
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            validate_create_contract_json(text, Some(template)),
            validate_compiled(&value, Some(template))
        );
    }
    assert!(validate_create_contract_json(&number_first, Some(template)).valid);
    let report = validate_create_contract_json(&number_last, Some(template));
    assert_eq!(report.codes(), [IssueCode::WrongType]);
    assert_eq!(report.issues[0].path, "contract_name");
}

#[test]
fn a_field_described_twice_is_checked_and_required_once_per_description() {
    let template = CompiledTemplate::from_value(&json!({"attributes": [
        {"display_label": "A", "variable": "a", "type": "string"},
        {"display_label": "A again", "variable": "a", "type": "string"},
        {"display_label": "B", "variable": "b", "type": "int", "required": false}
    ]}))
    .unwrap();
    let mut payload = fixture("playbook-create-contract.json");
    payload["contract_data"] = json!({"a": "x", "b": 2});
    let (text, value) = both(&payload, Some(&template));
    assert!(text.valid, "{:?}", text.issues);
    assert_eq!(text, value);
    payload["contract_data"] = json!({"b": "2"});
    let (text, value) = both(&payload, Some(&template));
    assert_eq!(text, value);
    let codes: Vec<(&str, IssueCode)> = text
        .issues
        .iter()
        .map(|i| (i.path.as_str(), i.code))
        .collect();
    assert_eq!(
        codes,
        [
            ("contract_data.b", IssueCode::WrongType),
            ("contract_data.a", IssueCode::Required),
            ("contract_data.a", IssueCode::Required),
        ]
    );
}

/// Small arbitrary JSON, with keys drawn mostly from the body's and the templates' names.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("contract_name".to_owned()),
        Just("is_individual".to_owned()),
        Just("email".to_owned()),
        Just("type".to_owned()),
        Just("value".to_owned()),
        Just("customer_name".to_owned()),
        "[a-z_]{1,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        "[A-Za-z0-9@._ -]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 20, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn mutated_playbooks_give_the_same_report_as_text_and_as_value(
        section in prop_oneof![
            Just("contract_data"), Just("counter_party_details"), Just("signatories"),
            Just("external_metadata"), Just("workflow_config"), Just("contract_name"),
        ],
        replacement in arbitrary_json(),
        nested_key in "[a-z_]{1,8}",
        nested in arbitrary_json(),
    ) {
        let templates = templates();
        let mut payload = fixture("playbook-create-contract.json");
        payload[section] = replacement;
        if let Some(data) = payload["contract_data"].as_object_mut() {
            data.insert(nested_key, nested);
        }
        for template in std::iter::once(None).chain(templates.iter().map(Some)) {
            let (text, value) = both(&payload, template);
            prop_assert_eq!(text, value);
        }
    }
}

/// Numbers read from JSON text are the exact `f64` of their text (serde_json's
/// `float_roundtrip`): without it this value parsed one ULP off, and the report quoted
/// "-199944511.6685" for a payload that said "-199944511.66849998" (found by the proptest above).
#[test]
fn numbers_from_text_are_exact() {
    let mut payload = fixture("playbook-create-contract.json");
    payload["contract_data"]["customer_name"] = json!(-199_944_511.668_499_98_f64);
    let templates = templates();
    for template in std::iter::once(None).chain(templates.iter().map(Some)) {
        let (text, value) = both(&payload, template);
        assert_eq!(text, value);
    }
    let text = serde_json::to_string(&payload).unwrap();
    let reparsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        reparsed["contract_data"]["customer_name"],
        payload["contract_data"]["customer_name"]
    );
}

proptest! {
    /// The inline key comparison is `str`'s order (byte order), for any strings.
    #[test]
    fn key_order_is_str_order(a in "\\PC{0,12}", b in "\\PC{0,12}", prefix in "[a-z_]{0,6}") {
        use spotdraft_sync::validate::json::{key_order, same_key};
        let (a, b) = (format!("{prefix}{a}"), format!("{prefix}{b}"));
        prop_assert_eq!(key_order(&a, &b), a.cmp(&b));
        prop_assert_eq!(same_key(&a, &b), a == b);
    }

    /// Member lookups agree with `serde_json::Value` on objects small enough to be scanned and
    /// large enough to be bisected, written in any order and with repeated keys.
    #[test]
    fn lookups_agree_with_value(
        members in proptest::collection::vec(("[a-e_]{1,3}", any::<i32>()), 0..40),
        probes in proptest::collection::vec("[a-e_]{1,3}", 1..20),
    ) {
        use spotdraft_sync::validate::json::Json;
        let body = members
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
            .collect::<Vec<_>>()
            .join(",");
        let text = format!("{{{body}}}");
        let value: Value = serde_json::from_str(&text).unwrap();
        let Json::Object(object) = Json::parse(&text).unwrap() else {
            panic!("not an object: {text}");
        };
        prop_assert_eq!(object.len(), value.as_object().unwrap().len());
        for key in probes.iter().chain(members.iter().map(|(k, _)| k)) {
            match (object.get(key), value.get(key)) {
                (Some(ours), Some(theirs)) => prop_assert!(ours.eq_value(theirs), "{key} in {text}"),
                (None, None) => {}
                (ours, theirs) => prop_assert!(false, "{key} in {text}: {ours:?} vs {theirs:?}"),
            }
        }
    }
}
