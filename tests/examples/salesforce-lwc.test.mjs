// examples/salesforce-lwc/ in Node: the component's JavaScript run against fakes, with the real
// static resource (pkg/js/spotdraft-sync.iife.js) as `window.SpotDraftSync`.
//
// - apexFetch.js and contractFlow.js are plain modules: imported as they are.
// - spotdraftContract.js (decorators, LWC imports) is bundled by esbuild with each LWC import
//   replaced by a stub of this file (any other import fails the test); its class is then run:
//   connectedCallback → load, handleCreate, handleRefresh.
// - The Apex side is a fake of SpotDraftProxy.send built from the Apex class's own constants
//   (its allow-list, forwarded headers), which forwards to a scripted SpotDraft on loopback and
//   adds the credential headers the Named Credential would.
//
// Not run here: Apex itself, the Named Credential, the HTML template's rendering, Lightning
// Web Security (tests/browser/lws-sandbox.test.mjs runs the IIFE in @locker/sandbox).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { startFakeSpotDraft } from '../node/support/fake-spotdraft.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = join(root, 'examples/salesforce-lwc');
const metadataDir = join(example, 'force-app/main/default');
const componentDir = join(metadataDir, 'lwc/spotdraftContract');
const read = (p) => readFileSync(join(metadataDir, p), 'utf8');
const fixture = (p) => JSON.parse(readFileSync(join(root, 'tests/fixtures', p), 'utf8'));
const { APEX_BASE_URL, createApexFetch, toResponse } = await import(pathToFileURL(join(componentDir, 'apexFetch.js')));
const { prepareCreate, describeError } = await import(pathToFileURL(join(componentDir, 'contractFlow.js')));
const { OPPORTUNITY_MAPPING } = await import(pathToFileURL(join(componentDir, 'opportunityMapping.js')));

// The static resource, evaluated as the classic script it is.
const sd = new Function(`${readFileSync(join(root, 'pkg/js/spotdraft-sync.iife.js'), 'utf8')}\nreturn SpotDraftSync;`)();
const opportunity = fixture('records/salesforce-opportunity.json');
const metadata = fixture('templates/template-1204-metadata.json');
const SECRET = 'sd-secret-never-in-the-browser';
const RESOURCE_URL = '/resource/1767225600000/spotdraftsync';

// ---- SpotDraftProxy.cls, read for the fake --------------------------------------------------
const apexSource = read('classes/SpotDraftProxy.cls');
const apexString = (literal) => literal.replace(/\\(.)/g, '$1');
const ALLOWED = [...apexSource.matchAll(/'(GET|POST|PATCH|DELETE) (\^[^']*\$)'/g)].map(([, method, regex]) => ({ method, regex: new RegExp(apexString(regex)) }));
const RESPONSE_HEADERS = new Set([...apexSource.match(/RESPONSE_HEADERS = new Set<String>\{([^}]*)\}/)[1].matchAll(/'([^']+)'/g)].map((m) => m[1]));
const APEX_TIMEOUT_MS = Number(apexSource.match(/TIMEOUT_MS = (\d+);/)[1]);
const apexAllows = (method, path) => ALLOWED.some((rule) => rule.method === method && rule.regex.test(path));

/** How LWC hands a failed imperative Apex call to the component. */
const apexError = (message) => ({ status: 500, ok: false, statusText: 'Server Error', headers: {}, body: { message } });

/**
 * A fake SpotDraftProxy.send over the scripted SpotDraft at `apiUrl`: the same allow-list, the
 * Named Credential's headers added, only RESPONSE_HEADERS back. `timeoutAfterForward(method,
 * path)` makes a call arrive at SpotDraft and then fail as a timed-out callout.
 */
function fakeApex(apiUrl, { timeoutAfterForward = () => false } = {}) {
  const calls = [];
  const send = async (params) => {
    calls.push(structuredClone(params));
    const { method, path, body } = params;
    if (!apexAllows(method, path)) throw apexError(`SpotDraftProxy does not forward ${method} ${path}`);
    const headers = { accept: 'application/json', 'client-id': 'sd-client-id', 'client-secret': SECRET, 'user-email': 'integration@acme.example' };
    if (body !== null) headers['content-type'] = 'application/json';
    const response = await fetch(`${apiUrl}${path}`, { method, headers, body: body ?? undefined, redirect: 'manual' });
    const text = await response.text();
    if (timeoutAfterForward(method, path)) throw apexError('SpotDraft callout failed: Read timed out');
    const forwarded = {};
    response.headers.forEach((value, name) => {
      if (RESPONSE_HEADERS.has(name)) forwarded[name] = value;
    });
    return { status: response.status, body: text, headers: forwarded };
  };
  return { send, calls };
}

// ---- a scripted SpotDraft ------------------------------------------------------------------
const contract = (status) => ({ id: 'T-1234', contract_id: 1234, contract_status: status, contract_name: opportunity.Name, external_metadata: { id: opportunity.Id } });
let api;
const state = { created: false, statusCalls: 0, posts: [] };
const UNAUTHORIZED_ID = '0065g00000Unauth401';
before(async () => {
  api = await startFakeSpotDraft({
    [`GET /api/v2.1/public/contracts/by_external_metadata/${opportunity.Id}`]: () => ({ status: 200, body: state.created ? [contract('DRAFT')] : [] }),
    [`GET /api/v2.1/public/contracts/by_external_metadata/${UNAUTHORIZED_ID}`]: () => ({ status: 401, body: { detail: 'Invalid client credentials.' } }),
    'GET /api/v2.1/public/templates/1204/metadata': () => ({ status: 200, body: metadata }),
    'POST /api/v2.1/public/contracts/': (_req, body) => {
      state.posts.push(JSON.parse(body));
      state.created = true;
      return { status: 201, headers: { 'x-request-id': 'req-create-1', 'set-cookie': 'sid=1' }, body: contract('DRAFT') };
    },
    'GET /api/v2.1/public/contracts/T-1234/status': () => ({ status: 200, body: { contract_status: 'SIGN', contract_name: opportunity.Name } }),
    'GET /api/v2.1/public/contracts/T-503/status': () => (++state.statusCalls === 1
      ? { status: 503, headers: { 'retry-after': '0' }, body: { detail: 'busy' } }
      : { status: 200, body: { contract_status: 'EXECUTED', contract_name: 'Retried' } }),
    'GET /api/v2.1/public/contracts/T-404/status': () => ({ status: 404, headers: { 'x-request-id': 'req-404' }, body: { detail: 'Not found.' } }),
  });
});
after(async () => api?.close());
const reset = () => Object.assign(state, { created: false, statusCalls: 0, posts: [] });

// ---- the component, bundled with LWC stubs --------------------------------------------------
const STUBS = {
  lwc: 'export class LightningElement {}\nexport function api() {}',
  'lightning/platformResourceLoader': 'export const loadScript = (component, url) => globalThis.lwcHarness.loadScript(component, url);',
  '@salesforce/resourceUrl/spotdraftsync': `export default ${JSON.stringify(RESOURCE_URL)};`,
  '@salesforce/apex/SpotDraftProxy.send': 'export default (params) => globalThis.lwcHarness.apex.send(params);',
  '@salesforce/apex/SpotDraftProxy.getOpportunityRecord': 'export default (params) => globalThis.lwcHarness.getOpportunityRecord(params);',
};
let Component, componentImports;
before(async () => {
  const result = await build({
    entryPoints: [join(componentDir, 'spotdraftContract.js')], bundle: true, write: false, format: 'esm', platform: 'neutral', target: 'es2022', metafile: true, logLevel: 'error',
    plugins: [{
      name: 'lwc-stubs',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, ({ path }) => {
          if (!(path in STUBS)) return { errors: [{ text: `${path} is not an LWC module this test stubs` }] };
          return { path, namespace: 'lwc-stub' };
        });
        // LWC resolves a component's own modules without the extension.
        b.onResolve({ filter: /^\.\/\w+$/ }, ({ path, resolveDir }) => ({ path: join(resolveDir, `${path.slice(2)}.js`) }));
        b.onLoad({ filter: /.*/, namespace: 'lwc-stub' }, ({ path }) => ({ contents: STUBS[path], loader: 'js' }));
      },
    }],
  });
  componentImports = Object.keys(result.metafile.inputs).sort();
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-lwc-'));
  try {
    writeFileSync(join(dir, 'component.mjs'), result.outputFiles[0].text);
    Component = (await import(pathToFileURL(join(dir, 'component.mjs')))).default;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A component on `record`'s page, its Apex fake, and what loadScript was asked for. */
function mount(record, apexOptions) {
  const apex = fakeApex(api.url, apexOptions);
  const loads = [];
  globalThis.lwcHarness = {
    apex,
    loadScript: async (component, url) => {
      loads.push({ component, url });
      // Under LWS the script's `var SpotDraftSync` lands on the sandbox's global, the
      // component's `window`.
      globalThis.window = { SpotDraftSync: sd };
    },
    getOpportunityRecord: async ({ opportunityId }) => {
      assert.equal(opportunityId, record.Id);
      return JSON.stringify(record);
    },
  };
  const component = new Component();
  component.recordId = record.Id;
  return { component, apex, loads };
}

async function settled(component) {
  for (let i = 0; i < 500 && component.loading; i++) await new Promise((r) => setTimeout(r, 2));
  assert.equal(component.loading, false, 'load() finished');
}

const paths = (apex) => apex.calls.map((c) => `${c.method} ${c.path}`);
const T = '/api/v2.1/public';

test('the component bundles with only LWC modules and its own files', () => {
  assert.deepEqual(componentImports.filter((f) => !f.startsWith('lwc-stub:')).map((f) => f.split('/').at(-1)), ['apexFetch.js', 'contractFlow.js', 'opportunityMapping.js', 'spotdraftContract.js']);
  assert.equal(typeof Component, 'function');
});

test('the template binds only what the class defines (the template itself is not rendered here)', () => {
  const html = read('lwc/spotdraftContract/spotdraftContract.html');
  const items = new Set([...html.matchAll(/for:item="(\w+)"/g)].map((m) => m[1]));
  const bound = [...new Set([...html.matchAll(/\{(\w+)(?:\.\w+)*\}/g)].map((m) => m[1]))].filter((name) => !items.has(name)).sort();
  assert.deepEqual(bound, ['contractId', 'contractStatus', 'createDisabled', 'errorMessage', 'handleCreate', 'handleRefresh', 'hasIssues', 'issues', 'loading', 'refreshDisabled']);
  const instance = new Component();
  for (const name of bound) assert.ok(name in instance, `${name} is not a member of the component`);
  assert.deepEqual([...html.matchAll(/\{(\w+)\.(\w+)\}/g)].map((m) => m[2]).filter((f) => !['key', 'path', 'code', 'message', 'sourcePath'].includes(f)), [], 'issue rows have key, path, code, message, sourcePath');
});

test('component: no contract yet → loads the resource, maps and validates the Opportunity, creates it, refreshes its status', async () => {
  reset();
  const { component, apex, loads } = mount(opportunity);
  component.connectedCallback();
  await settled(component);
  assert.equal(component.errorMessage, undefined);
  assert.deepEqual(loads, [{ component, url: RESOURCE_URL }]);
  assert.deepEqual(component.issues, []);
  assert.equal(component.createDisabled, false);
  assert.deepEqual(paths(apex), [`GET ${T}/contracts/by_external_metadata/${opportunity.Id}`, `GET ${T}/templates/1204/metadata`]);

  await component.handleCreate();
  assert.equal(component.errorMessage, undefined);
  assert.deepEqual([component.outcome, component.contractId, component.contractStatus], ['CREATED', 'T-1234', 'DRAFT']);
  assert.equal(component.createDisabled, true, 'one contract per Opportunity');
  assert.equal(state.posts.length, 1);
  assert.deepEqual(state.posts[0], sd.buildCreateContract(opportunity, OPPORTUNITY_MAPPING));
  assert.equal(state.posts[0].external_metadata.id, opportunity.Id);

  await component.handleRefresh();
  assert.equal(component.contractStatus, 'SIGN');
  assert.deepEqual(paths(apex).slice(2), [`POST ${T}/contracts/`, `GET ${T}/contracts/T-1234/status`]);
  // The secret exists only on the Apex side of the fake: nothing the component sent or got has it.
  assert.ok(api.requests.every((r) => r.headers['client-secret'] === SECRET));
  assert.equal(JSON.stringify(apex.calls).includes(SECRET), false);
  component.disconnectedCallback();
});

test('component: a contract already made from this Opportunity is shown, not created again', async () => {
  reset();
  state.created = true;
  const { component, apex } = mount(opportunity);
  component.connectedCallback();
  await settled(component);
  assert.deepEqual([component.contractId, component.contractStatus, component.createDisabled], ['T-1234', 'DRAFT', true]);
  assert.deepEqual(paths(apex), [`GET ${T}/contracts/by_external_metadata/${opportunity.Id}`]);
});

test('component: an Opportunity the mapping cannot read lists each problem with its Opportunity field', async () => {
  reset();
  const record = structuredClone(opportunity);
  delete record.OpportunityContactRoles.records[0].Contact.Email;
  const { component, apex } = mount(record);
  component.connectedCallback();
  await settled(component);
  assert.deepEqual(component.issues.map(({ path, code, sourcePath }) => ({ path, code, sourcePath })), [
    { path: 'counter_party_details[0].poc_details.email', code: 'MISSING_SOURCE_VALUE', sourcePath: 'OpportunityContactRoles.records[0].Contact.Email' },
    { path: 'signatories[0].email', code: 'MISSING_SOURCE_VALUE', sourcePath: 'OpportunityContactRoles.records[0].Contact.Email' },
  ]);
  assert.equal(component.createDisabled, true);
  assert.deepEqual(paths(apex), [`GET ${T}/contracts/by_external_metadata/${record.Id}`], 'no template metadata without a body');
});

test('component: a create whose callout timed out after SpotDraft got it is found, not made twice', async () => {
  reset();
  const { component, apex } = mount(opportunity, { timeoutAfterForward: (method) => method === 'POST' });
  component.connectedCallback();
  await settled(component);
  await component.handleCreate();
  assert.equal(component.errorMessage, undefined);
  assert.deepEqual([component.outcome, component.contractId], ['FOUND_EXISTING', 'T-1234']);
  assert.equal(state.posts.length, 1);
  assert.deepEqual(paths(apex).slice(2), [`POST ${T}/contracts/`, `GET ${T}/contracts/by_external_metadata/${opportunity.Id}`]);
});

test('component: a failure is one line: the Apex message, or the package error code and status', async () => {
  reset();
  const first = mount(opportunity);
  globalThis.lwcHarness.getOpportunityRecord = async () => { throw apexError('No Opportunity 006x is visible to you.'); };
  first.component.connectedCallback();
  await settled(first.component);
  assert.equal(first.component.errorMessage, 'No Opportunity 006x is visible to you.');

  const record = { ...structuredClone(opportunity), Id: UNAUTHORIZED_ID };
  const second = mount(record);
  second.component.connectedCallback();
  await settled(second.component);
  assert.match(second.component.errorMessage, /^UNAUTHORIZED \(HTTP 401\): /);
  assert.deepEqual(paths(second.apex), [`GET ${T}/contracts/by_external_metadata/${UNAUTHORIZED_ID}`], 'a 401 is not retried');
});

test('apexFetch: the client’s fetch call becomes { method, path, body } for Apex and Apex’s result a Response-like object', async () => {
  const seen = [];
  const apexFetch = createApexFetch(async (params) => {
    seen.push(params);
    return { status: 201, body: '{"id":"T-1"}', headers: { 'X-Request-Id': 'r-1', 'retry-after': '3' } };
  });
  const response = await apexFetch(`${APEX_BASE_URL}/api/v2.1/public/contracts/?page=2`, { method: 'post', headers: { 'content-type': 'application/json', 'x-session': 'not forwarded' }, body: '{"a":1}', redirect: 'manual' });
  assert.deepEqual(seen, [{ method: 'POST', path: '/api/v2.1/public/contracts/?page=2', body: '{"a":1}' }]);
  assert.equal(response.status, 201);
  assert.deepEqual(response.headers, { 'x-request-id': 'r-1', 'retry-after': '3' });
  assert.equal(await response.text(), '{"id":"T-1"}');
  await apexFetch(`${APEX_BASE_URL}/api/v2.1/public/contracts/T-1/status`, {});
  assert.deepEqual(seen[1], { method: 'GET', path: '/api/v2.1/public/contracts/T-1/status', body: null });

  await assert.rejects(apexFetch('https://api.us.spotdraft.com/api/v2.1/public/contracts/', {}), (e) => e instanceof TypeError && /only sends to https:\/\/spotdraft-via-apex\.invalid/.test(e.message));
  assert.equal(seen.length, 2, 'a foreign URL never reaches Apex');
  await assert.rejects(createApexFetch(() => Promise.reject(apexError('SpotDraft callout failed: Read timed out')))(`${APEX_BASE_URL}/x`, {}),
    (e) => e instanceof TypeError && e.message === 'SpotDraftProxy.send failed: SpotDraft callout failed: Read timed out');
  assert.throws(() => toResponse({ status: '200' }), TypeError);
  assert.throws(() => createApexFetch(undefined), TypeError);

  // The client's timeout or the caller's signal settles the call at once; Apex runs on.
  const controller = new AbortController();
  let finishApex;
  const pending = createApexFetch(() => new Promise((r) => { finishApex = r; }))(`${APEX_BASE_URL}/x`, { signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, (e) => e.name === 'AbortError');
  finishApex({ status: 200, body: '', headers: {} });
});

test('the package client over apexFetch: retries, Retry-After, error codes and local validation still run in the component', async () => {
  reset();
  const apex = fakeApex(api.url);
  const events = [];
  const client = new sd.SpotDraftClient({ baseUrl: APEX_BASE_URL, fetch: createApexFetch(apex.send), onResponse: (e) => events.push([e.path, e.attempt, e.status ?? e.errorCode]) });

  assert.deepEqual(await client.getContractStatus('T-503'), { contractStatus: 'EXECUTED', contractName: 'Retried' });
  assert.deepEqual(events, [[`${T}/contracts/T-503/status`, 1, 503], [`${T}/contracts/T-503/status`, 2, 200]]);

  const missing = await client.getContractStatus('T-404').then(() => null, (e) => e);
  assert.ok(sd.isSpotDraftError(missing));
  assert.deepEqual([missing.code, missing.status, missing.requestId], ['NOT_FOUND', 404, 'req-404']);
  assert.match(describeError(sd, missing), /^NOT_FOUND \(HTTP 404\): /);

  // A request the Apex class does not forward is a network failure naming the refusal.
  const before = apex.calls.length;
  const refused = await client.getWebhookHmacKey({ maxRetries: 0 }).then(() => null, (e) => e);
  assert.equal(refused.code, 'NETWORK');
  assert.match(refused.message, /SpotDraftProxy does not forward GET \/api\/v2\.1\/public\/webhooks\/hmac_key\//);
  assert.equal(apex.calls.length - before, 1);

  // An invalid body is refused before any Apex call.
  const bad = structuredClone(sd.buildCreateContract(opportunity, OPPORTUNITY_MAPPING));
  bad.contract_data.notice_period_days = 'sixty';
  const calls = apex.calls.length;
  const invalid = await client.createContract(bad, { templateMetadata: metadata }).then(() => null, (e) => e);
  assert.equal(invalid.code, 'VALIDATION_FAILED');
  assert.deepEqual(invalid.details.map((d) => [d.path, d.code]), [['contract_data.notice_period_days', 'WRONG_TYPE']]);
  assert.equal(apex.calls.length, calls);
  client.free();
});

test('the example mapping is the repository fixture and turns the fixture Opportunity into a valid body', () => {
  assert.deepEqual(OPPORTUNITY_MAPPING, fixture('mappings/salesforce-opportunity.mapping.json'));
  const { payload, issues } = prepareCreate(sd, opportunity, OPPORTUNITY_MAPPING, metadata);
  assert.deepEqual(issues, []);
  assert.deepEqual([payload.contract_template_id, payload.external_metadata.id, payload.external_metadata.integration_name], [1204, opportunity.Id, 'Salesforce']);
  const record = structuredClone(opportunity);
  record.CurrencyIsoCode = 'EURO';
  assert.deepEqual(prepareCreate(sd, record, OPPORTUNITY_MAPPING, metadata).issues.map((i) => [i.path, i.code]), [
    ['contract_data.billing_currency.type', 'INVALID_CURRENCY_CODE'],
    ['contract_data.pricing_schedule[0].amount.type', 'INVALID_CURRENCY_CODE'],
    ['contract_data.pricing_schedule[1].amount.type', 'INVALID_CURRENCY_CODE'],
  ]);
  // Every field the mapping reads from the Opportunity is in the Apex query.
  const query = apexSource.match(/OPPORTUNITY_QUERY =([\s\S]*?);\n/)[1].replace(/'\s*\+\s*'/g, '');
  const sources = new Set();
  const collect = (rules, prefix) => {
    for (const rule of rules) {
      for (const s of [rule.source, rule.currency?.code?.source, rule.currency?.value?.source, rule.duration?.value?.source, ...(rule.concat ?? []).map((c) => c.source)]) {
        if (s && !s.startsWith('$.') && s !== 'attributes.type') sources.add(prefix ? `${prefix}.${s}` : s);
      }
      if (rule.each) collect(rule.fields, rule.each);
    }
  };
  collect(OPPORTUNITY_MAPPING.fields, '');
  const missing = [...sources].filter((s) => {
    const [first, ...rest] = s.replace(/\.records(\[0\])?/, '').split('.');
    if (rest.length === 0) return !new RegExp(`[\\s,]${first}[,\\s]`).test(query);
    if (['OpportunityContactRoles', 'OpportunityLineItems'].includes(first)) return !new RegExp(`[\\s,]${rest.join('.')}[,\\s][^()]*FROM ${first}`).test(query);
    return !new RegExp(`[\\s,]${first}\\.${rest.join('\\.')}[,\\s]`).test(query);
  });
  assert.deepEqual(missing, []);
});

test('Apex: the allow-list admits every request the component makes and refuses the rest; its callout timeout is below the client’s', () => {
  for (const [method, path] of [['GET', `${T}/templates/1204/metadata`], ['GET', `${T}/contracts/by_external_metadata/${opportunity.Id}`], ['GET', `${T}/contracts/T-1234/status`], ['POST', `${T}/contracts/`]]) {
    assert.ok(apexAllows(method, path), `${method} ${path}`);
  }
  for (const [method, path] of [['GET', `${T}/webhooks/hmac_key/`], ['POST', `${T}/webhooks/`], ['DELETE', `${T}/webhooks/511`], ['GET', `${T}/templates/`], ['POST', `${T}/contracts/T-1/send_to_counterparties`],
    ['POST', `${T}/contracts/T-1/download_link`], ['GET', `${T}/contracts/../webhooks/hmac_key/`], ['DELETE', `${T}/contracts/`], ['GET', `${T}/contracts/T-1/status?x=1`]]) {
    assert.equal(apexAllows(method, path), false, `${method} ${path}`);
  }
  const clientTimeout = Number(readFileSync(join(componentDir, 'spotdraftContract.js'), 'utf8').match(/CLIENT_TIMEOUT_MS = (\d+);/)[1]);
  assert.ok(APEX_TIMEOUT_MS <= 120_000, 'Apex allows 120 s per callout');
  assert.ok(clientTimeout >= APEX_TIMEOUT_MS + 10_000, `client ${clientTimeout} ms vs Apex ${APEX_TIMEOUT_MS} ms`);
});

test('metadata: the record page target, the static resource, credentials without secret values', () => {
  const bundle = read('lwc/spotdraftContract/spotdraftContract.js-meta.xml');
  assert.match(bundle, /<isExposed>true<\/isExposed>/);
  assert.match(bundle, /<targetConfig targets="lightning__RecordPage">\s*<objects>\s*<object>Opportunity<\/object>/);
  assert.match(read('staticresources/spotdraftsync.resource-meta.xml'), /<contentType>application\/javascript<\/contentType>/);

  const ec = read('externalCredentials/SpotDraft.externalCredential-meta.xml');
  assert.match(ec, /<authenticationProtocol>Custom<\/authenticationProtocol>/);
  const headers = [...ec.matchAll(/<parameterName>([^<]+)<\/parameterName>\s*<parameterType>AuthHeader<\/parameterType>\s*<parameterValue>([^<]*)<\/parameterValue>/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(headers, [['client-id', '{!$Credential.SpotDraft.ClientId}'], ['client-secret', '{!$Credential.SpotDraft.ClientSecret}'], ['user-email', '{!$Credential.SpotDraft.UserEmail}']]);
  const values = [...ec.matchAll(/<parameterValue>([^<]*)<\/parameterValue>/g)].map((m) => m[1]);
  assert.ok(values.every((v) => /^\{!\$Credential\.SpotDraft\.\w+\}$/.test(v)), `only formulas: ${values}`);
  const principal = ec.match(/<parameterName>(\w+)<\/parameterName>\s*<parameterType>NamedPrincipal<\/parameterType>/)[1];

  const nc = read('namedCredentials/SpotDraft.namedCredential-meta.xml');
  assert.match(nc, /<externalCredential>SpotDraft<\/externalCredential>/);
  assert.match(nc, /<parameterValue>https:\/\/api\.us\.spotdraft\.com<\/parameterValue>/);
  assert.match(nc, /<allowMergeFieldsInHeader>false<\/allowMergeFieldsInHeader>/);
  assert.match(apexSource, /NAMED_CREDENTIAL = 'callout:SpotDraft';/);
  assert.match(read('permissionsets/SpotDraft_Integration.permissionset-meta.xml'), new RegExp(`<externalCredentialPrincipal>SpotDraft-${principal}</externalCredentialPrincipal>`));
});

test('the copy script puts the IIFE in the static resource and refuses what Salesforce would', async () => {
  const script = join(example, 'scripts/copy-static-resource.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-sr-'));
  const run = (from, to) => promisify(execFile)(process.execPath, [script, '--from', from, '--to', to], { encoding: 'utf8' });
  try {
    const iife = join(root, 'pkg/js/spotdraft-sync.iife.js');
    const { stdout } = await run(iife, join(dir, 'spotdraftsync.js'));
    assert.match(stdout, /\(2\.\d\d MB, limit 5 MB\)/);
    assert.ok(readFileSync(join(dir, 'spotdraftsync.js')).equals(readFileSync(iife)));
    writeFileSync(join(dir, 'wasm.js'), 'WebAssembly.instantiate(bytes)');
    await assert.rejects(run(join(dir, 'wasm.js'), join(dir, 'out.js')), /mentions WebAssembly/);
    writeFileSync(join(dir, 'big.js'), Buffer.alloc(5_000_000, 0x20));
    await assert.rejects(run(join(dir, 'big.js'), join(dir, 'out.js')), /5000000 bytes; a static resource holds less than 5000000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(readFileSync(join(example, '.gitignore'), 'utf8'), /^force-app\/main\/default\/staticresources\/spotdraftsync\.js$/m);
});
