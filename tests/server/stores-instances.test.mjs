// The many-instances run: 4 Node processes behind a round-robin, each serve()-ing a webhook
// handler over its own PostgresStore on one shared table, take 10,000 deliveries from the
// sandbox (duplicated, reordered, delayed, tampered, plus forgeries of our own); one process
// is SIGKILLed mid-run and restarted. Must end with 0 forged accepted, 0 lost updates, 0
// status regressions (watched through PostgresStore.subscribe, i.e. LISTEN/NOTIFY from all
// four processes), and every record equal to the sandbox's truth. Figures are printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore } from 'spotdraft-sync/server/postgres';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { startPostgres } from '../../scripts/lib/postgres-process.mjs';
import { credentials, driver, pool } from '../node/support/sync-sandbox.mjs';

const root = join(import.meta.dirname, '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
const ACTIVITIES = ['CONTRACT_CREATED', 'CONTRACT_SENT_TO_COUNTERPARTY', 'CONTRACT_SIGNATURE_REQUESTED', 'CONTRACT_SIGNED', 'CONTRACT_EXECUTED', 'CONTRACT_VOIDED'];
const RANK = { DRAFT: 0, REDLINING: 1, SIGN: 2, VOIDED: 3, EXECUTED: 4 };
const WRONG_KEY = Buffer.alloc(64, 7).toString('base64');
const INSTANCES = 4;
const TARGET = 10_000;
const OWN_FORGERIES = 400;
const TABLE = 'instances';
const hmac = (body, key) => createHmac('sha512', Buffer.from(key, 'base64')).update(body).digest('hex');

let sandbox;
let d;
let hmacKey;
let pg;
const instances = [];
before(async () => {
  [sandbox, pg] = await Promise.all([
    startSandbox(root, ['--rate-limit', '0', '--seed', '41', '--webhook-retry-base-ms', '20', '--webhook-max-attempts', '12']),
    startPostgres(),
  ]);
  d = driver(sandbox.url);
  hmacKey = (await d.api('GET', '/webhooks/hmac_key/')).hmac_key;
});
after(async () => {
  for (const i of instances) i.child.kill('SIGKILL');
  await sandbox?.stop();
  await pg?.close();
});

async function startInstance() {
  const child = fork(join(import.meta.dirname, 'support', 'instance-server.mjs'), [JSON.stringify({
    sandboxUrl: sandbox.url, pgUrl: pg.url, table: TABLE, hmacKey, ...credentials,
  })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
  });
  child.channel.unref();
  return { child, url, alive: true, handled: 0, inFlight: 0 };
}

test('4 instances over one PostgresStore, 10,000 deliveries, one SIGKILLed and restarted: 0 forged accepted, 0 lost, 0 regressions, all equal to the truth', { timeout: 420_000 }, async () => {
  // The table exists before four processes race to create it (they would cope, see setup).
  const watcher = new PostgresStore({ connectionString: pg.url, table: TABLE });
  await watcher.list();
  for (let i = 0; i < INSTANCES; i++) instances.push(await startInstance());

  const regressions = [];
  const lastRank = new Map();
  const stopWatching = watcher.subscribe(({ key, record }) => {
    const rank = RANK[record.status];
    const previous = lastRank.get(key);
    if (rank !== undefined && previous !== undefined && rank < previous) regressions.push([key, record.status]);
    if (rank !== undefined) lastRank.set(key, Math.max(previous ?? -1, rank));
  });

  const stats = {
    deliveries: 0, fromSandbox: 0, ownForged: 0, forged: 0, forgedAccepted: 0, accepted: 0, refused: 0,
    unavailable: 0, duplicates: 0, errors: [],
  };
  const acceptedEvents = new Map(); // contract id → Set of event keys answered 2xx
  const seenBodies = new Set();
  const authenticSamples = [];
  let lastDeliveryAt = performance.now();
  let next = 0;
  const front = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      stats.deliveries += 1;
      lastDeliveryAt = performance.now();
      if (req.headers['x-own-forgery']) stats.ownForged += 1;
      else stats.fromSandbox += 1;
      const authentic = req.headers['x-sd-webhook-content-hash'] === hmac(body, hmacKey);
      if (!authentic) stats.forged += 1;
      else {
        const digest = createHash('sha256').update(body).digest('hex');
        if (seenBodies.has(digest)) stats.duplicates += 1;
        seenBodies.add(digest);
        if (authenticSamples.length < 200) authenticSamples.push({ body, signature: req.headers['x-sd-webhook-content-hash'] });
      }
      // Round-robin over the live instances; a connection to a killed one fails: 503.
      const live = instances.filter((i) => i.alive);
      const target = live[next++ % live.length];
      let status;
      try {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-sd-') || k === 'content-type'));
        const answering = fetch(target.url, { method: 'POST', headers, body });
        target.inFlight += 1;
        if (killNow && target === instances[1] && target.inFlight >= 3) killNow();
        const answer = await answering.finally(() => { target.inFlight -= 1; });
        await answer.arrayBuffer();
        status = answer.status;
      } catch {
        status = 503;
      }
      if (status < 300) {
        stats.accepted += 1;
        target.handled += 1;
        if (!authentic) stats.forgedAccepted += 1;
        else {
          const e = JSON.parse(body);
          const set = acceptedEvents.get(e.contract_id) ?? new Set();
          set.add(`${e.activity}@${new Date(e.activity_data.timestamp).toISOString()}`);
          acceptedEvents.set(e.contract_id, set);
        }
      } else if (status === 401) stats.refused += 1;
      else if (status === 503) stats.unavailable += 1;
      else stats.errors.push(status);
      res.writeHead(status).end();
    });
  });
  await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
  const frontUrl = `http://127.0.0.1:${front.address().port}/spotdraft`;

  await d.control('faults', {
    seed: 9, webhook_duplicate_rate: 0.6, webhook_reorder_rate: 0.8, webhook_delay_rate: 0.1, webhook_delay_ms: 400, webhook_tamper_rate: 0.05,
  });
  const hook = await d.api('POST', '/webhooks/', { title: 'instances', url: frontUrl, only_for_activities: ACTIVITIES }, { expect: 201 });
  const prefix = `inst-${Date.now()}`;
  const started = performance.now();
  let killed = null;
  let killNow = null;
  try {
    const probe = await d.create(playbook, `${prefix}-probe`);
    const signatures = (await d.control(`contracts/${probe.id}`)).required_signatures;
    let fired = 1;
    let n = 0;
    const runContract = async () => {
      const i = n++;
      const c = await d.create(playbook, `${prefix}-${i}`);
      fired += 1;
      const path = i % 10;
      if (path === 0) return;
      await d.send(c.id);
      fired += 1;
      if (path === 1) return;
      if (path === 2) { await d.void(c.id); fired += 1; return; }
      await d.requestSignature(c.id);
      fired += 1;
      if (path === 3) return;
      if (path === 4) { await d.void(c.id); fired += 1; return; }
      await d.execute(c.id);
      fired += 1 + signatures;
    };
    let forgeries = 0;
    const sendForgery = async () => {
      const k = forgeries++;
      const sample = authenticSamples[k % authenticSamples.length];
      const event = JSON.parse(sample.body);
      let body = JSON.stringify({ ...event, activity: 'CONTRACT_VOIDED', contract_status: 'VOIDED', activity_data: { ...event.activity_data, timestamp: new Date(Date.now() + 86_400_000).toISOString() } });
      const headers = { 'x-own-forgery': '1', 'content-type': 'application/json' };
      if (k % 3 === 0) headers['x-sd-webhook-content-hash'] = hmac(body, WRONG_KEY);
      else if (k % 3 === 1) headers['x-sd-webhook-content-hash'] = sample.signature; // body swapped under a real signature
      else { body = sample.body.toString().replace('"timestamp":"2', '"timestamp":"3'); headers['x-sd-webhook-content-hash'] = sample.signature; }
      const response = await fetch(frontUrl, { method: 'POST', headers, body });
      assert.ok([401, 503].includes(response.status), `a forgery answered ${response.status}`);
    };
    while (stats.deliveries < TARGET) {
      if (!killed && !killNow && stats.deliveries >= TARGET * 0.3) {
        // Mid-run, while 3 requests are in flight to it: SIGKILL one instance (they fail:
        // 503, retried by the sandbox). It stays in the rotation until its exit is seen, as
        // a balancer's health check lags, and is restarted in its place a second later.
        killNow = () => {
          killNow = null;
          const victim = instances[1];
          victim.child.once('exit', () => { victim.alive = false; });
          victim.child.kill('SIGKILL');
          killed = { atDelivery: stats.deliveries, handledBefore: victim.handled, inFlight: victim.inFlight };
          setTimeout(async () => {
            instances[1] = await startInstance();
            killed.restartedAtDelivery = stats.deliveries;
          }, 1000);
        };
      }
      const backlog = fired * 1.65 - stats.fromSandbox;
      const remaining = TARGET - OWN_FORGERIES - stats.fromSandbox;
      const idle = performance.now() - lastDeliveryAt > 300;
      let busy = false;
      if ((backlog < 600 && backlog < remaining) || idle) {
        await pool(Array.from({ length: 25 }), 5, runContract);
        busy = true;
      }
      if (forgeries < OWN_FORGERIES && authenticSamples.length > 20 && stats.ownForged * TARGET < OWN_FORGERIES * stats.deliveries) {
        await pool(Array.from({ length: 10 }), 10, sendForgery);
        busy = true;
      }
      if (!busy) await new Promise((r) => setTimeout(r, 20));
      if (performance.now() - started > 300_000) break;
    }
    let quiet = 0;
    let last = -1;
    while (quiet < 15) {
      await new Promise((r) => setTimeout(r, 100));
      quiet = stats.deliveries === last ? quiet + 1 : 0;
      last = stats.deliveries;
    }
    const seconds = (performance.now() - started) / 1000;
    const log = await d.control('webhook-deliveries');
    // A delivery whose last attempt (12, the sandbox's --webhook-max-attempts) failed is lost.
    const failedForGood = log.deliveries.filter((x) => x.webhook_id === hook.id && x.outcome === 'failed' && !x.duplicate && x.attempt >= 12).length;
    const webhookStatus = log.webhooks.find((w) => w.id === hook.id)?.status;

    const truth = (await d.truth()).filter((c) => c.external_metadata_id?.startsWith(`${prefix}-`));
    const mismatches = [];
    let lostEvents = 0;
    for (const c of truth) {
      const r = await watcher.get(`contract:${c.id}`);
      const problems = [];
      if (!r) problems.push('no record');
      else {
        if (r.status !== c.status) problems.push(`status ${r.status} != ${c.status}`);
        if (r.compositeId !== c.composite_id) problems.push('compositeId');
        if (r.externalId !== c.external_metadata_id) problems.push('externalId');
        const applied = new Set(r.appliedEventKeys);
        const lost = [...(acceptedEvents.get(c.id) ?? [])].filter((k) => {
          const [activity, at] = k.split('@');
          return ![...applied].some((key) => key.includes(`|${c.id}|${activity}`) && new Date(key.split('|')[0]).toISOString() === at);
        });
        if (lost.length) { lostEvents += lost.length; problems.push(`lost ${lost}`); }
        if (c.status === 'EXECUTED' && (r.document?.versionId !== c.version || r.needsAttention.length)) problems.push(`document ${JSON.stringify(r.document)} flags ${r.needsAttention}`);
      }
      if (problems.length) mismatches.push(`${c.composite_id}: ${problems.join(', ')}`);
    }
    const figures = {
      instances: INSTANCES,
      contracts: truth.length,
      deliveries: stats.deliveries,
      fromSandbox: stats.fromSandbox,
      ownForgeries: stats.ownForged,
      duplicatedPct: +((100 * stats.duplicates) / stats.deliveries).toFixed(1),
      forgedPct: +((100 * stats.forged) / stats.deliveries).toFixed(1),
      forgedAccepted: stats.forgedAccepted,
      accepted: stats.accepted,
      refused401: stats.refused,
      unavailable503: stats.unavailable,
      otherStatuses: stats.errors.length,
      deliveriesFailedForGood: failedForGood,
      webhookStatus,
      killed,
      handledPerInstance: instances.map((i) => i.handled),
      statusRegressions: regressions.length,
      lostEvents,
      recordsNotEqualToTruth: mismatches.length,
      seconds: +seconds.toFixed(1),
    };
    console.log(`# many-instances run figures\n${JSON.stringify(figures, null, 2)}`);
    assert.ok(stats.deliveries >= TARGET, `only ${stats.deliveries} deliveries`);
    assert.ok(killed?.restartedAtDelivery !== undefined, 'an instance was killed and restarted mid-run');
    assert.ok(stats.unavailable >= 1, 'the kill failed requests in flight (answered 503)');
    assert.equal(stats.forgedAccepted, 0);
    assert.ok(stats.forged / stats.deliveries >= 0.05, 'at least 5% forged or tampered');
    assert.deepEqual(stats.errors.slice(0, 5), []);
    assert.equal(failedForGood, 0, 'no delivery ran out of attempts');
    assert.equal(webhookStatus, 'ACTIVE');
    assert.deepEqual(regressions.slice(0, 5), []);
    assert.equal(lostEvents, 0);
    assert.deepEqual(mismatches.slice(0, 10), []);
    assert.ok(instances.every((i) => i.handled > 0), 'every instance took deliveries');
  } finally {
    stopWatching();
    await d.api('DELETE', `/webhooks/${hook.id}`, undefined, { expect: 204 });
    await new Promise((r) => front.close(r));
    await watcher.close();
    for (const i of instances) if (i.alive) i.child.kill('SIGTERM');
  }
});
