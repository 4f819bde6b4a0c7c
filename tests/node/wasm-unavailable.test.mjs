// WASM_UNAVAILABLE: every WebAssembly entry, in a Node without WebAssembly (`--jitless`, or
// the global deleted), with compiling refused (as Cloudflare's embedder does), or with the
// .wasm file missing, throws a SpotDraftError naming the cause and `spotdraft-sync/js` —
// never a ReferenceError or a CompileError — while `spotdraft-sync/js` keeps working there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs `source` (ESM) in a child Node with `flags`; returns what it printed as JSON. */
async function inChild(source, flags = []) {
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--input-type=module', '-e', source], { cwd: root, encoding: 'utf8' });
  return JSON.parse(stdout);
}

// What a caught error looks like from outside, printed by the child.
const REPORT = `const report = (e) => ({ name: e?.name, code: e?.code, message: String(e?.message), cause: e?.cause?.name ?? null, isError: e instanceof Error });`;

const unavailable = (report, pattern) => {
  assert.equal(report.name, 'SpotDraftError', JSON.stringify(report));
  assert.equal(report.code, 'WASM_UNAVAILABLE');
  assert.ok(report.isError);
  assert.match(report.message, pattern);
  assert.match(report.message, /spotdraft-sync\/js/);
};

for (const [how, flags, prelude] of [
  ['node --jitless', ['--jitless'], ''],
  ['WebAssembly deleted', [], 'delete globalThis.WebAssembly;'],
]) {
  test(`${how}: every wasm entry throws WASM_UNAVAILABLE, spotdraft-sync/js works`, async () => {
    const out = await inChild(`${prelude}${REPORT}
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const out = { webAssembly: typeof WebAssembly };
      for (const specifier of ['spotdraft-sync', 'spotdraft-sync/inline']) {
        try { await import(specifier); out[specifier] = 'loaded'; } catch (e) { out[specifier] = report(e); }
      }
      try { require('spotdraft-sync'); out.require = 'loaded'; } catch (e) { out.require = report(e); }
      const web = await import('spotdraft-sync/web');
      try { web.initSync({ module: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) }); out.initSync = 'ok'; } catch (e) { out.initSync = report(e); }
      try { await web.default(); out.init = 'ok'; } catch (e) { out.init = report(e); }
      const js = await import('spotdraft-sync/js');
      out.js = js.validateCreateContract({ contract_template_id: 'x' }).issues[0];
      console.log(JSON.stringify(out));`, flags);
    assert.equal(out.webAssembly, 'undefined');
    for (const key of ['spotdraft-sync', 'spotdraft-sync/inline', 'require', 'initSync', 'init']) unavailable(out[key], /WebAssembly is not available in this runtime/);
    assert.deepEqual(out.js, { path: 'contract_template_id', code: 'WRONG_TYPE', message: 'Must be a whole number (without quotes), got a string.' });
  });
}

test('an embedder that refuses to compile bytes (Cloudflare Workers) gives WASM_UNAVAILABLE naming the workerd entry', async () => {
  const out = await inChild(`${REPORT}
    import { readFileSync } from 'node:fs';
    const bytes = readFileSync('pkg/web/spotdraft_sync_bg.wasm');
    // Refused as workerd refuses it, for our module only (Node's own undici compiles its
    // llhttp module with WebAssembly.instantiate too).
    const refusal = () => new WebAssembly.CompileError('WebAssembly.Module(): Wasm code generation disallowed by embedder');
    WebAssembly.Module = function () { throw refusal(); };
    const instantiate = WebAssembly.instantiate;
    WebAssembly.instantiate = (source, imports) => (imports && './spotdraft_sync_bg.js' in imports ? Promise.reject(refusal()) : instantiate(source, imports));
    const web = await import('spotdraft-sync/web');
    const out = {};
    try { web.initSync({ module: bytes }); out.initSync = 'ok'; } catch (e) { out.initSync = report(e); }
    try { await web.default({ module_or_path: bytes }); out.init = 'ok'; } catch (e) { out.init = report(e); }
    console.log(JSON.stringify(out));`);
  for (const key of ['initSync', 'init']) {
    unavailable(out[key], /refuses to compile WebAssembly from bytes .*disallowed by embedder.*"workerd" condition/);
    assert.equal(out[key].cause, 'CompileError');
  }
});

test('a .wasm missing beside the Node glue (a bundler dropped it) gives WASM_UNAVAILABLE, not ENOENT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-no-wasm-'));
  try {
    cpSync(join(root, 'pkg', 'node'), join(dir, 'node'), { recursive: true });
    rmSync(join(dir, 'node', 'spotdraft_sync_bg.wasm'));
    writeFileSync(join(dir, 'probe.cjs'), `try { require('./node/index.cjs'); console.log('"loaded"'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, cause: e.cause?.code })); }`);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'probe.cjs')], { encoding: 'utf8' });
    const out = JSON.parse(stdout);
    unavailable({ ...out, isError: true }, /The \.wasm file could not be loaded .*ENOENT/);
    assert.equal(out.cause, 'ENOENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with WebAssembly present the same entries load (so the tests above can fail)', async () => {
  const out = await inChild(`import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const a = await import('spotdraft-sync'); const b = await import('spotdraft-sync/inline');
    console.log(JSON.stringify([typeof a.SpotDraftClient, typeof b.SpotDraftClient, typeof require('spotdraft-sync').SpotDraftClient]));`);
  assert.deepEqual(out, ['function', 'function', 'function']);
});
