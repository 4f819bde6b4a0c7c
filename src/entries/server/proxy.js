// createProxy(options): the credential proxy a browser portal or a CRM card calls instead of
// SpotDraft. A `SpotDraftClient({ baseUrl: proxyUrl })` without credentials sends SpotDraft's
// own paths (`/api/v2.1/public/…`) here; the proxy authenticates the caller (`authorize`),
// forwards only the playbook's operations (the decision is the Rust core's,
// `classifyProxyRequest`), lets a per-principal hook refuse a record (`allow`), adds
// SpotDraft's credentials, keeps one workspace rate budget for every caller
// (`ProxyRateBudget`, the core's limiter), deduplicates a create that a host retried, and
// answers JSON only — never a 3xx (`hubspot.fetch` cannot follow one).
//
// hubspotSignatureAuthorizer({ appSecret }): a ready `authorize` for requests from a HubSpot
// card (`hubspot.fetch`), by HubSpot's X-HubSpot-Signature-v3 (the core's
// `verifyHubSpotSignature`).
//
// Nothing here logs or answers SpotDraft's client-secret, the HubSpot app secret, a signature
// or a signed download URL: log entries hold only the operation's kind, status, error code
// and timings; the download link's answer goes to its caller and nowhere else.
import { OWN_ERROR_HEADER, errorResponse, invalidOption, logger, readLimitedBody } from './http.js';
import { classifyProxyRequest, verifyHubSpotSignature, ProxyRateBudget, proxyOperationKinds, isSpotDraftError } from 'spotdraft-sync';

const REGIONS = {
  in: 'https://api.in.spotdraft.com',
  us: 'https://api.us.spotdraft.com',
  eu: 'https://api.eu.spotdraft.com',
  me: 'https://api.me.spotdraft.com',
};
const MIB = 1024 * 1024;
const DEFAULTS = { maxBodyBytes: MIB, timeoutMs: 30_000, maxRequestsPerSecond: 10, dedupeWindowMs: 120_000 };
const OPTION_KEYS = new Set([
  'clientId', 'clientSecret', 'region', 'baseUrl', 'authorize', 'allow', 'operations', 'userEmail',
  'maxBodyBytes', 'timeoutMs', 'maxRequestsPerSecond', 'rateBudget', 'dedupeWindowMs', 'lookupBeforeCreate', 'basePath', 'hostQuery', 'fetch', 'log',
]);
/** The query parameters HubSpot appends to a card's `hubspot.fetch` requests. */
export const HUBSPOT_QUERY_PARAMETERS = Object.freeze(['portalId', 'userId', 'userEmail', 'appId']);

/** A SpotDraftError (`INVALID_ARGUMENT`) for a wrong option; the value itself is not shown. */
const optionError = invalidOption;

const nonEmptyString = (v) => typeof v === 'string' && v.length > 0;
const positiveInteger = (v) => Number.isInteger(v) && v > 0;

/** The wait a shared budget (`options.rateBudget`) books, as the client checks it (src/core/rate_limit.rs). */
async function sharedWait(rateBudget) {
  let wait;
  try {
    wait = await rateBudget.reserve();
  } catch {
    throw new Refused(503, 'STORE_ERROR', 'The shared rate budget could not be booked; nothing was sent to SpotDraft. Retry shortly.');
  }
  if (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0) throw new Refused(500, 'INTERNAL', 'The shared rate budget answered something that is not a wait in milliseconds; nothing was sent.');
  if (wait > 60_000) throw new Refused(429, 'RATE_LIMITED', 'The shared rate budget is booked more than 60 s ahead; nothing was sent. Retry later.');
  return wait;
}

function readOptions(options) {
  if (options === null || typeof options !== 'object') throw optionError('options', 'must be an object such as { clientId, clientSecret, region, authorize }');
  for (const key of Object.keys(options)) if (!OPTION_KEYS.has(key)) throw optionError(`options.${key}`, 'is not an option of createProxy');
  if (!nonEmptyString(options.clientId)) throw optionError('options.clientId', 'must be your SpotDraft client-id (a non-empty string)');
  if (!nonEmptyString(options.clientSecret)) throw optionError('options.clientSecret', 'must be your SpotDraft client-secret (a non-empty string)');
  if ((options.region === undefined) === (options.baseUrl === undefined)) throw optionError('options.region', 'or options.baseUrl: give exactly one (region "in" | "us" | "eu" | "me", or a base URL such as the sandbox)');
  let origin;
  if (options.region !== undefined) {
    origin = typeof options.region === 'string' ? REGIONS[options.region.toLowerCase()] : undefined;
    if (!origin) throw optionError('options.region', 'must be "in", "us", "eu" or "me"');
  } else {
    let url;
    try { url = new URL(options.baseUrl); } catch { throw optionError('options.baseUrl', 'must be an absolute http(s) URL'); }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw optionError('options.baseUrl', 'must be an absolute http(s) URL');
    origin = url.href.replace(/\/+$/, '').replace(/\/api$/, '');
  }
  if (typeof options.authorize !== 'function') throw optionError('options.authorize', 'must be a function (request) => principal | null (null answers 401)');
  for (const name of ['allow', 'userEmail', 'fetch', 'log']) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw optionError(`options.${name}`, 'must be a function');
  }
  const kinds = proxyOperationKinds();
  let operations = new Set(kinds);
  if (options.operations !== undefined) {
    if (!Array.isArray(options.operations)) throw optionError('options.operations', `must be an array of operation names (${kinds.join(', ')})`);
    options.operations.forEach((kind, i) => {
      if (!kinds.includes(kind)) throw optionError(`options.operations[${i}]`, `must be one of ${kinds.join(', ')}`);
    });
    operations = new Set(options.operations);
  }
  if (options.rateBudget !== undefined) {
    if (typeof options.rateBudget?.reserve !== 'function') throw optionError('options.rateBudget', 'must be a shared rate budget with reserve(), e.g. new PostgresRateBudget(…) from spotdraft-sync/server/postgres');
    if (options.maxRequestsPerSecond !== undefined) throw optionError('options.maxRequestsPerSecond', 'cannot be used with options.rateBudget: give the rate to the budget');
  }
  const numbers = {};
  for (const [name, fallback] of Object.entries(DEFAULTS)) {
    const value = options[name] ?? fallback;
    const ok = name === 'dedupeWindowMs' ? Number.isInteger(value) && value >= 0 : name === 'maxRequestsPerSecond' ? Number.isFinite(value) && value > 0 && value <= 1_000_000 : positiveInteger(value);
    if (!ok) throw optionError(`options.${name}`, name === 'maxRequestsPerSecond' ? 'must be a number > 0 and at most 1000000' : 'must be a positive whole number');
    numbers[name] = value;
  }
  let basePath = '';
  if (options.basePath !== undefined) {
    if (typeof options.basePath !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(options.basePath)) throw optionError('options.basePath', 'must be a path such as "/sd" (no trailing slash)');
    basePath = options.basePath;
  }
  if (options.lookupBeforeCreate !== undefined && typeof options.lookupBeforeCreate !== 'boolean') throw optionError('options.lookupBeforeCreate', 'must be true or false');
  const hostQuery = options.hostQuery ?? options.authorize.hostQuery ?? [];
  if (!Array.isArray(hostQuery) || !hostQuery.every(nonEmptyString)) throw optionError('options.hostQuery', 'must be an array of query parameter names');
  return {
    ...numbers,
    origin,
    basePath,
    hostQuery: [...hostQuery],
    operations,
    lookupBeforeCreate: options.lookupBeforeCreate === true,
    credentials: { 'client-id': options.clientId, 'client-secret': options.clientSecret },
    authorize: options.authorize,
    allow: options.allow,
    userEmail: options.userEmail,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    log: options.log,
    rateBudget: options.rateBudget,
  };
}

class Refused extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * The body as UTF-8 text, refusing more than `limit` bytes (413) without keeping them; the rest
 * of an oversized body is read and dropped up to 4 × `limit` so that the client gets the 413.
 */
async function readBody(request, limit) {
  const bytes = await readLimitedBody(request, limit, { drainUpTo: 4 * limit });
  if (bytes === null) throw new Refused(413, 'PAYLOAD_TOO_LARGE', `The request body is over this proxy's limit of ${limit} bytes.`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Refused(400, 'INVALID_ARGUMENT', 'The request body is not UTF-8 JSON.', [{ path: '$.body', message: 'not UTF-8' }]);
  }
}

function isJsonType(value) {
  if (!value) return false;
  const type = value.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The create deduplication: one entry per `external_metadata.id`, kept `windowMs` after it
 * settled. A create whose id has an entry in flight waits for it and gets its answer; one
 * whose id had a successful create within the window gets that answer again; one whose id
 * had an ambiguous failure (5xx, network, timeout: SpotDraft may have made the contract)
 * looks the id up first and answers the contract found instead of creating again.
 *
 * With `lookupAlways` (the proxy's `lookupBeforeCreate`), every create not answered from the
 * map looks its id up first, which also catches a retry that reaches another process or
 * arrives after a restart, at the cost of one more request per create and of never making a
 * second contract for one external id.
 *
 * What it does not cover: without `lookupBeforeCreate`, several proxy processes or machines
 * (each has its own map) and a restart (the map is lost); in every case a retry after the
 * window, and a SpotDraft lookup that does not yet see a contract made moments ago (the lookup
 * is made once, not repeated over a settle window as the client's own create does).
 */
class CreateDedupe {
  constructor(windowMs, lookupAlways) {
    this.windowMs = windowMs;
    this.lookupAlways = lookupAlways;
    this.entries = new Map();
  }

  sweep(now) {
    for (const [key, entry] of this.entries) {
      if (!entry.done || now - entry.at <= this.windowMs) break;
      this.entries.delete(key);
    }
  }

  /** Runs `create` (or `lookup` then `create`) for `key` once; concurrent callers share it. */
  async run(key, { create, lookup }) {
    const now = Date.now();
    this.sweep(now);
    const entry = this.entries.get(key);
    if (entry && !entry.done) return { answer: await entry.promise, replayed: true };
    if (entry && entry.answer.outcome === 'ok') return { answer: entry.answer, replayed: true };
    const lookupFirst = this.lookupAlways || entry?.answer.outcome === 'ambiguous';
    const promise = (async () => {
      if (lookupFirst) {
        const found = await lookup();
        if (found) return found;
      }
      return create();
    })();
    const pending = { done: false, promise };
    this.entries.delete(key);
    this.entries.set(key, pending);
    let answer;
    try {
      answer = await promise;
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
    if (this.windowMs === 0) this.entries.delete(key);
    else {
      this.entries.delete(key);
      this.entries.set(key, { done: true, at: Date.now(), answer });
    }
    return { answer, replayed: false };
  }
}

/** The outcome of an answer for deduplication: ok (2xx), ambiguous (5xx/network), refused. */
const outcomeOf = (status, reachedSpotDraft) => (status >= 200 && status < 300 ? 'ok' : !reachedSpotDraft || status >= 500 ? 'ambiguous' : 'refused');

/**
 * Creates the credential proxy: a fetch-standard handler `(request) => Promise<Response>`.
 * See README "Server kit → Credential proxy" and index.d.ts for the options and answers.
 */
export function createProxy(options) {
  const config = readOptions(options);
  const budget = new ProxyRateBudget(config.maxRequestsPerSecond);
  const dedupe = new CreateDedupe(config.dedupeWindowMs, config.lookupBeforeCreate);
  const log = logger(config.log, 'proxy');

  /** One request to SpotDraft, within the budget; resolves a buffered answer. */
  async function send(method, forward, body, principal, operation) {
    const wait = config.rateBudget ? await sharedWait(config.rateBudget) : budget.reserve(Date.now());
    if (wait > 0) await sleep(wait);
    const headers = { accept: 'application/json', ...config.credentials };
    if (config.userEmail) {
      const email = await config.userEmail(principal, operation);
      if (email !== undefined && email !== null) {
        if (!nonEmptyString(email)) throw new Error('createProxy: options.userEmail must return a string, null or undefined');
        headers['user-email'] = email;
      }
    }
    if (body !== '') headers['content-type'] = 'application/json';
    let response;
    try {
      response = await config.fetch(`${config.origin}${forward}`, {
        method,
        headers,
        body: body === '' ? undefined : body,
        redirect: 'manual',
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (error) {
      const timeout = error?.name === 'TimeoutError';
      return {
        status: timeout ? 504 : 502,
        text: JSON.stringify({ error: timeout
          ? { code: 'TIMEOUT', message: `SpotDraft did not answer within ${config.timeoutMs} ms.` }
          : { code: 'NETWORK', message: 'The proxy could not reach SpotDraft.' } }),
        headers: { [OWN_ERROR_HEADER]: timeout ? 'TIMEOUT' : 'NETWORK' },
        outcome: 'ambiguous',
      };
    }
    const status = response.status;
    if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
      await response.body?.cancel().catch(() => {});
      return {
        status: 502,
        text: JSON.stringify({ error: { code: 'REDIRECT', message: `SpotDraft answered ${status || 'a redirect'}; the proxy never follows redirects (usually a wrong base URL or trailing slash).` } }),
        headers: { [OWN_ERROR_HEADER]: 'REDIRECT' },
        outcome: 'refused',
      };
    }
    const text = await response.text();
    const kept = {};
    for (const name of ['retry-after', 'x-request-id']) {
      const value = response.headers.get(name);
      if (value !== null) kept[name] = value;
    }
    if (text !== '') {
      try {
        JSON.parse(text);
      } catch {
        return {
          status: 502,
          text: JSON.stringify({ error: { code: 'INVALID_RESPONSE', message: `SpotDraft answered ${status} with a body that is not JSON.` } }),
          headers: { ...kept, [OWN_ERROR_HEADER]: 'INVALID_RESPONSE' },
          outcome: outcomeOf(status, true),
        };
      }
    }
    return { status, text, headers: kept, outcome: outcomeOf(status, true) };
  }

  const toResponse = (answer, extra = {}) => {
    const noBody = answer.status === 204 || answer.status === 205 || answer.text === '';
    return new Response(noBody ? null : answer.text, {
      status: answer.status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers, ...extra },
    });
  };

  /** The contract SpotDraft already has for `externalId`, as a create answer, or undefined. */
  async function lookup(externalId, principal, operation) {
    const found = await send('GET', `/api/v2.1/public/contracts/by_external_metadata/${encodeURIComponent(externalId)}`, '', principal, operation);
    if (found.status !== 200) return undefined;
    let items;
    try { items = JSON.parse(found.text); } catch { return undefined; }
    if (!Array.isArray(items)) return undefined;
    const number = (c) => Number(String(c?.contract_id ?? c?.id ?? '').replace(/^[TH]-/, '')) || 0;
    const newest = items.flat().filter((c) => c && typeof c === 'object').sort((a, b) => number(b) - number(a))[0];
    return newest ? { status: 201, text: JSON.stringify(newest), headers: {}, outcome: 'ok' } : undefined;
  }

  return async function spotdraftProxy(request) {
    const started = Date.now();
    let kind;
    const done = (response, extra = {}) => {
      log({ event: 'proxy.request', kind: kind ?? null, method: request.method, status: response.status, ms: Date.now() - started, ...extra });
      return response;
    };
    try {
      const url = new URL(request.url);
      let path = url.pathname;
      if (config.basePath) {
        if (path !== config.basePath && !path.startsWith(`${config.basePath}/`)) throw new Refused(403, 'FORBIDDEN', 'The proxy forwards only requests under its base path.');
        path = path.slice(config.basePath.length) || '/';
      }
      const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await readBody(request, config.maxBodyBytes);
      if (body !== '' && !isJsonType(request.headers.get('content-type'))) {
        throw new Refused(415, 'UNSUPPORTED_MEDIA_TYPE', 'The proxy forwards JSON bodies only: send content-type: application/json.');
      }
      // authorize sees the request with its body still readable (and the text, to spare a copy).
      const forAuthorize = body === '' ? request : new Request(request.url, { method: request.method, headers: request.headers, body });
      const principal = await config.authorize(forAuthorize, { body });
      if (principal === null || principal === undefined) throw new Refused(401, 'UNAUTHORIZED', 'The proxy could not authenticate this request.');

      let classified;
      try {
        classified = classifyProxyRequest(request.method, `${path}${url.search}`, body === '' ? undefined : body, config.hostQuery);
      } catch (error) {
        if (isSpotDraftError(error) && error.code === 'INVALID_ARGUMENT') throw new Refused(400, 'INVALID_ARGUMENT', error.message, error.details);
        if (isSpotDraftError(error) && error.code === 'FORBIDDEN') throw new Refused(403, 'FORBIDDEN', error.message);
        throw error;
      }
      const { operation } = classified;
      kind = operation.kind;
      if (!config.operations.has(kind)) throw new Refused(403, 'FORBIDDEN', `This proxy does not forward ${kind}.`);
      if (config.allow && !(await config.allow(principal, operation))) {
        throw new Refused(403, 'FORBIDDEN', `You may not ${kind} for this record.`);
      }

      if (kind === 'createContract' && operation.externalId !== null) {
        const { answer, replayed } = await dedupe.run(operation.externalId, {
          create: () => send(classified.method, classified.forward, body, principal, operation),
          lookup: () => lookup(operation.externalId, principal, operation),
        });
        return done(toResponse(answer, replayed ? { 'x-spotdraft-proxy-replayed': 'true' } : {}), { replayed });
      }
      const answer = await send(classified.method, classified.forward, body, principal, operation);
      return done(toResponse(answer));
    } catch (error) {
      if (error instanceof Refused) {
        return done(errorResponse(error.status, error.code, error.message, { details: error.details?.map(({ path, message }) => ({ path, message })) }), { code: error.code });
      }
      // A bug (or a throwing hook): 500 without its message, which may hold what it should not.
      return done(errorResponse(500, 'INTERNAL', 'The proxy failed on this request; see its log.'), { code: 'INTERNAL' });
    }
  };
}

/**
 * A ready `authorize` for requests from a HubSpot card (`hubspot.fetch`): checks
 * X-HubSpot-Signature-v3 (HMAC-SHA256 under the app's client secret over method + URI + body +
 * timestamp, refused after 5 minutes) and returns a principal, or null on a missing, forged,
 * expired or replayed-after-5-minutes signature.
 */
export function hubspotSignatureAuthorizer(options) {
  if (options === null || typeof options !== 'object') throw optionError('options', 'must be { appSecret, principal?, uri?, log? }');
  for (const key of Object.keys(options)) if (!['appSecret', 'principal', 'uri', 'log'].includes(key)) throw optionError(`options.${key}`, 'is not an option of hubspotSignatureAuthorizer');
  const { appSecret, principal, uri, log } = options;
  if (!nonEmptyString(appSecret)) throw optionError('options.appSecret', "must be your HubSpot app's client secret (a non-empty string)");
  for (const [name, value] of Object.entries({ principal, uri, log })) {
    if (value !== undefined && typeof value !== 'function') throw optionError(`options.${name}`, 'must be a function');
  }
  const logRefusal = logger(log, 'hubspot');
  const authorize = async (request, context) => {
    const body = typeof context?.body === 'string' ? context.body : request.body ? await request.clone().text() : '';
    const refusal = verifyHubSpotSignature({
      method: request.method,
      uri: uri ? uri(request) : request.url,
      body,
      timestamp: request.headers.get('x-hubspot-request-timestamp'),
      signature: request.headers.get('x-hubspot-signature-v3'),
    }, appSecret, Date.now());
    if (refusal !== null) {
      logRefusal({ event: 'hubspot.signature.refused', reason: refusal });
      return null;
    }
    const query = new URL(request.url).searchParams;
    const payload = {
      source: 'hubspot',
      portalId: query.get('portalId'),
      userId: query.get('userId'),
      userEmail: query.get('userEmail'),
      appId: query.get('appId'),
      timestamp: Number(request.headers.get('x-hubspot-request-timestamp')),
    };
    return principal ? principal(request, payload) : payload;
  };
  // HubSpot appends these to a card's requests; createProxy accepts them (and drops them).
  authorize.hostQuery = HUBSPOT_QUERY_PARAMETERS;
  return authorize;
}
