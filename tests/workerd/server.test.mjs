// The server kit's receiver and change feed in the real workerd runtime (Cloudflare Workers),
// run locally through miniflare: signed deliveries from the test → 200 and the record (its
// follow-up actions run against the sandbox after the answer, through ctx.waitUntil), a
// forgery → 401 with nothing stored, a redelivery → DUPLICATE; the feed streams the snapshot
// and the next change to an SSE client over HTTP, and ends its subscription when the client
// leaves (workerd reports that through request.signal, with `enable_request_signal`). The
// package entry (`spotdraft-sync/server`, with its node:http adapter) loads in workerd only
// with `nodejs_compat`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { driver } from '../node/support/sync-sandbox.mjs';
import { signed, event, eventually, assertNoSecrets } from '../server/support/receiver-harness.mjs';
import { openFeed } from '../server/support/sse.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
const esm = (path) => ({ type: 'ESModule', path: join(root, path) });
/** The package's workerd build as miniflare modules (as tests/workerd/workerd.test.mjs lists them). */
const packageModules = () => [
  esm('pkg/workerd/index.js'),
  esm('pkg/web/index.js'),
  esm('pkg/web/spotdraft_sync.js'),
  esm('pkg/shared/wasm-unavailable.js'),
  esm('pkg/shared/sync-engine.js'),
  ...readdirSync(join(root, 'pkg/web/snippets'), { recursive: true })
    .filter((f) => String(f).endsWith('.js'))
    .map((f) => esm(join('pkg/web/snippets', String(f)))),
  { type: 'CompiledWasm', path: join(root, 'pkg/web/spotdraft_sync_bg.wasm') },
];
let sandbox, d, hmacKey, mf, base;

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0', '--seed', '51']);
  d = driver(sandbox.url);
  hmacKey = (await d.api('GET', '/webhooks/hmac_key/')).hmac_key;
  mf = new Miniflare({
    modules: [esm('tests/workerd/server-worker.js'), ...packageModules(), esm('pkg/server/receiver.js'), esm('pkg/server/feed.js'), esm('pkg/server/http.js')],
    modulesRoot: root,
    compatibilityDate: '2026-07-01',
    // workerd tells a handler that its client left only through request.signal, and only
    // with this flag: without it the feed's stream is neither cancelled nor aborted.
    compatibilityFlags: ['enable_request_signal'],
    bindings: { SANDBOX_URL: sandbox.url, HMAC_KEY: hmacKey },
  });
  base = String(await mf.ready);
});
after(async () => {
  await mf?.dispose();
  await sandbox?.stop();
});

const post = (delivery) => mf.dispatchFetch(`${base}webhook`, { method: 'POST', ...delivery });
const record = async (id) => (await mf.dispatchFetch(`${base}record?id=${id}`)).json();
const stats = async () => (await mf.dispatchFetch(`${base}stats`)).json();

test('in workerd: a signed delivery → 200 and the record, actions through waitUntil; a forgery → 401; a redelivery → DUPLICATE', async () => {
  const created = await d.create(playbook, 'wd-1');
  await d.execute(created.id);
  const delivery = signed(event(created.contract_id, 'CONTRACT_EXECUTED', 'EXECUTED', Date.now(), 'wd-1'), hmacKey);
  const response = await post(delivery);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { ok: true, contractId: created.contract_id, disposition: 'APPLIED', changed: true });
  // Stored before the answer; the key pointers and the document after it, via ctx.waitUntil.
  assert.equal((await record(created.contract_id)).status, 'EXECUTED');
  const done = await eventually(async () => {
    const r = await record(created.contract_id);
    return r.needsAttention.length === 0 && r;
  }, 10_000, 'the follow-up actions');
  assert.equal(done.compositeId, created.id);
  assert.match(done.document.fileName, /\.pdf$/);
  assert.ok(Object.keys(done.keyPointers).length > 0);

  const forged = { body: delivery.body.replace('"EXECUTED"', '"VOIDED"').replace(String(created.contract_id), String(created.contract_id + 1)), headers: delivery.headers };
  const refused = await post(forged);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, 'WEBHOOK_SIGNATURE_INVALID');
  assert.equal(await record(created.contract_id + 1), null);
  const unsigned = await post({ body: delivery.body, headers: { 'content-type': 'application/json' } });
  assert.equal(unsigned.status, 401);

  const again = await post(delivery);
  assert.equal((await again.json()).disposition, 'DUPLICATE');
  const { logs } = await stats();
  assert.deepEqual(logs.map((e) => e.event), ['webhook.accepted', 'webhook.actions', 'webhook.refused', 'webhook.refused', 'webhook.accepted']);
  assertNoSecrets(logs, [hmacKey, 'sandbox-acme-secret', delivery.headers['x-sd-webhook-content-hash']]);
});

test('in workerd: the feed streams the snapshot and the next change over HTTP, and unsubscribes when the client leaves', async () => {
  assert.equal((await mf.dispatchFetch(`${base}feed`)).status, 401);
  const feed = await openFeed(`${base}feed`, { authorization: 'Bearer portal' });
  try {
    assert.equal(feed.status, 200);
    await feed.until((f) => f.events.some((e) => e.event === 'ready'), 5000, 'ready');
    assert.deepEqual(feed.records('snapshot').map((r) => r.externalId), ['wd-1']);
    assert.equal((await stats()).subscribers, 1);
    const created = await d.create(playbook, 'wd-2');
    assert.equal((await post(signed(event(created.contract_id, 'CONTRACT_CREATED', 'DRAFT', Date.now(), 'wd-2'), hmacKey))).status, 200);
    // A record another principal would see is not sent.
    assert.equal((await post(signed(event(created.contract_id + 7, 'CONTRACT_CREATED', 'DRAFT', Date.now(), 'other-1'), hmacKey))).status, 200);
    const change = await feed.until((f) => f.records('changes').find((r) => r.externalId === 'wd-2'), 5000, 'the change');
    assert.equal(change.status, 'DRAFT');
    await feed.until((f) => f.comments.includes('heartbeat'), 5000, 'a heartbeat');
    assert.ok(feed.records().every((r) => r.externalId.startsWith('wd-')));
    assert.equal(feed.records('changes').filter((r) => r.externalId === 'wd-2' && r.status === 'DRAFT').length, 1, 'written under two keys, sent once');
  } finally {
    feed.close();
  }
  await eventually(async () => {
    const s = await stats();
    return s.subscribers === 0 && s.connections === 0;
  }, 10_000, 'the subscription to end');
});

test('in workerd, the package entry spotdraft-sync/server (with its node:http adapter) loads with nodejs_compat', async () => {
  const probe = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(root, 'tests/workerd/server-entry-probe.js'), contents: "import * as kit from '../../pkg/server/index.js';\nexport default { fetch: () => Response.json(Object.keys(kit).sort()) };" },
      ...['index.js', 'node.js', 'receiver.js', 'feed.js', 'http.js'].map((f) => esm(`pkg/server/${f}`)),
    ],
    modulesRoot: root,
    compatibilityDate: '2026-07-01',
    compatibilityFlags: ['nodejs_compat'],
  });
  try {
    const exported = await (await probe.dispatchFetch('http://probe.local/')).json();
    for (const name of ['createChangeFeed', 'createWebhookReceiver', 'observeStore', 'serve', 'toNodeListener']) assert.ok(exported.includes(name), name);
  } finally {
    await probe.dispose();
  }
});
