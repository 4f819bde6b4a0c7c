// Reads SpotDraft's webhook headers in one call: from a fetch `Headers`, anything with
// `entries()` (e.g. a `Map`), or a plain object such as Node's `req.headers`. Driving the
// iteration from Rust cost a boundary crossing per header and per value.
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

const SIGNATURE_HEADERS = ['x-sd-webhook-content-hash', 'x-sd-content-hash'];

/**
 * SpotDraft's headers (names starting with `x-sd-`, any case) as a flat array
 * `[name, value, name, value, …]`, or `null` when `headers` is not an object (or is an array).
 * Other headers are not read: only the signature headers matter here. String values are kept;
 * each element of an array value is one header line (a non-string element counts as an empty
 * line, so duplicates are never hidden); numbers become their decimal text; other values are
 * skipped. A fetch `Headers` joins repeated lines with ", " itself, which no hex signature
 * survives.
 */
export function spotdraftSdHeaders(headers) {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return null;
  const out = [];
  if (typeof Headers === 'function' && headers instanceof Headers) {
    for (const name of SIGNATURE_HEADERS) {
      const value = headers.get(name);
      if (value !== null) out.push(name, value);
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
  if (typeof name !== 'string' || name.length < 5 || name.slice(0, 5).toLowerCase() !== 'x-sd-') return;
  if (typeof value === 'string') out.push(name, value);
  else if (Array.isArray(value)) for (const line of value) out.push(name, typeof line === 'string' ? line : '');
  else if (typeof value === 'number') out.push(name, String(value));
}
