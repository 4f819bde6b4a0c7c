// One instance of the many-instances test (tests/server/many-instances.test.mjs), a child Node
// process. Configured by environment variables, it prints one JSON line per event on stdout.
//
// MODE=webhooks (default): a PostgresStore over DATABASE_URL, a SyncEngine with SANDBOX_URL's
// credentials and HMAC_KEY, and createWebhookReceiver, serve()d on loopback. Besides the
// receiver (any path) it answers GET /__stats (deliveries by status, compare-and-set
// conflicts), GET /__idle (once the background follow-up actions are done) and POST /__sweep
// (runPendingActions for every record still flagged, as a periodic job of a real deployment
// would: actions of a killed process never ran). CAS=off hides getVersioned/putIfVersion
// from the engine (the test's "can it fail" switch): it then reads and writes blindly.
//
// MODE=book: books COUNT slots of a PostgresRateBudget (PER_SECOND, BUDGET_NAME) after "go"
// and prints each slot's bounds (for the budget's own test).
//
// MODE=reconcile: seeds TABLE with the records of SEEDS_FILE (last seen DRAFT an hour ago),
// prints {"event":"seeded"}, waits for "go" on stdin, reconciles them all with a client
// whose rateBudget is a PostgresRateBudget of PER_SECOND shared with the other processes,
// prints the result with its start/end times and the responses by status, and exits.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as sd from 'spotdraft-sync';
import { createWebhookReceiver, serve } from 'spotdraft-sync/server';
import { PostgresRateBudget, PostgresStore } from 'spotdraft-sync/server/postgres';
import { seedStaleRecords } from '../../node/support/sync-sandbox.mjs';

const env = process.env;
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const credentials = { clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' };

async function webhooks() {
  const pg = new PostgresStore({ connectionString: env.DATABASE_URL, max: 8 });
  const stats = { byStatus: {}, casWrites: 0, casConflicts: 0, blindPuts: 0 };
  const store = {
    get: (key) => pg.get(key),
    list: () => pg.list(),
    put: (key, record) => {
      stats.blindPuts += 1;
      return pg.put(key, record);
    },
  };
  if (env.CAS !== 'off') {
    store.getVersioned = (key) => pg.getVersioned(key);
    store.putIfVersion = async (key, record, version) => {
      const written = await pg.putIfVersion(key, record, version);
      if (written) stats.casWrites += 1;
      else stats.casConflicts += 1;
      return written;
    };
  }
  const client = new sd.SpotDraftClient({ baseUrl: env.SANDBOX_URL, ...credentials, maxRequestsPerSecond: 1000 });
  const engine = new sd.SyncEngine({ client, store, webhookKeys: env.HMAC_KEY });
  const receiver = createWebhookReceiver({ engine });
  const server = await serve(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/__stats') return Response.json(stats);
    if (pathname === '/__idle') {
      await receiver.idle();
      return Response.json({ ok: true });
    }
    if (pathname === '/__sweep') {
      const flagged = new Map();
      for (const record of await store.list()) if (record.needsAttention?.length) flagged.set(record.contractId, record.needsAttention);
      const swept = {};
      for (const [contractId] of flagged) {
        const { actionResults } = await engine.runPendingActions(contractId);
        for (const a of actionResults) swept[`${a.kind}:${a.outcome}`] = (swept[`${a.kind}:${a.outcome}`] ?? 0) + 1;
      }
      const flags = {};
      for (const list of flagged.values()) for (const f of list) flags[f] = (flags[f] ?? 0) + 1;
      return Response.json({ flagged: flagged.size, flags, swept });
    }
    const response = await receiver(request);
    stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
    return response;
  }, { port: Number(env.PORT ?? 0), host: '127.0.0.1' });
  say({ event: 'listening', url: server.url, pid: process.pid });
}

async function reconcile() {
  const budget = new PostgresRateBudget({ connectionString: env.DATABASE_URL, perSecond: Number(env.PER_SECOND) });
  const store = new PostgresStore({ connectionString: env.DATABASE_URL, table: env.TABLE, max: 4 });
  const responses = {};
  const client = new sd.SpotDraftClient({
    baseUrl: env.SANDBOX_URL,
    ...credentials,
    rateBudget: budget,
    onResponse: (e) => {
      const key = e.status ?? e.errorCode;
      responses[key] = (responses[key] ?? 0) + 1;
    },
  });
  const engine = new sd.SyncEngine({ client, store, webhookKeys: [] });
  await seedStaleRecords(sd, store, JSON.parse(readFileSync(env.SEEDS_FILE, 'utf8')));
  say({ event: 'seeded' });
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'go') break;
  const startedAt = Date.now();
  const result = await engine.reconcile({ budget: 100_000, concurrency: Number(env.CONCURRENCY ?? 8), staleAfterMs: 60_000 });
  const endedAt = Date.now();
  say({ event: 'reconciled', startedAt, endedAt, polled: result.polled, changed: result.changed, failed: result.failed, notFound: result.notFound, responses });
  await store.close();
  await budget.close();
  process.exit(0);
}

/** MODE=book: books COUNT slots of a PostgresRateBudget after "go", prints each slot's bounds. */
async function book() {
  const budget = new PostgresRateBudget({ connectionString: env.DATABASE_URL, perSecond: Number(env.PER_SECOND), name: env.BUDGET_NAME });
  await budget.reserve(); // creates the table and row; this slot is not reported
  say({ event: 'ready' });
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'go') break;
  const now = () => performance.timeOrigin + performance.now();
  const slots = [];
  for (let i = 0; i < Number(env.COUNT); i++) {
    const sent = now();
    const wait = await budget.reserve();
    // The slot is the database's now + wait, taken somewhere between sending and the answer.
    slots.push({ lo: sent + wait, hi: now() + wait });
  }
  say({ event: 'booked', pid: process.pid, slots });
  await budget.close();
  process.exit(0);
}

({ reconcile, book }[env.MODE] ?? webhooks)().catch((error) => {
  say({ event: 'failed', code: error?.code, message: String(error?.message ?? error) });
  process.exit(1);
});
