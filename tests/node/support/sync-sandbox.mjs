// Driving the sandbox for the sync-engine tests and the reconcile benchmark: creating
// contracts, moving them through their lifecycle, reading the truth, and the 5,000-record
// reconciliation run under the sandbox's rate limit (shared by the test and the bench).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../../scripts/lib/sandbox-process.mjs';

export const CLIENT_ID = 'sandbox-acme';
export const CLIENT_SECRET = 'sandbox-acme-secret';
export const credentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
const PLAYBOOK = {
  contract_template_id: 1204,
  contract_name: 'Acme MSA',
};

/** Helpers bound to one sandbox URL. */
export function driver(url) {
  const auth = { 'client-id': CLIENT_ID, 'client-secret': CLIENT_SECRET };
  async function call(method, path, body, { expect } = {}) {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (expect !== undefined ? response.status !== expect : !response.ok) {
      throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return text ? JSON.parse(text) : null;
  }
  return {
    url,
    call,
    api: (method, path, body, options) => call(method, `/api/v2.1/public${path}`, body, options),
    control: (path, body) => call(body === undefined ? 'GET' : 'POST', `/__sandbox/${path}`, body),
    /** Creates a contract from the playbook body with `externalId`; resolves to `{ id, contract_id }`. */
    async create(template, externalId) {
      const body = { ...template, ...PLAYBOOK, external_metadata: { ...template.external_metadata, id: externalId } };
      return call('POST', '/api/v2.1/public/contracts/', body, { expect: 201 });
    },
    send: (id) => call('POST', `/api/v2.1/public/contracts/${id}/send_to_counterparties`, { attachment_formats: ['PDF'] }),
    requestSignature: (id) => call('POST', `/__sandbox/contracts/${id}/request_signature`, {}),
    execute: (id) => call('POST', `/__sandbox/contracts/${id}/execute`, {}),
    hold: (id) => call('POST', `/__sandbox/contracts/${id}/hold`, {}),
    release: (id) => call('POST', `/__sandbox/contracts/${id}/release`, {}),
    void: (id) => call('POST', `/api/v2.1/public/contracts/${id}/status/void`, { note: 'chaos test' }),
    truth: async () => (await call('GET', '/__sandbox/contracts')).contracts,
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  let next = 0;
  const results = new Array(items.length);
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Puts one record per `{ contractId, externalId }` of `seeds` into `store` (under both keys),
 * as last seen DRAFT an hour ago: what a reconcile with `staleAfterMs` under an hour polls.
 */
export async function seedStaleRecords(sd, store, seeds) {
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  for (const seed of seeds) {
    const { record } = sd.applyEvent(null, {
      activity: 'CONTRACT_CREATED',
      contract_id: seed.contractId,
      contract_kind: 'TEMPLATE_CONTRACT',
      contract_status: 'DRAFT',
      external_metadata: { id: seed.externalId },
      activity_data: { timestamp: hourAgo },
    });
    await store.put(`contract:${seed.contractId}`, record);
    await store.put(`external:${seed.externalId}`, record);
  }
}

/**
 * The reconciliation run: 5,000 records (4,950 contracts created in the sandbox and 50 that
 * do not exist), each seeded as last seen DRAFT an hour ago; then the sandbox moves some
 * contracts on without telling anyone (drift). A sandbox with `--rate-limit <rate>` and a
 * client with `maxRequestsPerSecond: rate` reconcile them all in one call.
 *
 * Contracts are created on a sandbox without a rate limit that saves its state, which the
 * rate-limited sandbox then loads, so seeding does not eat into the measured run.
 */
export async function reconcileRun({ sd, root, template, rate = 100, records = 5000, missing = 50, concurrency = 8, log = () => {} }) {
  const dir = mkdtempSync(join(tmpdir(), 'sd-reconcile-'));
  const state = join(dir, 'state.json');
  let sandbox;
  try {
    sandbox = await startSandbox(root, ['--rate-limit', '0', '--state', state, '--seed', '11']);
    const d = driver(sandbox.url);
    const created = await pool(
      Array.from({ length: records - missing }, (_, i) => i),
      32,
      (i) => d.create(template, `reconcile-${i}`),
    );
    // Drift: moves nobody is told about (no webhook receiver is registered).
    const expected = new Map(created.map((c) => [c.contract_id, 'DRAFT']));
    const moves = [];
    created.forEach((c, i) => {
      if (i % 10 === 1) moves.push([c, 'send', 'REDLINING']);
      else if (i % 10 === 2) moves.push([c, 'execute', 'EXECUTED']);
      else if (i % 10 === 3) moves.push([c, 'void', 'VOIDED']);
      else if (i % 20 === 4) moves.push([c, 'hold', 'ON_HOLD']);
      else if (i % 20 === 5) moves.push([c, 'requestSignature', 'SIGN']);
    });
    await pool(moves, 32, async ([c, action, status]) => {
      await d[action](c.id);
      expected.set(c.contract_id, status);
    });
    await sandbox.stop();
    sandbox = await startSandbox(root, ['--rate-limit', String(rate), '--state', state, '--seed', '11']);
    const truth = new Map((await driver(sandbox.url).truth()).map((c) => [c.id, c]));
    if (truth.size !== created.length) throw new Error(`the sandbox reloaded ${truth.size} of ${created.length} contracts`);

    const responses = { total: 0, byStatus: {} };
    const client = new sd.SpotDraftClient({
      baseUrl: sandbox.url,
      ...credentials,
      maxRequestsPerSecond: rate,
      onResponse: (e) => {
        responses.total += 1;
        const key = e.status ?? e.errorCode;
        responses.byStatus[key] = (responses.byStatus[key] ?? 0) + 1;
      },
    });
    const store = new sd.MemoryStore();
    const engine = new sd.SyncEngine({ client, store, webhookKeys: [] });
    const seeds = [
      ...created.map((c, i) => ({ contractId: c.contract_id, externalId: `reconcile-${i}` })),
      ...Array.from({ length: missing }, (_, i) => ({ contractId: 9_000_000 + i, externalId: `gone-${i}` })),
    ];
    await seedStaleRecords(sd, store, seeds);
    let progressCalls = 0;
    const started = performance.now();
    const result = await engine.reconcile({
      budget: records,
      concurrency,
      staleAfterMs: 60_000,
      onProgress: (p) => {
        progressCalls += 1;
        if (p.polled % 1000 === 0 && p.polled) log(`  reconcile progress: ${p.polled}/${p.planned} polled`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    let mismatches = 0;
    for (const [contractId, status] of expected) {
      const record = await store.get(`contract:${contractId}`);
      if (record?.status !== status || truth.get(contractId)?.status !== status) mismatches += 1;
    }
    let flaggedMissing = 0;
    for (let i = 0; i < missing; i++) {
      const record = await store.get(`contract:${9_000_000 + i}`);
      if (record?.needsAttention.includes('NOT_FOUND')) flaggedMissing += 1;
    }
    const throughput = result.polled / seconds;
    return {
      rate,
      concurrency,
      records: seeds.length,
      drifted: moves.length,
      result,
      seconds,
      throughput,
      ratio: throughput / rate,
      responses,
      mismatches,
      flaggedMissing,
      progressCalls,
    };
  } finally {
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
