// The rewrites scripts/build.mjs applies to wasm-bindgen's glue (scripts/lib/glue-patches.mjs),
// checked on what was built: every export that calls into wasm starts with the re-creation
// guard, in every target of pkg/ (a wasm-bindgen upgrade that moves or renames it fails
// here, not in a user's tab after a panic), and the Node build's JS snippets load as
// CommonJS with the names their ES sources export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import { guardReport, parseGlue, patchGlue, withoutWasmExport } from '../../scripts/lib/glue-patches.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const glue = (target) => readFileSync(join(root, 'pkg', target, 'spotdraft_sync.js'), 'utf8');
const GUARD = '__wbg_call_guard();';

for (const target of ['web', 'node', 'js']) {
  test(`pkg/${target}: every export that calls into wasm starts with the guard`, () => {
    const { checked, unguarded } = guardReport(glue(target));
    // Every class method and function of the API calls into wasm: a handful would mean the
    // check no longer recognises the calls (and proves nothing).
    assert.ok(checked.length >= 40, `only ${checked.length} exports call into wasm: ${checked.join(', ')}`);
    assert.ok(checked.some((name) => name.startsWith('SpotDraftClient.')), 'SpotDraftClient methods are checked');
    assert.deepEqual(unguarded, []);
  });
}

// The builds by capability: at least this many exports each, and one that must be there.
// (webhooks: verifyWebhook(Async), verifyWebhookSignature(Async), parseWebhookEvent,
// applyEvent, signWebhookForTest, isSpotDraftError; client: the client's methods and more.)
for (const [variant, least, must] of [['webhooks', 8, 'verifyWebhook'], ['client', 20, 'SpotDraftClient.getContractStatus']]) {
  for (const target of [`${variant}/web`, `${variant}/node`]) {
    test(`pkg/${target}: every export of the ${variant} build starts with the guard`, () => {
      const { checked, unguarded } = guardReport(glue(target));
      assert.ok(checked.length >= least, `only ${checked.length} exports call into wasm: ${checked.join(', ')}`);
      assert.ok(checked.includes(must), `${must} is checked`);
      assert.deepEqual(unguarded, []);
    });
  }
}

/** `source` with the first statement of the first function or method named `name` removed. */
function withoutFirstGuard(source, name) {
  const tree = parseGlue(source);
  let cut;
  const visit = (node) => {
    if (cut || !node || typeof node.type !== 'string') return;
    const fn = (node.type === 'FunctionDeclaration' && node.id?.name === name && node) || (node.type === 'MethodDefinition' && node.key.name === name && node.value);
    if (fn) cut = fn.body.body[0];
    for (const value of Object.values(node)) (Array.isArray(value) ? value : [value]).forEach(visit);
  };
  visit(tree);
  assert.equal(source.slice(cut.start, cut.end), GUARD, `${name} starts with the guard before the planted bug`);
  return source.slice(0, cut.start) + source.slice(cut.end);
}

test('planted bug: an export, or a class method, without the guard first is reported', () => {
  for (const target of ['web', 'node']) {
    const source = glue(target);
    assert.deepEqual(guardReport(withoutFirstGuard(source, 'isSpotDraftError')).unguarded, ['isSpotDraftError'], target);
    assert.deepEqual(guardReport(withoutFirstGuard(source, 'getContractStatus')).unguarded, ['SpotDraftClient.getContractStatus'], target);
  }
});

test('the patch moves the guard above argument marshalling and the stale-object check', () => {
  // The shape wasm-bindgen 0.2.130 emits: the stale check and the argument copy first, the
  // guard last (or inside a `try`).
  const generated = `
export class Thing {
    get name() {
        try {
            if (this.__wbg_inst !== undefined && this.__wbg_inst !== __wbg_instance_id) {
                throw new Error('Invalid stale object from previous Wasm instance');
            }
            __wbg_call_guard();
            return wasm.thing_name(this.__wbg_ptr);
        } finally {
            __wbg_call_guard();
            wasm.__wbindgen_free(0, 0, 1);
        }
    }
}
export function f(s) {
    const ptr0 = passStringToWasm0(s, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
    __wbg_call_guard();
    return wasm.f(ptr0);
}
`;
  assert.deepEqual(guardReport(generated).unguarded, ['Thing.get name', 'f']);
  const patched = patchGlue(generated);
  assert.deepEqual(guardReport(patched).unguarded, []);
  assert.match(patched, /get name\(\) \{\n {8}__wbg_call_guard\(\);\n {8}try \{/);
  assert.match(patched, /throw Object\.assign\(new Error\('This object was created before an internal error reset spotdraft-sync; create a new one[^']*'\), \{ name: 'SpotDraftError', code: 'INTERNAL' \}\);/);
  assert.doesNotMatch(patched, /Invalid stale object/);
  // What it cannot find, it refuses (a wasm-bindgen that stops emitting either).
  assert.throws(() => patchGlue('export function f() { return wasm.f(); }'), /reinit guard \(0\)/);
  assert.throws(() => patchGlue(generated.replaceAll('Invalid stale object', 'Stale')), /stale-object check \(0, 1 classes\)/);
  // A glue without classes (the webhooks build) has no stale-object check to patch.
  assert.doesNotThrow(() => patchGlue('export function f() { __wbg_call_guard(); return wasm.f(); }'));
});

test('the Node build\'s snippets are CommonJS that loads, with the names their ES sources export', () => {
  const snippets = join(root, 'pkg', 'node', 'snippets');
  const files = readdirSync(snippets, { recursive: true }).map(String).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 1, 'the Node build has JS snippets');
  for (const file of files) {
    // snippets/<crate>-<hash>/src/facade/js/x.js is a copy of src/facade/js/x.js.
    const source = join(root, ...file.split(sep).slice(1));
    assert.ok(existsSync(source), `${file}: no source at ${relative(root, source)}`);
    const esm = parse(readFileSync(source, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module' });
    const names = esm.body
      .filter((node) => node.type === 'ExportNamedDeclaration')
      .flatMap((node) => [node.declaration?.id?.name, ...(node.declaration?.declarations ?? []).map((d) => d.id.name), ...node.specifiers.map((s) => s.exported.name)])
      .filter(Boolean)
      .sort();
    assert.ok(names.length >= 1, `${relative(root, source)} exports nothing`);
    const converted = join(snippets, file);
    // A script (no `import`/`export` left) that Node loads with `require`.
    parse(readFileSync(converted, 'utf8'), { ecmaVersion: 'latest', sourceType: 'script' });
    const loaded = require(converted);
    assert.deepEqual(Object.keys(loaded).sort(), names, file);
    const functions = esm.body.filter((node) => node.declaration?.type === 'FunctionDeclaration').map((node) => node.declaration.id.name);
    for (const name of functions) assert.equal(typeof loaded[name], 'function', `${file}: ${name}`);
  }
});

test('the start function is run, not exported: withoutWasmExport drops exactly one export', () => {
  // (module (func) (export "a" (func 0)) (export "b" (func 0)))
  const module = Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x02, 0x01, 0x00,
    0x07, 0x09, 0x02, 0x01, 0x61, 0x00, 0x00, 0x01, 0x62, 0x00, 0x00,
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
  ]);
  const names = (bytes) => WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
  assert.deepEqual(names(module), ['a', 'b']);
  assert.deepEqual(names(withoutWasmExport(module, 'a')), ['b']);
  assert.throws(() => withoutWasmExport(module, 'c'), /no export c/);
  // The built package: the hook runs through `__wbindgen_start`, under no name of its own.
  for (const target of ['web', 'node']) {
    const exported = names(readFileSync(join(root, 'pkg', target, 'spotdraft_sync_bg.wasm')));
    assert.ok(exported.includes('__wbindgen_start'), target);
    assert.equal(exported.includes('install_panic_hook'), false, target);
  }
});
