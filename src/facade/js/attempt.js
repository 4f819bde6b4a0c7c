// One HTTP attempt of the client, in plain JS: the part of a call that only talks to `fetch`.
//
// Rust builds the request and reads the response; this file only moves them across `fetch`
// in one call each way, because every value crossing the wasm boundary one by one (init
// fields, headers, status, text()) cost more than the request itself on loopback
// (benches/client-overhead.bench.mjs). It never retries, never waits for a rate limit and
// never looks at a body: that is the Rust client's. The timer and the abort listener are
// plain JS functions, so one left over after a panic re-created the instance calls nothing
// of the old one.
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/**
 * Sends one request and reads its whole answer.
 *
 * Resolves to `[status, headersJson, body]` (`headersJson`: a JSON array of lowercased
 * `[name, value]` pairs; an opaque redirect gives status 0 and an empty body). Rejects with
 * `[kind, detail]`, kind one of `aborted` (the caller's signal fired), `timeout` (our timer
 * fired), `network` (fetch or the body read failed), `threw` (the fetch function threw),
 * `invalid` (what it resolved to is not Response-like; detail names what it was).
 */
export async function spotdraftAttempt(fetchFn, url, method, headersJson, body, timeoutMs, signal) {
  if (signal && signal.aborted) throw ['aborted', ''];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onAbort = () => controller.abort();
  if (signal) signal.addEventListener('abort', onAbort);
  const init = { method, headers: Object.fromEntries(JSON.parse(headersJson)), redirect: 'manual', signal: controller.signal };
  if (body !== undefined) init.body = body;
  const failed = (error, kind) => [
    signal && signal.aborted ? 'aborted' : controller.signal.aborted ? 'timeout' : kind,
    messageOf(error),
  ];
  try {
    let pending;
    try {
      pending = fetchFn ? fetchFn(url, init) : fetch(url, init);
    } catch (error) {
      throw failed(error, 'threw');
    }
    let response;
    try {
      response = await pending;
    } catch (error) {
      throw failed(error, 'network');
    }
    if (response === null || typeof response !== 'object') throw ['invalid', describe(response)];
    const status = response.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 0 || status > 999) {
      throw ['invalid', describe(response)];
    }
    if (response.type === 'opaqueredirect') return [0, '[]', ''];
    const headers = readHeaders(response.headers);
    if (typeof response.text !== 'function') throw ['invalid', 'an object without text()'];
    let text;
    try {
      text = await response.text();
    } catch (error) {
      throw failed(error, 'network');
    }
    return [status, headers, typeof text === 'string' ? text : ''];
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener('abort', onAbort);
  }
}

/** Header pairs of a `Headers`-like object (with `forEach`) or a plain object, as JSON. */
function readHeaders(headers) {
  const pairs = [];
  if (headers !== null && typeof headers === 'object') {
    if (typeof headers.forEach === 'function') {
      headers.forEach((value, name) => {
        if (typeof name === 'string' && typeof value === 'string') pairs.push([name.toLowerCase(), value]);
      });
    } else {
      for (const [name, value] of Object.entries(headers)) {
        if (typeof value === 'string') pairs.push([name.toLowerCase(), value]);
      }
    }
  }
  return JSON.stringify(pairs);
}

/** The message of a thrown value, with its `cause` (Node's fetch hides the reason there). */
function messageOf(error) {
  const text = (value) =>
    typeof value === 'string'
      ? value
      : value !== null && typeof value === 'object' && typeof value.message === 'string'
        ? value.message
        : undefined;
  let message = text(error) ?? describe(error);
  const cause = error !== null && typeof error === 'object' ? text(error.cause) : undefined;
  if (cause !== undefined) message += ` (${cause})`;
  return message;
}

/** How error messages name a JS value (the same words as the Rust facade's `type_name`). */
function describe(value) {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return 'an object';
}
