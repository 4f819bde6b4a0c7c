// createProxy and hubspotSignatureAuthorizer (spotdraft-sync/server) over real loopback HTTP
// in front of the SpotDraft sandbox (with its default rate limit of 10 requests/s per
// workspace):
// - the whole playbook through the proxy with a credential-less SpotDraftClient({ baseUrl });
// - the security table (each refusal's status and code, printed) and a scan of every answer
//   and log line for the SpotDraft client-secret, the HubSpot app secret and signed URLs;
// - a create retried twice in a row, twice concurrently, and after an ambiguous 5xx → one contract;
// - the shared rate budget: many concurrent callers, 0 429s from the sandbox;
// - a hubspot.fetch request path end to end: the client with hubspotFetch(…) → OUR FAKE of the
//   card side (tests/node/support/hubspot-host.mjs, retries once on a 5xx as HubSpot does) →
//   HubSpot's REAL dev-server proxy (AppProxyService + signing.js in a child process,
//   tests/node/support/hubspot-dev-proxy.mjs) → the proxy with the HubSpot authorizer → sandbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpotDraftClient, hubspotFetch, isSpotDraftError } from 'spotdraft-sync';
import { createProxy, hubspotSignatureAuthorizer, serve } from 'spotdraft-sync/server';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { startHubSpotDevProxy, DEV_SERVER_DIR } from '../node/support/hubspot-dev-proxy.mjs';
import { createHubSpotFetch } from '../node/support/hubspot-host.mjs';
import { rejection } from '../node/support/rejection.mjs';
import { pathToFileURL } from 'node:url';

// HubSpot's own signer (not in the package's exports map: imported by file path).
const { sign } = await import(pathToFileURL(join(DEV_SERVER_DIR, 'dist', 'lib', 'proxy', 'signing.js')).href);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
const withExternalId = (id) => ({ ...playbook, external_metadata: { ...playbook.external_metadata, id } });
const API = '/api/v2.1/public';
const CLIENT_ID = 'sandbox-acme';
const CLIENT_SECRET = 'sandbox-acme-secret';
const HUBSPOT_APP_SECRET = 'hubspot-app-secret-proxy-tests-4f1c';
const PROXY_ORIGIN = 'https://sd-proxy.example.test';

// Session tokens of the portal users (what a real authorize would check against its sessions).
const SESSIONS = { 'token-alice': { user: 'alice' }, 'token-mallory': { user: 'mallory' } };
const bearer = (token) => ({ authorization: `Bearer ${token}` });

let sandbox, portal, hubspotServer, devProxy;
const logs = []; // every log entry of every proxy and authorizer here
const answers = []; // every answer the tests read: { status, headers, body, kind }
const forwarded = []; // what the portal proxy sent to SpotDraft: { method, url, status }
const signedUrls = [];
let faults = { failNextCreateAfterCommit: false }; // upstream fault injection (portal proxy)

/** The fetch the proxies use: the global one, recorded, with one injectable fault. */
function recordingFetch(into) {
  return async (url, init) => {
    const response = await fetch(url, init);
    into.push({ method: init.method, url: String(url), status: response.status, headers: init.headers });
    if (faults.failNextCreateAfterCommit && init.method === 'POST' && String(url).endsWith(`${API}/contracts/`)) {
      faults.failNextCreateAfterCommit = false;
      await response.text();
      // SpotDraft made the contract, but its answer is lost: the proxy sees a 5xx.
      return new Response('{"detail":"upstream connect error"}', { status: 503, headers: { 'content-type': 'application/json' } });
    }
    return response;
  };
}

const control = async (path, body) => {
  const response = await fetch(`${sandbox.url}/__sandbox/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
};
const contractsWithExternalId = async (id) => (await control('contracts')).contracts.filter((c) => c.external_metadata_id === id);

/** `handler` with every answer it gives recorded (status, headers, body) for the scan. */
function recorded(handler) {
  return async (request) => {
    const path = new URL(request.url).pathname;
    const response = await handler(request);
    const text = await response.clone().text();
    answers.push({ path, status: response.status, headers: [...response.headers], body: text });
    return response;
  };
}

/** A request to the portal proxy with fetch. */
async function call(path, { method = 'GET', headers = {}, body, base = portal.url } = {}) {
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : null };
}

/** A request with the path sent exactly as written (fetch would normalise it). */
function rawCall(path, { method = 'GET', headers = {}, body, base = portal.url } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, text, json: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  sandbox = await startSandbox(root, ['--seed', '15']); // default --rate-limit 10
  const portalProxy = createProxy({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    baseUrl: sandbox.url,
    authorize: (request) => {
      const token = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return SESSIONS[token] ?? null;
    },
    // alice may touch only her deals; mallory only the template list.
    allow: (principal, operation) => {
      if (principal.user === 'mallory') return operation.kind === 'listTemplates';
      if (operation.externalId !== undefined && operation.externalId !== null) return operation.externalId.startsWith(`${principal.user}-`);
      return true;
    },
    userEmail: () => undefined,
    fetch: recordingFetch(forwarded),
    log: (entry) => logs.push(JSON.stringify(entry)),
  });
  portal = await serve(recorded(portalProxy));

  const hubspotProxy = createProxy({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    baseUrl: sandbox.url,
    authorize: hubspotSignatureAuthorizer({ appSecret: HUBSPOT_APP_SECRET, log: (entry) => logs.push(JSON.stringify(entry)) }),
    fetch: recordingFetch([]),
    log: (entry) => logs.push(JSON.stringify(entry)),
  });
  hubspotServer = await serve(recorded(hubspotProxy));
  // A mapping that ends with "/": otherwise the dev server drops every URL's trailing slash.
  devProxy = await startHubSpotDevProxy({ localDevUrlMapping: { [PROXY_ORIGIN]: `${hubspotServer.url}/` }, clientSecret: HUBSPOT_APP_SECRET });
});

after(async () => {
  await devProxy?.stop();
  await hubspotServer?.close();
  await portal?.close();
  await sandbox?.stop();
});

const portalClient = (token = 'token-alice', extra = {}) => new SpotDraftClient({ baseUrl: portal.url, headers: () => bearer(token), ...extra });

test('the whole playbook goes through the proxy from a client that holds no credential', async () => {
  const client = portalClient();
  const before = forwarded.length;
  const created = await client.createContract(withExternalId('alice-deal-1'));
  assert.equal(created.outcome, 'CREATED');
  assert.match(created.contract.id, /^T-\d+$/);
  const id = created.contract.id;
  const found = await client.findContractsByExternalId('alice-deal-1');
  assert.deepEqual(found.map((c) => c.id), [id]);
  assert.equal((await client.getContractStatus(id)).contractStatus, 'DRAFT');
  assert.deepEqual(await client.sendToCounterparties(id), { id, attachmentFormats: ['PDF'] });
  assert.equal((await client.getContractStatus(id)).contractStatus, 'REDLINING');
  await control(`contracts/${id}/execute`, {});
  const pointers = await client.getKeyPointers(id);
  assert.equal(typeof pointers, 'object');
  assert.notEqual(pointers, null);
  const link = await client.getDownloadLink(id);
  assert.match(link.fileName, /\.pdf$/);
  signedUrls.push(link.url);
  const file = await fetch(link.url);
  assert.equal(file.status, 200, 'the signed URL the caller got works');
  await file.arrayBuffer();
  const { items } = await client.listTemplates();
  assert.ok(items.some((t) => t.id === 1204));
  assert.equal((await client.getTemplate(1204)).id, 1204);
  const metadata = await client.getTemplateMetadata(1204);
  assert.equal(typeof metadata, 'object');
  // The template list's own query parameters are forwarded as they are.
  const filtered = await call(`${API}/templates/?include_archived=true`, { headers: bearer('token-alice') });
  assert.equal(filtered.status, 200, filtered.text);
  assert.ok(forwarded.at(-1).url.endsWith(`${API}/templates/?include_archived=true`));

  // What reached SpotDraft: the playbook's paths with the credentials added by the proxy.
  const sent = forwarded.slice(before);
  assert.ok(sent.length >= 11, `${sent.length} forwarded`);
  for (const request of sent) {
    assert.ok(request.url.startsWith(`${sandbox.url}${API}/`), request.url);
    assert.equal(request.headers['client-id'], CLIENT_ID);
    assert.equal(request.headers['client-secret'], CLIENT_SECRET);
    assert.equal(request.headers.authorization, undefined, "the caller's own credential is not forwarded");
  }
  assert.equal((await contractsWithExternalId('alice-deal-1')).length, 1);
});

test('the proxy drops the caller\'s credential and cookie headers and answers JSON only', async () => {
  const before = forwarded.length;
  const answer = await call(`${API}/templates/`, { headers: { ...bearer('token-alice'), cookie: 'session=abc', 'client-secret': 'guessed', 'client-id': 'other', 'user-email': 'ceo@acme.example' } });
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get('content-type'), /^application\/json/);
  const [sent] = forwarded.slice(before);
  assert.deepEqual(Object.keys(sent.headers).sort(), ['accept', 'client-id', 'client-secret']);
  assert.equal(sent.headers['client-secret'], CLIENT_SECRET);
  assert.equal(answer.headers.get('set-cookie'), null);
});

test('the security table: every refusal with its status and code, nothing forwarded', async () => {
  const hubspotUrl = (path) => `${hubspotServer.url}${path}`;
  const signed = (method, path, body, timestamp) => ({
    'x-hubspot-request-timestamp': String(timestamp),
    'x-hubspot-signature-v3': sign.v3({ method, url: hubspotUrl(path), requestBody: body ?? '', clientSecret: HUBSPOT_APP_SECRET, timestamp, signature: '' }),
  });
  const statusPath = `${API}/templates/`;
  const big = JSON.stringify({ ...withExternalId('alice-big'), contract_name: 'x'.repeat(1024 * 1024) });
  const json = { 'content-type': 'application/json', ...bearer('token-alice') };
  const rows = [
    ['unauthenticated (no token)', () => call(`${API}/templates/`), 401, 'UNAUTHORIZED'],
    ['unauthenticated (unknown token)', () => call(`${API}/templates/`, { headers: bearer('token-nobody') }), 401, 'UNAUTHORIZED'],
    ['unauthorised principal (mallory reads a status)', () => call(`${API}/contracts/T-1/status`, { headers: bearer('token-mallory') }), 403, 'FORBIDDEN'],
    ['unauthorised record (alice creates for bob\'s deal)', () => call(`${API}/contracts/`, { method: 'POST', headers: json, body: JSON.stringify(withExternalId('bob-deal-1')) }), 403, 'FORBIDDEN'],
    ['out of flow: the webhook key', () => call(`${API}/webhooks/hmac_key/`, { headers: bearer('token-alice') }), 403, 'FORBIDDEN'],
    ['out of flow: void a contract', () => call(`${API}/contracts/T-1/status/void`, { method: 'POST', headers: json, body: '{"note":"x"}' }), 403, 'FORBIDDEN'],
    ['out of flow: list every contract', () => call(`${API}/contracts/`, { headers: bearer('token-alice') }), 403, 'FORBIDDEN'],
    ['traversal ../ (resolved by the URL parser, then out of flow)', () => rawCall(`${API}/contracts/T-1/../../webhooks/hmac_key/`, { headers: bearer('token-alice') }), 403, 'FORBIDDEN'],
    ['traversal %2e%2e (resolved, then out of flow)', () => rawCall(`${API}/contracts/T-1/%2e%2e/%2e%2e/webhooks/hmac_key/`, { headers: bearer('token-alice') }), 403, 'FORBIDDEN'],
    ['traversal %2f', () => rawCall(`${API}/contracts/T-1%2f..%2f..%2fwebhooks/status`, { headers: bearer('token-alice') }), 400, 'INVALID_ARGUMENT'],
    ['traversal %5c', () => rawCall(`${API}/contracts/T-1%5c..%5cwebhooks/status`, { headers: bearer('token-alice') }), 400, 'INVALID_ARGUMENT'],
    ['double slash', () => rawCall(`${API}//contracts/T-1/status`, { headers: bearer('token-alice') }), 400, 'INVALID_ARGUMENT'],
    ['encoded NUL', () => rawCall(`${API}/contracts/T-1%00/status`, { headers: bearer('token-alice') }), 400, 'INVALID_ARGUMENT'],
    ['malformed composite id', () => rawCall(`${API}/contracts/X-1/status`, { headers: bearer('token-alice') }), 400, 'INVALID_ARGUMENT'],
    ['unexpected query parameter', () => rawCall(`${API}/contracts/T-1/status?expand=secrets`, { headers: bearer('token-alice') }), 400, 'INVALID_ARGUMENT'],
    ['oversized body (1 MiB + JSON)', () => call(`${API}/contracts/`, { method: 'POST', headers: json, body: big }), 413, 'PAYLOAD_TOO_LARGE'],
    ['wrong content type', () => call(`${API}/contracts/`, { method: 'POST', headers: { ...bearer('token-alice'), 'content-type': 'text/plain' }, body: JSON.stringify(withExternalId('alice-text')) }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['malformed JSON body', () => call(`${API}/contracts/`, { method: 'POST', headers: json, body: '{"contract_template_id":' }), 400, 'INVALID_ARGUMENT'],
    ['forged HubSpot signature', () => call(statusPath, { base: hubspotServer.url, headers: { 'x-hubspot-request-timestamp': String(Date.now()), 'x-hubspot-signature-v3': Buffer.alloc(32, 7).toString('base64') } }), 401, 'UNAUTHORIZED'],
    ['HubSpot signature with another app\'s secret', () => call(statusPath, { base: hubspotServer.url, headers: { 'x-hubspot-request-timestamp': String(Date.now()), 'x-hubspot-signature-v3': sign.v3({ method: 'GET', url: hubspotUrl(statusPath), requestBody: '', clientSecret: 'other-app', timestamp: Date.now(), signature: '' }) } }), 401, 'UNAUTHORIZED'],
    ['replayed old HubSpot signature (6 min)', () => call(statusPath, { base: hubspotServer.url, headers: signed('GET', statusPath, '', Date.now() - 6 * 60_000) }), 401, 'UNAUTHORIZED'],
    ['valid HubSpot signature replayed on another path', () => call(`${API}/templates/1204/`, { base: hubspotServer.url, headers: signed('GET', statusPath, '', Date.now()) }), 401, 'UNAUTHORIZED'],
    ['HubSpot signature missing', () => call(statusPath, { base: hubspotServer.url }), 401, 'UNAUTHORIZED'],
  ];
  const before = forwarded.length;
  const table = [];
  for (const [name, run, status, code] of rows) {
    const answer = await run();
    table.push({ case: name, status: answer.status, code: answer.json?.error?.code, detail: answer.json?.error?.details?.[0]?.path ?? '' });
    assert.equal(answer.status, status, `${name}: ${answer.text.slice(0, 300)}`);
    assert.equal(answer.json.error.code, code, name);
    assert.equal(typeof answer.json.error.message, 'string');
  }
  console.table(table);
  assert.equal(forwarded.length, before, 'no refused request reached SpotDraft');
  // The refusal reasons of the HubSpot rows, as the authorizer logged them.
  const reasons = logs.map((l) => JSON.parse(l)).filter((e) => e.event === 'hubspot.signature.refused').map((e) => e.reason);
  for (const reason of ['MISMATCH', 'EXPIRED', 'MISSING']) assert.ok(reasons.includes(reason), `${reason} in ${reasons}`);

  // A signed request with HubSpot's query parameters passes, and they are not forwarded.
  const path = `${statusPath}?portalId=123456&userId=77&userEmail=ana%40acme.example&appId=9`;
  const ok = await call(path, { base: hubspotServer.url, headers: signed('GET', path, '', Date.now()) });
  assert.equal(ok.status, 200, ok.text);
});

test('a create that a host retried makes one contract: twice in a row, twice concurrently, and after an ambiguous 5xx', async () => {
  const body = JSON.stringify(withExternalId('alice-retry-1'));
  const headers = { 'content-type': 'application/json', ...bearer('token-alice') };
  const first = await call(`${API}/contracts/`, { method: 'POST', headers, body });
  const second = await call(`${API}/contracts/`, { method: 'POST', headers, body });
  assert.equal(first.status, 201, first.text);
  assert.equal(second.status, 201);
  assert.deepEqual(second.json, first.json, 'the same answer');
  assert.equal(second.headers.get('x-spotdraft-proxy-replayed'), 'true');
  assert.equal((await contractsWithExternalId('alice-retry-1')).length, 1);

  const concurrentBody = JSON.stringify(withExternalId('alice-retry-2'));
  const both = await Promise.all([0, 1, 2].map(() => call(`${API}/contracts/`, { method: 'POST', headers, body: concurrentBody })));
  assert.deepEqual(both.map((a) => a.status), [201, 201, 201]);
  assert.deepEqual(both[1].json, both[0].json);
  assert.deepEqual(both[2].json, both[0].json);
  assert.equal((await contractsWithExternalId('alice-retry-2')).length, 1);

  // SpotDraft commits the create but its answer is lost (a 503 at the proxy); the host retries.
  faults.failNextCreateAfterCommit = true;
  const ambiguousBody = JSON.stringify(withExternalId('alice-retry-3'));
  const lost = await call(`${API}/contracts/`, { method: 'POST', headers, body: ambiguousBody });
  assert.equal(lost.status, 503);
  const retried = await call(`${API}/contracts/`, { method: 'POST', headers, body: ambiguousBody });
  assert.equal(retried.status, 201, retried.text);
  const made = await contractsWithExternalId('alice-retry-3');
  assert.equal(made.length, 1, 'the retry found the contract instead of making a second');
  assert.match(String(retried.json.id), /^(T-)?\d+$/, retried.text);
});

test('many concurrent callers share one 10 req/s budget: 0 429s from the sandbox\'s rate limit', async () => {
  const created = await portalClient().createContract(withExternalId('alice-budget-1'));
  const id = created.contract.id;
  const callers = 8;
  const perCaller = 10;
  const before = forwarded.length;
  const started = performance.now();
  // Each caller's own client would allow 100 req/s: only the proxy's budget holds them back.
  const results = await Promise.all(Array.from({ length: callers }, () => {
    const client = portalClient('token-alice', { maxRequestsPerSecond: 100, maxRetries: 0 });
    return Promise.all(Array.from({ length: perCaller }, () => client.getContractStatus(id).then(() => 'ok', (e) => e.code)));
  }));
  const seconds = (performance.now() - started) / 1000;
  const sent = forwarded.slice(before);
  const byStatus = {};
  for (const r of sent) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const throughput = sent.length / seconds;
  console.log(JSON.stringify({ callers, requests: sent.length, seconds: +seconds.toFixed(2), throughput: +throughput.toFixed(2), bound: 10, byStatus }));
  assert.deepEqual(results.flat().filter((r) => r !== 'ok'), []);
  assert.equal(byStatus[429] ?? 0, 0, 'no 429 from the sandbox');
  assert.ok(throughput >= 9, `throughput ${throughput.toFixed(2)} req/s is below 90% of the 10 req/s bound`);

  // The control: the same callers straight to the sandbox, each with its own 10 req/s, are throttled.
  const direct = await Promise.all(Array.from({ length: callers }, () => {
    const client = new SpotDraftClient({ baseUrl: sandbox.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, maxRetries: 0 });
    return Promise.all(Array.from({ length: perCaller }, () => client.getContractStatus(id).then(() => 'ok', (e) => e.code)));
  }));
  assert.ok(direct.flat().includes('RATE_LIMITED'), 'without the shared budget the sandbox answers 429');
  await new Promise((resolve) => setTimeout(resolve, 1100)); // let the sandbox's bucket refill
});

test('hubspot.fetch end to end: hubspotFetch → HubSpot\'s real dev proxy (signs) → the proxy with the HubSpot authorizer → sandbox', async () => {
  const stats = { proxyCalls: 0 };
  const hubspot = createHubSpotFetch({ proxyUrl: devProxy.url, stats });
  const client = new SpotDraftClient({ baseUrl: PROXY_ORIGIN, fetch: hubspotFetch(hubspot) });
  const created = await client.createContract(withExternalId('hubspot-e2e-1'));
  assert.equal(created.outcome, 'CREATED');
  const id = created.contract.id;
  assert.equal((await client.getContractStatus(id)).contractStatus, 'DRAFT');
  assert.deepEqual((await client.findContractsByExternalId('hubspot-e2e-1')).map((c) => c.id), [id]);
  assert.ok((await client.listTemplates()).items.some((t) => t.id === 1204));
  assert.equal(stats.proxyCalls, 4, 'one signed request through HubSpot\'s proxy per call');
  const accepted = logs.map((l) => JSON.parse(l)).filter((e) => e.event === 'proxy.request' && e.kind === 'createContract');
  assert.ok(accepted.length > 0);

  // SpotDraft's own error comes back through the proxy and HubSpot's envelope with its code.
  const error = await rejection(client.getContractStatus('T-987654'));
  assert.ok(isSpotDraftError(error));
  assert.equal(error.code, 'NOT_FOUND');
});

test('hubspot.fetch: HubSpot\'s own retry of a create after a 5xx makes one contract', async () => {
  // The portal proxy's fault injection is reused through a HubSpot-facing proxy of its own.
  const upstream = [];
  let fail = true;
  const proxy = createProxy({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    baseUrl: sandbox.url,
    authorize: hubspotSignatureAuthorizer({ appSecret: HUBSPOT_APP_SECRET }),
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      upstream.push(`${init.method} ${new URL(url).pathname} ${response.status}`);
      if (fail && init.method === 'POST') {
        fail = false;
        await response.text();
        return new Response('{"detail":"bad gateway"}', { status: 502, headers: { 'content-type': 'application/json' } });
      }
      return response;
    },
    log: (entry) => logs.push(JSON.stringify(entry)),
  });
  const server = await serve(recorded(proxy));
  const origin = 'https://sd-proxy-retry.example.test';
  const dev = await startHubSpotDevProxy({ localDevUrlMapping: { [origin]: `${server.url}/` }, clientSecret: HUBSPOT_APP_SECRET });
  try {
    const stats = { proxyCalls: 0 };
    const client = new SpotDraftClient({ baseUrl: origin, fetch: hubspotFetch(createHubSpotFetch({ proxyUrl: dev.url, stats })), maxRetries: 0 });
    const created = await client.createContract(withExternalId('hubspot-retry-1'));
    assert.equal(created.outcome, 'CREATED');
    assert.equal(stats.proxyCalls, 2, 'HubSpot retried once after the 5xx');
    assert.equal((await contractsWithExternalId('hubspot-retry-1')).length, 1, 'one contract');
    assert.deepEqual(upstream.map((u) => u.replace(/\d+$/, 'N')).slice(0, 2), [`POST ${API}/contracts/ N`, `GET ${API}/contracts/by_external_metadata/hubspot-retry-1 N`]);
  } finally {
    await dev.stop();
    await server.close();
  }
});

test('no answer, header or log line holds the client-secret, the HubSpot app secret or a signed URL', () => {
  assert.ok(signedUrls.length > 0 && answers.length > 30 && logs.length > 30, `${signedUrls.length} URLs, ${answers.length} answers, ${logs.length} log lines`);
  const secrets = [CLIENT_SECRET, HUBSPOT_APP_SECRET];
  for (const line of logs) {
    for (const s of [...secrets, ...signedUrls, ...signedUrls.map((u) => new URL(u).search)]) assert.ok(!line.includes(s), `log line leaks: ${line}`);
  }
  let linkAnswers = 0;
  for (const answer of answers) {
    const text = JSON.stringify(answer);
    for (const s of secrets) assert.ok(!text.includes(s), `answer leaks a secret: ${text.slice(0, 300)}`);
    if (answer.path.endsWith('/download_link')) {
      linkAnswers += signedUrls.some((url) => text.includes(JSON.stringify(url).slice(1, -1))) ? 1 : 0;
      continue;
    }
    for (const url of signedUrls) {
      assert.ok(!text.includes(url) && !text.includes(new URL(url).search), `a signed URL in an answer to ${answer.path}`);
    }
  }
  assert.equal(linkAnswers, signedUrls.length, 'each signed URL went to the caller of its download link');
});

test('what SpotDraft answers that the proxy never passes on: a 3xx, a non-JSON body, no answer, a timeout — and a client behind it keeps the proxy\'s code', async () => {
  const cases = [
    ['a 302 (SpotDraft on a slash mismatch)', async () => new Response(null, { status: 302, headers: { location: 'https://api.us.spotdraft.com/elsewhere' } }), 502, 'REDIRECT'],
    ['an HTML 502 from a load balancer', async () => new Response('<html>502</html>', { status: 502, headers: { 'content-type': 'text/html' } }), 502, 'INVALID_RESPONSE'],
    ['a refused connection', async () => { throw new TypeError('fetch failed'); }, 502, 'NETWORK'],
    ['no answer within timeoutMs', (url, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason))), 504, 'TIMEOUT'],
  ];
  for (const [name, upstream, status, code] of cases) {
    const proxy = createProxy({ clientId: 'id', clientSecret: 'secret-never-shown', baseUrl: 'https://api.example.test', authorize: () => ({}), fetch: upstream, timeoutMs: 200 });
    const response = await proxy(new Request(`http://proxy.test${API}/contracts/T-1/status`));
    const text = await response.text();
    assert.equal(response.status, status, name);
    assert.equal(JSON.parse(text).error.code, code, name);
    assert.equal(response.headers.get('location'), null, name);
    assert.equal(response.headers.get('spotdraft-sync-error'), code, `${name}: marked as the proxy's own answer`);
    assert.ok(!text.includes('secret-never-shown') && !text.includes('elsewhere'), name);

    // A client behind the proxy keeps the proxy's code (not SpotDraft's SERVER_ERROR) and
    // says the proxy answered.
    const server = await serve(proxy, { port: 0 });
    try {
      const error = await rejection(new SpotDraftClient({ baseUrl: server.url, maxRetries: 0 }).getContractStatus('T-1'));
      assert.equal(error.code, code, `${name}: the client's code`);
      assert.equal(error.status, status, name);
      assert.match(error.message, /from your proxy \(spotdraft-sync\/server\), not from SpotDraft/, name);
    } finally {
      await server.close();
    }
  }
});

test('a shared rateBudget (several proxy processes) books one slot per forwarded request; a failing one sends nothing', async () => {
  const booked = [];
  const sent = [];
  const shared = { reserve: async () => { booked.push(Date.now()); return 0; } };
  const make = (rateBudget) => createProxy({ baseUrl: sandbox.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authorize: () => ({ user: 'budget' }), rateBudget, fetch: (url, init) => { sent.push(url); return fetch(url, init); } });
  const [one, two] = [make(shared), make(shared)];
  const created = await portalClient().createContract(withExternalId('alice-shared-budget'));
  const status = (proxy) => proxy(new Request(`${PROXY_ORIGIN}${API}/contracts/${created.contract.id}/status`)).then((r) => r.status);
  assert.deepEqual(await Promise.all([status(one), status(two), status(one)]), [200, 200, 200]);
  assert.equal(sent.length, 3);
  assert.equal(booked.length, 3, 'every forwarded request booked a slot, whichever proxy sent it');

  const down = make({ reserve: () => Promise.reject(new Error('database is down')) });
  const before = sent.length;
  const response = await down(new Request(`${PROXY_ORIGIN}${API}/contracts/${created.contract.id}/status`));
  assert.equal(response.status, 503);
  const answer = await response.json();
  assert.equal(answer.error.code, 'STORE_ERROR');
  assert.ok(!JSON.stringify(answer).includes('database is down'), 'the budget\'s own error is not passed on');
  assert.equal(sent.length, before, 'nothing was sent without a slot');
});

test('createProxy refuses wrong options with INVALID_ARGUMENT naming them, never showing a value', () => {
  const good = { clientId: 'id', clientSecret: 'secret-never-shown', region: 'us', authorize: () => null };
  for (const [options, path] of [
    [{ ...good, clientSecret: '' }, 'options.clientSecret'],
    [{ ...good, region: 'mars' }, 'options.region'],
    [{ ...good, baseUrl: 'http://localhost:1' }, 'options.region'],
    [{ ...good, authorize: undefined }, 'options.authorize'],
    [{ ...good, operations: ['createContract', 'voidContract'] }, 'options.operations[1]'],
    [{ ...good, maxBodyBytes: 0 }, 'options.maxBodyBytes'],
    [{ ...good, maxRequestsPerSecond: 0 }, 'options.maxRequestsPerSecond'],
    [{ ...good, basePath: 'sd/' }, 'options.basePath'],
    [{ ...good, secret: 'x' }, 'options.secret'],
    [{ ...good, rateBudget: {} }, 'options.rateBudget'],
    [{ ...good, rateBudget: { reserve: () => 0 }, maxRequestsPerSecond: 5 }, 'options.maxRequestsPerSecond'],
  ]) {
    let error;
    try { createProxy(options); } catch (e) { error = e; }
    assert.ok(isSpotDraftError(error), path);
    assert.equal(error.code, 'INVALID_ARGUMENT', path);
    assert.equal(error.details[0].path, path);
    assert.ok(!error.message.includes('secret-never-shown'));
  }
  assert.throws(() => hubspotSignatureAuthorizer({ appSecret: '' }), (e) => e.code === 'INVALID_ARGUMENT' && e.details[0].path === 'options.appSecret');
});

test('operations narrows what is forwarded, and basePath mounts the proxy under a prefix', async () => {
  const sent = [];
  const proxy = createProxy({
    clientId: 'id', clientSecret: 's', baseUrl: 'https://api.example.test/api', basePath: '/sd', operations: ['getContractStatus'],
    authorize: () => ({}),
    fetch: async (url) => { sent.push(url); return Response.json({ contract_status: 'DRAFT', contract_name: 'x' }); },
  });
  const ok = await proxy(new Request(`http://proxy.test/sd${API}/contracts/T-1/status`));
  assert.equal(ok.status, 200);
  assert.deepEqual(sent, [`https://api.example.test${API}/contracts/T-1/status`]);
  assert.equal((await proxy(new Request(`http://proxy.test/sd${API}/templates/`))).status, 403, 'narrowed out');
  assert.equal((await proxy(new Request(`http://proxy.test${API}/contracts/T-1/status`))).status, 403, 'outside the base path');
  assert.equal(sent.length, 1);
});

test('the HubSpot authorizer returns who HubSpot says is calling; the proxy sends a principal\'s user-email', async () => {
  const url = `https://sd-proxy.example.test${API}/templates/?portalId=123456&userId=77&userEmail=ana%40acme.example&appId=9`;
  const timestamp = Date.now();
  const signature = sign.v3({ method: 'GET', url, requestBody: '', clientSecret: HUBSPOT_APP_SECRET, timestamp, signature: '' });
  const request = new Request(url, { headers: { 'x-hubspot-request-timestamp': String(timestamp), 'x-hubspot-signature-v3': signature } });
  const authorize = hubspotSignatureAuthorizer({ appSecret: HUBSPOT_APP_SECRET });
  assert.deepEqual(await authorize(request), { source: 'hubspot', portalId: '123456', userId: '77', userEmail: 'ana@acme.example', appId: '9', timestamp });
  const mapped = hubspotSignatureAuthorizer({ appSecret: HUBSPOT_APP_SECRET, principal: (_, p) => (p.portalId === '123456' ? { email: p.userEmail } : null) });
  assert.deepEqual(await mapped(request), { email: 'ana@acme.example' });
  assert.equal(await hubspotSignatureAuthorizer({ appSecret: 'another-app' })(request), null);

  const sent = [];
  const proxy = createProxy({
    clientId: 'id', clientSecret: 's', baseUrl: 'https://api.example.test', authorize: mapped,
    userEmail: (principal) => principal.email,
    fetch: async (to, init) => { sent.push({ to, headers: init.headers }); return Response.json({ items: [] }); },
  });
  const answer = await proxy(request);
  assert.equal(answer.status, 200);
  assert.equal(sent[0].to, `https://api.example.test${API}/templates/`, "HubSpot's query parameters are not forwarded");
  assert.equal(sent[0].headers['user-email'], 'ana@acme.example');
});

test('lookupBeforeCreate: a retry that reaches another proxy process answers the contract the first one made', async () => {
  const options = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, baseUrl: sandbox.url, authorize: () => ({}) };
  const first = createProxy(options);
  const other = createProxy({ ...options, lookupBeforeCreate: true });
  const create = () => new Request(`http://proxy.test${API}/contracts/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(withExternalId('alice-two-processes')) });
  const made = await first(create());
  assert.equal(made.status, 201);
  const made1 = await made.json();
  const again = await other(create());
  assert.equal(again.status, 201);
  // The answer is SpotDraft's lookup item (its `id` is the integer there), which the client reads as a create's.
  assert.equal(String((await again.json()).id).replace(/^T-/, ''), String(made1.contract_id));
  assert.equal((await contractsWithExternalId('alice-two-processes')).length, 1);
  // Without it, the other process makes a second contract (what the option is for).
  const plain = createProxy(options);
  assert.equal((await plain(create())).status, 201);
  assert.equal((await contractsWithExternalId('alice-two-processes')).length, 2);
});
