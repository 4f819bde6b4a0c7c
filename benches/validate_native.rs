//! The validator without WebAssembly or a JS boundary: the same Rust code as
//! `benches/validate.bench.mjs` measures through the package, compiled natively at
//! `opt-level = 3`, on the same playbook payload and 40-field template.
//!
//! It answers one question for BENCHMARKS.md ("Payload validation vs ajv"): how fast can this
//! design (parse JSON text into a tree, then check it) be with no boundary at all? It does
//! NOT compare with ajv (that needs V8; see the JS bench) and asserts nothing.
//!
//! `cargo bench -p spotdraft-sync --bench validate_native`

use spotdraft_sync::template::{CompiledTemplate, TemplateMetadata};
use spotdraft_sync::validate::json::Json;
use spotdraft_sync::validate::{validate_create_contract_json, validate_tree};
use std::hint::black_box;
use std::time::Instant;

const PAYLOAD: &str = include_str!("../tests/fixtures/playbook-create-contract.json");
const METADATA: &str = include_str!("../tests/fixtures/templates/template-bench-40-metadata.json");

/// Median µs per call of `f` over `rounds` rounds of `calls` calls.
fn median_us(rounds: usize, calls: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..calls {
        f();
    }
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                f();
            }
            start.elapsed().as_secs_f64() * 1e6 / f64::from(calls)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The JS bench validates `JSON.stringify(payload)`: the same compact text.
    let json = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(PAYLOAD)?)?;
    let metadata: TemplateMetadata = serde_json::from_str(METADATA)?;
    let template = CompiledTemplate::compile(&metadata)?;
    let tree = Json::parse(&json)?;
    if !validate_tree(&tree, Some(&template)).valid {
        return Err("the playbook payload does not validate against the bench template".into());
    }

    let (rounds, calls) = (9, 20_000);
    let full = median_us(rounds, calls, || {
        black_box(validate_create_contract_json(
            black_box(&json),
            Some(&template),
        ));
    });
    let parse = median_us(rounds, calls, || {
        let _ = black_box(Json::parse(black_box(&json)));
    });
    let check = median_us(rounds, calls, || {
        black_box(validate_tree(black_box(&tree), Some(&template)));
    });
    println!(
        "native validate_create_contract_json ({} bytes): {full:.2} µs/call \
         (parse into the tree {parse:.2} µs, checks on a parsed tree {check:.2} µs); \
         median of {rounds} rounds of {calls} calls",
        json.len()
    );
    Ok(())
}
