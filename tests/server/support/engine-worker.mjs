// One process of the multi-process store tests: a SyncEngine over a PostgresStore (or, with
// cas: false, the same store without getVersioned/putIfVersion) that handles the deliveries
// the parent sends once it says go. IPC: parent → { deliveries, ... } then 'go'; child →
// 'ready', then { handled, errors, conflicts } (lost compare-and-sets).
import * as sd from 'spotdraft-sync';
import { PostgresStore } from 'spotdraft-sync/server/postgres';

const { sandboxUrl, pgUrl, table, hmacKey, cas, concurrency, clientId, clientSecret } = JSON.parse(process.argv[2]);
const pg = new PostgresStore({ connectionString: pgUrl, table });
let conflicts = 0;
const plain = { get: (k) => pg.get(k), put: (k, r) => pg.put(k, r), list: () => pg.list() };
const store = cas
  ? {
    ...plain,
    getVersioned: (k) => pg.getVersioned(k),
    putIfVersion: async (k, r, v) => {
      const written = await pg.putIfVersion(k, r, v);
      if (!written) conflicts += 1;
      return written;
    },
  }
  : plain;
const client = new sd.SpotDraftClient({ baseUrl: sandboxUrl, clientId, clientSecret, maxRequestsPerSecond: 1000 });
const engine = new sd.SyncEngine({ client, store, webhookKeys: hmacKey });

let deliveries = [];
process.on('message', async (message) => {
  if (message !== 'go') {
    deliveries = message.deliveries;
    process.send('ready');
    return;
  }
  const errors = [];
  let handled = 0;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < deliveries.length) {
      const { body, signature } = deliveries[next++];
      try {
        await engine.handleWebhook(body, { 'x-sd-webhook-content-hash': signature });
        handled += 1;
      } catch (e) {
        errors.push(`${e.code}: ${e.message}`);
      }
    }
  }));
  await pg.close();
  process.send({ handled, errors, conflicts });
});
