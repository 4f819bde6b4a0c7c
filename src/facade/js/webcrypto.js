// HMAC-SHA512 through the platform's WebCrypto (`crypto.subtle`), for
// `verifyWebhookAsync` / `verifyWebhookSignatureAsync`.
//
// Why WebCrypto beside the Rust HMAC: the platform's implementation is native (OpenSSL or
// BoringSSL) and, in Node, runs on the libuv thread pool, so verifications no longer block the
// event loop and run in parallel; with 4+ deliveries in flight it verifies 10 KB bodies faster
// than `crypto.createHmac` (BENCHMARKS.md). The checks around the HMAC (raw body, headers,
// keys, sizes, errors) stay in Rust. Where `crypto.subtle` is missing (an insecure browser
// context, some sandboxes), the Rust HMAC answers instead.
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/** Imported keys, by their bytes: importing costs about as much as verifying a small body. */
const imported = new Map();
const MAX_IMPORTED_KEYS = 16;

/** Whether WebCrypto's `subtle.verify` is usable here. */
export function spotdraftSubtleAvailable() {
  return typeof crypto === 'object' && crypto !== null && typeof crypto.subtle === 'object' && crypto.subtle !== null && typeof crypto.subtle.verify === 'function';
}

/**
 * Index of the first key (raw bytes) whose HMAC-SHA512 of `body` is `signature`, or -1.
 * WebCrypto's `verify` compares in constant time.
 */
export async function spotdraftHmacSha512Match(keys, signature, body) {
  for (let i = 0; i < keys.length; i++) {
    const key = await importKey(keys[i]);
    if (await crypto.subtle.verify('HMAC', key, signature, body)) return i;
  }
  return -1;
}

function importKey(bytes) {
  const id = String.fromCharCode.apply(null, bytes);
  let key = imported.get(id);
  if (key === undefined) {
    if (imported.size >= MAX_IMPORTED_KEYS) imported.delete(imported.keys().next().value);
    key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-512' }, false, ['verify']);
    imported.set(id, key);
    key.catch(() => imported.delete(id));
  }
  return key;
}
