// IndexedDbStore in real headless Chromium: put/get/list through the web build, records
// survive a page reload, a web worker sees the same database, and SyncEngine runs on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useChromiumAndSite } from './chromium.mjs';

const chromium = useChromiumAndSite();

test('IndexedDbStore keeps records across a reload and is shared with a web worker', async () => {
  const context = await chromium.browser.newContext();
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  // Any same-origin page will do: the store only needs the origin's IndexedDB.
  await page.goto(`${chromium.site.url}/www/status.html`);
  const written = await page.evaluate(async () => {
    const sd = await import('/pkg/web/index.js');
    await sd.default();
    const store = new sd.IndexedDbStore('sync-test');
    const records = [];
    for (let i = 1; i <= 3; i++) {
      const { record } = sd.applyEvent(null, {
        activity: i === 3 ? 'CONTRACT_EXECUTED' : 'CONTRACT_SENT_TO_COUNTERPARTY',
        contract_id: 1000 + i,
        contract_kind: 'TEMPLATE_CONTRACT',
        contract_status: i === 3 ? 'EXECUTED' : 'REDLINING',
        external_metadata: { id: `deal-${i}` },
        activity_data: { timestamp: `2024-01-0${i}T10:00:00Z` },
      });
      await store.put(`contract:${record.contractId}`, record);
      records.push(record);
    }
    // Replacing a value, and a record that is not stored.
    await store.put('contract:1001', { ...records[0], contractTitle: 'renamed' });
    const missing = await store.get('contract:999');
    let badKey;
    try {
      await store.put('', records[0]);
    } catch (e) {
      badKey = e.code;
    }
    const listed = await store.list();
    store.close();
    return { records, missing, badKey, listedCount: listed.length, name: store.dbName };
  });
  assert.equal(written.missing, null);
  assert.equal(written.badKey, 'INVALID_ARGUMENT');
  assert.equal(written.listedCount, 3);
  assert.equal(written.name, 'sync-test');

  await page.reload();
  const read = await page.evaluate(async () => {
    const sd = await import('/pkg/web/index.js');
    await sd.default();
    const store = new sd.IndexedDbStore('sync-test');
    const one = await store.get('contract:1001');
    const three = await store.get('contract:1003');
    const listed = (await store.list()).map((r) => r.contractId).sort();
    // SyncEngine over the IndexedDB store (no client calls needed for these).
    const client = new sd.SpotDraftClient({ baseUrl: 'http://127.0.0.1:9' });
    const engine = new sd.SyncEngine({ client, store, webhookKeys: [] });
    const viaEngine = await engine.getRecord(1003);
    const tracked = await engine.track({ contractId: 1004, compositeId: 'T-1004', externalId: 'deal-4' });
    const byExternal = await engine.getRecord('external:deal-4');
    const plan = await engine.reconcile({ budget: 0 });
    return { one, three, listed, viaEngine, tracked, byExternal, plan };
  });
  assert.equal(read.one.contractTitle, 'renamed');
  assert.equal(read.one.status, 'REDLINING');
  assert.equal(read.three.status, 'EXECUTED');
  assert.deepEqual(read.three, written.records[2]);
  assert.deepEqual(read.listed, [1001, 1002, 1003]);
  assert.deepEqual(read.viaEngine, written.records[2]);
  assert.equal(read.tracked.compositeId, 'T-1004');
  assert.deepEqual(read.byExternal, read.tracked);
  assert.equal(read.plan.planned, 0);

  // A module worker of the same origin reads the same database.
  const fromWorker = await page.evaluate(async () => {
    const source = `
      import * as sd from '${location.origin}/pkg/web/index.js';
      await sd.default();
      const store = new sd.IndexedDbStore('sync-test');
      const record = await store.get('contract:1004');
      await store.put('contract:2000', { ...record, contractId: 2000 });
      postMessage({ status: record?.compositeId, count: (await store.list()).length });
    `;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url, { type: 'module' });
    return await new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
    });
  });
  assert.deepEqual(fromWorker, { status: 'T-1004', count: 6 });
  const afterWorker = await page.evaluate(async () => {
    const sd = await import('/pkg/web/index.js');
    return (await new sd.IndexedDbStore('sync-test').get('contract:2000'))?.contractId;
  });
  assert.equal(afterWorker, 2000);
  assert.deepEqual(pageErrors, []);
  await context.close();
});
