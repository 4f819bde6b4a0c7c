// hubspotFetch(hubspot.fetch): the client through HubSpot's REAL local proxy.
//
// The chain, and whose code each part is:
//   SpotDraftClient (ours, the built package)
//   → hubspot.fetch: OUR FAKE of the card side (support/hubspot-host.mjs), written from
//     HubSpot's code and docs: POSTs `{requestUri, method, requestTimeoutMillis, requestBody,
//     requestHeaders}` to /proxy and retries once on a 5xx or a failed connection
//   → HubSpot's REAL AppProxyService (@hubspot/ui-extensions-dev-server 2.1.2, in a child
//     process; only its Sentry error reporter is stubbed: support/hubspot-dev-proxy.mjs), whose
//     `localDevUrlMapping` maps fake https origins onto local servers
//   → either OUR FAKE credential proxy (support/credential-proxy.mjs: checks HubSpot's request
//     signature, adds SpotDraft's credentials) in front of the local SpotDraft sandbox, or a
//     scripted server (support/fake-spotdraft.mjs) for answers the sandbox never gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryStore, SpotDraftClient, SyncEngine, hubspotFetch, isSpotDraftError } from 'spotdraft-sync';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { startCredentialProxy } from './support/credential-proxy.mjs';
import { startFakeSpotDraft } from './support/fake-spotdraft.mjs';
import { startHubSpotDevProxy } from './support/hubspot-dev-proxy.mjs';
import { createHubSpotFetch } from './support/hubspot-host.mjs';
import { rejection } from './support/rejection.mjs';
import { spotdraftHubspotAttempt } from '../../src/facade/js/attempt.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (p) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', p), 'utf8'));
const playbook = fixture('playbook-create-contract.json');
const withExternalId = (id) => ({ ...playbook, external_metadata: { ...playbook.external_metadata, id } });

// Public origins the card calls (as listed in permittedUrls.fetch); the dev proxy maps them.
const PROXY_ORIGIN = 'https://sd-proxy.example.test';
const SCRIPTED_ORIGIN = 'https://scripted.example.test';
const HUBSPOT_APP_SECRET = 'hubspot-app-secret-for-tests';
const STATUS = '/api/v2.1/public/contracts';

let sandbox, credentialProxy, scripted, devProxy;
const stats = { proxyCalls: 0 };
let hubspot;

const control = async (path, body) => {
  const response = await fetch(`${sandbox.url}/__sandbox/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
};
const contractsWithExternalId = async (id) => (await control('contracts')).contracts.filter((c) => c.external_metadata_id === id);

const html = '<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>';

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0', '--seed', '7']);
  credentialProxy = await startCredentialProxy({
    upstream: sandbox.url,
    credentials: { clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' },
    hubspotClientSecret: HUBSPOT_APP_SECRET,
  });
  scripted = await startFakeSpotDraft({
    [`GET ${STATUS}/T-1/status`]: () => ({ status: 200, body: { contract_status: 'SIGN', contract_name: 'Scripted' } }),
    [`GET ${STATUS}/T-429/status`]: () => ({ status: 429, headers: { 'retry-after': '30' }, body: { detail: 'Request was throttled. Expected available in 30 seconds.' } }),
    [`GET ${STATUS}/T-500/status`]: () => ({ status: 500, body: { detail: 'Internal error.' } }),
    [`GET ${STATUS}/T-502/status`]: () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: html }),
    [`GET ${STATUS}/T-404/status`]: () => ({ status: 404, body: { detail: 'Not found.' } }),
    [`GET ${STATUS}/T-7001/status`]: () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: html }),
    [`GET ${STATUS}/T-7002/status`]: () => ({ status: 200, delayMs: 1500, body: { contract_status: 'SIGN', contract_name: 'Late' } }),
  });
  // A mapping that ends with "/": without it the dev server's mapToLocalUrl drops the trailing
  // slash of every URL (`/contracts/` → `/contracts`), and SpotDraft answers that with a 302.
  devProxy = await startHubSpotDevProxy({
    localDevUrlMapping: { [PROXY_ORIGIN]: `${credentialProxy.url}/`, [SCRIPTED_ORIGIN]: `${scripted.url}/` },
    clientSecret: HUBSPOT_APP_SECRET,
  });
  hubspot = createHubSpotFetch({ proxyUrl: devProxy.url, stats });
});
after(async () => {
  await devProxy?.stop();
  await scripted?.close();
  await credentialProxy?.close();
  await sandbox?.stop();
});

/** `hubspot.fetch` that records the options it was called with. */
const recording = (inner = hubspot) => {
  const calls = [];
  const fn = (url, options) => {
    calls.push({ url, options: structuredClone(options) });
    return inner(url, options);
  };
  return { fn, calls };
};
const sandboxClient = (extra = {}) => new SpotDraftClient({ baseUrl: PROXY_ORIGIN, fetch: hubspotFetch(hubspot), ...extra });
const scriptedClient = (extra = {}) => new SpotDraftClient({ baseUrl: SCRIPTED_ORIGIN, fetch: hubspotFetch(hubspot), maxRetries: 0, ...extra });

test('a create and a status call go through HubSpot\'s proxy to the sandbox; the card sends no credential', async () => {
  const { fn, calls } = recording();
  const client = sandboxClient({ fetch: hubspotFetch(fn) });
  const before = { proxy: stats.proxyCalls, upstream: credentialProxy.requests.length };
  const created = await client.createContract(withExternalId('hubspot-card-deal-1'));
  assert.equal(created.outcome, 'CREATED');
  assert.match(created.contract.id, /^T-\d+$/);
  const { contractStatus } = await client.getContractStatus(created.contract.id, { timeoutMs: 8000 });
  assert.equal(contractStatus, 'DRAFT');
  assert.equal((await contractsWithExternalId('hubspot-card-deal-1')).length, 1);

  // What hubspot.fetch was given: an object body, HubSpot's timeout, no headers at all.
  assert.equal(calls.length, 2);
  assert.deepEqual(Object.keys(calls[0].options).sort(), ['body', 'method', 'timeout']);
  assert.equal(calls[0].options.method, 'POST');
  assert.equal(calls[0].options.timeout, 30000, 'the client\'s default timeoutMs');
  assert.deepEqual(calls[0].options.body, withExternalId('hubspot-card-deal-1'));
  assert.equal(calls[0].url, `${PROXY_ORIGIN}${STATUS}/`);
  assert.deepEqual(calls[1].options, { method: 'GET', timeout: 8000 });

  // HubSpot's proxy was called once per request, and what reached our proxy was signed by it.
  assert.equal(stats.proxyCalls - before.proxy, 2);
  const arrived = credentialProxy.requests.slice(before.upstream);
  assert.deepEqual(arrived.map((r) => `${r.method} ${r.url}`), [`POST ${STATUS}/`, `GET ${STATUS}/${created.contract.id}/status`]);
  for (const request of arrived) {
    assert.ok(request.headerNames.includes('x-hubspot-signature-v3'), 'signed by HubSpot');
    assert.ok(!request.headerNames.includes('client-secret') && !request.headerNames.includes('client-id'), 'no credential from the card');
  }
});

test('an answer the card gets already unwrapped works too (the Response shape is not documented)', async () => {
  const unwrapped = createHubSpotFetch({ proxyUrl: devProxy.url, mode: 'unwrapped' });
  const client = new SpotDraftClient({ baseUrl: SCRIPTED_ORIGIN, fetch: hubspotFetch(unwrapped), maxRetries: 0 });
  assert.deepEqual(await client.getContractStatus('T-1'), { contractStatus: 'SIGN', contractName: 'Scripted' });
  assert.equal((await rejection(client.getContractStatus('T-429'))).code, 'RATE_LIMITED');
  assert.equal((await rejection(client.getContractStatus('T-500'))).code, 'SERVER_ERROR');
});

test('a wrapped 429 is RATE_LIMITED with its real status, and HubSpot does not retry it', async () => {
  const events = [];
  const client = scriptedClient({ onResponse: (e) => events.push(e) });
  const before = scripted.requests.length;
  const error = await rejection(client.getContractStatus('T-429'));
  assert.ok(isSpotDraftError(error));
  assert.equal(error.code, 'RATE_LIMITED');
  assert.equal(error.status, 429);
  assert.equal(scripted.requests.length - before, 1);
  assert.deepEqual(events.map((e) => e.status), [429], 'hooks see the upstream status, not the proxy\'s 200');
});

test('wrapped 5xx are SERVER_ERROR (HubSpot retried each once), a wrapped 404 is NOT_FOUND', async () => {
  const client = scriptedClient();
  for (const [id, status] of [['T-500', 500], ['T-502', 502]]) {
    const before = scripted.requests.length;
    const error = await rejection(client.getContractStatus(id));
    assert.equal(error.code, 'SERVER_ERROR', id);
    assert.equal(error.status, status);
    assert.match(error.message, new RegExp(`failed with HTTP ${status}`));
    assert.equal(scripted.requests.length - before, 2, `${id}: HubSpot's one retry`);
  }
  const missing = await rejection(client.getContractStatus('T-404'));
  assert.equal(missing.code, 'NOT_FOUND');
  assert.equal(missing.status, 404);
});

test('an HTML answer is INVALID_RESPONSE', async () => {
  const error = await rejection(scriptedClient().getContractStatus('T-7001'));
  assert.equal(error.code, 'INVALID_RESPONSE');
  assert.equal(error.status, 200);
  assert.match(error.message, /response to getContractStatus could not be understood/);
});

test('HubSpot\'s own timeout is TIMEOUT: the dev proxy\'s wrapped 500, and production\'s 504 GATEWAY_TIMEOUT', async () => {
  const { fn, calls } = recording();
  const before = { proxy: stats.proxyCalls, upstream: scripted.requests.length };
  const started = Date.now();
  const error = await rejection(scriptedClient({ fetch: hubspotFetch(fn) }).getContractStatus('T-7002', { timeoutMs: 400 }));
  const elapsed = Date.now() - started;
  assert.equal(error.code, 'TIMEOUT');
  assert.match(error.message, /HubSpot stopped waiting for GET https:\/\/scripted\.example\.test\/api\/v2\.1\/public\/contracts\/T-7002\/status after 400 ms/);
  assert.ok(elapsed >= 400 && elapsed < 2000, `HubSpot answered the timeout, not our 2 s guard (${elapsed} ms)`);
  assert.equal(calls[0].options.timeout, 400);
  assert.equal(stats.proxyCalls - before.proxy, 1, 'no retry after the timeout window');
  assert.equal(scripted.requests.length - before.upstream, 1);

  // The production shape (shared/hosts.md): proxy status 504, category GATEWAY_TIMEOUT.
  const gateway = async () =>
    new Response(JSON.stringify({ status: 'error', message: 'Gateway took too long to respond', category: 'GATEWAY_TIMEOUT', context: { correlationId: ['corr-504'] } }), { status: 504 });
  const timedOut = await rejection(new SpotDraftClient({ baseUrl: SCRIPTED_ORIGIN, fetch: hubspotFetch(gateway), maxRetries: 0 }).getContractStatus('T-1'));
  assert.equal(timedOut.code, 'TIMEOUT');
  assert.match(timedOut.message, /corr-504/);
});

test('timeoutMs above HubSpot\'s 120 s is passed capped; a host that never answers still times out', async () => {
  const { fn, calls } = recording(async () => new Response('{"contract_status":"SIGN","contract_name":"x"}', { status: 200 }));
  await new SpotDraftClient({ baseUrl: SCRIPTED_ORIGIN, fetch: hubspotFetch(fn), timeoutMs: 300000 }).getContractStatus('T-1');
  assert.equal(calls[0].options.timeout, 120000);
  const silent = () => new Promise(() => {});
  const started = Date.now();
  const error = await rejection(new SpotDraftClient({ baseUrl: SCRIPTED_ORIGIN, fetch: hubspotFetch(silent), maxRetries: 0 }).getContractStatus('T-1', { timeoutMs: 100 }));
  assert.equal(error.code, 'TIMEOUT');
  assert.match(error.message, /^hubspot\.fetch did not settle GET https:\/\/scripted\.example\.test\/\S+\/T-1\/status within 2100 ms \(HubSpot's timeout of 100 ms, then 2000 ms more\): raise `timeoutMs`/);
  assert.ok(Date.now() - started >= 2100, 'our guard waits HubSpot\'s timeout plus 2 s');
});

test('fetchDocument is refused through hubspot.fetch before any request', async () => {
  const engine = new SyncEngine({ client: sandboxClient(), store: new MemoryStore(), webhookKeys: [Buffer.alloc(64, 7).toString('base64')] });
  const before = stats.proxyCalls;
  const error = await rejection(engine.fetchDocument(1001));
  assert.equal(error.code, 'INVALID_ARGUMENT');
  assert.match(error.message, /cannot download a contract file through hubspot\.fetch \(JSON bodies of at most 1 MB, from URLs in permittedUrls\.fetch only\)/);
  assert.equal(stats.proxyCalls, before, 'no download link was asked for');
});

test('a request body over 1 MB is refused before sending, without a lookup', async () => {
  const payload = withExternalId('hubspot-card-big');
  payload.contract_data = { ...payload.contract_data, customer_name: 'x'.repeat(1_000_001) };
  const before = { proxy: stats.proxyCalls, upstream: credentialProxy.requests.length };
  const error = await rejection(sandboxClient().createContract(payload, { validate: false }));
  assert.equal(error.code, 'INVALID_ARGUMENT');
  assert.match(error.message, /was not sent: its body is \d+ bytes, and hubspot\.fetch carries at most 1 MB/);
  assert.equal(stats.proxyCalls - before.proxy, 0, 'HubSpot was never called');
  assert.equal(credentialProxy.requests.length - before.upstream, 0);
});

test('attempt.js refuses a body that is not a JSON object before calling hubspot.fetch', async () => {
  let called = 0;
  const fn = () => {
    called++;
    return new Promise(() => {});
  };
  const kind = (promise) => promise.then(() => assert.fail('resolved'), (reason) => reason);
  assert.deepEqual(await kind(spotdraftHubspotAttempt(fn, 'https://x.example/p', 'POST', undefined, '[1,2]', 1000, 3000, undefined)), ['refused', 'its body is an array, and hubspot.fetch sends only a JSON object']);
  assert.deepEqual(await kind(spotdraftHubspotAttempt(fn, 'https://x.example/p', 'POST', undefined, 'not json', 1000, 3000, undefined)), ['refused', 'its body is not JSON, and hubspot.fetch sends only a JSON object']);
  assert.deepEqual(await kind(spotdraftHubspotAttempt(fn, 'https://x.example/p', 'POST', undefined, '"text"', 1000, 3000, undefined)), ['refused', 'its body is a string, and hubspot.fetch sends only a JSON object']);
  assert.equal(called, 0);
});

test('a custom header from headers() is INVALID_ARGUMENT and HubSpot is never called; Authorization passes HubSpot\'s check', async () => {
  const before = { proxy: stats.proxyCalls, upstream: scripted.requests.length };
  const custom = await rejection(scriptedClient({ headers: () => ({ 'x-session': 'session-value-not-to-leak' }) }).getContractStatus('T-1'));
  assert.equal(custom.code, 'INVALID_ARGUMENT');
  assert.match(custom.message, /`x-session` header, but hubspot\.fetch sends only Authorization/);
  assert.ok(!custom.message.includes('session-value-not-to-leak'));
  const secret = await rejection(sandboxClient({ headers: async () => ({ 'client-secret': 'sandbox-acme-secret' }) }).createContract(withExternalId('hubspot-card-header')));
  assert.equal(secret.code, 'INVALID_ARGUMENT');
  assert.match(secret.message, /SpotDraft credentials are never sent from a HubSpot card/);
  assert.ok(!secret.message.includes('sandbox-acme-secret'));
  assert.equal(stats.proxyCalls - before.proxy, 0, 'HubSpot\'s proxy was never called');

  // Authorization is the one header HubSpot's real proxy lets through.
  const { contractName } = await scriptedClient({ headers: () => ({ Authorization: 'Bearer card-session' }) }).getContractStatus('T-1');
  assert.equal(contractName, 'Scripted');
  assert.equal(scripted.requests.at(-1).headers.authorization, 'Bearer card-session');
  assert.equal(scripted.requests.length - before.upstream, 1);
});

test('HubSpot\'s own VALIDATION_ERROR (a header its proxy refuses) names HubSpot\'s message', async () => {
  // A host that adds a header itself: HubSpot's real check answers 400 VALIDATION_ERROR.
  const adding = (url, options) => hubspot(url, { ...options, headers: { ...options.headers, 'X-Extra': '1' } });
  const error = await rejection(new SpotDraftClient({ baseUrl: SCRIPTED_ORIGIN, fetch: hubspotFetch(adding), maxRetries: 0 }).getContractStatus('T-1'));
  assert.equal(error.code, 'INVALID_ARGUMENT');
  assert.equal(error.status, 400);
  assert.match(error.message, /HubSpot refused GET .* before sending it \(VALIDATION_ERROR\)\. HubSpot said: "Invalid Request Headers provided\. Only 'Authorization' header is allowed from hubspot\.fetch\(\)"/);
});

test('credentials, userEmail, region and a non-https baseUrl are refused when the client is created', () => {
  const cases = [
    [{ baseUrl: PROXY_ORIGIN, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' }, 'options.clientSecret', /never sent from a HubSpot card/],
    [{ baseUrl: PROXY_ORIGIN, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret', dangerouslyAllowBrowserSecret: true }, 'options.clientSecret', /your proxy/],
    [{ baseUrl: PROXY_ORIGIN, userEmail: 'owner@acme.example' }, 'options.userEmail', /user-email/],
    [{ region: 'us' }, 'options.region', /baseUrl/],
    [{ baseUrl: sandbox.url }, 'options.baseUrl', /https URLs listed in permittedUrls\.fetch/],
  ];
  for (const [options, path, message] of cases) {
    let thrown;
    try {
      new SpotDraftClient({ ...options, fetch: hubspotFetch(hubspot) });
    } catch (error) {
      thrown = error;
    }
    assert.ok(isSpotDraftError(thrown), path);
    assert.equal(thrown.code, 'INVALID_ARGUMENT');
    assert.equal(thrown.details[0].path, path);
    assert.match(thrown.message, message);
    assert.ok(!thrown.message.includes('sandbox-acme-secret'));
  }
  assert.throws(() => hubspotFetch('not a function'), (e) => e.code === 'INVALID_ARGUMENT' && /hubspot\.fetch/.test(e.message));
});

test('the transport works only as the fetch option: a direct or wrapped call is INVALID_ARGUMENT and sends nothing', async () => {
  const transport = hubspotFetch(hubspot);
  assert.equal(hubspotFetch(transport), transport, 'wrapping twice changes nothing');
  const before = stats.proxyCalls;
  const direct = await rejection(transport(`${SCRIPTED_ORIGIN}${STATUS}/T-1/status`, { method: 'GET' }));
  assert.ok(isSpotDraftError(direct));
  assert.equal(direct.code, 'INVALID_ARGUMENT');
  const wrapped = await rejection(new SpotDraftClient({ baseUrl: SCRIPTED_ORIGIN, fetch: (url, init) => transport(url, init), maxRetries: 0 }).getContractStatus('T-1'));
  assert.equal(wrapped.code, 'INVALID_ARGUMENT');
  assert.match(wrapped.message, /^GET https:\/\/scripted\.example\.test\/api\/v2\.1\/public\/contracts\/T-1\/status was not sent: .*passed as it is.*hubspotFetch\(hubspot\.fetch\) \}\)\.$/);
  assert.equal(stats.proxyCalls, before);
});

test('an abort settles the call at once (ABORTED) although HubSpot cannot cancel the request', async () => {
  const before = scripted.requests.length;
  const controller = new AbortController();
  const started = Date.now();
  const pending = scriptedClient().getContractStatus('T-7002', { signal: controller.signal, timeoutMs: 5000 });
  setTimeout(() => controller.abort(), 100);
  const error = await rejection(pending);
  assert.equal(error.code, 'ABORTED');
  assert.ok(Date.now() - started < 1000, 'settled before the slow answer');
  // The request still reached the upstream: hubspot.fetch takes no signal.
  for (let i = 0; i < 50 && scripted.requests.length === before; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(scripted.requests.length - before, 1);
  assert.equal((await rejection(scriptedClient().getContractStatus('T-1', { signal: AbortSignal.abort() }))).code, 'ABORTED');
});

test('a create answered by a wrapped 502 after the upstream committed is FOUND_EXISTING: one contract', async () => {
  // HubSpot's first attempt gets a 502 before the sandbox handles it; HubSpot's own retry
  // commits the contract and loses the answer (a reset, which our proxy answers 502). The card
  // sees a wrapped 502: ambiguous, so the client looks the contract up by external_metadata.id.
  await control('faults', { seed: 1, next_5xx: 1, error_5xx_status: 502, next_reset_after_commit: 1 });
  const before = { proxy: stats.proxyCalls, upstream: credentialProxy.requests.length };
  try {
    const result = await sandboxClient().createContract(withExternalId('hubspot-card-ambiguous'));
    assert.equal(result.outcome, 'FOUND_EXISTING');
    assert.equal(result.attempts, 1);
    const contracts = await contractsWithExternalId('hubspot-card-ambiguous');
    assert.equal(contracts.length, 1, 'exactly one contract');
    assert.equal(result.contract.id, contracts[0].composite_id);
    assert.deepEqual(credentialProxy.requests.slice(before.upstream).map((r) => `${r.method} ${r.url}`), [
      `POST ${STATUS}/`,
      `POST ${STATUS}/`,
      `GET ${STATUS}/by_external_metadata/hubspot-card-ambiguous`,
    ]);
    assert.equal(stats.proxyCalls - before.proxy, 3);
  } finally {
    await control('faults', { seed: 1 });
  }
});

test('LIMIT, not a guarantee: HubSpot\'s own retry of a create that committed upstream makes a second contract', async () => {
  // The first attempt commits and loses its answer (reset → 502); HubSpot retries it before
  // the client sees anything, and the retry creates again. No client can undo that: only a
  // proxy that deduplicates creates by external_metadata.id (ours does not) prevents it.
  await control('faults', { seed: 1, next_reset_after_commit: 1 });
  try {
    const result = await sandboxClient().createContract(withExternalId('hubspot-card-retried'));
    assert.equal(result.outcome, 'CREATED');
    assert.equal((await contractsWithExternalId('hubspot-card-retried')).length, 2);
  } finally {
    await control('faults', { seed: 1 });
  }
});
