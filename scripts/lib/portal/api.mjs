// The portal's own API (`/portal/…`), beside the server kit's proxy, receiver and feed:
// the CRM records with their sync state from the store, the create that goes through the
// sync engine (exactly once per record), the session cookie, and — against the local sandbox
// only — the sandbox controls that stand in for the counterparty. SpotDraft calls a page
// makes itself (template metadata, send, status, key data, download link) go through the
// proxy, never through here.
import { isSpotDraftError } from 'spotdraft-sync';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const MAX_BODY_BYTES = 256 * 1024;

const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
const failure = (status, code, message, details) => json(status, { error: details ? { code, message, details } : { code, message } });

/** The HTTP status a portal answer carries for a SpotDraftError code (the body has the code). */
const STATUS_BY_CODE = {
  INVALID_ARGUMENT: 400, VALIDATION_FAILED: 422, TEMPLATE_FIELD_MISMATCH: 422, BUSINESS_RULE: 409, CONFLICT: 409,
  UNAUTHORIZED: 401, FORBIDDEN: 403, CREATOR_ENTITY_MISMATCH: 403, NOT_FOUND: 404, TEMPLATE_INACCESSIBLE: 404,
  RATE_LIMITED: 429, STORE_ERROR: 503, TIMEOUT: 504,
};

/** A SpotDraftError as the portal's JSON error (code, message, details, SpotDraft's status and code). */
function errorAnswer(error) {
  if (!isSpotDraftError(error)) throw error;
  const body = { code: error.code, message: error.message };
  if (error.details?.length) body.details = error.details;
  if (error.status) body.status = error.status;
  if (error.spotdraftCode) body.spotdraftCode = error.spotdraftCode;
  if (error.requestId) body.requestId = error.requestId;
  return json(STATUS_BY_CODE[error.code] ?? 502, { error: body });
}

async function readJsonBody(request) {
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return { refused: failure(415, 'INVALID_ARGUMENT', 'Send the body as application/json.') };
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return { refused: failure(413, 'INVALID_ARGUMENT', `The body is over ${MAX_BODY_BYTES} bytes.`) };
  try {
    return { body: JSON.parse(text) };
  } catch {
    return { refused: failure(400, 'INVALID_ARGUMENT', 'The body is not JSON.', [{ path: '$', code: 'INVALID_ARGUMENT', message: 'Send a JSON object.' }]) };
  }
}

/** What the list shows of a record's sync state (null: nothing in the store yet). */
function syncSummary(record) {
  if (!record) return null;
  if (!record.contractId) return record.createIntent ? { creating: true } : null;
  return { contractId: record.contractId, compositeId: record.compositeId, status: record.status, statusObservedAt: record.statusObservedAt };
}

/**
 * `createPortalApi({ catalogue, engine, client, authorize, token, sandboxUrl, log })` →
 * `(request) => Promise<Response | null>` (null: not a portal API path).
 * `sandboxUrl` enables the sandbox controls; without it they answer 404.
 */
export function createPortalApi({ catalogue, engine, client, authorize, sandboxUrl, log = () => {} }) {
  const metadataByTemplate = new Map();

  const templateMetadata = (templateId) => {
    if (!metadataByTemplate.has(templateId)) {
      const loading = client.getTemplateMetadata(templateId);
      metadataByTemplate.set(templateId, loading);
      loading.catch(() => metadataByTemplate.delete(templateId));
    }
    return metadataByTemplate.get(templateId);
  };

  const storedRecord = (entry) => engine.getRecord(`external:${entry.id}`);

  /**
   * Creates the record's contract through the engine, which serialises creates per external
   * id: a second request for the same record (a double click, a retry after a lost answer)
   * waits for the first and then finds its contract in the store, so it sends nothing
   * (`FOUND_EXISTING`). Across processes and restarts the engine's create intents and lookups
   * take over (README, "Exactly once").
   */
  const createOnce = async (payload) => {
    const metadata = await templateMetadata(payload.contract_template_id);
    return engine.createContract(payload, { templateMetadata: metadata });
  };

  const sandboxControl = async (path, body) => {
    const response = await fetch(`${sandboxUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const text = await response.text();
    if (response.ok) return json(200, text ? JSON.parse(text) : {});
    let detail;
    try {
      detail = JSON.parse(text);
    } catch {
      detail = {};
    }
    const message = detail.message ?? detail.detail ?? `The sandbox answered HTTP ${response.status}.`;
    return failure(response.status === 402 ? 409 : response.status, response.status === 402 ? 'BUSINESS_RULE' : 'HTTP_ERROR', `Sandbox: ${message}`);
  };

  // [method, path pattern, handler, RECORD when the pattern's first group is a record id]
  const RECORD = true;
  const routes = [
    ['GET', /^\/portal\/api\/session$/, async () => json(200, { mode: sandboxUrl ? 'sandbox' : 'workspace', sandboxControls: Boolean(sandboxUrl) })],
    ['GET', /^\/portal\/api\/records$/, async () => {
      const records = await Promise.all(catalogue.list.map(async (entry) => ({
        id: entry.id, system: entry.system, objectType: entry.objectType, title: entry.title,
        counterparty: entry.counterparty, templateId: entry.templateId, sync: syncSummary(await storedRecord(entry)),
      })));
      return json(200, { records });
    }],
    ['GET', /^\/portal\/api\/records\/([^/]+)$/, async (_request, entry) => {
      const stored = await storedRecord(entry);
      return json(200, {
        id: entry.id, system: entry.system, objectType: entry.objectType, title: entry.title, counterparty: entry.counterparty,
        templateId: entry.templateId, record: entry.record, mapping: entry.mapping, sync: stored?.contractId ? stored : null,
      });
    }, RECORD],
    ['POST', /^\/portal\/api\/records\/([^/]+)\/contract$/, async (request, entry) => {
      const { body, refused } = await readJsonBody(request);
      if (refused) return refused;
      if (body?.external_metadata?.id !== entry.id) {
        return failure(400, 'INVALID_ARGUMENT', `This record's contract must carry external_metadata.id "${entry.id}": the portal creates contracts for its own records only.`,
          [{ path: 'external_metadata.id', code: 'INVALID_ARGUMENT', message: `Must be "${entry.id}".` }]);
      }
      const result = await createOnce(body);
      log({ event: 'portal.create', externalId: entry.id, outcome: result.outcome, attempts: result.attempts, contractId: result.record.contractId });
      return json(200, { outcome: result.outcome, attempts: result.attempts, record: result.record });
    }, RECORD],
    ['POST', /^\/portal\/api\/sandbox\/contracts\/([TH]-\d{1,18})\/(request_signature|sign)$/, async (_request, _entry, match) => {
      if (!sandboxUrl) return null;
      return sandboxControl(`/__sandbox/contracts/${match[1]}/${match[2]}`, {});
    }],
    ['POST', /^\/portal\/api\/sandbox\/throttle$/, async () => {
      if (!sandboxUrl) return null;
      // SpotDraft's 429 for the next 3 requests (one call and the client's 2 retries), as a busy
      // workspace would answer; nothing is left over to surprise a later call.
      return sandboxControl('/__sandbox/faults', { next_429: 3, retry_after_secs: 1 });
    }],
    ['POST', /^\/portal\/api\/sandbox\/faults\/clear$/, async () => {
      if (!sandboxUrl) return null;
      return sandboxControl('/__sandbox/faults', {});
    }],
  ];

  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/portal/session' && request.method === 'POST') return signIn(request, authorize);
    if (pathname === '/portal/session' && request.method === 'DELETE') return json(200, {}, { 'set-cookie': 'sd_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0' });
    if (!pathname.startsWith('/portal/api/')) return null;
    const principal = await authorize(request);
    if (!principal) return failure(401, 'UNAUTHORIZED', 'Sign in with the token `npm start` printed (the link it prints signs you in).');
    for (const [method, pattern, handle, recordRoute] of routes) {
      const match = pattern.exec(pathname);
      if (!match) continue;
      if (request.method !== method) return failure(405, 'INVALID_ARGUMENT', `Use ${method} for ${pathname}.`);
      let entry;
      if (recordRoute) {
        let id;
        try {
          id = decodeURIComponent(match[1]);
        } catch {
          id = match[1];
        }
        entry = catalogue.byId.get(id);
        if (!entry) return failure(404, 'NOT_FOUND', `No CRM record ${id}: pick one from the list.`);
      }
      try {
        const answer = await handle(request, entry, match);
        if (answer) return answer;
        break;
      } catch (error) {
        if (!isSpotDraftError(error)) {
          log({ level: 'error', event: 'portal.failed', path: pathname, error: error?.name });
          return failure(500, 'INTERNAL', 'The portal failed; its log has the details.');
        }
        return errorAnswer(error);
      }
    }
    return failure(404, 'NOT_FOUND', `Nothing is served at ${pathname}.`);
  };
}

/**
 * `POST /portal/session` with `{ token }`: the token `npm start` printed becomes an HttpOnly,
 * SameSite=Strict cookie, so the page never holds it in script (the proxy and the change feed
 * read the cookie; EventSource cannot send headers).
 */
async function signIn(request, authorize) {
  const { body, refused } = await readJsonBody(request);
  if (refused) return refused;
  const token = typeof body?.token === 'string' ? body.token : '';
  const principal = token && /^[\x21-\x7e]{1,512}$/.test(token)
    ? await authorize(new Request(request.url, { headers: { authorization: `Bearer ${token}` } }))
    : null;
  if (!principal) return failure(401, 'UNAUTHORIZED', 'That token is not this server\'s: use the link `npm start` printed, or SPOTDRAFT_SERVER_TOKEN.');
  return json(200, { signedIn: true }, { 'set-cookie': `sd_session=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict` });
}
