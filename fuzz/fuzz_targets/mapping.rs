//! Arbitrary bytes as a record (mapped with the HubSpot example mapping), as a mapping
//! (applied to the HubSpot example record), and as `{"mapping", "record"}`.
//! Invariants: no panic; a successful build is a JSON object; a failure has issues.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use spotdraft_sync::mapping::{build_create_contract, Mapping};
use std::sync::OnceLock;

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn hubspot() -> &'static (Mapping, Value) {
    static H: OnceLock<(Mapping, Value)> = OnceLock::new();
    H.get_or_init(|| {
        let mapping = fixture(include_str!(
            "../../tests/fixtures/mappings/hubspot-deal.mapping.json"
        ));
        let record = fixture(include_str!(
            "../../tests/fixtures/records/hubspot-deal.json"
        ));
        (Mapping::from_value(&mapping).unwrap(), record)
    })
}

fn run(record: &Value, mapping: &Mapping) {
    match build_create_contract(record, mapping) {
        Ok(out) => assert!(out.is_object()),
        Err(report) => {
            assert!(!report.valid);
            assert!(!report.issues.is_empty());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let (mapping, record) = hubspot();
    run(&value, mapping);
    if let Ok(m) = Mapping::from_value(&value) {
        run(record, &m);
    }
    if let (Some(m), Some(r)) = (value.get("mapping"), value.get("record")) {
        if let Ok(m) = Mapping::from_value(m) {
            run(r, &m);
        }
    }
});
