// Node's native HMAC-SHA512 (OpenSSL) for the synchronous webhook verification.
//
// Why: in Node the platform's HMAC is about 1.7× as fast as the Rust `sha2` compiled to wasm
// (even with its SIMD backend; BENCHMARKS.md), and a webhook receiver runs there most often.
// Found through `process.getBuiltinModule` (Node 20.16+), so bundlers for browsers see no
// `require('crypto')`. Elsewhere, or on an older Node, this returns `undefined` and the Rust
// HMAC answers. The comparison with the signature stays in Rust (constant time).
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/**
 * HMAC-SHA512 of `body` under `key` (both byte arrays, possibly views into the wasm memory,
 * read before returning) by Node's crypto, or `undefined` where that is not available.
 */
export function spotdraftNodeHmacSha512(key, body) {
  // Looked up on each call (a map lookup in Node): nothing to go stale.
  const nodeCrypto = findNodeCrypto();
  if (nodeCrypto === null) return undefined;
  return nodeCrypto.createHmac('sha512', key).update(body).digest();
}

function findNodeCrypto() {
  try {
    const process = globalThis.process;
    if (process === null || typeof process !== 'object' || typeof process.getBuiltinModule !== 'function') return null;
    const crypto = process.getBuiltinModule('node:crypto');
    return crypto && typeof crypto.createHmac === 'function' ? crypto : null;
  } catch {
    return null;
  }
}
