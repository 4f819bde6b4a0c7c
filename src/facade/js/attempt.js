// One HTTP attempt of the client, in plain JS: the part of a call that only talks to the network.
//
// Rust builds the request and reads the response; this file only moves them across the
// transport in one call each way, because every value crossing the wasm boundary one by one
// (init fields, headers, status, text()) cost more than the request itself on loopback
// (benches/client-overhead.bench.mjs). It never retries, never waits for a rate limit and
// never looks at a body: that is the Rust client's. Timers and listeners are plain JS
// functions, so one left over after a panic re-created the instance calls nothing of the old
// one.
//
// Three transports:
// - `fetch`: the user's fetch function when given, else the global `fetch`;
// - `hubspot.fetch` in a HubSpot UI-extension card, through the function `hubspotFetch`
//   returns (`spotdraftHubspotFetch`, `spotdraftHubspotAttempt` below);
// - in Node (20.16+, found through `process.getBuiltinModule`, so browser bundlers see no
//   `require`) without a user fetch: Node's own `http`/`https` modules with their keep-alive
//   global agents. On loopback a GET through them takes 0.65–0.8× as long as through Node's
//   `fetch` (undici builds a Request, a Response, web streams and an AbortSignal per call),
//   and a per-call timeout needs no AbortController (BENCHMARKS.md, "Client overhead").
//   Pass `fetch: globalThis.fetch` to use fetch instead (an undici dispatcher, fetch mocks).
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/**
 * The response headers the Rust client reads (`retry-after` for retries, `location` for the
 * REDIRECT error, the request-id names of `HttpResponse::request_id`, the server kit's
 * `spotdraft-sync-error` of src/api/server_kit_error.rs); no other header crosses
 * into wasm. Lowercase.
 */
const RESPONSE_HEADERS = new Set(['retry-after', 'location', 'x-request-id', 'request-id', 'x-sd-request-id', 'x-correlation-id', 'spotdraft-sync-error']);

/**
 * Sends one request and reads its whole answer.
 *
 * `headers` is an object of lowercase names to string values; it is copied, never changed.
 * Resolves to one string (one copy into wasm instead of a value per part):
 * `STATUS\nname\nvalue\n…\n\nBODY`, with the headers of `RESPONSE_HEADERS` that the response
 * had and a non-empty value without line breaks (as HTTP allows); an opaque redirect gives
 * status 0 and an empty body. Rejects with
 * `[kind, detail]`, kind one of `aborted` (the caller's signal fired), `timeout` (our timer
 * fired), `network` (no response, or the body read failed), `threw` (the request could not be
 * sent: the fetch function threw, or Node refused a header), `invalid` (what the fetch
 * function resolved to is not Response-like; detail names what it was), `refused` (not sent:
 * the request cannot go through this transport; detail says why and what to do).
 */
export function spotdraftAttempt(fetchFn, url, method, headers, body, timeoutMs, signal) {
  if (signal && signal.aborted) return Promise.reject(['aborted', '']);
  if (!fetchFn) {
    const node = nodeHttp();
    if (node !== null) return nodeAttempt(node, url, method, headers, body, timeoutMs, signal);
  }
  return fetchAttempt(fetchFn, url, method, headers, body, timeoutMs, signal);
}

async function fetchAttempt(fetchFn, url, method, headers, body, timeoutMs, signal) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onAbort = () => controller.abort();
  if (signal) signal.addEventListener('abort', onAbort);
  const init = { method, headers: { ...headers }, redirect: 'manual', signal: controller.signal };
  if (body !== undefined) init.body = body;
  const failed = (error, kind) => [
    signal && signal.aborted ? 'aborted' : controller.signal.aborted ? 'timeout' : isRefusal(error) ? 'refused' : kind,
    messageOf(error),
  ];
  try {
    let pending;
    try {
      pending = fetchFn ? fetchFn(url, init) : fetch(url, init);
    } catch (error) {
      throw ['threw', `the fetch function threw: ${messageOf(error)}`];
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
    if (response.type === 'opaqueredirect') return '0\n\n';
    if (typeof response.text !== 'function') throw ['invalid', 'an object without text()'];
    const head = headLines(status, response.headers);
    let text;
    try {
      text = await response.text();
    } catch (error) {
      throw failed(error, 'network');
    }
    return typeof text === 'string' ? head + text : head;
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The answer up to its body: the status, then name and value lines of the `RESPONSE_HEADERS`
 * of a `Headers`-like object (with `forEach`) or a plain object, then an empty line.
 */
function headLines(status, headers) {
  let head = `${status}\n`;
  if (headers === null || typeof headers !== 'object') return `${head}\n`;
  const keep = (value, name) => {
    if (typeof name !== 'string' || typeof value !== 'string' || value === '' || /[\r\n]/.test(value)) return;
    const lower = name.toLowerCase();
    if (RESPONSE_HEADERS.has(lower)) head += `${lower}\n${value}\n`;
  };
  if (typeof headers.forEach === 'function') {
    headers.forEach(keep);
  } else {
    for (const name of Object.keys(headers)) keep(headers[name], name);
  }
  return `${head}\n`;
}

/** Node's `http`, `https` and `zlib` modules, or `null` outside Node (or before 20.16). */
function nodeHttp() {
  if (nodeModules === undefined) nodeModules = findNodeModules();
  return nodeModules;
}

let nodeModules;

function findNodeModules() {
  try {
    const process = globalThis.process;
    if (process === null || typeof process !== 'object' || typeof process.getBuiltinModule !== 'function') return null;
    // Deno, Bun and workerd also offer `node:http` (over their own fetch) and call themselves
    // "node" in `process.release`; their `navigator.userAgent` tells them apart (Node 20 has
    // no `navigator`, later versions say "Node.js/…").
    if (process.release === null || typeof process.release !== 'object' || process.release.name !== 'node') return null;
    const agent = typeof navigator === 'object' && navigator !== null ? navigator.userAgent : undefined;
    if (agent !== undefined && !String(agent).startsWith('Node.js')) return null;
    const http = process.getBuiltinModule('node:http');
    const https = process.getBuiltinModule('node:https');
    const zlib = process.getBuiltinModule('node:zlib');
    return http && https && zlib ? { http, https, zlib } : null;
  } catch {
    return null;
  }
}

/**
 * The attempt through Node's `http`/`https`: same contract as `spotdraftAttempt`. The timer
 * and the caller's signal destroy the request; nothing of it outlives the returned promise.
 */
function nodeAttempt(node, url, method, headers, body, timeoutMs, signal) {
  return new Promise((resolve, reject) => {
    let request;
    let settled = false;
    let timedOut = false;
    const finish = (ok, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (signal) signal.removeEventListener('abort', onAbort);
      if (ok) {
        resolve(value);
      } else {
        reject(value);
        if (request !== undefined) request.destroy();
      }
    };
    const failed = (error) =>
      finish(false, [signal && signal.aborted ? 'aborted' : timedOut ? 'timeout' : 'network', messageOf(error)]);
    const onAbort = () => failed(new Error('aborted'));
    const timer = setTimeout(() => {
      timedOut = true;
      failed(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    if (signal) signal.addEventListener('abort', onAbort);
    const sent = { ...headers };
    if (!('accept-encoding' in sent)) sent['accept-encoding'] = 'gzip, deflate, br';
    if (body !== undefined) sent['content-length'] = String(Buffer.byteLength(body));
    try {
      const transport = url.startsWith('https:') ? node.https : node.http;
      request = transport.request(url, { method, headers: sent }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', failed);
        response.on('close', () => {
          if (!response.complete) failed(new Error('the connection closed before the response ended'));
        });
        response.on('end', () => {
          let text;
          try {
            text = decodeBody(node.zlib, response.headers['content-encoding'], Buffer.concat(chunks));
          } catch (error) {
            failed(error);
            return;
          }
          finish(true, headLines(response.statusCode, response.headers) + text);
        });
      });
    } catch (error) {
      finish(false, ['threw', messageOf(error)]);
      return;
    }
    request.on('error', failed);
    request.end(body);
  });
}

/** The body as text, decompressed per `Content-Encoding` as `fetch` would, without a BOM. */
function decodeBody(zlib, encoding, bytes) {
  let decoded = bytes;
  const codings = typeof encoding === 'string' ? encoding.toLowerCase().split(',').map((c) => c.trim()).filter((c) => c && c !== 'identity') : [];
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') decoded = zlib.gunzipSync(decoded, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    else if (coding === 'deflate') decoded = inflate(zlib, decoded);
    else if (coding === 'br') decoded = zlib.brotliDecompressSync(decoded);
    else throw new Error(`the response has an unknown Content-Encoding "${coding}"`);
  }
  const text = decoded.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `deflate` as servers send it: zlib-wrapped, or (some servers) raw. */
function inflate(zlib, bytes) {
  return bytes.length > 0 && (bytes[0] & 0x0f) === 0x08 ? zlib.inflateSync(bytes) : zlib.inflateRawSync(bytes);
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

// HubSpot UI extensions: `hubspot.fetch(url, { method, timeout, body, headers })` is not the
// fetch contract (no signal, an object body, only the Authorization header, upstream errors
// wrapped by HubSpot's proxy). `hubspotFetch(hubspot.fetch)` (src/facade/hubspot.rs) returns a
// function that carries `hubspot.fetch` under HUBSPOT_FETCH; the client recognises it and sends
// through `spotdraftHubspotAttempt`. What may be sent and what HubSpot's answers mean is decided
// in Rust (src/transport/hubspot.rs, tested natively): this part only moves the request across.

const HUBSPOT_FETCH = Symbol.for('spotdraft-sync.hubspotFetch');

/**
 * The transport `hubspotFetch(hubspot.fetch)` returns, for the `fetch` option of
 * SpotDraftClient: a function carrying `hubspotFetchFn` under
 * `Symbol.for('spotdraft-sync.hubspotFetch')`. It is not a general-purpose fetch: called
 * directly, or wrapped in another function (which hides the mark from the client), it rejects
 * with a SpotDraftError (INVALID_ARGUMENT) saying so, and sends nothing.
 */
export function spotdraftHubspotFetch(hubspotFetchFn) {
  const transport = function hubspotFetchTransport() {
    const error = new Error(
      'The function hubspotFetch(hubspot.fetch) returns only works as the `fetch` option of SpotDraftClient, passed as it is: it was called directly or from another function, so nothing was sent. Pass it unwrapped: new SpotDraftClient({ baseUrl, fetch: hubspotFetch(hubspot.fetch) }).',
    );
    error.name = 'SpotDraftError';
    error.code = 'INVALID_ARGUMENT';
    error[HUBSPOT_FETCH] = 'refused';
    return Promise.reject(error);
  };
  Object.defineProperty(transport, HUBSPOT_FETCH, { value: hubspotFetchFn });
  return transport;
}

/** Whether `error` is the refusal of a `hubspotFetch` transport called the wrong way. */
function isRefusal(error) {
  return error !== null && typeof error === 'object' && error[HUBSPOT_FETCH] === 'refused';
}

/**
 * One request through `hubspot.fetch` (the function inside a `hubspotFetch` transport), with
 * the answer and rejection contract of `spotdraftAttempt`. Rust has checked the headers (only
 * `authorization` comes here), the body's size and capped `timeoutMs` at HubSpot's 120 s.
 *
 * `body` is JSON text; HubSpot takes an object (and stringifies it again), so it is parsed
 * here, and anything but a JSON object is refused before sending. hubspot.fetch takes no
 * signal: an abort or our timer settles the returned promise at once, but the request itself
 * cannot be cancelled and runs on at HubSpot; its late answer is dropped. `localTimeoutMs` (a
 * little over `timeoutMs`) only guards against a host that never answers: HubSpot's own timeout
 * (504) normally comes first and says more. The answer has no headers: HubSpot forwards none
 * of the upstream's, and its own (a request id, say) are not SpotDraft's.
 */
export function spotdraftHubspotAttempt(hubspotFetchFn, url, method, authorization, body, timeoutMs, localTimeoutMs, signal) {
  if (signal && signal.aborted) return Promise.reject(['aborted', '']);
  const options = { method, timeout: timeoutMs };
  if (authorization !== undefined) options.headers = { Authorization: authorization };
  if (body !== undefined) {
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return Promise.reject(['refused', 'its body is not JSON, and hubspot.fetch sends only a JSON object']);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return Promise.reject(['refused', `its body is ${describe(parsed)}, and hubspot.fetch sends only a JSON object`]);
    }
    options.body = parsed;
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (ok, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (signal) signal.removeEventListener('abort', onAbort);
      if (ok) resolve(value);
      else reject(value);
    };
    const onAbort = () => finish(false, ['aborted', '']);
    const timer = setTimeout(() => finish(false, ['timeout', `hubspot.fetch did not settle within ${localTimeoutMs} ms`]), localTimeoutMs);
    if (signal) signal.addEventListener('abort', onAbort);
    let pending;
    try {
      pending = hubspotFetchFn(url, options);
    } catch (error) {
      finish(false, ['threw', `hubspot.fetch threw: ${messageOf(error)}`]);
      return;
    }
    Promise.resolve(pending)
      .then(readHubspotResponse)
      .then(
        (answer) => finish(true, answer),
        (error) => finish(false, Array.isArray(error) ? error : ['network', messageOf(error)]),
      );
  });
}

/** `STATUS\n\nBODY` of what hubspot.fetch resolved to (a Response; `json()` if it has no `text()`). */
async function readHubspotResponse(response) {
  if (response === null || typeof response !== 'object') throw ['invalid', describe(response)];
  const status = response.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 0 || status > 999) {
    throw ['invalid', describe(response)];
  }
  let text;
  if (typeof response.text === 'function') text = await response.text();
  else if (typeof response.json === 'function') text = JSON.stringify(await response.json());
  else throw ['invalid', 'an object without text()'];
  return `${status}\n\n${typeof text === 'string' ? text : ''}`;
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
