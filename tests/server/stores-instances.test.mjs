// The many-instances run: 4 Node processes behind a round-robin, each serve()-ing a webhook
// handler over its own PostgresStore on one shared table, take 10,000 deliveries from the
// sandbox (duplicated, reordered, delayed, tampered, plus forgeries of our own); one process
// is SIGKILLed mid-run and restarted. Must end with 0 forged accepted, 0 lost updates, 0
// status regressions (watched through PostgresStore.subscribe, i.e. LISTEN/NOTIFY from all
// four processes), and every record equal to the sandbox's truth. Figures are printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore } from 'spotdraft-sync/server/postgres';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { startPostgres } from '../../scripts/lib/postgres-process.mjs';
import { credentials, driver } from '../node/support/sync-sandbox.mjs';
import { driveDeliveries, forgery, hmac, untilQuiet } from '../node/support/chaos-driver.mjs';
import { auditAgainstTruth, noteEvents } from './support/audit.mjs';

const root = join(import.meta.dirname, '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
const ACTIVITIES = ['CONTRACT_CREATED', 'CONTRACT_SENT_TO_COUNTERPARTY', 'CONTRACT_SIGNATURE_REQUESTED', 'CONTRACT_SIGNED', 'CONTRACT_EXECUTED', 'CONTRACT_VOIDED'];
const RANK = { DRAFT: 0, REDLINING: 1, SIGN: 2, VOIDED: 3, EXECUTED: 4 };
const WRONG_KEY = Buffer.alloc(64, 7).toString('base64');
const INSTANCES = 4;
const TARGET = 10_000;
const OWN_FORGERIES = 400;
const TABLE = 'instances';

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
        if (authenticSamples.length < 200) authenticSamples.push({ body, headers: { 'x-sd-webhook-content-hash': req.headers['x-sd-webhook-content-hash'] } });
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
        else noteEvents(acceptedEvents, body);
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
    const sendForgery = async (k) => {
      const { body, headers } = forgery(k, authenticSamples[k % authenticSamples.length], WRONG_KEY);
      const response = await fetch(frontUrl, { method: 'POST', headers, body });
      assert.ok([401, 503].includes(response.status), `a forgery answered ${response.status}`);
    };
    const killMidRun = () => {
      if (killed || killNow || stats.deliveries < TARGET * 0.3) return;
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
    };
    await driveDeliveries({
      stats, target: TARGET, ownForgeries: OWN_FORGERIES, fired: () => fired, lastDeliveryAt: () => lastDeliveryAt,
      samplesReady: () => authenticSamples.length > 20, runContract, sendForgery, width: 5, maxMs: 300_000, tick: killMidRun,
    });
    await untilQuiet(() => stats.deliveries);
    const seconds = (performance.now() - started) / 1000;
    const log = await d.control('webhook-deliveries');
    // A delivery whose last attempt (12, the sandbox's --webhook-max-attempts) failed is lost.
    const failedForGood = log.deliveries.filter((x) => x.webhook_id === hook.id && x.outcome === 'failed' && !x.duplicate && x.attempt >= 12).length;
    const webhookStatus = log.webhooks.find((w) => w.id === hook.id)?.status;

    const truth = (await d.truth()).filter((c) => c.external_metadata_id?.startsWith(`${prefix}-`));
    const { mismatches, lostEvents } = await auditAgainstTruth({ truth, get: (key) => watcher.get(key), events: acceptedEvents });
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
