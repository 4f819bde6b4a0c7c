// The WebAssembly ABI this package ships with, shared by the build (scripts/build.mjs) and the
// wasm-bindgen-test run (scripts/wasm-test-runner.mjs), so the tests exercise the same one.
//
// Without reference types: wasm-bindgen then passes JS values as i32 indices into its JS-side
// heap instead of `externref`. Node 20 (V8 11.3) kills the whole process ("Fatal error ...
// unreachable code" in `Deoptimizer::DoComputeBuiltinContinuation`) when TurboFan has inlined
// a call to a wasm export returning `externref` and lazily deoptimises the caller during that
// call: a hot loop of `client.getContractStatus()` crashed 8 runs of 20
// (tests/node/v8-deopt.test.mjs). An `i32` return takes V8's handled path.
// With SIMD: `sha2`'s wasm SIMD backend (the HMAC where no platform HMAC is used).
import { readFileSync, writeFileSync } from 'node:fs';
import { leb, readLeb, rewriteSections, section, wasmName } from './wasm-sections.mjs';

export const WASM_RUSTFLAGS = '-C target-feature=-reference-types,+simd128';

/**
 * Rewrites the `target_features` custom section of the module at `file` without `feature`.
 *
 * The precompiled standard library (`panic_abort`) still declares reference-types, and
 * wasm-ld copies that into `target_features`, which wasm-bindgen reads to choose its ABI:
 * call this on a linked module to drop the claim (no code of ours uses the feature).
 */
export function dropTargetFeature(file, feature) {
  const bytes = readFileSync(file);
  let found = false;
  const rewritten = rewriteSections(bytes, (id, contentAt) => {
    if (id !== 0) return null;
    const [nameLength, nameAt] = readLeb(bytes, contentAt);
    if (bytes.toString('utf8', nameAt, nameAt + nameLength) !== 'target_features') return null;
    let [count, p] = readLeb(bytes, nameAt + nameLength);
    const kept = [];
    for (; count > 0; count--) {
      const prefix = String.fromCharCode(bytes[p]);
      const [length, nameStart] = readLeb(bytes, p + 1);
      const name = bytes.toString('utf8', nameStart, nameStart + length);
      p = nameStart + length;
      if (name === feature) found = true;
      else kept.push(Buffer.concat([Buffer.from(prefix), wasmName(name)]));
    }
    return section(0, Buffer.concat([wasmName('target_features'), leb(kept.length), ...kept]));
  });
  if (!found) console.log(`(target_features of ${file} did not list ${feature})`);
  writeFileSync(file, rewritten);
}

/**
 * The ABI of the pure-JS build (pkg/js/, scripts/lib/pure-js-build.mjs): no SIMD, which
 * binaryen's wasm2js cannot translate (`sha2` falls back to its portable code); still no
 * reference types. Multi-value is dropped from the module's `target_features` before
 * wasm-bindgen (see `dropTargetFeature`), so its exports return through memory rather than
 * with multi-value shims, which wasm2js cannot translate either.
 */
export const PURE_JS_RUSTFLAGS = '-C target-feature=-reference-types';
