// The portal's own API (/portal/api/…, scripts/lib/portal/api.mjs): records, their sync state,
// the create through the sync engine, and the sandbox controls. The session is an HttpOnly
// cookie, so nothing here holds a token. Failures become `PortalError`s shaped like a
// SpotDraftError (code, message, details, status), so errors.js shows both the same way.

export class PortalError extends Error {
  constructor({ code, message, details, status, spotdraftCode, requestId }, httpStatus) {
    super(message);
    this.name = 'SpotDraftError';
    this.code = code;
    this.details = details;
    this.status = status ?? httpStatus;
    this.spotdraftCode = spotdraftCode;
    this.requestId = requestId;
  }
}

async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new PortalError({ code: 'NETWORK', message: 'The portal server did not answer. Check that `npm start` is still running, then reload.' });
  }
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    throw new PortalError({ code: 'INVALID_RESPONSE', message: `The portal server answered HTTP ${response.status} without JSON.` }, response.status);
  }
  if (!response.ok) throw new PortalError(parsed.error ?? { code: 'HTTP_ERROR', message: `HTTP ${response.status}` }, response.status);
  return parsed;
}

export const portal = {
  signIn: (token) => call('POST', '/portal/session', { token }),
  session: () => call('GET', '/portal/api/session'),
  records: () => call('GET', '/portal/api/records'),
  record: (id) => call('GET', `/portal/api/records/${encodeURIComponent(id)}`),
  create: (id, payload) => call('POST', `/portal/api/records/${encodeURIComponent(id)}/contract`, payload),
  requestSignature: (compositeId) => call('POST', `/portal/api/sandbox/contracts/${compositeId}/request_signature`, {}),
  sign: (compositeId) => call('POST', `/portal/api/sandbox/contracts/${compositeId}/sign`, {}),
  throttle: () => call('POST', '/portal/api/sandbox/throttle', {}),
  clearFaults: () => call('POST', '/portal/api/sandbox/faults/clear', {}),
};
