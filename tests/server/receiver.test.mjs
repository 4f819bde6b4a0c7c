// createWebhookReceiver over real loopback HTTP with a real SyncEngine and the sandbox
// delivering to it: 200 only after the store's put, redeliveries are DUPLICATEs, forged and
// unsigned deliveries 401 with nothing stored, bad bodies and methods their codes, the body
// limit enforced without reading on, a store that is down 503 + Retry-After until the
// sandbox's redelivery succeeds, and a few hundred duplicated, reordered and tampered
// deliveries ending equal to the sandbox's truth. Nothing answered or logged holds a secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sd from 'spotdraft-sync';
import { createWebhookReceiver } from 'spotdraft-sync/server';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { credentials, driver, pool, CLIENT_SECRET } from '../node/support/sync-sandbox.mjs';
import { controlledStore, servedReceiver, signed, event, assertNoSecrets, eventually, SIGNATURE_HEADER } from './support/receiver-harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
const ACTIVITIES = ['CONTRACT_CREATED', 'CONTRACT_SENT_TO_COUNTERPARTY', 'CONTRACT_SIGNATURE_REQUESTED', 'CONTRACT_SIGNED', 'CONTRACT_EXECUTED', 'CONTRACT_VOIDED'];
const WRONG_KEY = Buffer.alloc(64, 9).toString('base64');
const MIB = 1024 * 1024;

let sandbox;
let d;
let hmacKey;
let seq = 0;

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0', '--seed', '31', '--webhook-retry-base-ms', '20', '--webhook-max-attempts', '12']);
  d = driver(sandbox.url);
  hmacKey = (await d.api('GET', '/webhooks/hmac_key/')).hmac_key;
});
after(async () => {
  await sandbox?.stop();
});

const newEngine = (store) => new sd.SyncEngine({
  client: new sd.SpotDraftClient({ baseUrl: sandbox.url, ...credentials, maxRequestsPerSecond: 1000 }),
  store,
  webhookKeys: hmacKey,
});

/** Registers `url` with the sandbox for the lifecycle activities; returns the unregister function. */
async function registerWebhook(url) {
  const hook = await d.api('POST', '/webhooks/', { title: `receiver ${++seq}`, url, only_for_activities: ACTIVITIES }, { expect: 201 });
  return () => d.api('DELETE', `/webhooks/${hook.id}`, undefined, { expect: 204 });
}

/** POSTs over node:http so a refused upload still shows its answer. */
function rawPost(url, { headers = {}, chunks = [], chunked = false }) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: chunked ? headers : { 'content-length': chunks.reduce((n, c) => n + c.length, 0), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode, headers: res.headers, text, written }));
    });
    let written = 0;
    req.on('error', reject);
    (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        written += chunk.length;
        if (!req.write(chunk)) {
          await new Promise((resolve) => {
            const done = () => { req.off('drain', done).off('close', done); resolve(); };
            req.on('drain', done).on('close', done);
          });
        }
      }
      req.end();
    })();
  });
}

test('a delivery from the sandbox is stored before its 200, the actions run after the answer, a redelivery is a DUPLICATE', async () => {
  const store = controlledStore();
  const served = await servedReceiver({ engine: newEngine(store) });
  const unregister = await registerWebhook(served.sandboxUrl);
  try {
    const externalId = `receiver-${seq}`;
    const created = await d.create(playbook, externalId);
    await d.send(created.id);
    await d.execute(created.id);
    const executed = await eventually(() => served.deliveries.find((x) => x.body.includes('CONTRACT_EXECUTED') && x.status === 200), 15_000, 'CONTRACT_EXECUTED');
    assert.equal(JSON.parse(executed.answer).contractId, created.contract_id);
    await served.receiver.idle();
    const record = await store.get(`contract:${created.contract_id}`);
    assert.equal(record.status, 'EXECUTED');
    assert.equal(record.externalId, externalId);
    assert.deepEqual(record.needsAttention, [], 'key pointers and document fetched after the answer');
    assert.match(record.document.fileName, /\.pdf$/);
    assert.deepEqual(await store.get(`external:${externalId}`), record);
    const actionLogs = served.logs.filter((e) => e.event === 'webhook.actions' && e.contractId === created.contract_id);
    assert.ok(actionLogs.some((e) => e.results.some(([kind, outcome]) => kind === 'FETCH_DOCUMENT' && outcome === 'DONE')), JSON.stringify(actionLogs));

    // The same bytes again (SpotDraft's redelivery): 200, DUPLICATE, nothing written.
    const puts = store.puts.length;
    const again = await fetch(served.url, { method: 'POST', headers: executed.headers, body: executed.body });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { ok: true, contractId: created.contract_id, disposition: 'DUPLICATE', changed: false });
    assert.equal(store.puts.length, puts);

    // 200 only once the put resolved: hold the store, the answer waits for it.
    const held = signed(event(created.contract_id + 500_000, 'CONTRACT_VOIDED', 'VOIDED', Date.now()), hmacKey);
    const release = store.hold();
    let answered = false;
    const pending = fetch(served.url, { method: 'POST', ...held }).then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered, false, 'answered before the store committed');
    assert.equal(await store.get(`contract:${created.contract_id + 500_000}`), null);
    release();
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal((await store.get(`contract:${created.contract_id + 500_000}`)).status, 'VOIDED');
    await served.receiver.idle();
    assertNoSecrets([...served.answers, ...served.logs], [hmacKey, CLIENT_SECRET, ...served.deliveries.map((x) => x.headers[SIGNATURE_HEADER])]);
  } finally {
    await unregister();
    await served.close();
  }
});

test('forged, unsigned, malformed, empty, oversize and non-POST requests get their codes and store nothing', async () => {
  const store = controlledStore();
  const served = await servedReceiver({ engine: newEngine(store), maxBodyBytes: 64 * 1024 });
  try {
    const good = signed(event(4242, 'CONTRACT_EXECUTED', 'EXECUTED', Date.now()), hmacKey);
    const forgedBody = good.body.replace('"EXECUTED"', '"VOIDED"');
    const wrongKey = createHmac('sha512', Buffer.from(WRONG_KEY, 'base64')).update(good.body).digest('hex');
    const cases = [
      ['body changed under a real signature', { body: forgedBody, headers: good.headers }, 401, 'WEBHOOK_SIGNATURE_INVALID'],
      ['signed with another key', { body: good.body, headers: { [SIGNATURE_HEADER]: wrongKey } }, 401, 'WEBHOOK_SIGNATURE_INVALID'],
      ['no signature', { body: good.body, headers: { 'content-type': 'application/json' } }, 401, 'WEBHOOK_SIGNATURE_INVALID'],
      ['malformed JSON, signed', { body: '{"activity":', headers: { [SIGNATURE_HEADER]: sd.signWebhookForTest('{"activity":', hmacKey) } }, 400, 'WEBHOOK_PAYLOAD_INVALID'],
      ['signed JSON that is no event', signed({ hello: 'world' }, hmacKey), 400, 'WEBHOOK_PAYLOAD_INVALID'],
      ['empty body', { body: '', headers: { [SIGNATURE_HEADER]: good.headers[SIGNATURE_HEADER] } }, 400, 'WEBHOOK_PAYLOAD_INVALID'],
    ];
    for (const [what, init, status, code] of cases) {
      const response = await fetch(served.url, { method: 'POST', ...init });
      const answer = await response.json();
      assert.deepEqual([response.status, answer.error?.code], [status, code], what);
      assert.equal(response.headers.get('content-type'), 'application/json', what);
    }
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await fetch(served.url, { method, body: method === 'GET' ? undefined : good.body });
      assert.deepEqual([response.status, (await response.json()).error.code, response.headers.get('allow')], [405, 'METHOD_NOT_ALLOWED', 'POST'], method);
    }
    // Oversize, declared: refused on the Content-Length, before the body is sent.
    const declared = await rawPost(served.url, { headers: { 'content-length': String(8 * MIB), ...good.headers }, chunks: [] });
    assert.deepEqual([declared.status, JSON.parse(declared.text).error.code], [413, 'PAYLOAD_TOO_LARGE']);
    // Oversize, undeclared (chunked): counted while reading, refused at the limit.
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const undeclared = await rawPost(served.url, { headers: good.headers, chunks: Array.from({ length: 64 }, () => chunk), chunked: true });
    assert.deepEqual([undeclared.status, JSON.parse(undeclared.text).error.code], [413, 'PAYLOAD_TOO_LARGE']);
    assert.deepEqual(store.puts, [], 'nothing was stored');
    // The same good delivery is accepted: the refusals were not the store's or the key's fault.
    const accepted = await fetch(served.url, { method: 'POST', ...good });
    assert.equal(accepted.status, 200);
    const codes = served.logs.filter((e) => e.event === 'webhook.refused').map((e) => `${e.status} ${e.code}`);
    assert.deepEqual(codes.toSorted(), [...cases.map(([, , s, c]) => `${s} ${c}`), '405 METHOD_NOT_ALLOWED', '405 METHOD_NOT_ALLOWED', '405 METHOD_NOT_ALLOWED', '413 PAYLOAD_TOO_LARGE', '413 PAYLOAD_TOO_LARGE'].toSorted());
    await served.receiver.idle();
    assertNoSecrets([...served.answers, ...served.logs], [hmacKey, CLIENT_SECRET, good.headers[SIGNATURE_HEADER], wrongKey]);
  } finally {
    await served.close();
  }
});

test('the body limit stops the read: an endless body is pulled only up to the limit, then cancelled', async () => {
  const store = controlledStore();
  const receiver = createWebhookReceiver({ engine: newEngine(store), maxBodyBytes: 100_000 });
  let pulled = 0;
  let cancelled = false;
  const body = new ReadableStream({
    pull(controller) {
      pulled += 8192;
      controller.enqueue(new Uint8Array(8192).fill(0x20));
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const response = await receiver(new Request('http://receiver.local/', { method: 'POST', body, duplex: 'half' }));
  assert.equal(response.status, 413);
  assert.equal(cancelled, true);
  assert.ok(pulled <= 100_000 + 8192, `read ${pulled} bytes of an endless body`);
  assert.deepEqual(store.puts, []);
});

test('a store that is down answers 503 with Retry-After and writes nothing; the sandbox redelivers and the record ends right', async () => {
  const store = controlledStore();
  const served = await servedReceiver({ engine: newEngine(store), retryAfterSeconds: 5 });
  const unregister = await registerWebhook(served.sandboxUrl);
  try {
    // A direct delivery while the store is down.
    store.failPuts = true;
    const direct = signed(event(777_001, 'CONTRACT_EXECUTED', 'EXECUTED', Date.now()), hmacKey);
    const refused = await fetch(served.url, { method: 'POST', ...direct });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    const answer = await refused.json();
    assert.equal(answer.error.code, 'STORE_ERROR');
    assert.ok(!answer.error.message.includes('connection refused'), 'the store\'s own message stays in the log');
    assert.deepEqual(store.puts, []);

    // The sandbox's deliveries fail with 503 until the store is back after two refusals.
    const externalId = `down-${seq}`;
    const created = await d.create(playbook, externalId);
    await eventually(() => served.deliveries.filter((x) => x.status === 503).length >= 2, 15_000, 'two 503s');
    assert.equal(await store.get(`contract:${created.contract_id}`), null);
    store.failPuts = false;
    await d.execute(created.id);
    // The sandbox's retry of the refused CONTRACT_CREATED may land after EXECUTED: wait for both.
    await eventually(async () => {
      const stored = await store.get(`contract:${created.contract_id}`);
      return stored?.status === 'EXECUTED' && stored.statusHistory[0]?.status === 'DRAFT';
    }, 15_000, 'EXECUTED stored and the refused CONTRACT_CREATED redelivered');
    await served.receiver.idle();
    const record = await store.get(`contract:${created.contract_id}`);
    assert.deepEqual(await store.get(`external:${externalId}`), record);
    assert.equal(record.statusHistory[0].status, 'DRAFT', 'the CONTRACT_CREATED refused while down was redelivered and applied');
    assert.deepEqual(record.needsAttention, []);
    // And the direct one, redelivered by hand.
    assert.equal((await fetch(served.url, { method: 'POST', ...direct })).status, 200);
    assert.equal((await store.get('contract:777001')).status, 'EXECUTED');
    const stored = served.logs.filter((e) => e.code === 'STORE_ERROR');
    assert.ok(stored.every((e) => e.status === 503) && stored.some((e) => /connection refused/.test(e.message)));
    await served.receiver.idle();
    assertNoSecrets([...served.answers, ...served.logs], [hmacKey, CLIENT_SECRET, ...served.deliveries.map((x) => x.headers[SIGNATURE_HEADER])]);
  } finally {
    await unregister();
    await served.close();
  }
});

test('a few hundred duplicated, reordered and tampered deliveries: 0 forged accepted, every record equal to the sandbox\'s truth', { timeout: 120_000 }, async () => {
  await d.control('faults', { seed: 5, webhook_duplicate_rate: 0.5, webhook_reorder_rate: 0.8, webhook_delay_rate: 0.1, webhook_delay_ms: 200, webhook_tamper_rate: 0.05 });
  const store = controlledStore();
  const served = await servedReceiver({ engine: newEngine(store) });
  const unregister = await registerWebhook(served.sandboxUrl);
  const prefix = `mix-${seq}-`;
  try {
    const paths = await pool(Array.from({ length: 60 }, (_, i) => i), 8, async (i) => {
      const c = await d.create(playbook, `${prefix}${i}`);
      if (i % 6 === 0) return;
      await d.send(c.id);
      if (i % 6 === 1) return;
      if (i % 6 === 2) return void (await d.void(c.id));
      await d.requestSignature(c.id);
      if (i % 6 === 3) return;
      await d.execute(c.id);
    });
    assert.equal(paths.length, 60);
    // Drained: no delivery for 1.5 s, then the background actions done.
    let quiet = 0;
    let last = -1;
    while (quiet < 15) {
      await new Promise((r) => setTimeout(r, 100));
      quiet = served.deliveries.length === last ? quiet + 1 : 0;
      last = served.deliveries.length;
    }
    await served.receiver.idle();
    const authentic = (x) => x.headers[SIGNATURE_HEADER] === createHmac('sha512', Buffer.from(hmacKey, 'base64')).update(x.body).digest('hex');
    const bodies = new Set();
    const figures = { deliveries: served.deliveries.length, duplicates: 0, forged: 0, forgedAccepted: 0, refused401: 0, other: 0 };
    for (const x of served.deliveries) {
      if (!authentic(x)) {
        figures.forged += 1;
        if (x.status !== 401) figures.forgedAccepted += 1;
      } else if (bodies.has(x.body.toString())) figures.duplicates += 1;
      bodies.add(x.body.toString());
      if (x.status === 401) figures.refused401 += 1;
      else if (x.status !== 200) figures.other += 1;
    }
    const truth = (await d.truth()).filter((c) => c.external_metadata_id?.startsWith(prefix));
    const mismatches = [];
    for (const c of truth) {
      const r = await store.get(`contract:${c.id}`);
      if (r?.status !== c.status || r.externalId !== c.external_metadata_id || (c.status === 'EXECUTED' && r.document?.versionId !== c.version)) {
        mismatches.push(`${c.composite_id}: ${r?.status} vs ${c.status}`);
      }
    }
    console.log(`# receiver mixed-delivery figures\n${JSON.stringify({ ...figures, contracts: truth.length, mismatches: mismatches.length })}`);
    assert.equal(truth.length, 60);
    assert.ok(figures.deliveries >= 200, `only ${figures.deliveries} deliveries`);
    assert.ok(figures.duplicates > 0 && figures.forged > 0, JSON.stringify(figures));
    assert.equal(figures.forgedAccepted, 0);
    assert.equal(figures.other, 0);
    assert.deepEqual(mismatches, []);
  } finally {
    await d.control('faults', { webhook_duplicate_rate: 0, webhook_reorder_rate: 0, webhook_delay_rate: 0, webhook_tamper_rate: 0 });
    await unregister();
    await served.close();
  }
});

test('actions "before" answer with them done; "after" hands them to waitUntil; onResult failing asks for a redelivery', async () => {
  const created = await d.create(playbook, `modes-${++seq}`);
  await d.execute(created.id);
  const delivery = signed(event(created.contract_id, 'CONTRACT_EXECUTED', 'EXECUTED', Date.now(), `modes-${seq}`), hmacKey);
  const post = () => new Request('http://receiver.local/', { method: 'POST', ...delivery });

  const before = controlledStore();
  const r1 = await createWebhookReceiver({ engine: newEngine(before), actions: 'before' })(post());
  assert.equal(r1.status, 200);
  assert.deepEqual((await before.get(`contract:${created.contract_id}`)).needsAttention, []);

  const after = controlledStore();
  const waited = [];
  const r2 = await createWebhookReceiver({ engine: newEngine(after) })(post(), { waitUntil: (p) => waited.push(p) });
  assert.equal(r2.status, 200);
  assert.equal(waited.length, 1);
  await waited[0];
  assert.deepEqual((await after.get(`contract:${created.contract_id}`)).needsAttention, []);

  const none = controlledStore();
  const r3 = await createWebhookReceiver({ engine: newEngine(none), actions: 'none' })(post(), { waitUntil: (p) => waited.push(p) });
  assert.equal(r3.status, 200);
  assert.equal(waited.length, 1);
  assert.deepEqual((await none.get(`contract:${created.contract_id}`)).needsAttention, ['KEY_POINTERS_STALE', 'DOCUMENT_MISSING']);

  const seen = [];
  let fail = true;
  const hooked = createWebhookReceiver({ engine: newEngine(controlledStore()), actions: 'none', onResult: (result) => { seen.push(result.disposition); if (fail) throw new Error('queue down'); } });
  assert.equal((await hooked(post())).status, 500);
  fail = false;
  assert.equal((await hooked(post())).status, 200);
  assert.deepEqual(seen, ['APPLIED', 'DUPLICATE']);

  const engine = newEngine(controlledStore());
  for (const [options, path] of [
    [{}, 'options.engine'], [{ engine: {} }, 'options.engine'], [{ engine, maxBodyBytes: 2 * MIB }, 'options.maxBodyBytes'],
    [{ engine, maxBodyBytes: 0 }, 'options.maxBodyBytes'], [{ engine, actions: 'later' }, 'options.actions'],
    [{ engine, log: 'yes' }, 'options.log'], [{ engine, onResult: 1 }, 'options.onResult'], [{ engine, retryAfterSeconds: -1 }, 'options.retryAfterSeconds'],
  ]) {
    assert.throws(() => createWebhookReceiver(options), (e) => sd.isSpotDraftError(e) && e.code === 'INVALID_ARGUMENT' && e.details[0].path === path, path);
  }
});
