// Webhook verification's JS side of the boundary, in one call each way: reading SpotDraft's
// signature headers from a fetch `Headers`, anything with `entries()` (e.g. a `Map`), or a
// plain object such as Node's `req.headers`; and building the result object. Driving either
// from Rust cost a boundary crossing per header, value and field.
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/** The signature headers, by the kind number Rust maps back: 0 current, 1 legacy. */
const SIGNATURE_HEADERS = ['x-sd-webhook-content-hash', 'x-sd-content-hash'];

/**
 * SpotDraft's signature headers (either name, any case) as a flat array
 * `[kind, value, kind, value, …]` (`kind` 0 = X-SD-WEBHOOK-CONTENT-HASH, 1 = X-SD-CONTENT-HASH),
 * or `null` when `headers` is not an object (or is an array). No other header is read. String
 * values are kept; each element of an array value is one header line (a non-string element
 * counts as an empty line, so duplicates are never hidden); numbers become their decimal text;
 * other values are skipped. A fetch `Headers` joins repeated lines with ", " itself, which no
 * hex signature survives.
 */
export function spotdraftSignatureHeaders(headers) {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return null;
  const out = [];
  if (typeof Headers === 'function' && headers instanceof Headers) {
    for (let kind = 0; kind < SIGNATURE_HEADERS.length; kind++) {
      const value = headers.get(SIGNATURE_HEADERS[kind]);
      if (value !== null) out.push(kind, value);
    }
    return out;
  }
  if (typeof headers.entries === 'function') {
    for (const [name, value] of headers.entries()) add(out, name, value);
    return out;
  }
  for (const name of Object.keys(headers)) add(out, name, headers[name]);
  return out;
}

function add(out, name, value) {
  if (typeof name !== 'string') return;
  const kind = SIGNATURE_HEADERS.indexOf(name.toLowerCase());
  if (kind < 0) return;
  if (typeof value === 'string') out.push(kind, value);
  else if (Array.isArray(value)) for (const line of value) out.push(kind, typeof line === 'string' ? line : '');
  else if (typeof value === 'number') out.push(kind, String(value));
}

/** The `{ keyIndex, header }` object `verifyWebhookSignature` returns. */
export function spotdraftSignatureMatch(keyIndex, header) {
  return { keyIndex, header };
}
