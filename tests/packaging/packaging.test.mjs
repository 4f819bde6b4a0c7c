// The `npm pack` tarball installs into a scratch project and imports from Node ESM, Node CJS,
// the inline entry, a browser page, and a web worker whose global fetch throws (as in
// HubSpot's UI-extension sandbox); TypeScript type-checks a consumer against the .d.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../browser/chromium.mjs';
import { startStaticServer } from '../../scripts/lib/static-server.mjs';
import { startFakeSpotDraft } from '../node/support/fake-spotdraft.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let scratch, api;

// Asynchronous on purpose: the fake API runs in this process and must keep answering.
const sh = async (cmd, args, cwd, env = {}) =>
  (await promisify(execFile)(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } })).stdout;

before(async () => {
  api = await startFakeSpotDraft({
    'GET /api/v2.1/public/contracts/T-42/status': () => ({ status: 200, body: { contract_status: 'SIGN', contract_name: 'Packed' } }),
  });
  scratch = mkdtempSync(join(tmpdir(), 'spotdraft-sync-pack-'));
  await sh('npm', ['pack', '--silent', '--pack-destination', scratch], root);
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack produced a tarball');
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }));
  await sh('npm', ['install', '--no-audit', '--no-fund', '--offline', `./${tarball}`], scratch);
});
after(async () => {
  await api?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('the tarball ships pkg/ only, with every entry the exports map names', async () => {
  const listing = (await sh('tar', ['-tzf', readdirSync(scratch).find((f) => f.endsWith('.tgz'))], scratch)).split('\n').filter(Boolean);
  for (const file of listing) {
    assert.ok(/^package\/(pkg\/|package\.json$|README\.md$|LICENSE)/.test(file), `unexpected file in tarball: ${file}`);
  }
  for (const needed of [
    'pkg/node/spotdraft_sync.js', 'pkg/node/index.mjs', 'pkg/node/index.cjs', 'pkg/web/index.js', 'pkg/web/spotdraft_sync.js',
    'pkg/web/spotdraft_sync_bg.wasm', 'pkg/web/spotdraft_sync.d.ts', 'pkg/inline/index.js', 'pkg/inline/wasm.js', 'pkg/workerd/index.js',
    'pkg/js/index.js', 'pkg/js/spotdraft_sync_bg.wasm.js', 'pkg/js/spotdraft-sync.iife.js', 'pkg/js/index.d.ts', 'pkg/shared/wasm-unavailable.js',
    'pkg/webhooks/web/index.js', 'pkg/webhooks/web/spotdraft_sync_bg.wasm', 'pkg/webhooks/node/index.cjs', 'pkg/webhooks/node/index.mjs', 'pkg/webhooks/workerd/index.js',
    'pkg/client/web/index.js', 'pkg/client/web/spotdraft_sync_bg.wasm', 'pkg/client/inline/index.js', 'pkg/client/inline/wasm.js', 'pkg/client/node/index.cjs',
    'pkg/server/index.js', 'pkg/server/fetch.js', 'pkg/server/index.d.ts', 'pkg/server/sqlite.js', 'pkg/server/postgres.js', 'pkg/server/sqlite.d.ts', 'pkg/server/postgres.d.ts',
  ]) {
    assert.ok(listing.includes(`package/${needed}`), `missing ${needed}`);
  }
});

test('nothing internal ships: no test panic hook, no panic-hook export, no client handle, in any glue, .d.ts or .wasm', () => {
  // The installed copy of the tarball: what a user gets.
  const installed = join(scratch, 'node_modules', 'spotdraft-sync', 'pkg');
  const internal = ['__spotdraftTestPanic', 'install_panic_hook', '__syncHandle', '__SyncClientHandle', 'synchandle'];
  const found = [];
  let wasmModules = 0;
  for (const entry of readdirSync(installed, { recursive: true })) {
    const file = join(installed, String(entry));
    if (/\.(m|c)?js$|\.d\.(m|c)?ts$/.test(file)) {
      const text = readFileSync(file, 'utf8');
      for (const name of internal) if (text.includes(name)) found.push(`${entry}: ${name}`);
    } else if (file.endsWith('.wasm')) {
      wasmModules++;
      const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(file))).map((e) => e.name);
      for (const name of internal) if (exports.some((e) => e.toLowerCase().includes(name.toLowerCase()))) found.push(`${entry} exports ${name}`);
    }
  }
  assert.ok(wasmModules >= 2, 'the tarball holds the .wasm of the web and node builds');
  assert.deepEqual(found, []);
});

test('Node ESM import', async () => {
  writeFileSync(join(scratch, 'esm.mjs'), `
    import { SpotDraftClient, isSpotDraftError } from 'spotdraft-sync';
    const client = new SpotDraftClient({ baseUrl: process.env.API });
    const status = await client.getContractStatus('T-42');
    try { new SpotDraftClient({ region: 'mars' }); } catch (e) { console.log(JSON.stringify({ status, code: e.code, guard: isSpotDraftError(e) })); }
  `);
  assert.deepEqual(JSON.parse(await sh('node', ['esm.mjs'], scratch, { API: api.url })), { status: { contractStatus: 'SIGN', contractName: 'Packed' }, code: 'INVALID_ARGUMENT', guard: true });
});

test('Node CommonJS require', async () => {
  writeFileSync(join(scratch, 'cjs.cjs'), `
    const { SpotDraftClient, isSpotDraftError } = require('spotdraft-sync');
    new SpotDraftClient({ baseUrl: process.env.API }).getContractStatus('T-42').then((status) => {
      console.log(JSON.stringify({ status, guard: typeof isSpotDraftError }));
    });
  `);
  assert.deepEqual(JSON.parse(await sh('node', ['cjs.cjs'], scratch, { API: api.url })), { status: { contractStatus: 'SIGN', contractName: 'Packed' }, guard: 'function' });
});

test('spotdraft-sync/webhooks: a receiver verifies, parses and applies, without the client, in ESM and CommonJS', async () => {
  const key = 'zJDCvFUXhByUkPcQIzf+dt2W7bqm6x6Fb2o/gLhfUgXyPqvPcrZ6P9yYtoUrI4dErHzq2t+4gjZ4zH2btdpoSA==';
  const body = JSON.stringify(JSON.parse(readFileSync(join(root, 'tests/fixtures/webhooks/spec-examples.json'), 'utf8')).CONTRACT_EXECUTED);
  const work = (w) => `
    const body = ${JSON.stringify(body)};
    const hash = ${w}.signWebhookForTest(body, ${JSON.stringify(key)});
    const { event } = ${w}.verifyWebhook(body, { 'x-sd-webhook-content-hash': hash }, ${JSON.stringify(key)});
    const { record } = ${w}.applyEvent(null, event);
    console.log(JSON.stringify({ id: event.contractId, status: record.status, client: typeof ${w}.SpotDraftClient, engine: typeof ${w}.SyncEngine }));
  `;
  writeFileSync(join(scratch, 'webhooks.mjs'), `import * as w from 'spotdraft-sync/webhooks';\n${work('w')}`);
  writeFileSync(join(scratch, 'webhooks.cjs'), `const w = require('spotdraft-sync/webhooks');\n${work('w')}`);
  const expected = { id: 19589, status: 'EXECUTED', client: 'undefined', engine: 'undefined' };
  assert.deepEqual(JSON.parse(await sh('node', ['webhooks.mjs'], scratch)), expected);
  assert.deepEqual(JSON.parse(await sh('node', ['webhooks.cjs'], scratch)), expected);
});

test('spotdraft-sync/client and /client/inline: the client without the sync engine or webhooks', async () => {
  writeFileSync(join(scratch, 'client.mjs'), `
    import * as c from 'spotdraft-sync/client';
    import * as inline from 'spotdraft-sync/client/inline';
    const status = await new c.SpotDraftClient({ baseUrl: process.env.API }).getContractStatus('T-42');
    const inlineStatus = await new inline.SpotDraftClient({ baseUrl: process.env.API }).getContractStatus('T-42');
    console.log(JSON.stringify({ status, inlineStatus, engine: typeof c.SyncEngine, verify: typeof c.verifyWebhook, validate: typeof c.validateCreateContract, build: typeof inline.buildCreateContract }));
  `);
  assert.deepEqual(JSON.parse(await sh('node', ['client.mjs'], scratch, { API: api.url })), {
    status: { contractStatus: 'SIGN', contractName: 'Packed' },
    inlineStatus: { contractStatus: 'SIGN', contractName: 'Packed' },
    engine: 'undefined',
    verify: 'undefined',
    validate: 'function',
    build: 'function',
  });
});

test('spotdraft-sync/server and its stores from the tarball: the kit without a database driver, each store asking for its own', async () => {
  writeFileSync(join(scratch, 'server.mjs'), `
    import * as kit from 'spotdraft-sync/server';
    const missing = async (specifier) => import(specifier).then(() => 'loaded', (e) => e.code + ' ' + (/'(better-sqlite3|pg)'/.exec(e.message)?.[1] ?? e.message));
    console.log(JSON.stringify({ exports: Object.keys(kit).sort(), sqlite: await missing('spotdraft-sync/server/sqlite'), postgres: await missing('spotdraft-sync/server/postgres') }));
  `);
  assert.deepEqual(JSON.parse(await sh('node', ['server.mjs'], scratch)), {
    exports: ['HUBSPOT_QUERY_PARAMETERS', 'createChangeFeed', 'createProxy', 'createServerKit', 'createWebhookReceiver', 'hubspotSignatureAuthorizer', 'observeStore', 'serve', 'toNodeListener'],
    // Optional peer dependencies: a user of a store installs its driver.
    sqlite: 'ERR_MODULE_NOT_FOUND better-sqlite3',
    postgres: 'ERR_MODULE_NOT_FOUND pg',
  });
});

test('the inline entry needs no separate .wasm request', async () => {
  writeFileSync(join(scratch, 'inline.mjs'), `
    import { SpotDraftClient } from 'spotdraft-sync/inline';
    console.log(JSON.stringify(await new SpotDraftClient({ baseUrl: process.env.API }).getContractStatus('T-42')));
  `);
  assert.deepEqual(JSON.parse(await sh('node', ['inline.mjs'], scratch, { API: api.url })), { contractStatus: 'SIGN', contractName: 'Packed' });
});

test('TypeScript type-checks a consumer against the generated .d.ts', async () => {
  writeFileSync(join(scratch, 'consumer.ts'), `
    import { SpotDraftClient, isSpotDraftError, type ContractStatusResult, type ErrorCode, type SpotDraftClientOptions } from 'spotdraft-sync';
    import { validateCreateContract as validateInJs } from 'spotdraft-sync/js';
    export const unavailable: ErrorCode = 'WASM_UNAVAILABLE';
    export const jsReport = validateInJs({}).valid;
    const options: SpotDraftClientOptions = { baseUrl: 'https://proxy.example.com', headers: async () => ({ 'x-session': '1' }), timeoutMs: 5000 };
    export async function run(): Promise<ErrorCode | ContractStatusResult['contractStatus']> {
      const client = new SpotDraftClient(options);
      try {
        return (await client.getContractStatus('T-1')).contractStatus;
      } catch (e) {
        if (isSpotDraftError(e)) return e.code;
        throw e;
      }
    }
  `);
  writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom', 'esnext.disposable'], skipLibCheck: false }, files: ['consumer.ts'] }));
  await sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], scratch);
  // And a wrong use fails, so the check above means something.
  writeFileSync(join(scratch, 'wrong.ts'), `import { SpotDraftClient } from 'spotdraft-sync';\nnew SpotDraftClient({ region: 'mars' });\n`);
  writeFileSync(join(scratch, 'tsconfig.wrong.json'), JSON.stringify({ extends: './tsconfig.json', files: ['wrong.ts'] }));
  await assert.rejects(sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.wrong.json'], scratch), (e) => /mars/.test(e.stdout));
  // spotdraft-sync/webhooks declares the receiver's API, and nothing of the client.
  writeFileSync(join(scratch, 'receiver.ts'), `
    import { verifyWebhook, applyEvent, type WebhookEvent } from 'spotdraft-sync/webhooks';
    export const id = (body: string, key: string): number => {
      const event: WebhookEvent = verifyWebhook(body, {}, key).event;
      return applyEvent(null, event).record.contractId;
    };
  `);
  writeFileSync(join(scratch, 'tsconfig.receiver.json'), JSON.stringify({ extends: './tsconfig.json', files: ['receiver.ts'] }));
  await sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.receiver.json'], scratch);
  writeFileSync(join(scratch, 'receiver.ts'), `import { SpotDraftClient } from 'spotdraft-sync/webhooks';\nexport const c = SpotDraftClient;\n`);
  await assert.rejects(sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.receiver.json'], scratch), (e) => /SpotDraftClient/.test(e.stdout));
  // spotdraft-sync/client declares the client, and no SyncEngine.
  writeFileSync(join(scratch, 'card.ts'), `
    import { SpotDraftClient, buildCreateContract, type ContractStatusResult } from 'spotdraft-sync/client/inline';
    export const status = (): Promise<ContractStatusResult> => new SpotDraftClient({ baseUrl: 'https://proxy.example.com' }).getContractStatus('T-1');
    export const build = buildCreateContract;
  `);
  writeFileSync(join(scratch, 'tsconfig.card.json'), JSON.stringify({ extends: './tsconfig.json', files: ['card.ts'] }));
  await sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.card.json'], scratch);
  writeFileSync(join(scratch, 'card.ts'), `import { SyncEngine } from 'spotdraft-sync/client';\nexport const e = SyncEngine;\n`);
  await assert.rejects(sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.card.json'], scratch), (e) => /SyncEngine/.test(e.stdout));
  // SyncEngine's public constructor takes one argument (the glue's internal second one, the
  // borrowed client, is not declared), in every entry.
  for (const entry of ['spotdraft-sync', 'spotdraft-sync/inline', 'spotdraft-sync/js']) {
    writeFileSync(join(scratch, 'engine.ts'), `
      import { SpotDraftClient, SyncEngine, MemoryStore } from '${entry}';
      const client = new SpotDraftClient({ baseUrl: 'https://proxy.example.com' });
      export const engine: SyncEngine = new SyncEngine({ client, store: new MemoryStore(), webhookKeys: [] });
      export const run = () => engine.reconcile({ budget: 1 });
    `);
    writeFileSync(join(scratch, 'tsconfig.engine.json'), JSON.stringify({ extends: './tsconfig.json', files: ['engine.ts'] }));
    await sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.engine.json'], scratch);
    writeFileSync(join(scratch, 'engine.ts'), `
      import { SpotDraftClient, SyncEngine, MemoryStore } from '${entry}';
      const client = new SpotDraftClient({ baseUrl: 'https://proxy.example.com' });
      new SyncEngine({ client, store: new MemoryStore(), webhookKeys: [] }, client);
    `);
    await assert.rejects(sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.engine.json'], scratch), (e) => /Expected 1 arguments, but got 2/.test(e.stdout), entry);
  }
});

test('a browser page imports the web build; a worker without a usable global fetch uses the inline entry', async () => {
  mkdirSync(join(scratch, 'site'), { recursive: true });
  writeFileSync(join(scratch, 'site', 'index.html'), `<!doctype html><meta charset="utf-8">
    <script type="importmap">{ "imports": { "spotdraft-sync": "/node_modules/spotdraft-sync/pkg/web/spotdraft_sync.js" } }</script>
    <script type="module">
      import init, { SpotDraftClient } from 'spotdraft-sync';
      await init();
      window.pageResult = await new SpotDraftClient({ baseUrl: new URLSearchParams(location.search).get('api') }).getContractStatus('T-42');
    </script>`);
  writeFileSync(join(scratch, 'site', 'worker.js'), `
    const hostFetch = self.fetch.bind(self);
    // Like HubSpot's UI-extension worker: the global fetch throws; only the host's fetch works.
    self.fetch = () => { throw new Error('global fetch is not allowed here'); };
    const { SpotDraftClient } = await import('/node_modules/spotdraft-sync/pkg/inline/index.js');
    self.onmessage = async ({ data }) => {
      const client = new SpotDraftClient({ baseUrl: data, fetch: (url, init) => hostFetch(url, init) });
      postMessage(await client.getContractStatus('T-42'));
    };
    postMessage('ready');`);
  const site = await startStaticServer({ root: scratch, index: '/site/index.html' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.url}/site/index.html?api=${encodeURIComponent(api.url)}`);
    await page.waitForFunction(() => window.pageResult);
    assert.deepEqual(await page.evaluate(() => window.pageResult), { contractStatus: 'SIGN', contractName: 'Packed' });
    const fromWorker = await page.evaluate(
      (apiUrl) =>
        new Promise((resolve, reject) => {
          const worker = new Worker('/site/worker.js', { type: 'module' });
          worker.onerror = (e) => reject(new Error(e.message));
          worker.onmessage = ({ data }) => (data === 'ready' ? worker.postMessage(apiUrl) : resolve(data));
        }),
      api.url,
    );
    assert.deepEqual(fromWorker, { contractStatus: 'SIGN', contractName: 'Packed' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await site.close();
  }
});
