// The web build in headless Chromium against the local sandbox (another loopback port, CORS):
// every client method, the main error codes, Retry-After retries, cancellation and the
// client-side rate limiter — the same behaviour the Node tests check, in a real chromium.browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useChromiumAndSite } from './chromium.mjs';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests/fixtures/playbook-create-contract.json'), 'utf8'));
const chromium = useChromiumAndSite();
let sandbox, limited;

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0']);
  limited = await startSandbox(root, ['--rate-limit', '10']);
});
after(async () => {
  await sandbox?.stop();
  await limited?.stop();
});

async function inPage(fn, arg) {
  const page = await chromium.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${chromium.site.url}/www/status.html`);
  await page.waitForFunction(() => document.getElementById('result').textContent.startsWith('Ready'));
  const result = await page.evaluate(fn, arg);
  assert.deepEqual(errors, []);
  await page.close();
  return result;
}

test('every client method works from a browser page', async () => {
  const out = await inPage(async ({ api, playbook }) => {
    const sd = await import('/pkg/web/spotdraft_sync.js');
    const client = new sd.SpotDraftClient({ baseUrl: api, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret', dangerouslyAllowBrowserSecret: true });
    const metadata = await client.getTemplateMetadata(1204);
    const payload = { ...playbook, external_metadata: { ...playbook.external_metadata, id: 'browser-deal-1' } };
    const created = await client.createContract(payload, { templateMetadata: metadata });
    const id = created.contract.id;
    await client.sendToCounterparties(id);
    const afterSend = (await client.getContractStatus(id)).contractStatus;
    await fetch(`${api}/__sandbox/contracts/${id}/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const keyPointers = await client.getKeyPointers(id);
    const link = await client.getDownloadLink(id, { format: 'PDF' });
    const pdf = new Uint8Array(await (await fetch(link.url)).arrayBuffer());
    const found = await client.findContractsByExternalId('browser-deal-1');
    const templates = await client.listTemplates();
    const { hmacKey } = await client.getWebhookHmacKey();
    const webhook = await client.registerWebhook({ title: 'browser', url: 'http://127.0.0.1:9/hook', activities: ['CONTRACT_EXECUTED'] });
    await client.deleteWebhook(webhook.id);
    return {
      outcome: created.outcome,
      afterSend,
      finalStatus: (await client.getContractStatus(id)).contractStatus,
      keyPointerCount: keyPointers.items.length,
      pdfMagic: String.fromCharCode(...pdf.slice(0, 4)),
      foundIds: found.map((c) => c.id).join() === id,
      hasTemplate1204: templates.items.some((t) => t.id === 1204),
      hmacKeyLength: atob(hmacKey).length,
    };
  }, { api: sandbox.url, playbook });
  assert.deepEqual(out, { outcome: 'CREATED', afterSend: 'REDLINING', finalStatus: 'EXECUTED', keyPointerCount: out.keyPointerCount, pdfMagic: '%PDF', foundIds: true, hasTemplate1204: true, hmacKeyLength: out.hmacKeyLength });
  assert.ok(out.keyPointerCount >= 10);
  assert.ok(out.hmacKeyLength >= 32);
});

test('error codes, Retry-After, cancellation and the rate limiter in the browser', async () => {
  const out = await inPage(async ({ api, limitedApi, playbook }) => {
    const sd = await import('/pkg/web/spotdraft_sync.js');
    const options = { baseUrl: api, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret', dangerouslyAllowBrowserSecret: true };
    const code = async (p) => p.then(() => 'resolved', (e) => (sd.isSpotDraftError(e) ? e.code : `non-SpotDraftError ${e}`));
    const client = new sd.SpotDraftClient(options);
    const { contract } = await client.createContract({ ...playbook, external_metadata: { id: 'browser-deal-2' } }, { validate: false });
    const codes = {
      unauthorized: await code(new sd.SpotDraftClient({ ...options, clientSecret: 'wrong' }).getContractStatus(contract.id)),
      forbidden: await code(new sd.SpotDraftClient({ ...options, userEmail: 'former@acme.example' }).getContractStatus(contract.id)),
      notFound: await code(client.getContractStatus('T-999999')),
      templateInaccessible: await code(client.createContract({ ...playbook, contract_template_id: 2101, external_metadata: { id: 'browser-x' } }, { validate: false })),
      invalidArgument: await code(client.getContractStatus('../T-1')),
      network: await code(new sd.SpotDraftClient({ baseUrl: 'http://127.0.0.1:9' }).getContractStatus('T-1')),
    };
    const events = [];
    const observed = new sd.SpotDraftClient({ ...options, onResponse: (e) => events.push([e.attempt, e.status]) });
    await fetch(`${api}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 1, next_429: 1, retry_after_secs: 1 }) });
    let started = performance.now();
    await observed.getContractStatus(contract.id);
    const retryWaitedMs = performance.now() - started;
    await fetch(`${api}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 1, next_429: 1, retry_after_secs: 20 }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    started = performance.now();
    const aborted = await code(client.getContractStatus(contract.id, { signal: controller.signal }));
    const abortMs = performance.now() - started;
    await fetch(`${api}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"seed":1}' });
    const limitedClient = new sd.SpotDraftClient({ ...options, baseUrl: limitedApi, maxRetries: 0 });
    const created = await limitedClient.createContract({ ...playbook, external_metadata: { id: 'browser-deal-3' } }, { validate: false });
    await new Promise((r) => setTimeout(r, 1100));
    started = performance.now();
    const burst = await Promise.all(Array.from({ length: 20 }, () => code(limitedClient.getContractStatus(created.contract.id))));
    return { codes, events, retryWaitedMs, aborted, abortMs, burst: [...new Set(burst)], burstMs: performance.now() - started };
  }, { api: sandbox.url, limitedApi: limited.url, playbook });
  assert.deepEqual(out.codes, { unauthorized: 'UNAUTHORIZED', forbidden: 'FORBIDDEN', notFound: 'NOT_FOUND', templateInaccessible: 'TEMPLATE_INACCESSIBLE', invalidArgument: 'INVALID_ARGUMENT', network: 'NETWORK' });
  assert.deepEqual(out.events, [[1, 429], [2, 200]]);
  assert.ok(out.retryWaitedMs >= 950, `waited ${out.retryWaitedMs} ms for Retry-After: 1`);
  assert.equal(out.aborted, 'ABORTED');
  assert.ok(out.abortMs < 5000);
  assert.deepEqual(out.burst, ['resolved'], 'no 429 from a burst of 20 under the 10/s limit');
  assert.ok(out.burstMs >= 1800, `20 calls at 10/s took ${out.burstMs} ms`);
});
