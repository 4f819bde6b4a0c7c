// A `fetch` for SpotDraftClient that sends every request through the Apex method
// SpotDraftProxy.send, which calls SpotDraft through the Named Credential `SpotDraft`. The
// client (validation, retries, exactly-once creates, error codes) runs in the component; only
// the HTTP exchange goes through Apex, so SpotDraft's client secret never reaches the browser.
//
// Plain JavaScript with no LWC import, so it runs unchanged in node:test
// (tests/examples/salesforce-lwc.test.mjs).

/**
 * The base URL to give SpotDraftClient. It is never contacted: the adapter takes the path
 * and query of each URL and hands them to Apex. `.invalid` never resolves (RFC 2606), so a
 * client built without this adapter fails instead of reaching some host.
 */
export const APEX_BASE_URL = 'https://spotdraft-via-apex.invalid';

/**
 * Returns a function with the global `fetch` contract over `callApex`, the imported Apex
 * method (`import send from '@salesforce/apex/SpotDraftProxy.send'`), which is called as
 * `callApex({ method, path, body })` and resolves to `{ status, body, headers }`.
 *
 * - Request headers are not forwarded: the Named Credential adds SpotDraft's credentials,
 *   and Apex sets Accept and Content-Type itself. Proxy-mode headers (`headers` option of the
 *   client) therefore have no effect here.
 * - A rejected Apex call (a refused path, a CalloutException, the Apex action itself failing)
 *   rejects like a network failure of fetch, with the Apex message: the client reports
 *   NETWORK, retries what is safe to retry, and resolves an ambiguous create by looking the
 *   contract up by its external id.
 * - The client's per-attempt timeout and your `signal` reject the returned promise at once; the
 *   Apex call itself cannot be cancelled and runs to its own timeout (shorter than the
 *   client's: see SpotDraftProxy.TIMEOUT_MS).
 */
export function createApexFetch(callApex, { baseUrl = APEX_BASE_URL } = {}) {
  if (typeof callApex !== 'function') throw new TypeError('createApexFetch: callApex must be the imported Apex method');
  const origin = new URL(baseUrl);
  const prefix = origin.pathname.replace(/\/$/, '');
  return function apexFetch(url, init = {}) {
    let request;
    try {
      request = toApexRequest(url, init, origin, prefix);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal } = init;
    if (signal && signal.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(abortError(signal));
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      const done = () => signal && signal.removeEventListener('abort', onAbort);
      Promise.resolve()
        .then(() => callApex(request))
        .then(
          (result) => {
            done();
            try {
              resolve(toResponse(result));
            } catch (error) {
              reject(error);
            }
          },
          (error) => {
            done();
            reject(new TypeError(`SpotDraftProxy.send failed: ${apexMessage(error)}`));
          },
        );
    });
  };
}

/** `{ method, path, body }` for Apex from the client's `fetch(url, init)` call. */
export function toApexRequest(url, init, origin, prefix = '') {
  const target = new URL(String(url));
  if (target.origin !== origin.origin || !target.pathname.startsWith(`${prefix}/`)) {
    throw new TypeError(`apexFetch only sends to ${origin.origin}${prefix}/…, not ${target.origin}${target.pathname}`);
  }
  const method = String(init.method || 'GET').toUpperCase();
  const body = init.body === undefined || init.body === null ? null : String(init.body);
  return { method, path: target.pathname.slice(prefix.length) + target.search, body };
}

/** The Response-like object the client reads (`status`, `headers`, `text()`) from Apex's result. */
export function toResponse(result) {
  if (result === null || typeof result !== 'object' || !Number.isInteger(result.status)) {
    throw new TypeError(`SpotDraftProxy.send returned ${result === null ? 'null' : typeof result}, not { status, body, headers }`);
  }
  const headers = {};
  if (result.headers && typeof result.headers === 'object') {
    for (const [name, value] of Object.entries(result.headers)) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
  }
  const text = typeof result.body === 'string' ? result.body : '';
  return { status: result.status, headers, text: () => Promise.resolve(text) };
}

/**
 * The message of an Apex error as LWC delivers it (`{ body: { message } }`, or a list of them
 * in `body` for some page errors), or of any other thrown value.
 */
export function apexMessage(error) {
  const body = error && error.body;
  if (Array.isArray(body)) return body.map((b) => (b && b.message) || String(b)).join('; ');
  if (body && typeof body.message === 'string') return body.message;
  if (error && typeof error.message === 'string') return error.message;
  return String(error);
}

function abortError(signal) {
  const reason = signal && signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}
