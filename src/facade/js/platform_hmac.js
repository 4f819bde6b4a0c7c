// The platform's own HMAC-SHA512 for webhook verification, beside the Rust `sha2` one.
//
// 1. Node's crypto, synchronous (`spotdraftNodeHmacSha512Equals`), for `verifyWebhook` and
//    `verifyWebhookSignature`: in Node the platform's HMAC is about 1.7× as fast as the Rust
//    `sha2` compiled to wasm (even with its SIMD backend; BENCHMARKS.md), and a webhook
//    receiver runs there most often. Found through `process.getBuiltinModule` (Node 20.16+), so
//    bundlers for browsers see no `require('crypto')`. Elsewhere, or on an older Node, it
//    returns `undefined` and the Rust HMAC answers.
// 2. WebCrypto (`crypto.subtle`), asynchronous (`spotdraftSubtleAvailable`,
//    `spotdraftHmacSha512Match`), for `verifyWebhookAsync` / `verifyWebhookSignatureAsync`: the
//    platform's implementation is native (OpenSSL or BoringSSL) and, in Node, runs on the libuv
//    thread pool, so verifications no longer block the event loop and run in parallel; with 4+
//    deliveries in flight it verifies 10 KB bodies faster than `crypto.createHmac`
//    (BENCHMARKS.md). Where `crypto.subtle` is missing (an insecure browser context, some
//    sandboxes), the synchronous path answers instead (Node's crypto, else Rust).
//
// The checks around the HMAC (raw body, headers, keys, sizes, errors) stay in Rust. One file
// for both because each snippet is one more module for every host to load.
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

/** Imported keys (a `CryptoKey`, or the promise of one while importing), by their bytes. */
const imported = new Map();
const MAX_IMPORTED_KEYS = 16;

/** Whether WebCrypto's `subtle.verify` is usable here. */
export function spotdraftSubtleAvailable() {
  return typeof crypto === 'object' && crypto !== null && typeof crypto.subtle === 'object' && crypto.subtle !== null && typeof crypto.subtle.verify === 'function';
}

/**
 * Index of the first key (raw bytes) whose HMAC-SHA512 of `body` is `signature`, or -1.
 * WebCrypto's `verify` compares in constant time.
 *
 * `signature` and `body` may be views into the wasm memory, valid only during this call:
 * WebCrypto copies its inputs when called, so with every key already imported all
 * verifications start now; otherwise both are copied before the first await.
 */
export function spotdraftHmacSha512Match(keys, signature, body) {
  const cryptoKeys = keys.map(importKey);
  if (cryptoKeys.every((key) => !(key instanceof Promise))) {
    return firstMatch(cryptoKeys.map((key) => crypto.subtle.verify('HMAC', key, signature, body)));
  }
  const signatureCopy = signature.slice();
  const bodyCopy = body.slice();
  return Promise.all(cryptoKeys).then((ready) =>
    firstMatch(ready.map((key) => crypto.subtle.verify('HMAC', key, signatureCopy, bodyCopy))),
  );
}

async function firstMatch(verifications) {
  const outcomes = await Promise.all(verifications);
  return outcomes.indexOf(true);
}

function importKey(bytes) {
  const id = String.fromCharCode.apply(null, bytes);
  const known = imported.get(id);
  if (known !== undefined) return known;
  if (imported.size >= MAX_IMPORTED_KEYS) imported.delete(imported.keys().next().value);
  const pending = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-512' }, false, ['verify']);
  imported.set(id, pending);
  pending.then(
    (key) => imported.get(id) === pending && imported.set(id, key),
    () => imported.delete(id),
  );
  return pending;
}
