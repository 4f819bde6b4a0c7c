// In Chromium: under a CSP without 'wasm-unsafe-eval', and with the WebAssembly global
// removed, the web and inline entries fail with WASM_UNAVAILABLE naming the cause and
// `spotdraft-sync/js`, which itself validates and calls an API under the same CSP. A .wasm
// that is not there (a bundler dropped it) is WASM_UNAVAILABLE too. The same page with
// 'wasm-unsafe-eval' loads the web build, so the refusals are the CSP's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/lib/static-server.mjs';
import { useChromiumAndSite } from './chromium.mjs';
import { startFakeSpotDraft } from '../node/support/fake-spotdraft.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromium = useChromiumAndSite();
let api;

before(async () => {
  api = await startFakeSpotDraft({
    'GET /api/v2.1/public/contracts/T-7/status': () => ({ status: 200, body: { contract_status: 'SIGN', contract_name: 'Pure JS' } }),
  });
});
after(async () => api?.close());

// The probe page's module: tries each entry and reports what happened.
const PROBE = `
const report = (e) => ({ name: e && e.name, code: e && e.code, message: String(e && e.message), cause: (e && e.cause && e.cause.name) || null });
const out = { webAssembly: typeof WebAssembly };
// The missing file first: once an init succeeded, init() returns at once.
try { await import('/pkg/web/index.js').then((web) => web.default('/pkg/web/no-such-file.wasm')); out.missing = 'ok'; } catch (e) { out.missing = report(e); }
try { const web = await import('/pkg/web/index.js'); await web.default(); out.web = 'ok'; } catch (e) { out.web = report(e); }
try { await import('/pkg/inline/index.js'); out.inline = 'ok'; } catch (e) { out.inline = report(e); }
try {
  const js = await import('/pkg/js/index.js');
  const client = new js.SpotDraftClient({ baseUrl: new URLSearchParams(location.search).get('api') });
  out.js = { issue: js.validateCreateContract({ contract_template_id: 'x' }).issues[0].code, status: await client.getContractStatus('T-7') };
} catch (e) { out.js = report(e); }
window.PROBE_RESULT = out;
`;

/**
 * Serves the probe page and the package (a symlink to pkg/) with `csp` as every answer's
 * Content-Security-Policy, and loads it; `noWebAssembly` removes the global first.
 */
async function probe({ csp, noWebAssembly = false }) {
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-csp-'));
  symlinkSync(join(root, 'pkg'), join(dir, 'pkg'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/probe.js"></script>');
  writeFileSync(join(dir, 'probe.js'), PROBE);
  const site = await startStaticServer({ root: dir, index: '/index.html', headers: csp ? { 'content-security-policy': csp } : {} });
  const context = await chromium.browser.newContext();
  try {
    const page = await context.newPage();
    if (noWebAssembly) await page.addInitScript(() => delete globalThis.WebAssembly);
    await page.goto(`${site.url}/index.html?api=${encodeURIComponent(api.url)}`);
    await page.waitForFunction(() => window.PROBE_RESULT !== undefined, null, { timeout: 30_000 });
    return await page.evaluate(() => window.PROBE_RESULT);
  } finally {
    await context.close();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const unavailable = (report, pattern) => {
  assert.equal(report?.code, 'WASM_UNAVAILABLE', JSON.stringify(report));
  assert.equal(report.name, 'SpotDraftError');
  assert.match(report.message, pattern);
  assert.match(report.message, /spotdraft-sync\/js/);
};
const JS_WORKS = { issue: 'WRONG_TYPE', status: { contractStatus: 'SIGN', contractName: 'Pure JS' } };

test("CSP script-src 'self' without 'wasm-unsafe-eval': web and inline are WASM_UNAVAILABLE, spotdraft-sync/js works", async () => {
  const out = await probe({ csp: "script-src 'self'" });
  assert.equal(out.webAssembly, 'object');
  unavailable(out.web, /Content Security Policy refuses to compile WebAssembly.*Add 'wasm-unsafe-eval'/);
  assert.equal(out.web.cause, 'CompileError');
  unavailable(out.inline, /Content Security Policy/);
  assert.deepEqual(out.js, JS_WORKS);
});

test("the same page with 'wasm-unsafe-eval' loads the web and inline entries", async () => {
  const out = await probe({ csp: "script-src 'self' 'wasm-unsafe-eval'" });
  assert.equal(out.web, 'ok');
  assert.equal(out.inline, 'ok');
  assert.deepEqual(out.js, JS_WORKS);
});

test('no WebAssembly global (Safari Lockdown Mode): WASM_UNAVAILABLE; a missing .wasm file: WASM_UNAVAILABLE', async () => {
  const out = await probe({ noWebAssembly: true });
  assert.equal(out.webAssembly, 'undefined');
  unavailable(out.web, /WebAssembly is not available in this runtime/);
  unavailable(out.inline, /WebAssembly is not available in this runtime/);
  assert.deepEqual(out.js, JS_WORKS);
  const withWasm = await probe({});
  unavailable(withWasm.missing, /The \.wasm file could not be loaded .*404/);
});
