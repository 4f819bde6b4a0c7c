// The webhook chaos run, shared by the one-process test (tests/node/sync-engine.test.mjs) and
// the many-instances test (tests/server/many-instances.test.mjs): the sandbox's delivery
// faults, a counter of what the receiving side saw (duplicated, reordered, forged, measured
// independently of the sandbox's own flags), the generator of contract lifecycles and of our
// own forgeries paced on the sandbox's backlog, the drain, the sandbox's delivery log and the
// comparison of every record with the sandbox's truth.
//
// The loop, the forgeries and the drain are tests/node/support/chaos-driver.mjs's; this adds
// the chaos run's lifecycle paths, counters and checks around them. It does not receive
// anything itself: the caller's receiver calls `counter.observe(body,
// headers)` for each delivery and `counter.outcome(...)` with what the engine made of it.
import { createHash } from 'node:crypto';
import { driveDeliveries, forgery, hmac, untilQuiet } from './chaos-driver.mjs';

export { hmac };

export const ACTIVITIES = ['CONTRACT_CREATED', 'CONTRACT_SENT_TO_COUNTERPARTY', 'CONTRACT_SIGNATURE_REQUESTED', 'CONTRACT_SIGNED', 'CONTRACT_EXECUTED', 'CONTRACT_VOIDED'];
/** Rank of the lifecycle statuses; a write of a lower rank after a higher one is a regression. */
export const RANK = { DRAFT: 0, REDLINING: 1, SIGN: 2, VOIDED: 3, EXECUTED: 4 };
export const WRONG_KEY = Buffer.alloc(64, 9).toString('base64');

/** The sandbox's delivery faults of the chaos run (`POST /__sandbox/faults`). */
export const CHAOS_FAULTS = {
  seed: 7,
  webhook_duplicate_rate: 0.6,
  webhook_reorder_rate: 0.8,
  webhook_delay_rate: 0.1,
  webhook_delay_ms: 400,
  webhook_tamper_rate: 0.05,
};

/**
 * Counts what a receiver saw. `observe` before handing the delivery to an engine (it returns
 * whether the signature matches the real key), `outcome` after.
 */
export function deliveryCounter(hmacKey) {
  const stats = {
    deliveries: 0, fromSandbox: 0, ownForged: 0, forged: 0, forgedAccepted: 0, accepted: 0, refused: 0,
    duplicates: 0, reordered: 0, outOfOrderPerContract: 0, failedActions: 0, errors: [],
  };
  // A delivery is "duplicated" when its exact authentic body arrived before, "reordered" when
  // an event that happened later (any contract) arrived before it; "out of order per
  // contract" counts only later events of the same contract. Forged = the signature does not
  // match the real key.
  const seenBodies = new Set();
  let newestEvent = '';
  const newestPerContract = new Map();
  const samples = [];
  const counter = {
    stats,
    samples,
    lastDeliveryAt: performance.now(),
    observe(body, headers) {
      stats.deliveries += 1;
      counter.lastDeliveryAt = performance.now();
      if (headers['x-own-forgery']) stats.ownForged += 1;
      else stats.fromSandbox += 1;
      const authentic = headers['x-sd-webhook-content-hash'] === hmac(body, hmacKey);
      if (!authentic) {
        stats.forged += 1;
        return false;
      }
      const digest = createHash('sha256').update(body).digest('hex');
      if (seenBodies.has(digest)) stats.duplicates += 1;
      seenBodies.add(digest);
      const event = JSON.parse(body);
      const at = new Date(event.activity_data.timestamp).toISOString();
      if (at < newestEvent) stats.reordered += 1;
      if (at > newestEvent) newestEvent = at;
      const newest = newestPerContract.get(event.contract_id) ?? '';
      if (at < newest) stats.outOfOrderPerContract += 1;
      if (at > newest) newestPerContract.set(event.contract_id, at);
      if (samples.length < 200) samples.push({ body, headers });
      return true;
    },
    /** `kind`: 'accepted' | 'refused' | 'error' (with `message`). */
    outcome(authentic, kind, message) {
      if (kind === 'accepted') {
        stats.accepted += 1;
        if (!authentic) stats.forgedAccepted += 1;
      } else if (kind === 'refused') stats.refused += 1;
      else stats.errors.push(message);
    },
  };
  return counter;
}

/**
 * Drives the sandbox until `counter` saw `target` deliveries, then lets the queue drain:
 * creates contracts named `<prefix><i>` and moves each along one of 20 paths (draft, held,
 * redlining, voided, signing, executed), keeping the sandbox's backlog around 600 deliveries
 * so reorders have neighbours, and POSTs `ownForgeries` forgeries of four kinds to `url`
 * (wrong key, body swapped under a real signature, legacy header with a wrong key, one byte
 * changed under a real signature) spread over the run. Resolves to `{ held, seconds,
 * forgeryAnswers }`: the contracts put on hold (no webhook tells about a hold), the seconds
 * until drained, and the HTTP statuses the forgeries got, by status.
 */
export async function driveChaos({ d, template, url, counter, prefix, target = 10_000, ownForgeries = 400, timeLimitMs = 200_000, onTick = () => {} }) {
  const { stats } = counter;
  const started = performance.now();
  const probe = await d.create(template, `${prefix}probe`);
  const signatures = (await d.control(`contracts/${probe.id}`)).required_signatures;
  let firedEvents = 1;
  let n = 0;
  const held = new Set();
  const runContract = async () => {
    const i = n++;
    const c = await d.create(template, `${prefix}${i}`);
    firedEvents += 1;
    const path = i % 20;
    if (path === 0) return; // stays DRAFT
    if (path === 1 || path === 2) { // hold and release while in draft: no webhook for either
      await d.hold(c.id);
      if (path === 2) { held.add(c.contract_id); return; }
      await d.release(c.id);
    }
    await d.send(c.id);
    firedEvents += 1;
    if (path === 3 || path === 4) return; // REDLINING
    if (path === 5) { await d.hold(c.id); held.add(c.contract_id); return; }
    if (path === 6 || path === 7) { await d.void(c.id); firedEvents += 1; return; }
    if (path === 8 || path === 9) { await d.requestSignature(c.id); firedEvents += 1; return; } // SIGN
    if (path === 10) { await d.requestSignature(c.id); await d.void(c.id); firedEvents += 2; return; }
    await d.execute(c.id);
    firedEvents += 2 + signatures;
  };
  const forgeryAnswers = {};
  const sendForgery = async (k) => {
    const { body, headers } = forgery(k, counter.samples[k % counter.samples.length], WRONG_KEY);
    const response = await fetch(url, { method: 'POST', headers, body });
    await response.arrayBuffer();
    forgeryAnswers[response.status] = (forgeryAnswers[response.status] ?? 0) + 1;
  };
  await driveDeliveries({
    stats, target, ownForgeries, fired: () => firedEvents, lastDeliveryAt: () => counter.lastDeliveryAt,
    samplesReady: () => counter.samples.length > 20, runContract, sendForgery, maxMs: timeLimitMs, tick: () => onTick(stats),
  });
  // Let the queue, delayed deliveries and retries drain.
  await untilQuiet(() => stats.deliveries);
  return { held, seconds: (performance.now() - started) / 1000, forgeryAnswers };
}

/** The sandbox's own record of its deliveries to `webhookId` and the webhook's status. */
export async function sandboxFlags(d, webhookId) {
  const log = await d.control('webhook-deliveries');
  const ours = log.deliveries.filter((x) => x.webhook_id === webhookId);
  return {
    deliveries: ours.filter((x) => x.outcome !== 'skipped').length,
    duplicate: ours.filter((x) => x.duplicate).length,
    reordered: ours.filter((x) => x.reordered).length,
    delayed: ours.filter((x) => x.delayed_ms > 0).length,
    tampered: ours.filter((x) => x.signature_tampered).length,
    webhookStatus: log.webhooks.filter((w) => w.id === webhookId).map((w) => w.status),
  };
}

/**
 * What differs between the stored `record` (or `null`) and the sandbox's `contract` (its
 * `/__sandbox/contracts` entry): status, composite and external id; for an executed one the
 * document version, the key pointer fields and no flags left. One line per problem.
 */
export function truthProblems(r, c) {
  const problems = [];
  if (!r) return ['no record'];
  if (r.status !== c.status) problems.push(`status ${r.status} != ${c.status}`);
  if (r.compositeId !== c.composite_id) problems.push('compositeId');
  if (r.externalId !== c.external_metadata_id) problems.push('externalId');
  if (c.status === 'EXECUTED') {
    if (!r.document?.fileName || r.document.versionId !== c.version) problems.push(`document ${JSON.stringify(r.document)} vs version ${c.version}`);
    const kp = c.key_pointers ?? [];
    const expectedFields = (Array.isArray(kp) ? kp.map((k) => k.field_name) : Object.keys(kp)).sort();
    if (JSON.stringify(Object.keys(r.keyPointers).sort()) !== JSON.stringify(expectedFields)) problems.push('keyPointers');
    if (r.needsAttention.length) problems.push(`flags ${r.needsAttention}`);
  }
  return problems;
}

/**
 * Compares the record `get('contract:<id>')` of every sandbox contract named `<prefix>…` with
 * the sandbox's truth (status, ids; for executed ones the document version, the key pointers
 * and no flags). `skip`: contract ids left out (held ones, which only a reconcile can know).
 * Resolves to one line per mismatching contract.
 */
export async function compareWithTruth({ d, prefix, get, skip = new Set() }) {
  const truth = (await d.truth()).filter((c) => c.external_metadata_id?.startsWith(prefix));
  const mismatches = [];
  for (const c of truth) {
    if (skip.has(c.id)) continue;
    const problems = truthProblems(await get(`contract:${c.id}`), c);
    if (problems.length) mismatches.push(`${c.composite_id}: ${problems.join(', ')}`);
  }
  return { contracts: truth.length, mismatches };
}

/** The percentages every chaos run prints, from a counter's stats. */
export function deliveryFigures(stats) {
  const pct = (x) => +((100 * x) / stats.deliveries).toFixed(1);
  return {
    deliveries: stats.deliveries,
    fromSandbox: stats.fromSandbox,
    ownForgeries: stats.ownForged,
    duplicatedPct: pct(stats.duplicates),
    reorderedPct: pct(stats.reordered),
    outOfOrderPerContractPct: pct(stats.outOfOrderPerContract),
    forgedPct: pct(stats.forged),
    forged: stats.forged,
    forgedAccepted: stats.forgedAccepted,
    refused: stats.refused,
  };
}
