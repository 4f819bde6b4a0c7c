//! Arbitrary bytes as a create body, validated with and without template 1204.
//! Invariants: no panic, `valid` iff no issues, the issue cap holds, and the typed model
//! never accepts what the validator rejects for shape reasons... (only checked one way:
//! a payload the typed model parses re-serialises to JSON that parses again).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotdraft_sync::payload::CreateContractPayload;
use spotdraft_sync::template::CompiledTemplate;
use spotdraft_sync::validate::{
    validate_compiled, validate_create_contract_json, ValidationReport, MAX_ISSUES,
};
use std::sync::OnceLock;

fn template() -> &'static CompiledTemplate {
    static T: OnceLock<CompiledTemplate> = OnceLock::new();
    T.get_or_init(|| {
        let text = include_str!("../../tests/fixtures/templates/template-1204-metadata.json");
        CompiledTemplate::from_value(&serde_json::from_str(text).unwrap()).unwrap()
    })
}

fn check(report: &ValidationReport) {
    assert_eq!(report.valid, report.issues.is_empty());
    assert!(report.issues.len() <= MAX_ISSUES + 1);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(&validate_create_contract_json(text, None));
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    check(&validate_compiled(&value, Some(template())));
    // Template documents are input too: the payload doubles as metadata.
    if let Ok(t) = CompiledTemplate::from_value(&value) {
        check(&validate_compiled(&value, Some(&t)));
    }
    if let Ok(payload) = CreateContractPayload::from_value(&value) {
        let back = payload.to_value().unwrap();
        let again = CreateContractPayload::from_value(&back).unwrap();
        assert_eq!(again, payload);
    }
});
