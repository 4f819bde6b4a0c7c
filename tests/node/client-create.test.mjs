// createContract against the local sandbox over real HTTP: created / found, local validation
// before the network, retries with Retry-After, the client-side rate limiter, cancellation,
// and exactly-once creates under injected faults.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpotDraftClient, isSpotDraftError } from 'spotdraft-sync';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { rejection } from './support/rejection.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (p) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', p), 'utf8'));
const playbook = fixture('playbook-create-contract.json');
const metadata = fixture('templates/template-1204-metadata.json');
const credentials = { clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' };
let sandbox, limited;

const withExternalId = (id) => ({ ...playbook, external_metadata: { ...playbook.external_metadata, id } });
const control = async (path, body) => {
  const response = await fetch(`${sandbox.url}/__sandbox/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
};

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0', '--seed', '11']);
  limited = await startSandbox(root, ['--rate-limit', '10']);
});
after(async () => {
  await sandbox?.stop();
  await limited?.stop();
});

test('createContract creates once, finds by external id, and checkExistingFirst makes it idempotent', async () => {
  const client = new SpotDraftClient({ baseUrl: sandbox.url, ...credentials });
  const created = await client.createContract(withExternalId('hubspot-deal-create-1'), { templateMetadata: metadata });
  assert.equal(created.outcome, 'CREATED');
  assert.equal(created.attempts, 1);
  assert.match(created.contract.id, /^T-\d+$/);
  assert.equal(created.contract.contractStatus, 'DRAFT');
  assert.deepEqual(created.contract.externalMetadata.id, 'hubspot-deal-create-1');
  const found = await client.findContractsByExternalId('hubspot-deal-create-1');
  assert.deepEqual(found.map((c) => c.id), [created.contract.id]);
  const again = await client.createContract(withExternalId('hubspot-deal-create-1'), { checkExistingFirst: true });
  assert.deepEqual([again.outcome, again.attempts, again.contract.id], ['FOUND_EXISTING', 0, created.contract.id]);
  assert.deepEqual(await client.findContractsByExternalId('no-such-record'), []);
});

test('a body without external_metadata.id or with template mismatches never reaches the network', async () => {
  const requests = [];
  const client = new SpotDraftClient({ baseUrl: sandbox.url, ...credentials, onRequest: (e) => requests.push(e) });
  const { external_metadata: _dropped, ...noExternalId } = playbook;
  const missing = await rejection(client.createContract(noExternalId));
  assert.equal(missing.code, 'VALIDATION_FAILED');
  assert.ok(missing.details.some((d) => d.path.startsWith('external_metadata')), JSON.stringify(missing.details));
  const bad = structuredClone(withExternalId('deal-bad'));
  bad.contract_data.billing_curency = bad.contract_data.billing_currency;
  delete bad.contract_data.billing_currency;
  const mismatch = await rejection(client.createContract(bad, { templateMetadata: metadata }));
  assert.equal(mismatch.code, 'VALIDATION_FAILED');
  assert.ok(mismatch.details.some((d) => d.path === 'contract_data.billing_curency' && d.suggestion === 'billing_currency'), JSON.stringify(mismatch.details));
  assert.equal(requests.length, 0);
});

test('SpotDraft-side refusals keep their status and code', async () => {
  const client = new SpotDraftClient({ baseUrl: sandbox.url, ...credentials });
  const wrongTemplate = await rejection(client.createContract({ ...withExternalId('deal-globex'), contract_template_id: 2101 }, { validate: false }));
  assert.ok(isSpotDraftError(wrongTemplate));
  assert.equal(wrongTemplate.code, 'TEMPLATE_INACCESSIBLE');
  assert.equal(wrongTemplate.status, 404);
  const unauthorized = await rejection(new SpotDraftClient({ baseUrl: sandbox.url, clientId: 'sandbox-acme', clientSecret: 'wrong' }).createContract(withExternalId('deal-401')));
  assert.equal(unauthorized.code, 'UNAUTHORIZED');
});

test('GETs are retried on 429 after Retry-After and on 5xx; hooks see each attempt without secrets', async () => {
  const events = [];
  const client = new SpotDraftClient({ baseUrl: sandbox.url, ...credentials, onResponse: (e) => events.push(e) });
  const { contract } = await client.createContract(withExternalId('deal-retry'));
  await control('faults', { seed: 1, next_429: 1, retry_after_secs: 1 });
  const started = Date.now();
  assert.equal((await client.getContractStatus(contract.id)).contractStatus, 'DRAFT');
  assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
  const statusEvents = events.filter((e) => e.operation === 'getContractStatus');
  assert.deepEqual(statusEvents.map((e) => [e.attempt, e.status]), [[1, 429], [2, 200]]);
  assert.ok(!JSON.stringify(events).includes('sandbox-acme-secret'));
  await control('faults', { seed: 1, next_5xx: 2 });
  assert.equal((await client.getContractStatus(contract.id)).contractStatus, 'DRAFT');
  await control('faults', { seed: 1, next_5xx: 5 });
  const gaveUp = await rejection(client.getContractStatus(contract.id, { maxRetries: 1 }));
  assert.equal(gaveUp.code, 'SERVER_ERROR');
  await control('faults', { seed: 1 });
});

test('an AbortSignal stops a call during its retry wait', async () => {
  const client = new SpotDraftClient({ baseUrl: sandbox.url, ...credentials });
  const { contract } = await client.createContract(withExternalId('deal-abort'));
  await control('faults', { seed: 1, next_429: 1, retry_after_secs: 20 });
  const controller = new AbortController();
  const started = Date.now();
  const pending = client.getContractStatus(contract.id, { signal: controller.signal });
  setTimeout(() => controller.abort(), 200);
  assert.equal((await rejection(pending)).code, 'ABORTED');
  assert.ok(Date.now() - started < 5000, 'did not wait out Retry-After');
  await control('faults', { seed: 1 });
});

test('the client-side rate limiter keeps a burst within 10 requests/second: no 429 from the sandbox', async () => {
  const setup = new SpotDraftClient({ baseUrl: limited.url, ...credentials });
  const { contract } = await setup.createContract(withExternalId('deal-rate'));
  const statuses = [];
  const client = new SpotDraftClient({ baseUrl: limited.url, ...credentials, maxRetries: 0, onResponse: (e) => statuses.push(e.status) });
  await new Promise((r) => setTimeout(r, 1100));
  const started = Date.now();
  await Promise.all(Array.from({ length: 30 }, () => client.getContractStatus(contract.id)));
  const elapsed = Date.now() - started;
  assert.deepEqual([...new Set(statuses)], [200]);
  assert.ok(elapsed >= 2800, `30 calls at 10/s take at least 2.9 s, took ${elapsed} ms`);
});

test('1,000 creates under 30% injected faults end with exactly 1,000 contracts: 0 duplicates, 0 lost', async () => {
  await control('reset', {});
  await control('faults', {
    seed: 4242,
    // ≈30% of attempts fail: 8% 5xx, 6% 429, 5% reset before and 8% reset after the create
    // is committed (creates only), and ≈9% answer later than the client's 1 s timeout
    // (0–1.1 s latency). The test prints the share of attempts that were faulted.
    error_5xx_rate: 0.08,
    error_429_rate: 0.06,
    retry_after_secs: 0,
    reset_before_rate: 0.05,
    reset_after_commit_rate: 0.08,
    latency_ms: 0,
    latency_jitter_ms: 1100,
  });
  const attempts = { total: 0, faulted: 0 };
  const onResponse = (e) => {
    attempts.total++;
    if (e.errorCode || e.status >= 429) attempts.faulted++;
  };
  const client = new SpotDraftClient({ baseUrl: sandbox.url, ...credentials, maxRequestsPerSecond: 1000, maxRetries: 8, timeoutMs: 1000, onResponse });
  const ids = Array.from({ length: 1000 }, (_, i) => `chaos-${i}`);
  const outcomes = { CREATED: 0, FOUND_EXISTING: 0 };
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        outcomes[(await client.createContract(withExternalId(id), { validate: false })).outcome]++;
      } catch (error) {
        failures.push(`${id}: ${error.code} ${error.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  await control('faults', { seed: 1 });
  const truth = await control('contracts');
  const byExternal = new Map();
  for (const c of truth.contracts) {
    const id = c.external_metadata?.id ?? c.external_metadata_id;
    byExternal.set(id, (byExternal.get(id) ?? 0) + 1);
  }
  const duplicates = [...byExternal.values()].filter((n) => n > 1).length;
  const lost = ids.filter((id) => !byExternal.has(id)).length;
  console.log(`exactly-once creates: ${ids.length} requested, ${truth.contracts.length} contracts in the sandbox, ${duplicates} duplicates, ${lost} lost; outcomes ${JSON.stringify(outcomes)}, ${failures.length} failed calls; ${attempts.total} HTTP attempts, ${attempts.faulted} faulted (${((100 * attempts.faulted) / attempts.total).toFixed(1)}%)`);
  assert.deepEqual(failures, []);
  assert.equal(truth.contracts.length, 1000);
  assert.equal(duplicates, 0);
  assert.equal(lost, 0);
  assert.ok(outcomes.FOUND_EXISTING > 0, 'faults after commit were exercised');
  assert.ok(attempts.faulted / attempts.total > 0.25, 'about 30% of attempts were faulted');
});
