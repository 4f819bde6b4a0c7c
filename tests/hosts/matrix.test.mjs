// The bundler × runtime matrix on the real tarball: `npm pack`, a real `npm install ./x.tgz`
// into a scratch project, then per row a consumer that imports `spotdraft-sync` by package
// name, built by the tool users use (through its Node API) and run where users run it —
// Chromium pages, a Chromium classic worker whose global fetch and XHR throw (HubSpot's
// UI-extension sandbox), workerd, Node — validating an invalid create body and calling the
// local sandbox over loopback. So our package.json `exports`/`sideEffects` and the generated
// entries are read the way every bundler reads them.
//
// One row per {tool, entry, runtime} in ROWS; a new entry (a pure-JS build, a capability
// entry) is one more row. One tarball, one Chromium and one sandbox for all rows; each row
// builds in its own sub-folder of the scratch project.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { launchChromium } from '../browser/chromium.mjs';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import * as builders from './lib/builders.mjs';
import * as runners from './lib/runners.mjs';
import { consumerSource, expectedResult, expectedServerResult, expectedWebhookResult } from './lib/consumer.mjs';
import { formatSizes, installTarball, listFiles, sizesOf } from './lib/scratch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const playbook = JSON.parse(readFileSync(join(root, 'tests/fixtures/playbook-create-contract.json'), 'utf8'));

/**
 * - `tool`: a builder of lib/builders.mjs; `entry`: what the consumer imports; `init`: how it
 *   gets the wasm ready (lib/consumer.mjs); `runtime`: a runner of RUNTIMES.
 * - `resolves`: the package's JS entry files the bundle must contain — exactly these of
 *   ENTRY_FILES (from the bundler's module list; `null` when the tool reports none).
 * - `wasm`: how the output carries the module: `asset` (one emitted `.wasm`, byte-identical to
 *   ours, fetched by the page), `inlined` (base64 in the script, no `.wasm` file, no `.wasm`
 *   request), `module` (an emitted `.wasm` the script imports as a module), `package` (Node
 *   reads it from node_modules).
 */
const ROWS = [
  // Browser apps: the default entry is the web build, which fetches its .wasm after `init()`.
  { tool: 'viteApp', entry: 'spotdraft-sync', init: 'default', runtime: 'chromiumPage', resolves: ['pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'asset' },
  { tool: 'webpack5', entry: 'spotdraft-sync', init: 'default', runtime: 'chromiumPage', resolves: ['pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'asset' },
  // esbuild leaves `new URL(…, import.meta.url)` alone: the .wasm comes through its file loader.
  { tool: 'esbuildBrowser', entry: 'spotdraft-sync', init: 'wasm-url', runtime: 'chromiumPage', resolves: ['pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'asset' },
  { tool: 'esbuildBrowser', entry: 'spotdraft-sync/inline', init: 'none', runtime: 'chromiumPage', resolves: ['pkg/inline/index.js', 'pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'inlined' },
  // Rollup has no asset handling of its own: a plain Rollup user takes the inline entry.
  { tool: 'rollup4', entry: 'spotdraft-sync/inline', init: 'none', runtime: 'chromiumPage', resolves: ['pkg/inline/index.js', 'pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'inlined' },
  // One-script hosts whose worker has no usable fetch (HubSpot; webpack stands for one-file
  // hosts such as Dynamics PCF): the inline entry, the requests through the host's fetch.
  { tool: 'hubspotRemoteBuild', entry: 'spotdraft-sync/inline', init: 'none', runtime: 'chromiumSandboxedWorker', resolves: null, wasm: 'inlined' },
  { tool: 'viteLibIife', entry: 'spotdraft-sync/inline', init: 'none', runtime: 'chromiumSandboxedWorker', resolves: ['pkg/inline/index.js', 'pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'inlined' },
  { tool: 'webpack5', entry: 'spotdraft-sync/inline', init: 'none', runtime: 'chromiumSandboxedWorker', resolves: ['pkg/inline/index.js', 'pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'inlined' },
  // Cloudflare Workers: the `workerd` condition, the .wasm as a module, never the inline entry.
  { tool: 'wranglerEsbuild', entry: 'spotdraft-sync', init: 'none', runtime: 'workerd', resolves: ['pkg/workerd/index.js', 'pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'module' },
  // The same Worker with `nodejs_compat` (workerd then has `process` and `node:http`).
  { tool: 'wranglerEsbuild', entry: 'spotdraft-sync', init: 'none', runtime: 'workerdNodejsCompat', resolves: ['pkg/workerd/index.js', 'pkg/web/index.js', 'pkg/web/spotdraft_sync.js'], wasm: 'module' },
  // Node, no bundler: the `node` condition.
  { tool: 'noBuild', entry: 'spotdraft-sync', init: 'none', runtime: 'nodeEsm', resolves: ['pkg/node/index.mjs'], wasm: 'package' },
  { tool: 'noBuild', entry: 'spotdraft-sync', init: 'none', runtime: 'nodeCjs', resolves: ['pkg/node/index.cjs'], wasm: 'package' },
  // Hosts without WebAssembly (Salesforce LWS, Safari Lockdown Mode, Node --jitless): the
  // pure-JS build, run where the `WebAssembly` global has been removed.
  { tool: 'viteApp', entry: 'spotdraft-sync/js', init: 'none', runtime: 'chromiumPageNoWasm', resolves: ['pkg/js/index.js', 'pkg/js/spotdraft_sync.js'], wasm: 'none' },
  { tool: 'webpack5', entry: 'spotdraft-sync/js', init: 'none', runtime: 'chromiumPageNoWasm', resolves: ['pkg/js/index.js', 'pkg/js/spotdraft_sync.js'], wasm: 'none' },
  { tool: 'esbuildBrowser', entry: 'spotdraft-sync/js', init: 'none', runtime: 'chromiumPageNoWasm', resolves: ['pkg/js/index.js', 'pkg/js/spotdraft_sync.js'], wasm: 'none' },
  { tool: 'rollup4', entry: 'spotdraft-sync/js', init: 'none', runtime: 'chromiumPageNoWasm', resolves: ['pkg/js/index.js', 'pkg/js/spotdraft_sync.js'], wasm: 'none' },
  { tool: 'viteLibIife', entry: 'spotdraft-sync/js', init: 'none', runtime: 'chromiumSandboxedWorkerNoWasm', resolves: ['pkg/js/index.js', 'pkg/js/spotdraft_sync.js'], wasm: 'none' },
  { tool: 'noBuild', entry: 'spotdraft-sync/js', init: 'none', runtime: 'nodeEsmNoWasm', resolves: ['pkg/js/index.js'], wasm: 'none' },
  // `spotdraft-sync/webhooks`, the receiver's entry (verify, parse, apply): where receivers run.
  // Builds by capability (`variant`: their pkg/ folder). `spotdraft-sync/webhooks`, the
  // receiver's entry (verify, parse, apply), where receivers run.
  { tool: 'wranglerEsbuild', entry: 'spotdraft-sync/webhooks', variant: 'webhooks', kind: 'webhooks', init: 'none', runtime: 'workerd', resolves: ['pkg/webhooks/workerd/index.js', 'pkg/webhooks/web/index.js', 'pkg/webhooks/web/spotdraft_sync.js'], wasm: 'module' },
  { tool: 'noBuild', entry: 'spotdraft-sync/webhooks', variant: 'webhooks', kind: 'webhooks', init: 'none', runtime: 'nodeEsm', resolves: ['pkg/webhooks/node/index.mjs'], wasm: 'package' },
  { tool: 'noBuild', entry: 'spotdraft-sync/webhooks', variant: 'webhooks', kind: 'webhooks', init: 'none', runtime: 'nodeCjs', resolves: ['pkg/webhooks/node/index.cjs'], wasm: 'package' },
  // `spotdraft-sync/client` (client, validation, mapping): a HubSpot card, a portal page, Node.
  { tool: 'hubspotRemoteBuild', entry: 'spotdraft-sync/client/inline', variant: 'client', init: 'none', runtime: 'chromiumSandboxedWorker', resolves: ['pkg/client/inline/index.js', 'pkg/client/web/index.js', 'pkg/client/web/spotdraft_sync.js'], wasm: 'inlined' },
  { tool: 'viteApp', entry: 'spotdraft-sync/client', variant: 'client', init: 'default', runtime: 'chromiumPage', resolves: ['pkg/client/web/index.js', 'pkg/client/web/spotdraft_sync.js'], wasm: 'asset' },
  { tool: 'noBuild', entry: 'spotdraft-sync/client', variant: 'client', init: 'none', runtime: 'nodeEsm', resolves: ['pkg/client/node/index.mjs'], wasm: 'package' },
  // `spotdraft-sync/server`'s webhook receiver over the full package's engine: in workerd the
  // server entry is its fetch-only module (no node:http, so no `nodejs_compat`), in Node the
  // module with the node:http adapter.
  { tool: 'wranglerEsbuild', entry: 'spotdraft-sync', kind: 'server', init: 'none', runtime: 'workerd', resolves: ['pkg/workerd/index.js', 'pkg/web/index.js', 'pkg/web/spotdraft_sync.js', 'pkg/server/fetch.js'], wasm: 'module' },
  { tool: 'noBuild', entry: 'spotdraft-sync', kind: 'server', init: 'none', runtime: 'nodeEsm', resolves: ['pkg/node/index.mjs'], wasm: 'package' },
];

const ENTRY_FILES = [
  'pkg/web/index.js', 'pkg/web/spotdraft_sync.js', 'pkg/inline/index.js', 'pkg/workerd/index.js',
  'pkg/node/index.mjs', 'pkg/node/index.cjs', 'pkg/node/spotdraft_sync.js', 'pkg/js/index.js', 'pkg/js/spotdraft_sync.js',
  ...['webhooks', 'client'].flatMap((v) => [`pkg/${v}/web/index.js`, `pkg/${v}/web/spotdraft_sync.js`, `pkg/${v}/workerd/index.js`, `pkg/${v}/node/index.mjs`, `pkg/${v}/node/index.cjs`]),
  'pkg/client/inline/index.js',
  'pkg/server/index.js', 'pkg/server/fetch.js', 'pkg/server/node.js',
];

/** Per runtime: the consumer's shape and file name, and its runner. */
const RUNTIMES = {
  chromiumPage: { shape: 'script', file: 'main.js', run: runners.chromiumPage },
  chromiumSandboxedWorker: { shape: 'script', file: 'main.js', run: runners.chromiumSandboxedWorker },
  workerd: { shape: 'worker-module', file: 'main.js', run: runners.workerd },
  workerdNodejsCompat: { shape: 'worker-module', file: 'main.js', run: (o) => runners.workerd({ ...o, compatibilityFlags: ['nodejs_compat'] }) },
  nodeEsm: { shape: 'node-esm', file: 'main.mjs', run: runners.node },
  nodeCjs: { shape: 'node-cjs', file: 'main.cjs', run: runners.node },
  chromiumPageNoWasm: { shape: 'script', file: 'main.js', run: (o) => runners.chromiumPage({ ...o, noWebAssembly: true }) },
  chromiumSandboxedWorkerNoWasm: { shape: 'script', file: 'main.js', run: (o) => runners.chromiumSandboxedWorker({ ...o, noWebAssembly: true }) },
  nodeEsmNoWasm: { shape: 'node-esm', file: 'main.mjs', run: (o) => runners.node({ ...o, noWebAssembly: true }) },
};


let scratch, sandbox, browser, contractId;
const keep = process.env.MATRIX_KEEP === '1';

before(async () => {
  [scratch, sandbox, browser] = await Promise.all([installTarball(root), startSandbox(root, ['--rate-limit', '0']), launchChromium()]);
  const created = await fetch(`${sandbox.url}/api/v2.1/public/contracts/`, {
    method: 'POST',
    headers: { 'client-id': 'sandbox-acme', 'client-secret': 'sandbox-acme-secret', 'content-type': 'application/json' },
    body: JSON.stringify({ ...playbook, external_metadata: { ...playbook.external_metadata, id: 'matrix-deal-1' } }),
  });
  assert.equal(created.status, 201);
  contractId = (await created.json()).id;
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
  if (scratch && !keep) rmSync(scratch.dir, { recursive: true, force: true });
});

const packagePath = (id) => {
  const marker = `${sep}node_modules${sep}spotdraft-sync${sep}`;
  const at = id.indexOf(marker);
  return at === -1 ? null : id.slice(at + marker.length).split(sep).join('/');
};

for (const [index, row] of ROWS.entries()) {
  const runtime = RUNTIMES[row.runtime];
  test(`${row.tool} · ${row.entry}${row.kind === 'server' ? ' + spotdraft-sync/server' : ''} (${row.init === 'none' ? 'ready on import' : `init: ${row.init}`}) · ${row.runtime}`, async (t) => {
    const dir = join(scratch.dir, `${index}-${row.tool}-${row.runtime}`);
    const out = join(dir, 'out');
    mkdirSync(join(dir, 'src'), { recursive: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(dir, 'src', runtime.file), consumerSource({ specifier: row.entry, init: row.init, shape: runtime.shape, kind: row.kind }));

    const started = Date.now();
    const built = await builders[row.tool]({ dir, out, file: runtime.file });
    const buildMs = Date.now() - started;
    const files = listFiles(out);
    const sizes = sizesOf(out, files);
    t.diagnostic(`built in ${buildMs} ms: ${formatSizes(sizes)}`);

    // What the bundle was made of: exactly the expected entry files of our package.
    if (row.resolves && built.modules) {
      const fromPackage = [...new Set(built.modules.map(packagePath).filter(Boolean))];
      assert.deepEqual(ENTRY_FILES.filter((f) => fromPackage.includes(f)).sort(), [...row.resolves].sort(), `package files in the bundle: ${fromPackage.join(', ')}`);
    }

    // How the output carries the wasm module. The inline entry carries it deflate-raw'd and
    // base64-encoded (pkg/inline/wasm.js); that text must be our module, and be in the bundle.
    // A build by capability (`row.variant`) has its own module (and inline text) in pkg/<variant>/.
    const base = row.variant ? `pkg/${row.variant}` : 'pkg';
    const ours = readFileSync(join(scratch.installed, base, 'web/spotdraft_sync_bg.wasm'));
    const inlineText = join(scratch.installed, existsSync(join(scratch.installed, base, 'inline')) ? base : 'pkg', 'inline/wasm.js');
    const inlined = (await import(pathToFileURL(inlineText).href)).default;
    if (inlineText.startsWith(join(scratch.installed, base))) {
      assert.ok(inflateRawSync(Buffer.from(inlined, 'base64')).equals(ours), 'the inline entry carries our module');
    }
    const wasmFiles = files.filter((f) => f.endsWith('.wasm'));
    const scripts = files.filter((f) => /\.(m|c)?js$/.test(f));
    const text = Object.fromEntries(scripts.map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    if (row.wasm === 'asset' || row.wasm === 'module') {
      assert.equal(wasmFiles.length, 1, `one .wasm in the output: ${files.join(', ')}`);
      assert.ok(readFileSync(join(out, wasmFiles[0])).equals(ours), 'the emitted .wasm is ours');
      assert.deepEqual(scripts.filter((f) => text[f].includes(inlined)), [], 'no wasm inlined as base64');
    } else if (row.wasm === 'inlined') {
      assert.deepEqual(wasmFiles, [], 'no separate .wasm');
      assert.equal(scripts.filter((f) => text[f].includes(inlined)).length, 1, 'our whole module is inlined in one script');
    } else if (row.wasm === 'none') {
      assert.deepEqual(wasmFiles, [], 'no .wasm');
      assert.deepEqual(scripts.filter((f) => text[f].includes(inlined)), [], 'no wasm inlined');
    }
    if (row.wasm === 'module') {
      const script = text[built.script];
      assert.match(script, new RegExp(`^import \\w+ from "\\./${wasmFiles[0].replace('.', '\\.')}";`, 'm'), 'the Worker imports the .wasm as a module');
      // Nor does it compile wasm at run time: the glue's async `init()` is not in it. (Its
      // `initSync` keeps a `new WebAssembly.Module(bytes)` branch for callers passing bytes;
      // the workerd runner refuses that at run time, as production Workers do.)
      assert.doesNotMatch(script, /WebAssembly\.(instantiate|compile)/, 'no run-time compile in the Worker');
    }

    const config = { baseUrl: sandbox.url, contractId };
    const ran = await runtime.run({ browser, out, ...built, config });
    assert.deepEqual(ran.result, { webhooks: expectedWebhookResult, server: expectedServerResult }[row.kind]?.() ?? expectedResult(playbook.contract_name));

    if (row.runtime.startsWith('node')) {
      const resolved = ran.resolved.startsWith('file:') ? fileURLToPath(ran.resolved) : ran.resolved;
      assert.deepEqual([packagePath(resolved)], row.resolves, `Node resolved ${relative(scratch.dir, resolved)}`);
    }
    if (row.runtime.startsWith('chromiumPage')) {
      assert.equal(ran.webAssembly, row.runtime.endsWith('NoWasm') ? 'undefined' : 'object', 'the WebAssembly global as the row means it');
    }
    if (row.runtime.startsWith('chromium')) {
      // A 404 for the unknown contract is the one expected console error.
      const unexpected = ran.errors.filter((e) => !(/status of 404/.test(e) && e.includes('/contracts/T-999999/status')));
      assert.deepEqual(unexpected, []);
      const wasmRequests = ran.requests.filter((u) => u.endsWith('.wasm'));
      if (row.wasm === 'asset') assert.deepEqual(wasmRequests, [`${ran.origin}/${wasmFiles[0]}`], 'the page fetched the emitted .wasm');
      else assert.deepEqual(wasmRequests, [], 'no .wasm request');
    }
    if (row.runtime.startsWith('chromiumSandboxedWorker')) {
      const webAssembly = row.runtime.endsWith('NoWasm') ? 'undefined' : 'object';
      assert.deepEqual(ran.probe, { fetch: 'throws', xhr: 'throws', webAssembly }, "the worker's own fetch and XHR throw");
      assert.deepEqual(ran.bridged, [`GET /api/v2.1/public/contracts/${contractId}/status`, 'GET /api/v2.1/public/contracts/T-999999/status'], 'every request went through the host fetch');
    }
    t.diagnostic(`ran in ${Date.now() - started - buildMs} ms`);
  });
}
