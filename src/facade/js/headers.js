// Reads request headers for webhook verification in one call: a `Headers`-like object (with
// `entries()`, e.g. `Headers` or `Map`) or a plain object such as Node's `req.headers`.
// Driving the iteration from Rust cost a boundary crossing per header and per value.
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/**
 * SpotDraft's headers (names starting with `x-sd-`, any case) as a JSON array of
 * `[name, value]` pairs, or `null` when `headers` is not an object (or is an array). Other
 * headers are not read: only the signature headers matter here. String values are kept; each
 * element of an array value is one header line (a non-string element counts as an empty line,
 * so duplicates are never hidden); numbers become their decimal text; other values are skipped.
 */
export function spotdraftHeaderPairs(headers) {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return null;
  const entries = typeof headers.entries === 'function' ? headers.entries() : Object.entries(headers);
  const pairs = [];
  for (const entry of entries) {
    const name = entry[0];
    const value = entry[1];
    if (typeof name !== 'string' || name.length < 5 || name.slice(0, 5).toLowerCase() !== 'x-sd-') continue;
    if (typeof value === 'string') pairs.push([name, value]);
    else if (Array.isArray(value)) for (const line of value) pairs.push([name, typeof line === 'string' ? line : '']);
    else if (typeof value === 'number') pairs.push([name, String(value)]);
  }
  return JSON.stringify(pairs);
}
