// The reference server (scripts/lib/reference-server.mjs, `npm run server`) against the
// sandbox, as a portal uses it: a browser-mode SpotDraftClient (no secret, a bearer token)
// runs the playbook through the proxy; the sandbox delivers its webhooks to the receiver; the
// SQLite file holds the records, and the change feed streams them as they change. Nothing the
// server answers or logs holds the client-secret or a signed URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpotDraftClient } from 'spotdraft-sync';
import { SqliteStore } from 'spotdraft-sync/server/sqlite';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { settingsFromEnv, startReferenceServer } from '../../scripts/lib/reference-server.mjs';
import { driver } from '../node/support/sync-sandbox.mjs';
import { openFeed } from './support/sse.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let sandbox, server, dir;
const logs = [];

before(async () => {
  sandbox = await startSandbox(root, ['--webhook-retry-base-ms', '50']);
  dir = mkdtempSync(join(tmpdir(), 'sd-reference-'));
  const settings = settingsFromEnv({ SPOTDRAFT_DB: join(dir, 'sync.db'), PORT: '0', SPOTDRAFT_SERVER_TOKEN: 'portal-token-0123456789' });
  server = await startReferenceServer(settings, { sandboxUrl: sandbox.url, log: (entry) => logs.push(JSON.stringify(entry)) });
});
after(async () => {
  await server?.close();
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the playbook through the reference server: proxy, webhooks to the receiver, SQLite, the feed', async () => {
  const portal = new SpotDraftClient({ baseUrl: server.url, headers: () => ({ authorization: 'Bearer portal-token-0123456789' }) });
  const d = driver(sandbox.url);
  const externalId = `reference-${Date.now()}`;
  const template = await portal.getTemplateMetadata(1204);
  assert.ok(template);

  const feed = await openFeed(`${server.url}/events`, { authorization: 'Bearer portal-token-0123456789' });
  assert.equal(feed.status, 200);
  const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
  const { contract } = await portal.createContract({ ...playbook, external_metadata: { ...playbook.external_metadata, id: externalId } });
  await portal.sendToCounterparties(contract.id, {});
  await d.execute(contract.id);
  // The sandbox delivers its webhooks to the receiver; the feed shows each stored change.
  const records = () => feed.events.filter((e) => e.event === 'record').map((e) => JSON.parse(e.data)).filter((r) => r.externalId === externalId);
  const last = await feed.until(() => records().find((r) => r.status === 'EXECUTED'), 30_000, 'the EXECUTED record');
  feed.close();
  assert.equal(last.compositeId, contract.id);
  assert.ok(records().length >= 2, 'the feed showed the record changing');

  const link = await portal.getDownloadLink(contract.id, { format: 'PDF' });
  assert.ok(link.url.startsWith('http'));

  // The SQLite file holds it (a second store on the same file, as after a restart).
  const reopened = new SqliteStore(join(dir, 'sync.db'));
  const stored = await reopened.get(`contract:${contract.contractId}`);
  reopened.close();
  assert.equal(stored.status, 'EXECUTED');

  for (const line of logs) {
    assert.ok(!line.includes('sandbox-acme-secret'), `a log line holds the client secret: ${line}`);
    assert.ok(!line.includes(link.url), 'a log line holds the signed URL');
  }
});

test('without the token: the proxy and the feed answer 401, the health check answers', async () => {
  const status = await fetch(`${server.url}/api/v2.1/public/contracts/T-1/status`);
  assert.equal(status.status, 401);
  assert.equal((await status.json()).error.code, 'UNAUTHORIZED');
  const feed = await fetch(`${server.url}/events`);
  assert.equal(feed.status, 401);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});
