// SyncEngine against the local sandbox over real HTTP: webhook handling with follow-up
// actions, documents on demand, stores, bounded and resumable reconciliation, and two large
// runs whose figures are printed:
//  - chaos: 10,000 webhook deliveries (duplicated, reordered, delayed, tampered by the
//    sandbox, plus forgeries of our own) must end with 0 forged accepted, 0 status
//    regressions in the store, and every record equal to the sandbox's truth;
//  - reconciliation of 5,000 records under the sandbox's rate limit (100 req/s) must reach
//    >= 90% of the throughput the limit allows, with 0 failures caused by 429s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import * as sd from 'spotdraft-sync';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { credentials, driver, pool, reconcileRun, CLIENT_SECRET } from './support/sync-sandbox.mjs';
import { ACTIVITIES, CHAOS_FAULTS, RANK, WRONG_KEY, compareWithTruth, deliveryCounter, deliveryFigures, driveChaos, hmac, sandboxFlags } from './support/chaos.mjs';
import { rejection } from './support/rejection.mjs';
import { scaled } from './support/scale.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));

let sandbox;
let d;
let hmacKey;
let seq = 0;

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0', '--seed', '21', '--webhook-retry-base-ms', '20', '--webhook-max-attempts', '12']);
  d = driver(sandbox.url);
  hmacKey = (await d.api('GET', '/webhooks/hmac_key/')).hmac_key;
});
after(async () => {
  await sandbox?.stop();
});

/** A Node receiver that hands each delivery to `onDelivery(body, headers)` → HTTP status. */
async function receiver(onDelivery) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const status = await onDelivery(Buffer.concat(chunks), req.headers);
      res.writeHead(status).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/spotdraft`;
  return { url, close: () => new Promise((r) => server.close(r)) };
}

async function registerWebhook(url) {
  return d.api('POST', '/webhooks/', { title: `sync ${++seq}`, url, only_for_activities: ACTIVITIES }, { expect: 201 });
}

function newClient(extra = {}) {
  return new sd.SpotDraftClient({ baseUrl: sandbox.url, ...credentials, maxRequestsPerSecond: 1000, ...extra });
}

/** A store that records every put and can be told to fail. */
function recordingStore() {
  const inner = new sd.MemoryStore();
  const puts = [];
  const store = {
    failPuts: false,
    get: (key) => inner.get(key),
    put: (key, record) => {
      if (store.failPuts) return Promise.reject(new Error('disk full'));
      puts.push([key, JSON.parse(JSON.stringify(record))]);
      return inner.put(key, record);
    },
    list: () => inner.list(),
    puts,
    inner,
  };
  return store;
}

test('SyncEngine refuses bad options with INVALID_ARGUMENT, naming them and never echoing a key', async () => {
  const client = newClient();
  const store = new sd.MemoryStore();
  const code = (fn) => {
    try {
      fn();
    } catch (e) {
      assert.ok(sd.isSpotDraftError(e), inspect(e));
      return [e.code, e.details?.[0]?.path, e.message];
    }
    assert.fail('expected a throw');
  };
  assert.deepEqual(code(() => new sd.SyncEngine({ client: {}, store, webhookKeys: [] })).slice(0, 2), ['INVALID_ARGUMENT', 'options.client']);
  assert.deepEqual(code(() => new sd.SyncEngine({ client, store: { get() {} }, webhookKeys: [] })).slice(0, 2), ['INVALID_ARGUMENT', 'options.store.put']);
  const [c, path, message] = code(() => new sd.SyncEngine({ client, store, webhookKeys: [hmacKey, 'not base64 secret!!'] }));
  assert.deepEqual([c, path], ['INVALID_ARGUMENT', 'options.webhookKeys[1]']);
  assert.ok(!message.includes('secret!!') && !message.includes(hmacKey));
  assert.deepEqual(code(() => new sd.SyncEngine({ client, store, webhookKeys: [], runActions: false })).slice(0, 2), ['INVALID_ARGUMENT', 'options.runActions']);
  assert.deepEqual(code(() => new sd.SyncEngine(null)).slice(0, 2), ['INVALID_ARGUMENT', 'options']);
  // One derived definition (SyncEngineOptions) gives the TS, the keys and the parser: a
  // missing required option is named, a JSON option of the wrong type names its path.
  const [missingCode, missingPath, missingMessage] = code(() => new sd.SyncEngine({ store, webhookKeys: [] }));
  assert.deepEqual([missingCode, missingPath], ['INVALID_ARGUMENT', 'options.client']);
  assert.match(missingMessage, /is required: pass the SpotDraftClient/);
  assert.deepEqual(code(() => new sd.SyncEngine({ client, webhookKeys: [] })).slice(0, 2), ['INVALID_ARGUMENT', 'options']);
  assert.deepEqual(code(() => new sd.SyncEngine([client])).slice(0, 2), ['INVALID_ARGUMENT', 'options']);
  // A client that only looks like one (a plain object with its methods) is refused by name.
  assert.deepEqual(code(() => new sd.SyncEngine({ client: { getContractStatus: client.getContractStatus }, store, webhookKeys: [] })).slice(0, 2), ['INVALID_ARGUMENT', 'options.client']);
  // So is a real client of another build (the pure-JS build, or the inline web build when this
  // suite runs over the pure-JS build): its Rust value lives in another module instance,
  // which this engine cannot borrow from.
  const otherBuild = process.env.SPOTDRAFT_TEST_BUILD === 'js' ? 'spotdraft-sync/inline' : 'spotdraft-sync/js';
  const { SpotDraftClient: OtherClient } = await import(otherBuild);
  const [otherCode, otherPath, otherMessage] = code(() => new sd.SyncEngine({ client: new OtherClient({ baseUrl: 'http://127.0.0.1:9' }), store, webhookKeys: [] }));
  assert.deepEqual([otherCode, otherPath], ['INVALID_ARGUMENT', 'options.client']);
  assert.match(otherMessage, /same import of spotdraft-sync/);
  assert.deepEqual(code(() => new sd.SyncEngine({ client, store, webhookKeys: [], keyPointerFields: [1] })).slice(0, 2), ['INVALID_ARGUMENT', 'options.keyPointerFields[0]']);
  // The client stays usable: the engine does not take it over. (A wasm object whose Rust value
  // was moved out still has its methods, but every call throws a plain Error; this call must
  // reach the sandbox and come back as its 404.)
  new sd.SyncEngine({ client, store, webhookKeys: hmacKey, keyPointerFields: ['customer_name'] });
  const missing = await rejection(client.getContractStatus('T-999999999'));
  assert.ok(sd.isSpotDraftError(missing), inspect(missing));
  assert.equal(missing.code, 'NOT_FOUND');
  assert.throws(() => new sd.IndexedDbStore(), (e) => e.code === 'STORE_ERROR' && /MemoryStore/.test(e.message));
});

test('handleWebhook applies a verified delivery, fetches key pointers and notes the file; forgeries change nothing', async () => {
  const store = recordingStore();
  const requests = [];
  const client = newClient({ onRequest: (e) => requests.push(e.operation) });
  const engine = new sd.SyncEngine({ client, store, webhookKeys: [WRONG_KEY, hmacKey], keyPointerFields: ['customer_name', 'billing_currency', 'not_a_field'] });
  const deliveries = [];
  const hook = await receiver(async (body, headers) => {
    deliveries.push({ body, headers });
    return 204;
  });
  let webhook;
  try {
    webhook = await registerWebhook(hook.url);
    const externalId = `engine-${++seq}`;
    const created = await d.create(playbook, externalId);
    await d.send(created.id);
    await d.execute(created.id);
    for (let i = 0; i < 100 && !deliveries.some((x) => x.body.includes('CONTRACT_EXECUTED')); i++) await new Promise((r) => setTimeout(r, 50));
    const executed = deliveries.find((x) => x.body.includes('CONTRACT_EXECUTED'));
    assert.ok(executed, 'the sandbox delivered CONTRACT_EXECUTED');

    // Forgeries first: nothing is stored and nothing is sent.
    const forged = Buffer.from(executed.body.toString().replace('"EXECUTED"', '"VOIDED"'));
    for (const [body, headers] of [
      [forged, executed.headers],
      [executed.body, { 'x-sd-webhook-content-hash': hmac(executed.body, WRONG_KEY).replace(/^./, (c) => (c === '0' ? '1' : '0')) }],
      [executed.body, {}],
    ]) {
      const error = await rejection(engine.handleWebhook(body, headers));
      assert.equal(error.code, 'WEBHOOK_SIGNATURE_INVALID');
    }
    assert.equal(store.puts.length, 0);
    assert.equal(requests.length, 0);
    assert.equal((await rejection(engine.handleWebhook(JSON.parse(executed.body), executed.headers))).code, 'WEBHOOK_RAW_BODY_REQUIRED');

    const result = await engine.handleWebhook(executed.body, executed.headers);
    assert.equal(result.disposition, 'APPLIED');
    assert.deepEqual(result.actions.map((a) => a.kind), ['FETCH_KEY_POINTERS', 'FETCH_DOCUMENT']);
    assert.deepEqual(result.actionResults.map((a) => [a.kind, a.outcome]), [['FETCH_KEY_POINTERS', 'DONE'], ['FETCH_DOCUMENT', 'DONE']]);
    assert.deepEqual(requests, ['getKeyPointers', 'getDownloadLink']);
    const { record } = result;
    assert.equal(record.status, 'EXECUTED');
    assert.equal(record.compositeId, created.id);
    assert.equal(record.externalId, externalId);
    assert.deepEqual(record.needsAttention, []);
    assert.deepEqual(record.keyPointers, {
      billing_currency: { kind: 'CURRENCY', currency: 'USD', amount: 12000 },
      customer_name: { kind: 'TEXT', value: 'Acme Inc.' },
    });
    assert.match(record.document.fileName, /\.pdf$/);
    assert.equal(typeof record.document.versionId, 'number');
    assert.equal(record.document.storedAt, undefined);
    // Stored under both keys; no signed URL anywhere in the store.
    assert.deepEqual(await store.get(`contract:${created.contract_id}`), record);
    assert.deepEqual(await store.get(`external:${externalId}`), record);
    assert.ok(!JSON.stringify(store.puts).includes('signature='), 'a signed URL reached the store');
    assert.ok(!JSON.stringify(store.puts).includes('/__files/'), 'a download URL reached the store');

    // The same delivery again: a duplicate, nothing to do.
    const again = await engine.handleWebhook(executed.body, executed.headers);
    assert.equal(again.disposition, 'DUPLICATE');
    assert.equal(again.changed, false);
    assert.deepEqual(again.actionResults, []);
    assert.equal(requests.length, 2);

    // Older deliveries arriving late never move the status back.
    // Events of the signing stage still fill in its history ('APPLIED'); earlier stages are
    // only noted as late ('OUT_OF_ORDER'). Neither is a duplicate: each is new to the engine.
    const lateDisposition = {
      CONTRACT_SIGNED: 'APPLIED',
      CONTRACT_SIGNATURE_REQUESTED: 'APPLIED',
      CONTRACT_SENT_TO_COUNTERPARTY: 'OUT_OF_ORDER',
      CONTRACT_CREATED: 'OUT_OF_ORDER',
    };
    const seenLate = [];
    for (const late of deliveries.filter((x) => x !== executed).reverse()) {
      const r = await engine.handleWebhook(late.body, late.headers);
      const { activity } = JSON.parse(late.body);
      assert.equal(r.record.status, 'EXECUTED');
      assert.equal(r.disposition, lateDisposition[activity], `${activity} arriving late`);
      assert.equal(r.changed, true, `${activity} arriving late is recorded`);
      seenLate.push(activity);
    }
    assert.deepEqual(seenLate.toSorted(), Object.keys(lateDisposition).toSorted());
    assert.ok(store.puts.every(([, r]) => r.status === 'EXECUTED'));

    // Documents on demand: bytes through a fresh link; the link is never returned.
    const doc = await engine.fetchDocument(created.contract_id);
    assert.ok(doc.bytes instanceof Uint8Array);
    assert.equal(Buffer.from(doc.bytes.subarray(0, 5)).toString(), '%PDF-');
    assert.equal(doc.fileName, record.document.fileName);
    assert.ok(!JSON.stringify({ ...doc, bytes: null }).includes('http'));
    const signed = await rejection(engine.recordStored(`external:${externalId}`, 'https://storage.example.com/f.pdf?X-Goog-Signature=abc'));
    assert.equal(signed.code, 'INVALID_ARGUMENT');
    assert.ok(!signed.message.includes('X-Goog-Signature=abc'));
    const stored = await engine.recordStored(created.contract_id, `s3://contracts/${created.id}.pdf`);
    assert.equal(stored.document.storedAt, `s3://contracts/${created.id}.pdf`);
    assert.equal((await engine.getRecord({ contractId: created.contract_id })).document.storedAt, `s3://contracts/${created.id}.pdf`);
    // A refetch of the same version keeps where it was stored.
    const refetched = await engine.fetchDocument(`contract:${created.contract_id}`);
    assert.equal(refetched.record.document.storedAt, `s3://contracts/${created.id}.pdf`);

    for (const bad of [0, -1, 1.5, 'T-1', 'contract:x', {}, null]) {
      assert.equal((await rejection(engine.getRecord(bad))).code, 'INVALID_ARGUMENT', String(bad));
    }
    assert.equal(await engine.getRecord(987654321), null);
    assert.equal((await rejection(engine.runPendingActions(987654321))).code, 'NOT_FOUND');
  } finally {
    if (webhook) await d.api('DELETE', `/webhooks/${webhook.id}`, undefined, { expect: 204 });
    await hook.close();
  }
});

test('runActions: false acknowledges first; runPendingActions does the work later; store failures are STORE_ERROR', async () => {
  const store = recordingStore();
  const requests = [];
  const engine = new sd.SyncEngine({ client: newClient({ onRequest: (e) => requests.push(e.operation) }), store, webhookKeys: hmacKey });
  const created = await d.create(playbook, `deferred-${++seq}`);
  const event = {
    activity: 'CONTRACT_EXECUTED', contract_id: created.contract_id, contract_kind: 'TEMPLATE_CONTRACT',
    contract_status: 'EXECUTED', external_metadata: { id: `deferred-${seq}` },
    activity_data: { performed_by: { name: 'SYSTEM' }, timestamp: new Date().toISOString() },
  };
  await d.execute(created.id);
  const body = JSON.stringify(event);
  const headers = new Headers({ 'X-SD-WEBHOOK-CONTENT-HASH': sd.signWebhookForTest(body, hmacKey) });
  assert.equal((await rejection(engine.handleWebhook(body, headers, { runAction: false }))).code, 'INVALID_ARGUMENT');
  for (const [options, path] of [[{ runAction: false }, 'options.runAction'], [{ runActions: 'no' }, 'options.runActions'], [{ maxRetries: 11 }, 'options.maxRetries']]) {
    const e = await rejection(engine.handleWebhook(body, headers, options));
    assert.deepEqual([e.code, e.details?.[0]?.path], ['INVALID_ARGUMENT', path]);
  }
  assert.equal(await store.get(`contract:${created.contract_id}`), null, 'refused options store nothing');
  const quick = await engine.handleWebhook(body, headers, { runActions: false });
  assert.deepEqual(quick.actionResults, []);
  assert.deepEqual(requests, []);
  assert.deepEqual(quick.record.needsAttention, ['KEY_POINTERS_STALE', 'DOCUMENT_MISSING']);
  const later = await engine.runPendingActions(created.contract_id);
  assert.deepEqual(later.actions.map((a) => a.kind), ['FETCH_KEY_POINTERS', 'FETCH_DOCUMENT']);
  assert.deepEqual(later.record.needsAttention, []);
  assert.deepEqual((await engine.runPendingActions(created.contract_id)).actions, []);
  assert.equal((await rejection(engine.fetchDocument(created.contract_id, { formt: 'PDF' }))).code, 'INVALID_ARGUMENT');
  assert.equal((await rejection(engine.fetchDocument(created.contract_id, { format: 'ODT' }))).code, 'INVALID_ARGUMENT');

  store.failPuts = true;
  const other = { ...event, activity: 'CONTRACT_VOIDED', contract_id: created.contract_id + 100000, contract_status: 'VOIDED' };
  const otherBody = JSON.stringify(other);
  const error = await rejection(engine.handleWebhook(otherBody, { 'x-sd-webhook-content-hash': sd.signWebhookForTest(otherBody, hmacKey) }));
  assert.equal(error.code, 'STORE_ERROR');
  assert.match(error.message, /disk full/);
  const throwing = new sd.SyncEngine({ client: newClient(), store: { get() { throw new Error('db down'); }, put() {}, list: () => 'nope' }, webhookKeys: hmacKey });
  assert.equal((await rejection(throwing.getRecord(1))).code, 'STORE_ERROR');
  assert.equal((await rejection(throwing.reconcile())).code, 'STORE_ERROR');
  const corrupt = new sd.SyncEngine({ client: newClient(), store: { get: () => ({ contractId: 'x' }), put() {}, list: () => [] }, webhookKeys: [] });
  assert.equal((await rejection(corrupt.getRecord(1))).code, 'STORE_ERROR');
});

test('reconcile is bounded, resumable by cursor, stops cleanly on abort, and flags contracts that are gone', async () => {
  const store = new sd.MemoryStore();
  const requests = [];
  const engine = new sd.SyncEngine({ client: newClient({ onRequest: (e) => requests.push(e.path) }), store, webhookKeys: [] });
  const made = await pool(Array.from({ length: 12 }, (_, i) => i), 6, (i) => d.create(playbook, `recon-${seq}-${i}`));
  for (const c of made) await engine.track({ contractId: c.contract_id, compositeId: c.id, externalId: `recon-${seq}-${made.indexOf(c)}` });
  await engine.track({ contractId: 8_888_888, compositeId: 'T-8888888' });
  await d.execute(made[0].id);
  await d.hold(made[1].id);
  made.sort((a, b) => a.contract_id - b.contract_id);

  const fresh = await engine.reconcile({ staleAfterMs: 3_600_000 });
  assert.equal(fresh.planned, 0);
  assert.equal(fresh.skippedFresh, 13);
  assert.equal(requests.length, 0);

  const first = await engine.reconcile({ budget: 5, staleAfterMs: 0 });
  assert.deepEqual([first.planned, first.polled, first.failed], [5, 5, 0]);
  assert.deepEqual(first.nextCursor, { afterContractId: made[4].contract_id });
  const controller = new AbortController();
  const second = await engine.reconcile({
    budget: 100, staleAfterMs: 0, concurrency: 1, cursor: first.nextCursor, signal: controller.signal,
    onProgress: (p) => { if (p.polled === 3) controller.abort(); },
  });
  assert.equal(second.aborted, true);
  assert.equal(second.polled, 3);
  assert.deepEqual(second.nextCursor, { afterContractId: made[7].contract_id });
  const third = await engine.reconcile({ budget: 100, staleAfterMs: 0, cursor: second.nextCursor, onProgress: () => { throw new Error('ignored'); } });
  assert.equal(third.aborted, false);
  assert.equal(third.nextCursor, undefined);
  assert.deepEqual([third.polled, third.notFound, third.failed], [5, 1, 0]);
  assert.equal(requests.length, 13, 'each record polled exactly once across the three calls');
  const truth = new Map((await d.truth()).map((c) => [c.id, c.status]));
  for (const c of made) assert.equal((await engine.getRecord(c.contract_id)).status, truth.get(c.contract_id));
  assert.deepEqual((await engine.getRecord(8_888_888)).needsAttention, ['NOT_FOUND']);
  // Executed and voided records and NOT_FOUND ones are not polled again.
  const again = await engine.reconcile({ budget: 100, staleAfterMs: 0 });
  assert.equal(again.skippedSettled, 1);
  assert.equal(again.skippedNotFound, 1);
  assert.equal(again.polled, 11);
  assert.equal((await rejection(engine.reconcile({ budgett: 1 }))).code, 'INVALID_ARGUMENT');
  // Each method's own options and the call options, refused by key and by type.
  const refused = async (promise) => {
    const e = await rejection(promise);
    assert.ok(sd.isSpotDraftError(e), inspect(e));
    return [e.code, e.details?.[0]?.path];
  };
  assert.deepEqual(await refused(engine.reconcile({ budgett: 1 })), ['INVALID_ARGUMENT', 'options.budgett']);
  assert.deepEqual(await refused(engine.reconcile({ onProgress: 'yes' })), ['INVALID_ARGUMENT', 'options.onProgress']);
  assert.deepEqual(await refused(engine.reconcile({ cursor: { after: 'x' } })), ['INVALID_ARGUMENT', 'options.cursor']);
  assert.deepEqual(await refused(engine.reconcile({ timeoutMs: 'soon' })), ['INVALID_ARGUMENT', 'options.timeoutMs']);
  assert.deepEqual(await refused(engine.reconcile({ concurrency: 65 })), ['INVALID_ARGUMENT', 'options.concurrency']);
  assert.deepEqual(await refused(engine.runPendingActions(1, { runActions: true })), ['INVALID_ARGUMENT', 'options.runActions']);
  assert.deepEqual(await refused(engine.fetchDocument(1, { formatt: 'PDF' })), ['INVALID_ARGUMENT', 'options.formatt']);
  assert.equal((await rejection(engine.reconcile({ concurrency: 0 }))).code, 'INVALID_ARGUMENT');
});

const DELIVERIES = scaled(10_000);
const RECONCILED = scaled(5000);

test(`chaos: ${DELIVERIES.text} webhook deliveries end with 0 forged accepted, 0 regressions, and every record equal to the truth`, { timeout: 240_000 }, async () => {
  const TARGET = DELIVERIES.value;
  const OWN_FORGERIES = scaled(400).value;
  await d.control('faults', CHAOS_FAULTS);
  // Regressions are checked where they would hurt: in the sequence of writes per record.
  const store = recordingStore();
  const regressions = [];
  const lastRank = new Map();
  const put = store.put;
  store.put = (key, record) => {
    const rank = RANK[record.status];
    const previous = lastRank.get(key);
    if (rank !== undefined && previous !== undefined && rank < previous) regressions.push([key, record.status]);
    if (rank !== undefined) lastRank.set(key, Math.max(previous ?? -1, rank));
    return put(key, record);
  };
  store.puts.length = 0;
  const engine = new sd.SyncEngine({ client: newClient(), store, webhookKeys: hmacKey });
  const counter = deliveryCounter(hmacKey);
  const { stats } = counter;
  const handleMs = [];
  const percentile = (q) => +[...handleMs].sort((a, b) => a - b)[Math.floor(q * (handleMs.length - 1))].toFixed(2);
  const hook = await receiver(async (body, headers) => {
    const authentic = counter.observe(body, headers);
    const t0 = performance.now();
    try {
      const result = await engine.handleWebhook(body, headers);
      handleMs.push(performance.now() - t0);
      counter.outcome(authentic, 'accepted');
      stats.failedActions += result.actionResults.filter((a) => a.outcome !== 'DONE').length;
      return 204;
    } catch (e) {
      if (e.code === 'WEBHOOK_SIGNATURE_INVALID') {
        counter.outcome(authentic, 'refused');
        return 401;
      }
      counter.outcome(authentic, 'error', `${e.code}: ${e.message}`);
      return 500;
    }
  });
  let webhook;
  try {
    webhook = await registerWebhook(hook.url);
    const { held, seconds, forgeryAnswers } = await driveChaos({ d, template: playbook, url: hook.url, counter, prefix: `chaos-${seq}-`, target: TARGET, ownForgeries: OWN_FORGERIES });
    const flags = await sandboxFlags(d, webhook.id);

    // Compare every record with the truth.
    const compare = (skip) => compareWithTruth({ d, prefix: 'chaos-', get: (key) => store.get(key), skip });
    const { contracts, mismatches: webhookMismatches } = await compare(held);
    const repair = await engine.reconcile({ budget: 10_000, staleAfterMs: 0, concurrency: 8 });
    const { mismatches: finalMismatches } = await compare();
    const figures = {
      contracts,
      ...deliveryFigures(stats),
      statusRegressions: regressions.length,
      failedActions: stats.failedActions,
      receiverErrors: stats.errors.length,
      heldContracts: held.size,
      mismatchesAfterWebhooks: webhookMismatches.length,
      reconcile: { polled: repair.polled, changed: repair.changed, failed: repair.failed },
      mismatchesAfterReconcile: finalMismatches.length,
      seconds: +seconds.toFixed(1),
      handleWebhookMs: { p50: percentile(0.5), p95: percentile(0.95), p99: percentile(0.99) },
      sandboxFlags: flags,
    };
    console.log(`# chaos run figures\n${JSON.stringify(figures, null, 2)}`);
    assert.deepEqual(stats.errors.slice(0, 5), []);
    assert.ok(stats.deliveries >= TARGET, `only ${stats.deliveries} deliveries`);
    assert.ok(stats.duplicates / stats.deliveries >= 0.2, 'at least 20% duplicated');
    assert.ok(stats.reordered / stats.deliveries >= 0.2, 'at least 20% reordered');
    assert.ok(stats.forged / stats.deliveries >= 0.05, 'at least 5% forged or tampered');
    assert.deepEqual(forgeryAnswers, { 401: OWN_FORGERIES });
    assert.equal(stats.forgedAccepted, 0);
    assert.equal(stats.refused, stats.forged);
    assert.deepEqual(regressions, []);
    assert.equal(stats.failedActions, 0);
    assert.deepEqual(webhookMismatches.slice(0, 10), []);
    assert.deepEqual(finalMismatches.slice(0, 10), []);
    assert.equal(repair.changed, held.size, 'reconcile repaired exactly the holds no webhook told about');
    assert.deepEqual(flags.webhookStatus, ['ACTIVE']);
  } finally {
    await d.control('faults', {});
    if (webhook) await d.api('DELETE', `/webhooks/${webhook.id}`, undefined, { expect: 204 });
    await hook.close();
  }
});

test(`reconciliation of ${RECONCILED.text} records under a 100 req/s rate limit reaches >= 90% of the bound with 0 failures from 429s`, { timeout: 300_000 }, async () => {
  const run = await reconcileRun({ sd, root, template: playbook, rate: 100, records: RECONCILED.value, log: (line) => console.log(line) });
  const figures = {
    rateLimit: `${run.rate} req/s (sandbox --rate-limit ${run.rate}, client maxRequestsPerSecond ${run.rate})`,
    records: run.records,
    concurrency: run.concurrency,
    polled: run.result.polled,
    changed: run.result.changed,
    drifted: run.drifted,
    notFound: run.result.notFound,
    failed: run.result.failed,
    responses429: run.responses.byStatus[429] ?? 0,
    seconds: +run.seconds.toFixed(2),
    throughput: +run.throughput.toFixed(2),
    ratioOfBound: +run.ratio.toFixed(3),
    mismatches: run.mismatches,
    progressCalls: run.progressCalls,
  };
  console.log(`# reconciliation figures\n${JSON.stringify(figures, null, 2)}`);
  assert.equal(run.result.polled, RECONCILED.value);
  assert.equal(run.result.failed, 0);
  assert.equal(run.responses.byStatus[429] ?? 0, 0, 'no 429 at all, so none caused a failure');
  assert.equal(run.result.notFound, 50);
  assert.equal(run.flaggedMissing, 50);
  assert.equal(run.result.changed, run.drifted);
  assert.equal(run.mismatches, 0);
  assert.equal(run.progressCalls, RECONCILED.value);
  assert.ok(run.ratio >= 0.9, `throughput ${run.throughput.toFixed(1)} req/s is below 90% of ${run.rate}`);
  assert.equal(run.result.nextCursor, undefined);
});
