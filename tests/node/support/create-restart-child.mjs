// The process tests/node/sync-create-restart.test.mjs kills (SIGKILL) mid-create and starts
// again over the same FileStore. Arguments: sandbox URL, store file, comma-separated external
// ids, mode. It prints `ready` once the engine exists and `done <id> <outcome>` per create.
//  - mode `intents`: engine.resolveOpenIntents(), then engine.createContract for each id (all
//    at once), which stores a create intent before each create request.
//  - mode `naive`: what an app does without intents: skip an id whose contract the store
//    already holds, else client.createContract (which settles in-process only) then
//    engine.track. Used to show the test catches the duplicate a restart makes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpotDraftClient, SyncEngine } from 'spotdraft-sync';
import { FileStore } from './file-store.mjs';

const [url, storePath, idList, mode] = process.argv.slice(2);
const root = join(import.meta.dirname, '..', '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
const store = new FileStore(storePath);
const client = new SpotDraftClient({
  baseUrl: url,
  clientId: 'sandbox-acme',
  clientSecret: 'sandbox-acme-secret',
  maxRequestsPerSecond: 1000,
  timeoutMs: 1000,
  createSettleMs: 3000,
});
const engine = new SyncEngine({ client, store, webhookKeys: [] });
const body = (id) => ({ ...playbook, external_metadata: { ...playbook.external_metadata, id } });

async function createOne(id) {
  if (mode === 'intents') return (await engine.createContract(body(id), { validate: false })).outcome;
  const known = store.get(`external:${id}`);
  if (known && known.contractId) return 'IN_STORE';
  const { contract, outcome } = await client.createContract(body(id), { validate: false });
  await engine.track({ contractId: contract.contractId, compositeId: contract.id, externalId: id });
  return outcome;
}

console.log('ready');
if (mode === 'intents') console.log(`resolved ${JSON.stringify(await engine.resolveOpenIntents())}`);
await Promise.all(
  idList.split(',').map(async (id) => {
    try {
      console.log(`done ${id} ${await createOne(id)}`);
    } catch (error) {
      console.log(`failed ${id} ${error.code} ${error.message}`);
      process.exitCode = 1;
    }
  }),
);
