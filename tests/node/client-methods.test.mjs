// The send → track → sync-back methods, templates and webhooks of SpotDraftClient, against
// the local sandbox over real HTTP: documented requests, typed results, errors with stable
// codes, checks before the network, and no secret or signed URL in any error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { SpotDraftClient, isSpotDraftError, verifyWebhook } from 'spotdraft-sync';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { rejection } from './support/rejection.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (p) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', p), 'utf8'));
const playbook = fixture('playbook-create-contract.json');
const metadata1204 = fixture('templates/template-1204-metadata.json');
const SECRET = 'sandbox-acme-secret';
const credentials = { clientId: 'sandbox-acme', clientSecret: SECRET };
let sandbox;
let seq = 0;

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0', '--seed', '5']);
});
after(async () => {
  await sandbox?.stop();
});

/** A client whose fetch is counted, so tests can assert that nothing was sent. */
function client(extra = {}) {
  const sent = [];
  const c = new SpotDraftClient({
    baseUrl: sandbox.url,
    ...credentials,
    fetch: (url, init) => {
      sent.push({ url, method: init.method, body: init.body });
      return fetch(url, init);
    },
    ...extra,
  });
  return { c, sent };
}

/** Creates a contract from the playbook fixture with plain fetch (createContract is tested elsewhere). */
async function createContract() {
  const body = { ...playbook, external_metadata: { ...playbook.external_metadata, id: `methods-${process.pid}-${++seq}` } };
  const response = await fetch(`${sandbox.url}/api/v2.1/public/contracts/`, {
    method: 'POST',
    headers: { 'client-id': credentials.clientId, 'client-secret': SECRET, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()).id;
}

async function control(path, body) {
  const response = await fetch(`${sandbox.url}/__sandbox/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${path}: ${response.status}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

function assertClean(error, ...secrets) {
  assert.ok(isSpotDraftError(error), inspect(error));
  const text = [error.message, String(error), JSON.stringify(error), inspect(error), JSON.stringify(error.details ?? [])].join('\n');
  for (const secret of [SECRET, ...secrets]) assert.ok(!text.includes(secret), `a secret leaked into an error: ${text}`);
}

test('sendToCounterparties sends a PDF by default and moves the contract to REDLINING', async () => {
  const { c, sent } = client();
  const id = await createContract();
  const result = await c.sendToCounterparties(id);
  assert.deepEqual(result, { id, attachmentFormats: ['PDF'] });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].method, 'POST');
  assert.equal(sent[0].url, `${sandbox.url}/api/v2.1/public/contracts/${id}/send_to_counterparties`);
  assert.deepEqual(JSON.parse(sent[0].body), { attachment_formats: ['PDF'] });
  assert.equal((await c.getContractStatus(id)).contractStatus, 'REDLINING');
});

test('sendToCounterparties passes recipients, subject and message under their wire names', async () => {
  const { c, sent } = client();
  const id = await createContract();
  const result = await c.sendToCounterparties(
    id,
    { attachmentFormats: ['PDF', 'DOCX'], toEmails: ['legal@acme.example'], ccEmails: ['sales@example.com'], subject: 'Acme MSA', customMessage: 'Please review.\nThanks' },
    { timeoutMs: 10_000 },
  );
  assert.deepEqual(result.attachmentFormats, ['PDF', 'DOCX']);
  assert.deepEqual(JSON.parse(sent[0].body), {
    attachment_formats: ['PDF', 'DOCX'],
    to_emails: ['legal@acme.example'],
    cc_emails: ['sales@example.com'],
    subject: 'Acme MSA',
    custom_message: 'Please review.\nThanks',
  });
  const truth = await control(`contracts/${id}`);
  assert.equal(truth.status ?? truth.contract_status, 'REDLINING');
});

test('sendToCounterparties refuses bad options before the network, naming them', async () => {
  const { c, sent } = client();
  const cases = [
    [{ toEmails: ['Avery <legal@acme.example>'] }, 'options.toEmails[0]'],
    [{ ccEmails: ['ok@acme.example', 'nope'] }, 'options.ccEmails[1]'],
    [{ toEmails: [] }, 'options.toEmails'],
    [{ attachmentFormats: [] }, 'options.attachmentFormats'],
    [{ attachmentFormats: ['XLSX'] }, 'options.attachmentFormats[0]'],
    [{ toEmail: ['legal@acme.example'] }, 'options.toEmail'],
    [{ subject: 'Hi\r\nBcc: x@evil.example' }, 'options.subject'],
  ];
  for (const [options, path] of cases) {
    const error = await rejection(c.sendToCounterparties('T-1', options));
    assert.equal(error.code, 'INVALID_ARGUMENT', JSON.stringify(options));
    assert.equal(error.details[0].path, path, error.message);
  }
  const badId = await rejection(c.sendToCounterparties('1234'));
  assert.equal(badId.code, 'INVALID_ARGUMENT');
  assert.equal(badId.details[0].path, 'id');
  assert.equal(sent.length, 0, 'nothing reached the network');
});

test('sendToCounterparties in a state that does not allow it is a BUSINESS_RULE error, never retried', async () => {
  const { c, sent } = client();
  const id = await createContract();
  await control(`contracts/${id}/execute`, {});
  const error = await rejection(c.sendToCounterparties(id));
  assert.equal(error.code, 'BUSINESS_RULE');
  assert.equal(error.status, 402);
  assert.equal(error.spotdraftCode, 'SD_SANDBOX_INVALID_CONTRACT_STATE');
  assert.equal(sent.length, 1);
});

test('getKeyPointers is empty before execution, then typed and indexed by field name', async () => {
  const { c, sent } = client();
  const id = await createContract();
  assert.deepEqual(await c.getKeyPointers(id), { items: [], byFieldName: {} });
  assert.equal(sent.at(-1).url, `${sandbox.url}/api/v2.1/public/contracts/${id}/key_pointers`);
  assert.equal(sent.at(-1).method, 'GET');
  await control(`contracts/${id}/execute`, {});
  const { items, byFieldName } = await c.getKeyPointers(id);
  assert.ok(items.length >= 8, `${items.length} key pointers`);
  assert.deepEqual(Object.keys(byFieldName).sort(), [...new Set(items.map((i) => i.fieldName))].sort());
  const kp = (name) => {
    assert.ok(byFieldName[name], `no key pointer ${name}: ${Object.keys(byFieldName)}`);
    return byFieldName[name];
  };
  assert.deepEqual(kp('customer_name').value, { kind: 'TEXT', value: 'Acme Inc.' });
  assert.equal(kp('customer_name').raw, 'Acme Inc.');
  assert.equal(typeof kp('customer_name').id, 'number');
  assert.equal(typeof kp('customer_name').label, 'string');
  assert.equal(typeof kp('customer_name').dataType, 'string');
  assert.deepEqual(kp('billing_currency').value, { kind: 'CURRENCY', currency: 'USD', amount: 12000 });
  assert.deepEqual(kp('billing_currency').raw, { type: 'USD', value: 12000 });
  assert.deepEqual(kp('subscription_term').value, { kind: 'DURATION', unit: 'MONTHS', amount: 12, days: 365 });
  assert.deepEqual(kp('notice_period_days').value, { kind: 'NUMBER', value: 30 });
  assert.deepEqual(kp('auto_renewal').value, { kind: 'BOOLEAN', value: true });
  assert.deepEqual(kp('agreement_date').value, { kind: 'DATE', value: '2026-03-28' });
  assert.deepEqual(kp('service_countries').value, { kind: 'LIST', values: ['US', 'IN'] });
  assert.equal(kp('billing_address').value.kind, 'ADDRESS');
  assert.equal(kp('billing_address').value.address.lineOne, '350 Fifth Avenue');
  assert.equal(kp('billing_address').value.address.zipcode, '10118');
});

test('getDownloadLink returns a signed URL that fetches the real PDF, and never shows the URL in errors', async () => {
  const { c, sent } = client();
  const id = await createContract();
  await control(`contracts/${id}/execute`, {});
  const before = Date.now();
  const link = await c.getDownloadLink(id);
  assert.deepEqual(Object.keys(link).sort(), ['fetchedAt', 'fileName', 'url', 'versionId']);
  assert.equal(sent.at(-1).method, 'POST');
  assert.equal(sent.at(-1).url, `${sandbox.url}/api/v2.1/public/contracts/${id}/download_link`);
  assert.deepEqual(JSON.parse(sent.at(-1).body), { format: 'PDF' });
  assert.match(link.fileName, /^Acme Master Services Agreement [0-9a-f]{4}\.pdf$/);
  assert.equal(typeof link.versionId, 'number');
  const fetchedAt = Date.parse(link.fetchedAt);
  assert.ok(fetchedAt >= before - 1000 && fetchedAt <= Date.now() + 1000, link.fetchedAt);
  const file = await fetch(link.url);
  assert.equal(file.status, 200);
  const bytes = new Uint8Array(await file.arrayBuffer());
  assert.equal(new TextDecoder().decode(bytes.slice(0, 4)), '%PDF');

  const fallback = await c.getDownloadLink(id, { format: 'DOCX_WITH_FALLBACK_TO_PDF' });
  assert.match(fallback.fileName, /\.pdf$/);
  assert.deepEqual(JSON.parse(sent.at(-1).body), { format: 'DOCX_WITH_FALLBACK_TO_PDF' });

  // The sandbox renders PDF only: a documented 400 with its code, nothing from the link.
  const docx = await rejection(c.getDownloadLink(id, { format: 'DOCX' }));
  assert.equal(docx.code, 'VALIDATION_FAILED');
  assert.equal(docx.spotdraftCode, 'SD_SANDBOX_FORMAT_UNSUPPORTED');
  assertClean(docx, link.url, new URL(link.url).search);

  const count = sent.length;
  for (const options of [{ format: 'pdf' }, { fmt: 'PDF' }]) {
    const error = await rejection(c.getDownloadLink(id, options));
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.details[0].path, /^options/);
  }
  assert.equal(sent.length, count, 'bad options never reach the network');
});

test('listTemplates, getTemplate and getTemplateMetadata read the workspace templates', async () => {
  const { c, sent } = client();
  const { items } = await c.listTemplates();
  assert.equal(sent.at(-1).url, `${sandbox.url}/api/v2.1/public/templates/`);
  const ids = items.map((t) => t.id);
  assert.ok(ids.includes(1204), JSON.stringify(items));
  assert.ok(!ids.includes(2101), 'another workspace template is not listed');
  assert.ok(!ids.includes(1500), 'archived templates are not listed');
  const msa = items.find((t) => t.id === 1204);
  assert.equal(msa.name, 'Acme Master Services Agreement');
  assert.equal(typeof msa.contractTypeId, 'number');

  const details = await c.getTemplate(1204);
  assert.equal(sent.at(-1).url, `${sandbox.url}/api/v2.1/public/templates/1204/`);
  assert.equal(details.id, 1204);
  assert.ok(Array.isArray(details.tags));

  const metadata = await c.getTemplateMetadata('1204');
  assert.equal(sent.at(-1).url, `${sandbox.url}/api/v2.1/public/templates/1204/metadata`);
  assert.deepEqual(metadata, metadata1204, 'the metadata round-trips the fixture the sandbox serves');

  for (const call of [() => c.getTemplate(2101), () => c.getTemplateMetadata(2101), () => c.getTemplateMetadata(999999)]) {
    const error = await rejection(call());
    assert.equal(error.code, 'TEMPLATE_INACCESSIBLE');
    assert.equal(error.status, 404);
    assert.match(error.message, /workspace of these credentials/);
  }
  const count = sent.length;
  for (const bad of [0, -1, 1.5, 'T-1', '12a', 2 ** 53, null]) {
    const error = await rejection(c.getTemplateMetadata(bad));
    assert.equal(error.code, 'INVALID_ARGUMENT', String(bad));
    assert.equal(error.details[0].path, 'templateId');
  }
  assert.equal(sent.length, count);
});

test('webhooks: the HMAC key verifies real deliveries to a registered URL with its custom headers; delete removes it', async () => {
  const { c, sent } = client();
  const { hmacKey } = await c.getWebhookHmacKey();
  assert.equal(sent.at(-1).url, `${sandbox.url}/api/v2.1/public/webhooks/hmac_key/`);
  assert.equal(Buffer.from(hmacKey, 'base64').length, 64);

  const deliveries = [];
  let notify;
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
      notify?.();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${receiver.address().port}/spotdraft`;
    const hook = await c.registerWebhook({
      title: 'CRM sync',
      url,
      activities: ['CONTRACT_SENT_TO_COUNTERPARTY', 'CONTRACT_SENT_TO_COUNTERPARTY'],
      customHeaders: { 'X-Hook-Token': 'hook-token-123' },
      description: 'methods test',
    });
    assert.equal(sent.at(-1).url, `${sandbox.url}/api/v2.1/public/webhooks/`);
    assert.deepEqual(JSON.parse(sent.at(-1).body), {
      title: 'CRM sync',
      url,
      only_for_activities: ['CONTRACT_SENT_TO_COUNTERPARTY'],
      description: 'methods test',
      custom_headers: { 'X-Hook-Token': 'hook-token-123' },
    });
    assert.equal(typeof hook.id, 'number');
    assert.equal(hook.status, 'ACTIVE');
    assert.deepEqual(hook.activities, ['CONTRACT_SENT_TO_COUNTERPARTY']);
    assert.equal(hook.url, url);
    assert.equal(hook.createdByUser.email, 'owner@acme.example');

    const delivered = new Promise((resolve) => (notify = resolve));
    const id = await createContract();
    await c.sendToCounterparties(id);
    await Promise.race([delivered, new Promise((_, reject) => setTimeout(() => reject(new Error('no webhook delivery within 10 s')), 10_000))]);
    const [delivery] = deliveries;
    assert.equal(delivery.headers['x-hook-token'], 'hook-token-123');
    const { event } = verifyWebhook(delivery.body, delivery.headers, hmacKey);
    assert.equal(event.activity, 'CONTRACT_SENT_TO_COUNTERPARTY');
    assert.equal(`T-${event.contractId ?? event.contract_id}`, id);

    assert.deepEqual(await c.deleteWebhook(hook.id), { id: hook.id });
    assert.equal(sent.at(-1).method, 'DELETE');
    assert.equal(sent.at(-1).url, `${sandbox.url}/api/v2.1/public/webhooks/${hook.id}`);
    const again = await rejection(c.deleteWebhook(String(hook.id)));
    assert.equal(again.code, 'NOT_FOUND');
    assert.equal(again.status, 404);
  } finally {
    receiver.close();
  }
});

test('registerWebhook checks SpotDraft rules before the network', async () => {
  const { c, sent } = client();
  const base = { title: 'CRM sync', url: 'https://crm.example.com/hook', activities: ['CONTRACT_EXECUTED'] };
  const cases = [
    [{ ...base, url: 'http://crm.example.com/hook' }, 'webhook.url', /https/],
    [{ ...base, url: 'not a url' }, 'webhook.url', /absolute URL/],
    [{ ...base, title: ' ' }, 'webhook.title', /title/],
    [{ ...base, activities: [] }, 'webhook.activities', /at least one/],
    [{ ...base, activities: ['CONTRACT_EXECUTE'] }, 'webhook.activities[0]', /CONTRACT_EXECUTED/],
    [{ ...base, customHeaders: { 'X-SD-Token': 'x' } }, 'webhook.customHeaders.X-SD-Token', /reserved/],
    [{ ...base, customHeaders: { Authorization: 'Bearer secret-value-1' } }, 'webhook.customHeaders.Authorization', /X-/],
    [{ ...base, customHeaders: { 'X-Token': 'secret-value-2\r\nX-Evil: 1' } }, 'webhook.customHeaders.X-Token', /line breaks/],
    [{ ...base, onlyForActivities: ['CONTRACT_EXECUTED'] }, 'webhook.onlyForActivities', /unknown field/],
  ];
  for (const [input, path, message] of cases) {
    const error = await rejection(c.registerWebhook(input));
    assert.equal(error.code, 'INVALID_ARGUMENT', JSON.stringify(input));
    assert.equal(error.details[0].path, path);
    assert.match(error.message, message);
    assertClean(error, 'secret-value-1', 'secret-value-2');
  }
  const missing = await rejection(c.registerWebhook());
  assert.equal(missing.code, 'INVALID_ARGUMENT');
  assert.equal(sent.length, 0);
});

test('every method maps 401, 404 and an inactive userEmail to stable codes without leaking secrets', async () => {
  const id = await createContract();
  const wrong = new SpotDraftClient({ baseUrl: sandbox.url, clientId: 'sandbox-acme', clientSecret: 'wrong-secret-xyz' });
  const calls = {
    sendToCounterparties: (c, cid) => c.sendToCounterparties(cid),
    getKeyPointers: (c, cid) => c.getKeyPointers(cid),
    getDownloadLink: (c, cid) => c.getDownloadLink(cid),
    listTemplates: (c) => c.listTemplates(),
    getTemplateMetadata: (c) => c.getTemplateMetadata(1204),
    getWebhookHmacKey: (c) => c.getWebhookHmacKey(),
    registerWebhook: (c) => c.registerWebhook({ title: 't', url: 'https://crm.example.com/h', activities: ['CONTRACT_CREATED'] }),
    deleteWebhook: (c) => c.deleteWebhook(424242),
  };
  for (const [name, call] of Object.entries(calls)) {
    const error = await rejection(call(wrong, id));
    assert.equal(error.code, 'UNAUTHORIZED', name);
    assert.equal(error.status, 401, name);
    assert.match(error.message, new RegExp(`^${name} failed with HTTP 401`));
    assert.ok(error.requestId, `${name}: the sandbox's request id is kept`);
    assertClean(error, 'wrong-secret-xyz');
  }

  const { c } = client();
  for (const name of ['sendToCounterparties', 'getKeyPointers', 'getDownloadLink']) {
    const error = await rejection(calls[name](c, 'T-987654321'));
    assert.equal(error.code, 'NOT_FOUND', name);
    assert.equal(error.status, 404, name);
  }

  const former = new SpotDraftClient({ baseUrl: sandbox.url, ...credentials, userEmail: 'former@acme.example' });
  for (const [name, call] of Object.entries(calls)) {
    const error = await rejection(call(former, id));
    assert.equal(error.code, 'FORBIDDEN', name);
    assert.equal(error.status, 403, name);
    assert.equal(error.spotdraftCode, 'SD_SANDBOX_USER_NOT_ACTIVE', name);
    assertClean(error);
  }
});

test('an aborted signal rejects with ABORTED and sends nothing', async () => {
  const { c, sent } = client();
  const controller = new AbortController();
  controller.abort();
  const error = await rejection(c.getKeyPointers('T-1', { signal: controller.signal }));
  assert.equal(error.code, 'ABORTED');
  const error2 = await rejection(c.getDownloadLink('T-1', { format: 'PDF', signal: controller.signal }));
  assert.equal(error2.code, 'ABORTED');
  assert.equal(sent.length, 0);
});

test('call options share the last argument with a method\'s own options, and are checked before any request', async () => {
  let sent = 0;
  const client = new SpotDraftClient({ baseUrl: 'https://sd-proxy.example.com', fetch: async () => { sent++; throw new Error('no network here'); } });
  const keyPointers = await client.getKeyPointers('T-1', { signal: 'soon' }).catch((e) => e);
  assert.equal(keyPointers.code, 'INVALID_ARGUMENT');
  assert.equal(keyPointers.details[0].path, 'options.signal');
  const link = await client.getDownloadLink('T-1', { format: 'PDF', maxRetries: 99 }).catch((e) => e);
  assert.equal(link.details[0].path, 'options.maxRetries');
  const unknown = await client.getKeyPointers('T-1', { timeout: 5 }).catch((e) => e);
  assert.equal(unknown.code, 'INVALID_ARGUMENT');
  assert.equal(unknown.details[0].path, 'options.timeout');
  assert.match(unknown.message, /signal, timeoutMs, maxRetries/);
  const misspelt = await client.sendToCounterparties('T-1', { subject: 'x', signl: null }).catch((e) => e);
  assert.equal(misspelt.code, 'INVALID_ARGUMENT');
  assert.match(misspelt.details[0].path, /^options/);
  assert.match(misspelt.message, /signl/);
  const status = await client.getContractStatus('T-1', { timeoutMs: 0 }).catch((e) => e);
  assert.equal(status.details[0].path, 'options.timeoutMs');
  assert.equal(sent, 0);
});
