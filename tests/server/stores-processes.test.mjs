// Several processes sharing one PostgresStore, with the sandbox's real signed webhooks:
//  - two Node processes each run a SyncEngine over the same table and handle interleaved
//    deliveries for the same contracts at the same time: with compare-and-set every record
//    ends equal to the sandbox's truth (no lost update); the same run over the store without
//    getVersioned/putIfVersion loses updates, which proves the check can fail (both figures
//    are printed);
//  - PostgreSQL stopped mid-run: handleWebhook rejects STORE_ERROR and nothing is
//    half-written; after a restart a redelivery reaches the right state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sd from 'spotdraft-sync';
import { PostgresStore } from 'spotdraft-sync/server/postgres';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { startPostgres } from '../../scripts/lib/postgres-process.mjs';
import { credentials, driver, pool } from '../node/support/sync-sandbox.mjs';
import { rejection } from '../node/support/rejection.mjs';
import { untilQuiet } from '../node/support/chaos-driver.mjs';
import { auditAgainstTruth, noteEvents } from './support/audit.mjs';

const root = join(import.meta.dirname, '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
const ACTIVITIES = ['CONTRACT_CREATED', 'CONTRACT_SENT_TO_COUNTERPARTY', 'CONTRACT_SIGNATURE_REQUESTED', 'CONTRACT_SIGNED', 'CONTRACT_EXECUTED', 'CONTRACT_VOIDED'];

let sandbox;
let d;
let hmacKey;
let pg;
before(async () => {
  [sandbox, pg] = await Promise.all([
    startSandbox(root, ['--rate-limit', '0', '--seed', '31', '--webhook-retry-base-ms', '20']),
    startPostgres(),
  ]);
  d = driver(sandbox.url);
  hmacKey = (await d.api('GET', '/webhooks/hmac_key/')).hmac_key;
});
after(async () => {
  await sandbox?.stop();
  await pg?.close();
});

/** Collects every delivery of the sandbox's webhooks while `drive()` runs, until quiet. */
async function collectDeliveries(drive) {
  const deliveries = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-sd-webhook-content-hash'] });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hook = await d.api('POST', '/webhooks/', { title: 'stores', url: `http://127.0.0.1:${server.address().port}/`, only_for_activities: ACTIVITIES }, { expect: 201 });
  try {
    await drive();
    await untilQuiet(() => deliveries.length, 10);
  } finally {
    await d.api('DELETE', `/webhooks/${hook.id}`, undefined, { expect: 204 });
    await new Promise((r) => server.close(r));
  }
  return deliveries;
}

/** Contracts moved along several lifecycles; resolves to their external-id prefix. */
async function lifecycles(prefix, count) {
  await pool(Array.from({ length: count }, (_, i) => i), 8, async (i) => {
    const c = await d.create(playbook, `${prefix}-${i}`);
    const path = i % 5;
    if (path === 0) return;
    await d.send(c.id);
    if (path === 1) return;
    if (path === 2) { await d.void(c.id); return; }
    await d.requestSignature(c.id);
    if (path === 3) return;
    await d.execute(c.id);
  });
}

/** Runs `workers` engine processes over `table`, each handling its share, all at once. */
async function runProcesses({ shares, table, cas }) {
  const children = shares.map(() => fork(join(import.meta.dirname, 'support', 'engine-worker.mjs'), [JSON.stringify({
    sandboxUrl: sandbox.url, pgUrl: pg.url, table, hmacKey, cas, concurrency: 8, ...credentials,
  })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const reply = (child) => new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`engine process exited with ${code}`)));
  });
  await Promise.all(children.map((child, i) => {
    const ready = reply(child);
    child.send({ deliveries: shares[i] });
    return ready;
  }));
  const done = children.map(reply);
  for (const child of children) child.send('go');
  const results = await Promise.all(done);
  await Promise.all(children.map((child) => (child.exitCode !== null ? null : new Promise((r) => { child.once('exit', r); child.disconnect(); }))));
  return results;
}

/** Records that differ from the truth, and events sent but missing from their record. */
async function audit(table, prefix, deliveries) {
  const store = new PostgresStore({ connectionString: pg.url, table });
  try {
    const events = new Map();
    for (const { body } of deliveries) noteEvents(events, body);
    const truth = (await d.truth()).filter((c) => c.external_metadata_id?.startsWith(`${prefix}-`));
    return { contracts: truth.length, ...(await auditAgainstTruth({ truth, get: (key) => store.get(key), events })) };
  } finally {
    await store.close();
  }
}

test('two engine processes over one PostgresStore lose no update with compare-and-set, and do without it', { timeout: 240_000 }, async () => {
  const prefix = `procs-${Date.now()}`;
  const deliveries = await collectDeliveries(() => lifecycles(prefix, 150));
  assert.ok(deliveries.length >= 400, `only ${deliveries.length} deliveries`);
  assert.ok(deliveries.every((x) => x.signature), 'every delivery is signed');
  // Interleaved and aligned: each contract's events are paired in the order they arrived,
  // the first of a pair to one process and the second to the other at the same place in its
  // list (an odd one out goes to both, as a redelivery), so the two processes update the same
  // record at about the same time.
  const perContract = new Map();
  for (const { body, signature } of deliveries) {
    const id = JSON.parse(body).contract_id;
    perContract.set(id, [...(perContract.get(id) ?? []), { body, signature }]);
  }
  const shares = [[], []];
  for (const events of perContract.values()) {
    for (let j = 0; j < events.length; j += 2) {
      shares[0].push(events[j]);
      shares[1].push(events[j + 1] ?? events[j]);
    }
  }
  const figures = {};
  for (const cas of [true, false]) {
    const table = `procs_${cas ? 'cas' : 'plain'}`;
    const results = await runProcesses({ shares, table, cas });
    const report = await audit(table, prefix, deliveries);
    figures[cas ? 'withCompareAndSet' : 'withoutCompareAndSet'] = {
      processes: results.length,
      deliveries: shares[0].length + shares[1].length,
      handled: results.reduce((n, r) => n + r.handled, 0),
      errors: results.flatMap((r) => r.errors).length,
      lostCompareAndSets: results.reduce((n, r) => n + r.conflicts, 0),
      contracts: report.contracts,
      recordsNotEqualToTruth: report.mismatches.length,
      lostEvents: report.lostEvents,
      firstMismatches: report.mismatches.slice(0, 3),
    };
    if (cas) {
      assert.deepEqual(results.flatMap((r) => r.errors).slice(0, 5), []);
      assert.deepEqual(report.mismatches.slice(0, 10), []);
      assert.equal(report.lostEvents, 0);
      assert.ok(figures.withCompareAndSet.lostCompareAndSets > 0, 'the processes did race: some compare-and-sets were lost and redone');
    }
  }
  console.log(`# two processes over one PostgresStore\n${JSON.stringify(figures, null, 2)}`);
  assert.ok(figures.withoutCompareAndSet.lostEvents > 0 || figures.withoutCompareAndSet.recordsNotEqualToTruth > 0,
    'without compare-and-set the same run loses updates: otherwise this test could not fail');
});

test('PostgreSQL stopped mid-run: STORE_ERROR and nothing half-written; a redelivery after the restart reaches the right state', { timeout: 120_000 }, async () => {
  const prefix = `outage-${Date.now()}`;
  let contract;
  const deliveries = await collectDeliveries(async () => {
    contract = await d.create(playbook, `${prefix}-0`);
    await d.send(contract.id);
    await d.requestSignature(contract.id);
  });
  const byActivity = (a) => deliveries.find((x) => JSON.parse(x.body).activity === a);
  const [created, sent, requested] = ['CONTRACT_CREATED', 'CONTRACT_SENT_TO_COUNTERPARTY', 'CONTRACT_SIGNATURE_REQUESTED'].map(byActivity);
  assert.ok(created && sent && requested, JSON.stringify(deliveries.map((x) => JSON.parse(x.body).activity)));
  const store = new PostgresStore({ connectionString: pg.url, table: 'outage' });
  const client = new sd.SpotDraftClient({ baseUrl: sandbox.url, ...credentials, maxRequestsPerSecond: 1000 });
  const engine = new sd.SyncEngine({ client, store, webhookKeys: hmacKey });
  const deliver = (x) => engine.handleWebhook(x.body, { 'x-sd-webhook-content-hash': x.signature });
  try {
    await deliver(created);
    await deliver(sent);
    const before = await store.get(`contract:${contract.contract_id}`);
    assert.equal(before.status, 'REDLINING');
    await pg.stop();
    const error = await rejection(deliver(requested));
    assert.ok(sd.isSpotDraftError(error));
    assert.equal(error.code, 'STORE_ERROR');
    assert.ok(!error.message.includes(pg.url), error.message);
    await pg.start();
    assert.deepEqual(await store.get(`contract:${contract.contract_id}`), before, 'nothing half-written');
    assert.deepEqual(await store.get(`external:${prefix}-0`), before);
    const redelivered = await deliver(requested);
    const truth = (await d.truth()).find((c) => c.id === contract.contract_id);
    assert.equal(redelivered.record.status, truth.status);
    assert.equal((await store.get(`contract:${contract.contract_id}`)).status, truth.status);
    assert.deepEqual(await store.get(`external:${prefix}-0`), await store.get(`contract:${contract.contract_id}`));
  } finally {
    await store.close();
  }
});
