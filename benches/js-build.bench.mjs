// The pure-JS build (`spotdraft-sync/js`, the core through wasm2js) against the wasm build, in
// one process (issue 12 item 2): the same operations, interleaved round by round
// (benches/lib/measure.mjs), µs per op for each build and js/wasm = the median of the per-round
// time ratios. Plus the files' sizes, the import + first validation of each in fresh Node
// processes, and validation in one Chromium page that loads both builds.
//
// Run: `npm run bench -- js-build` (builds first), or `node benches/run.mjs js-build` against the
// pkg/ already built.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { startStaticServer } from '../scripts/lib/static-server.mjs';
import { launchChromium } from '../tests/browser/chromium.mjs';
import { KEY_B64, tenKilobyteBody } from './lib/fixtures.mjs';
import { measureInterleaved, median } from './lib/measure.mjs';

const STATUS_BODY = '{"contract_status":"SIGN","contract_name":"x"}';
const ROUNDS = 7;

const us = (rate) => (1e6 / rate).toFixed(rate > 1e5 ? 2 : 1);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** The playbook payload with seven mistakes against template 1204 (7 issues in both builds). */
function broken(payload) {
  const p = structuredClone(payload);
  p.contract_template_id = '1204';
  p.contract_data.agreement_date = '2026-02-30x';
  p.contract_data.auto_renewal = 'yes';
  p.contract_data.notice_period_days = '30';
  p.contract_data.customer_nme = 'Acme Inc.';
  delete p.contract_data.customer_name;
  p.counter_party_details[0].poc_details.email = 'Avery Stone';
  return p;
}

/** Which HMAC `verifyWebhookSignature` used: Node's crypto if it looked up `node:crypto`. */
function hmacPath(build, body, headers) {
  const original = process.getBuiltinModule;
  let lookedUp = 0;
  process.getBuiltinModule = (id) => {
    if (id === 'node:crypto' || id === 'crypto') lookedUp++;
    return original.call(process, id);
  };
  try {
    if (build.verifyWebhookSignature(body, headers, KEY_B64).keyIndex !== 0) throw new Error('signature did not verify');
  } finally {
    process.getBuiltinModule = original;
  }
  return lookedUp ? "Node's `crypto.createHmac` (native)" : 'the Rust `sha2` of the core';
}

/** Completed sequential calls of async `fn` per second over at least `minMs`. */
async function asyncRate(fn, minMs) {
  let n = 0;
  const start = performance.now();
  let elapsed;
  do {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return (n * 1000) / elapsed;
}

function sizes(root) {
  const report = existsSync(join(root, 'pkg/size-report.json')) ? JSON.parse(readFileSync(join(root, 'pkg/size-report.json'), 'utf8')) : { files: [] };
  const of = (file) => {
    const known = report.files.find((f) => f.file === file);
    if (known) return { ...known, from: 'pkg/size-report.json' };
    const bytes = readFileSync(join(root, file));
    return {
      file,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
      from: 'measured here',
    };
  };
  const rows = ['pkg/web/spotdraft_sync_bg.wasm', 'pkg/web/spotdraft_sync.js', 'pkg/js/spotdraft_sync_bg.wasm.js', 'pkg/js/spotdraft_sync.js', 'pkg/js/spotdraft-sync.iife.js'].map(of);
  const sum = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });
  return { rows, wasm: sum(rows[0], rows[1]), js: sum(rows[2], rows[3]), iife: rows[4] };
}

/** Import + first validation in a fresh `node` process per sample, builds interleaved. */
function nodeColdStart(root, rounds) {
  const script = (entry) => `
    const t0 = performance.now();
    const m = await import(${JSON.stringify(pathToFileURL(join(root, entry)).href)});
    const t1 = performance.now();
    const fs = await import('node:fs');
    const payload = JSON.parse(fs.readFileSync(${JSON.stringify(join(root, 'tests/fixtures/playbook-create-contract.json'))}, 'utf8'));
    const metadata = JSON.parse(fs.readFileSync(${JSON.stringify(join(root, 'tests/fixtures/templates/template-1204-metadata.json'))}, 'utf8'));
    const t2 = performance.now();
    if (!m.validateCreateContract(payload, metadata).valid) throw new Error('rejected');
    const t3 = performance.now();
    console.log(JSON.stringify({ import: t1 - t0, validation: t3 - t2 }));`;
  const out = { wasm: [], js: [] };
  const entries = { wasm: 'pkg/node/index.mjs', js: 'pkg/js/index.js' };
  for (let r = 0; r < rounds; r++) {
    for (const b of r % 2 ? ['js', 'wasm'] : ['wasm', 'js']) {
      out[b].push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script(entries[b])], { encoding: 'utf8' })));
    }
  }
  return out;
}

/** validateCreateContract and verifyWebhookSignature rates of both builds in one Chromium page (interleaved in the page). */
async function chromiumValidation(root, fixtures) {
  const site = mkdtempSync(join(tmpdir(), 'js-build-'));
  symlinkSync(join(root, 'pkg'), join(site, 'pkg'));
  writeFileSync(join(site, 'blank.html'), '<!doctype html><meta charset="utf-8"><title>js-build</title><link rel="icon" href="data:,">');
  const server = await startStaticServer({ root: site, index: '/blank.html' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/blank.html`);
    const perRound = await page.evaluate(async ({ payload, metadata, bad, body, headers, key, rounds }) => {
      const web = await import('/pkg/web/index.js');
      await web.default();
      const js = await import('/pkg/js/index.js');
      const rate = (fn, minMs) => {
        let n = 0;
        const start = performance.now();
        let elapsed;
        do {
          for (let i = 0; i < 20; i++) fn();
          n += 20;
          elapsed = performance.now() - start;
        } while (elapsed < minMs);
        return (n * 1000) / elapsed;
      };
      const paths = {
        'valid:wasm': () => web.validateCreateContract(payload, metadata),
        'valid:js': () => js.validateCreateContract(payload, metadata),
        'invalid:wasm': () => web.validateCreateContract(bad, metadata),
        'invalid:js': () => js.validateCreateContract(bad, metadata),
        'verifySig:wasm': () => web.verifyWebhookSignature(body, headers, key),
        'verifySig:js': () => js.verifyWebhookSignature(body, headers, key),
      };
      if (!paths['valid:wasm']().valid || !paths['valid:js']().valid) throw new Error('playbook payload rejected');
      if (paths['verifySig:wasm']().keyIndex !== 0 || paths['verifySig:js']().keyIndex !== 0) throw new Error('signature did not verify');
      for (const [name, fn] of Object.entries(paths)) for (let i = 0; i < (name === 'verifySig:js' ? 20 : 300); i++) fn();
      const perRound = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
      for (let r = 0; r < rounds; r++) {
        const names = Object.keys(paths);
        for (const name of r % 2 ? names : names.reverse()) perRound[name].push(rate(paths[name], 200));
      }
      return perRound;
    }, { ...fixtures, rounds: ROUNDS });
    return { perRound, version: browser.version() };
  } finally {
    await browser.close();
    await server.close();
    rmSync(site, { recursive: true, force: true });
  }
}

export default async function jsBuildBench({ root }) {
  const wasm = await import(pathToFileURL(join(root, 'pkg/node/index.mjs')).href);
  const js = await import(pathToFileURL(join(root, 'pkg/js/index.js')).href);
  const builds = { wasm, js };
  const fixture = (path) => JSON.parse(readFileSync(join(root, 'tests/fixtures', path), 'utf8'));
  const payload = fixture('playbook-create-contract.json');
  const metadata = fixture('templates/template-1204-metadata.json');
  const bad = broken(payload);
  const payloadJson = JSON.stringify(payload);
  const record = fixture('records/hubspot-deal.json');
  const mapping = fixture('mappings/hubspot-deal.mapping.json');
  const body = tenKilobyteBody();
  const signature = createHmac('sha512', Buffer.from(KEY_B64, 'base64')).update(body).digest('hex');
  const headers = { 'content-type': 'application/json', 'x-sd-webhook-content-hash': signature };

  // Both builds must give the same answers before any time means anything.
  const same = (f) => {
    const [a, b] = [f(wasm), f(js)].map((x) => JSON.stringify(x));
    if (a !== b) throw new Error(`the builds disagree: ${a.slice(0, 200)} vs ${b.slice(0, 200)}`);
    return JSON.parse(a);
  };
  if (!same((m) => m.validateCreateContract(payload, metadata)).valid) throw new Error('playbook payload rejected');
  const badIssues = same((m) => m.validateCreateContract(bad, metadata)).issues.length;
  same((m) => new m.CompiledTemplate(metadata).validateJson(payloadJson));
  same((m) => m.buildCreateContract(record, mapping));
  same((m) => m.parseWebhookEvent(body, {}));
  same((m) => m.verifyWebhook(body, headers, KEY_B64, {}));
  if (same((m) => m.signWebhookForTest(body, KEY_B64)) !== signature) throw new Error('signWebhookForTest disagrees with node:crypto');
  const paths = { wasm: hmacPath(wasm, body, headers), js: hmacPath(js, body, headers) };

  const compiled = { wasm: new wasm.CompiledTemplate(metadata), js: new js.CompiledTemplate(metadata) };
  const ops = [
    ['valid', '`validateCreateContract(payload, metadata)`, playbook payload (valid)', (m) => () => m.validateCreateContract(payload, metadata)],
    ['invalid', `\`validateCreateContract(payload, metadata)\`, ${badIssues} mistakes`, (m) => () => m.validateCreateContract(bad, metadata)],
    ['compiledJson', '`compiled.validateJson(json)` (template compiled once)', (m, b) => () => compiled[b].validateJson(payloadJson)],
    ['compileValidate', '`new CompiledTemplate(metadata).validateJson(json)` (compiled per call)', (m) => () => new m.CompiledTemplate(metadata).validateJson(payloadJson)],
    ['build', '`buildCreateContract(record, mapping)` (HubSpot deal fixture)', (m) => () => m.buildCreateContract(record, mapping)],
    ['verifySig', `\`verifyWebhookSignature\`, ${(body.length / 1024).toFixed(1)} KiB body (HMAC: see below)`, (m) => () => m.verifyWebhookSignature(body, headers, KEY_B64)],
    ['sign', '`signWebhookForTest` (HMAC-SHA512 in the core\'s Rust `sha2`)', (m) => () => m.signWebhookForTest(body, KEY_B64)],
    ['parse', '`parseWebhookEvent` (typed parse in the core)', (m) => () => m.parseWebhookEvent(body, {})],
    ['verify', '`verifyWebhook` (signature + typed parse)', (m) => () => m.verifyWebhook(body, headers, KEY_B64, {})],
  ];
  const timed = {};
  for (const [key, , make] of ops) for (const b of ['wasm', 'js']) timed[`${key}:${b}`] = make(builds[b], b);
  const { rates, ratio } = measureInterleaved(timed, { rounds: ROUNDS, minMs: 150 });

  // The client's own cost per call over an instant in-process fetch (rate limiter out of the way).
  const fakeFetch = async () => ({ status: 200, headers: {}, text: async () => STATUS_BODY });
  const clients = Object.fromEntries(Object.entries(builds).map(([b, m]) => [b, new m.SpotDraftClient({ baseUrl: 'http://127.0.0.1:1', fetch: fakeFetch, maxRequestsPerSecond: 1_000_000 })]));
  const call = (b) => () => clients[b].getContractStatus('T-1');
  const answers = await Promise.all(['wasm', 'js'].map((b) => call(b)()));
  if (JSON.stringify(answers[0]) !== JSON.stringify(answers[1]) || answers[0].contractStatus !== 'SIGN') throw new Error(`client answers differ: ${JSON.stringify(answers)}`);
  for (const b of ['wasm', 'js']) for (let i = 0; i < 500; i++) await call(b)();
  const clientRounds = { wasm: [], js: [] };
  for (let r = 0; r < ROUNDS; r++) for (const b of r % 2 ? ['js', 'wasm'] : ['wasm', 'js']) clientRounds[b].push(await asyncRate(call(b), 300));
  const clientRatio = median(clientRounds.wasm.map((w, i) => w / clientRounds.js[i]));

  const cold = nodeColdStart(root, ROUNDS);
  const chromium = await chromiumValidation(root, { payload, metadata, bad, body: body.toString('utf8'), headers, key: KEY_B64 });
  const size = sizes(root);

  const lines = [];
  lines.push('### Pure-JS build (spotdraft-sync/js) vs wasm');
  lines.push('');
  lines.push(`Node ${process.version}: \`pkg/node/index.mjs\` (wasm) and \`pkg/js/index.js\` (wasm2js) imported into one process; every row timed once per round for each build, ${ROUNDS} interleaved rounds of ≥ 150 ms (client: ≥ 300 ms of sequential awaits); µs/op = 1 / the median rate; **js/wasm = median of the per-round time ratios**.`);
  lines.push('');
  lines.push('| operation | wasm µs/op | js µs/op | **js / wasm** |');
  lines.push('|---|---:|---:|---:|');
  for (const [key, describe] of ops) lines.push(`| ${describe} | ${us(rates[`${key}:wasm`])} | ${us(rates[`${key}:js`])} | **${ratio(`${key}:wasm`, `${key}:js`).toFixed(2)}×** |`);
  lines.push(`| \`client.getContractStatus('T-1')\` over an instant fake \`fetch\` (\`maxRequestsPerSecond: 1e6\`) | ${us(median(clientRounds.wasm))} | ${us(median(clientRounds.js))} | **${clientRatio.toFixed(2)}×** |`);
  lines.push('');
  lines.push(`HMAC path of \`verifyWebhookSignature\` in this process: wasm build → ${paths.wasm}; js build → ${paths.js} (\`process.getBuiltinModule('node:crypto')\` observed during one call). \`signWebhookForTest\` always runs the core's Rust HMAC (wasm: \`sha2\` with its SIMD backend; js: no SIMD, and wasm2js lowers every 64-bit operation of SHA-512 to 32-bit halves), which is what \`verifyWebhookSignature\` runs where Node's crypto is absent (browsers, workers) — there the async forms use WebCrypto instead.`);
  lines.push('');
  const coldRow = (b) => `| ${b} | ${median(cold[b].map((s) => s.import)).toFixed(1)} | ${median(cold[b].map((s) => s.validation)).toFixed(1)} |`;
  lines.push(`Import and first validation in a fresh \`node\` process (${ROUNDS} processes per build, interleaved; medians, ms):`);
  lines.push('');
  lines.push('| build | `import()` | first `validateCreateContract` |');
  lines.push('|---|---:|---:|');
  lines.push(coldRow('wasm'));
  lines.push(coldRow('js'));
  lines.push('');
  const cr = (key) => median(chromium.perRound[`${key}:wasm`].map((w, i) => w / chromium.perRound[`${key}:js`][i]));
  const cus = (k) => us(median(chromium.perRound[k]));
  lines.push(`Chromium ${chromium.version}, one page with the web build (\`await init()\`) and \`spotdraft-sync/js\` loaded, ${ROUNDS} interleaved rounds of ≥ 200 ms in the page:`);
  lines.push('');
  lines.push('| operation | wasm µs/op | js µs/op | **js / wasm** |');
  lines.push('|---|---:|---:|---:|');
  lines.push(`| \`validateCreateContract\`, valid | ${cus('valid:wasm')} | ${cus('valid:js')} | **${cr('valid').toFixed(2)}×** |`);
  lines.push(`| \`validateCreateContract\`, ${badIssues} mistakes | ${cus('invalid:wasm')} | ${cus('invalid:js')} | **${cr('invalid').toFixed(2)}×** |`);
  lines.push(`| \`verifyWebhookSignature\`, ${(body.length / 1024).toFixed(1)} KiB body (no Node crypto here: the core's Rust HMAC in both builds) | ${cus('verifySig:wasm')} | ${cus('verifySig:js')} | **${cr('verifySig').toFixed(2)}×** |`);
  lines.push('');
  lines.push('Sizes (gzip -9, brotli -11):');
  lines.push('');
  lines.push('| file | raw | gzip | brotli | figures from |');
  lines.push('|---|---:|---:|---:|---|');
  for (const r of size.rows) lines.push(`| \`${r.file}\` | ${kib(r.raw)} | ${kib(r.gzip)} | ${kib(r.brotli)} | ${r.from} |`);
  const rel = (a, b) => `${(a / b).toFixed(2)}×`;
  lines.push(`| wasm build: .wasm + glue | ${kib(size.wasm.raw)} | ${kib(size.wasm.gzip)} | ${kib(size.wasm.brotli)} | sum |`);
  lines.push(`| js build: wasm2js module + glue | ${kib(size.js.raw)} (${rel(size.js.raw, size.wasm.raw)}) | ${kib(size.js.gzip)} (${rel(size.js.gzip, size.wasm.gzip)}) | ${kib(size.js.brotli)} (${rel(size.js.brotli, size.wasm.brotli)}) | sum |`);
  lines.push(`| js IIFE (one file) | ${kib(size.iife.raw)} (${rel(size.iife.raw, size.wasm.raw)}) | ${kib(size.iife.gzip)} (${rel(size.iife.gzip, size.wasm.gzip)}) | ${kib(size.iife.brotli)} (${rel(size.iife.brotli, size.wasm.brotli)}) | |`);
  return lines.join('\n');
}
