// HMAC-SHA512 through the platform's WebCrypto (`crypto.subtle`), for
// `verifyWebhookAsync` / `verifyWebhookSignatureAsync`.
//
// Why WebCrypto beside the Rust HMAC: the platform's implementation is native (OpenSSL or
// BoringSSL) and, in Node, runs on the libuv thread pool, so verifications no longer block the
// event loop and run in parallel; with 4+ deliveries in flight it verifies 10 KB bodies faster
// than `crypto.createHmac` (BENCHMARKS.md). The checks around the HMAC (raw body, headers,
// keys, sizes, errors) stay in Rust. Where `crypto.subtle` is missing (an insecure browser
// context, some sandboxes), the synchronous path answers instead (Node's crypto, else Rust).
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

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
