// Node's native HMAC-SHA512 (OpenSSL) for the synchronous webhook verification.
//
// Why: in Node the platform's HMAC is about 1.7× as fast as the Rust `sha2` compiled to wasm
// (even with its SIMD backend; BENCHMARKS.md), and a webhook receiver runs there most often.
// Found through `process.getBuiltinModule` (Node 20.16+), so bundlers for browsers see no
// `require('crypto')`. Elsewhere, or on an older Node, this returns `undefined` and the Rust
// HMAC answers.
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/**
 * Whether the HMAC-SHA512 of `body` under `key` equals `signature` (all byte arrays, possibly
 * views into the wasm memory, read before returning), by Node's crypto and its constant-time
 * `timingSafeEqual`; `undefined` where Node's crypto is not available.
 */
export function spotdraftNodeHmacSha512Equals(key, body, signature) {
  // Looked up on each call (a map lookup in Node): nothing to go stale.
  const nodeCrypto = findNodeCrypto();
  if (nodeCrypto === null) return undefined;
  const digest = nodeCrypto.createHmac('sha512', key).update(body).digest();
  return digest.length === signature.length && nodeCrypto.timingSafeEqual(digest, signature);
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
