// examples/hubspot-card, built the way HubSpot builds a card and run in a worker like HubSpot's.
//
// 1. The example is copied into a scratch directory and installed there with the `npm pack`
//    tarball of this repository (plus its own dependencies from npm: not in the root, whose
//    typescript 7 conflicts with @hubspot/ui-extensions' optional peer typescript ^5).
// 2. HubSpot's REAL `remoteBuild` (@hubspot/ui-extensions-dev-server 2.1.2) bundles it: Vite,
//    one IIFE file, `react` and `@remote-ui/react` external (globals `React`, `RemoteUI`).
// 3. TypeScript checks `hubspotFetch(hubspot.fetch)` against the real @hubspot/ui-extensions types.
// 4. Chromium runs it in a classic worker whose global `fetch` and `XMLHttpRequest` throw, as in
//    HubSpot's sandbox. What is REAL there: the card's bundle (the card, @hubspot/ui-extensions
//    0.17.0, spotdraft-sync/inline with its wasm), React 18.3.1 (its UMD build as `React`), and
//    @remote-ui/react + @remote-ui/core (dependencies of @hubspot/ui-extensions, whose own test
//    renderer renders with them; bundled by esbuild as `RemoteUI`; how HubSpot's worker provides
//    `RemoteUI` is not public). What is OUR FAKE (HubSpot's host is closed source): the worker
//    globals the card's code reads (`__HUBSPOT_EXTENSION_WORKER__`, `extend_V2` that renders into
//    a remote root the test reads instead of HubSpot's UI, `hsFetch` as a message to the page,
//    the `fetchCrmObjectProperties` action with a fixed deal), and the page's side of
//    `hsFetch` (support/hubspot-host.mjs), which POSTs to HubSpot's REAL dev-server proxy, in
//    front of our fake credential proxy and the sandbox (as in hubspot-fetch.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { remoteBuild } from '@hubspot/ui-extensions-dev-server/build';
import { SpotDraftClient } from 'spotdraft-sync';
import { launchChromium } from '../browser/chromium.mjs';
import { startStaticServer } from '../../scripts/lib/static-server.mjs';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { startCredentialProxy } from './support/credential-proxy.mjs';
import { startHubSpotDevProxy } from './support/hubspot-dev-proxy.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HUBSPOT_APP_SECRET = 'hubspot-app-secret-for-tests';
// The card's PROXY_URL (examples/hubspot-card/SpotDraftCard.jsx), mapped by the dev proxy.
const CARD_PROXY_URL = 'https://spotdraft-proxy.example.com';
const fixture = (p) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', p), 'utf8'));

// The deal the fake host's fetchCrmObjectProperties returns (HubSpot gives strings).
const DEAL = {
  dealname: 'Acme MSA', closedate: '2026-03-28T00:00:00Z', amount: '12000', deal_currency_code: 'USD', dealstage: 'contractsent',
  sd_customer_name: 'Acme Inc.', sd_term_months: '12', sd_auto_renew: 'true', sd_notice_period_days: '30', sd_service_countries: 'us;in',
  sd_customer_address: '350 Fifth Avenue', sd_customer_city: 'New York', sd_customer_country: 'United States', sd_customer_country_code: 'us',
  sd_customer_zip: '10118', sd_contact_first_name: 'Avery', sd_contact_last_name: 'Stone', sd_contact_email: ' Legal@Acme.example ',
};

let scratch, sandbox, credentialProxy, devProxy, site, browser, cardFile;

const sh = async (cmd, args, cwd) => (await promisify(execFile)(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 })).stdout;
const control = async (path) => (await fetch(`${sandbox.url}/__sandbox/${path}`)).json();
const contractsWithExternalId = async (id) => (await control('contracts')).contracts.filter((c) => c.external_metadata_id === id);

// OUR FAKE HubSpot worker: the globals a card reads, then HubSpot's restrictions, then the card.
const WORKER = `
const deal = new URL(self.location.href).searchParams.get('deal');
const properties = ${JSON.stringify(DEAL)};
self.__HUBSPOT_EXTENSION_WORKER__ = true;
self.logger = { debug() {}, info() {}, warn: (d) => console.warn(d), error: (d) => console.error(d) };
const pending = new Map();
let nextId = 0;
self.hsFetch = (url, options) => new Promise((resolve, reject) => {
  const id = ++nextId;
  pending.set(id, { resolve, reject });
  postMessage({ type: 'hsFetch', id, url: String(url), options });
});
let remoteRoot;
self.extend_V2 = (render) => {
  remoteRoot = RemoteUI.createRemoteRoot(() => {});
  const actions = {
    fetchCrmObjectProperties: async (names) => Object.fromEntries(names.filter((n) => n in properties).map((n) => [n, properties[n]])),
    addAlert() {}, reloadPage() {}, refreshObjectProperties() {}, onCrmPropertiesUpdate() {},
  };
  const context = { crm: { objectId: Number(deal), objectTypeId: '0-3' }, user: { id: 1, email: 'rep@acme.example' }, portal: { id: 123456 } };
  RemoteUI.createRoot(remoteRoot).render(render({ context, actions }));
};
const texts = (nodes) => nodes.flatMap((n) => (typeof n.text === 'string' ? [n.text] : texts(n.children ?? [])));
const find = (nodes, type, label) => {
  for (const n of nodes) {
    if (n.type === type && texts(n.children ?? []).join('') === label) return n;
    const inner = find(n.children ?? [], type, label);
    if (inner) return inner;
  }
};
self.onmessage = ({ data }) => {
  if (data.type === 'hsFetchResult') {
    const call = pending.get(data.id);
    pending.delete(data.id);
    if (data.error) call.reject(new TypeError(data.error));
    else call.resolve(new Response(data.body, { status: data.status }));
  } else if (data.type === 'snapshot') {
    postMessage({ type: 'snapshot', texts: remoteRoot ? texts(remoteRoot.children) : [] });
  } else if (data.type === 'click') {
    const button = remoteRoot && find(remoteRoot.children, 'Button', data.label);
    if (button) button.props.onClick();
    postMessage({ type: 'clicked', found: Boolean(button) });
  }
};
// HubSpot's sandbox: no native HTTP.
const refuse = (name) => function () { throw new Error(name + ' is not available in a HubSpot UI extension: use hubspot.fetch'); };
self.fetch = refuse('fetch');
self.XMLHttpRequest = refuse('XMLHttpRequest');
importScripts('/site/react.js', '/site/remote-ui.js', '/card/dist/SpotDraftCard.js');
postMessage({ type: 'ready' });
`;

// The fake host page: starts the card's worker and answers its hsFetch through hubspot-host.mjs.
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { createHubSpotFetch } from '/site/hubspot-host.mjs';
const stats = (window.stats = { proxyCalls: 0 });
const hubspotFetch = createHubSpotFetch({ proxyUrl: new URLSearchParams(location.search).get('proxy'), stats });
window.errors = [];
window.startCard = (deal) => new Promise((resolve) => {
  const worker = new Worker('/site/worker.js?deal=' + deal);
  const waiting = [];
  worker.onerror = (e) => window.errors.push(e.message);
  worker.onmessage = async ({ data }) => {
    if (data.type === 'ready') resolve();
    else if (data.type === 'hsFetch') {
      try {
        const response = await hubspotFetch(data.url, data.options);
        worker.postMessage({ type: 'hsFetchResult', id: data.id, status: response.status, body: await response.text() });
      } catch (error) {
        worker.postMessage({ type: 'hsFetchResult', id: data.id, error: error.message });
      }
    } else waiting.shift()?.(data);
  };
  const ask = (message) => new Promise((r) => { waiting.push(r); worker.postMessage(message); });
  window.snapshot = async () => (await ask({ type: 'snapshot' })).texts;
  window.click = async (label) => (await ask({ type: 'click', label })).found;
});
</script>`;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'spotdraft-hubspot-card-'));
  await sh('npm', ['pack', '--silent', '--pack-destination', scratch], root);
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  const card = join(scratch, 'card');
  cpSync(join(root, 'examples', 'hubspot-card'), card, { recursive: true });
  // Until spotdraft-sync is on npm, the card gets this repository's tarball.
  const manifest = JSON.parse(readFileSync(join(card, 'package.json'), 'utf8'));
  delete manifest.dependencies['spotdraft-sync'];
  writeFileSync(join(card, 'package.json'), JSON.stringify(manifest, null, 2));
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `../${tarball}`], card);

  await remoteBuild({ root: card, entryPoint: join(card, 'SpotDraftCard.jsx'), outputDir: join(card, 'dist'), logLevel: 'warn' });

  // The externals as globals: React's own UMD build, and @remote-ui (with its reconciler).
  const siteDir = join(scratch, 'site');
  mkdirSync(siteDir);
  copyFileSync(join(card, 'node_modules', 'react', 'umd', 'react.production.min.js'), join(siteDir, 'react.js'));
  await esbuild({
    stdin: { contents: "export { createRemoteReactComponent, createRoot } from '@remote-ui/react';\nexport { createRemoteRoot } from '@remote-ui/core';", resolveDir: card },
    bundle: true, format: 'iife', globalName: 'RemoteUI', outfile: join(siteDir, 'remote-ui.js'), logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [{ name: 'react-global', setup(b) {
      b.onResolve({ filter: /^react$/ }, () => ({ path: 'react', namespace: 'react-global' }));
      b.onLoad({ filter: /.*/, namespace: 'react-global' }, () => ({ contents: 'module.exports = self.React;', loader: 'js' }));
    } }],
  });
  copyFileSync(join(root, 'tests', 'node', 'support', 'hubspot-host.mjs'), join(siteDir, 'hubspot-host.mjs'));
  writeFileSync(join(siteDir, 'worker.js'), WORKER);
  writeFileSync(join(siteDir, 'index.html'), PAGE);
  cardFile = join(card, 'dist', 'SpotDraftCard.js');

  sandbox = await startSandbox(root, ['--rate-limit', '0']);
  credentialProxy = await startCredentialProxy({ upstream: sandbox.url, credentials: { clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' }, hubspotClientSecret: HUBSPOT_APP_SECRET });
  devProxy = await startHubSpotDevProxy({ localDevUrlMapping: { [CARD_PROXY_URL]: `${credentialProxy.url}/` }, clientSecret: HUBSPOT_APP_SECRET });
  site = await startStaticServer({ root: scratch, index: '/site/index.html' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await site?.close();
  await devProxy?.stop();
  await credentialProxy?.close();
  await sandbox?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('remoteBuild makes one IIFE file with the wasm inlined and its init kept', (t) => {
  const outputs = readdirSync(dirname(cardFile));
  assert.deepEqual(outputs.filter((f) => !f.endsWith('-manifest.json')), ['SpotDraftCard.js'], 'one file besides HubSpot\'s manifest');
  const code = readFileSync(cardFile, 'utf8');
  assert.match(code, /^\(function\([\w$]+,[\w$]+\)\{"use strict";/, 'an IIFE over the two globals');
  assert.ok(code.trimEnd().endsWith('})(React,RemoteUI);'), 'react and @remote-ui/react stay external');
  assert.doesNotMatch(code, /\bimport\s*\(/, 'nothing is loaded next to the card');
  // The inline entry's bytes (deflate-raw, base64: pkg/client/inline/wasm.js) are inside the file: the
  // entry's initialisation was kept (without it Rollup drops the bytes too).
  const inlined = readFileSync(join(dirname(dirname(cardFile)), 'node_modules', 'spotdraft-sync', 'pkg', 'client', 'inline', 'wasm.js'), 'utf8').match(/"([A-Za-z0-9+/=]{100000,})"/);
  assert.ok(inlined && code.includes(inlined[1]), 'the .wasm bytes are inlined');
  const gzip = gzipSync(readFileSync(cardFile), { level: 9 }).length;
  t.diagnostic(`card bundle: ${(code.length / 1024).toFixed(1)} KiB raw, ${(gzip / 1024).toFixed(1)} KiB gzip -9`);
});

test('TypeScript: HubSpot\'s own `hubspot.fetch` type fits hubspotFetch, the global fetch does not', async () => {
  const card = dirname(dirname(cardFile));
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  writeFileSync(join(card, 'types-check.ts'), `
    import { hubspot } from '@hubspot/ui-extensions';
    import { SpotDraftClient, hubspotFetch, type FetchLike } from 'spotdraft-sync/client/inline';
    const transport: FetchLike = hubspotFetch(hubspot.fetch);
    export const client = new SpotDraftClient({ baseUrl: 'https://spotdraft-proxy.example.com', fetch: transport });
  `);
  writeFileSync(join(card, 'wrong.ts'), `import { hubspotFetch } from 'spotdraft-sync/client/inline';\nexport const t = hubspotFetch(globalThis.fetch);\n`);
  // skipLibCheck: @hubspot/ui-extensions' own .d.ts files are not ours to check.
  const options = { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], skipLibCheck: true };
  writeFileSync(join(card, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['types-check.ts'] }));
  writeFileSync(join(card, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions: options, files: ['wrong.ts'] }));
  await sh(tsc, ['-p', 'tsconfig.json'], card);
  await assert.rejects(sh(tsc, ['-p', 'tsconfig.wrong.json'], card), (e) => /not assignable to parameter of type 'HubSpotFetch'/.test(e.stdout));
});

const openCard = async (deal) => {
  const page = await browser.newPage();
  await page.goto(`${site.url}/site/index.html?proxy=${encodeURIComponent(devProxy.url)}`);
  await page.waitForFunction(() => typeof window.startCard === 'function');
  await page.evaluate((d) => window.startCard(d), deal);
  return page;
};
const waitForText = async (page, pattern) => {
  let texts = [];
  for (let i = 0; i < 150; i++) {
    texts = await page.evaluate(() => window.snapshot());
    if (texts.some((t) => pattern.test(t))) return texts;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the card never showed ${pattern}; it shows ${JSON.stringify(texts)}; worker errors: ${JSON.stringify(await page.evaluate(() => window.errors))}`);
};

test('in a worker whose fetch throws, the card shows the deal\'s contract status through hubspot.fetch', async () => {
  const direct = new SpotDraftClient({ baseUrl: sandbox.url, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' });
  const { contract } = await direct.createContract({ ...fixture('playbook-create-contract.json'), external_metadata: { id: 'hubspot-deal-4242' } });
  const page = await openCard(4242);
  try {
    const texts = await waitForText(page, /^SpotDraft contract /);
    assert.ok(texts.includes(`SpotDraft contract ${contract.id}: DRAFT`), JSON.stringify(texts));
    assert.equal(await page.evaluate(() => window.stats.proxyCalls), 2, 'lookup and status, through HubSpot\'s proxy');
    assert.deepEqual(await page.evaluate(() => window.errors), []);
  } finally {
    await page.close();
  }
});

test('the card\'s "Create contract" validates the deal against the template and creates one contract', async () => {
  const page = await openCard(4243);
  try {
    await waitForText(page, /^No SpotDraft contract for this deal yet\.$/);
    assert.equal(await page.evaluate(() => window.click('Create contract')), true);
    const texts = await waitForText(page, /^SpotDraft contract T-\d+: DRAFT$/);
    const contracts = await contractsWithExternalId('hubspot-deal-4243');
    assert.equal(contracts.length, 1);
    assert.ok(texts.includes(`SpotDraft contract ${contracts[0].composite_id}: DRAFT`), JSON.stringify(texts));
    // lookup on mount, then template metadata and the create
    assert.equal(await page.evaluate(() => window.stats.proxyCalls), 3);
    const sent = credentialProxy.requests.filter((r) => r.method === 'POST');
    assert.equal(JSON.parse(sent.at(-1).body).contract_data.customer_name, 'Acme Inc.');
    assert.deepEqual(await page.evaluate(() => window.errors), []);
  } finally {
    await page.close();
  }
});
