// OUR FAKE of the card side of `hubspot.fetch` (HubSpot's own is closed source): what a card's
// `hubspot.fetch(url, options)` does between the card and HubSpot's proxy. Plain JS for Node and
// browsers (the Chromium card test loads this file in its fake host page).
//
// Written from HubSpot's code and docs, not copied: the request it POSTs is what the REAL proxy
// (@hubspot/ui-extensions-dev-server AppProxyService.js, run by hubspot-dev-proxy.mjs) reads —
// `{ requestUri, method, requestTimeoutMillis, requestBody, requestHeaders }` to `/proxy`; the
// options are `HubSpotFetchOptions` of @hubspot/ui-extensions 0.17.0; the default timeout (15 s),
// the 120 s cap and the single retry "if there are issues establishing a connection, or if the
// request fails with a 5XX status code within the timeout window" are HubSpot's docs
// (shared/hosts.md). HubSpot runs that retry on its backend; here it runs in the fake, with the
// time left in the window.
//
// What the card's Response holds is not documented. `mode: 'envelope'` (the default) hands the
// card the proxy's answer as it is (status and the JSON envelope); `mode: 'unwrapped'` turns the
// success and BAD_GATEWAY envelopes into the upstream status and body. The client must handle
// both.

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_TIMEOUT_MS = 120_000;

/**
 * A `hubspot.fetch` that goes through the proxy at `proxyUrl` (the dev server's origin).
 * `stats.proxyCalls` counts the POSTs to `/proxy` (retries included). `fetchImpl` is the host's
 * own fetch (the card's global fetch is the one that throws).
 */
export function createHubSpotFetch({ proxyUrl, mode = 'envelope', fetchImpl = globalThis.fetch.bind(globalThis), stats = { proxyCalls: 0 } }) {
  const hubspotFetch = async (url, options = {}) => {
    const timeout = Math.min(options.timeout ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
    const request = {
      requestUri: String(url),
      method: options.method ?? 'GET',
      requestTimeoutMillis: timeout,
      requestBody: options.body,
      requestHeaders: headersObject(options.headers),
    };
    const deadline = Date.now() + timeout;
    let answer = await post(request);
    const left = deadline - Date.now();
    if (shouldRetry(answer) && left > 0) answer = await post({ ...request, requestTimeoutMillis: left });
    if (answer.failed) throw new TypeError(`Failed to fetch (${answer.failed})`);
    return toResponse(answer, mode);
  };
  const post = async (request) => {
    stats.proxyCalls++;
    try {
      const response = await fetchImpl(`${proxyUrl}/proxy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      return { failed: error && error.message ? error.message : String(error) };
    }
  };
  return hubspotFetch;
}

function headersObject(headers) {
  if (headers === undefined || headers === null) return undefined;
  if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    const out = {};
    headers.forEach((value, name) => (out[name] = value));
    return out;
  }
  return { ...headers };
}

function envelopeOf(text) {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && (value.status === 'success' || value.status === 'error') ? value : undefined;
  } catch {
    return undefined;
  }
}

function upstreamStatus(envelope) {
  const code = envelope?.context?.appServerStatusCode;
  const first = Array.isArray(code) ? code[0] : code;
  const status = Number(first);
  return Number.isInteger(status) ? status : undefined;
}

/** A failed connection to HubSpot, a 5xx of HubSpot, or a wrapped upstream 5xx. */
function shouldRetry(answer) {
  if (answer.failed) return true;
  if (answer.status >= 500) return true;
  const envelope = envelopeOf(answer.text);
  return envelope?.category === 'BAD_GATEWAY' && (upstreamStatus(envelope) ?? 0) >= 500;
}

function toResponse(answer, mode) {
  const envelope = envelopeOf(answer.text);
  if (mode === 'unwrapped' && envelope && (envelope.status === 'success' || envelope.category === 'BAD_GATEWAY')) {
    const status = upstreamStatus(envelope) ?? answer.status;
    const body = envelope.responseBody === undefined ? '' : typeof envelope.responseBody === 'string' ? envelope.responseBody : JSON.stringify(envelope.responseBody);
    return response(status, body);
  }
  return response(answer.status, answer.text);
}

/** A Response, or a Response-like where `Response` refuses the status (e.g. 1xx) or body. */
function response(status, body) {
  const nullBody = status === 204 || status === 205 || status === 304;
  try {
    return new Response(nullBody ? null : body, { status, headers: { 'content-type': 'application/json' } });
  } catch {
    return { status, ok: status >= 200 && status < 300, headers: new Headers(), text: async () => body, json: async () => JSON.parse(body) };
  }
}
