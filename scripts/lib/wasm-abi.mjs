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
  const readLeb = (at) => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return [value, at];
  };
  const leb = (n) => {
    const out = [];
    do {
      let byte = n & 0x7f;
      n = Math.floor(n / 128);
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return Buffer.from(out);
  };
  const text = (s) => Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  let found = false;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at];
    const [size, contentAt] = readLeb(at + 1);
    const end = contentAt + size;
    let replaced = null;
    if (id === 0) {
      const [nameLength, nameAt] = readLeb(contentAt);
      if (bytes.toString('utf8', nameAt, nameAt + nameLength) === 'target_features') {
        let [count, p] = readLeb(nameAt + nameLength);
        const kept = [];
        for (; count > 0; count--) {
          const prefix = String.fromCharCode(bytes[p]);
          const [length, nameStart] = readLeb(p + 1);
          const name = bytes.toString('utf8', nameStart, nameStart + length);
          p = nameStart + length;
          if (name === feature) found = true;
          else kept.push(Buffer.concat([Buffer.from(prefix), text(name)]));
        }
        const payload = Buffer.concat([text('target_features'), leb(kept.length), ...kept]);
        replaced = Buffer.concat([Buffer.from([0]), leb(payload.length), payload]);
      }
    }
    parts.push(replaced ?? bytes.subarray(start, end));
    at = end;
  }
  if (!found) console.log(`(target_features of ${file} did not list ${feature})`);
  writeFileSync(file, Buffer.concat(parts));
}

/**
 * The ABI of the pure-JS build (pkg/js/, scripts/lib/pure-js-build.mjs): no SIMD, which
 * binaryen's wasm2js cannot translate (`sha2` falls back to its portable code); still no
 * reference types. Multi-value is dropped from the module's `target_features` before
 * wasm-bindgen (see `dropTargetFeature`), so its exports return through memory rather than
 * with multi-value shims, which wasm2js cannot translate either.
 */
export const PURE_JS_RUSTFLAGS = '-C target-feature=-reference-types';
