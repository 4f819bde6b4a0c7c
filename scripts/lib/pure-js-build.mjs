// `spotdraft-sync/js` (pkg/js/): the same crate compiled to plain JavaScript, for runtimes
// where WebAssembly cannot run (Salesforce Lightning Web Security, Safari Lockdown Mode, CSPs
// without 'wasm-unsafe-eval').
//
//   cargo rustc (wasm32, cdylib only for LTO, no SIMD, own target dir: scripts/build.mjs) -> wasm-bindgen --target web
//   -> wasm-opt with the post-MVP features lowered (sign-ext, bulk memory, non-trapping
//   float-to-int) -> wasm2js -> a module exporting `instantiate(imports)` -> esbuild --minify
//
// The glue is wasm-bindgen's own web glue for that module; its `WebAssembly` is bound to
// src/entries/webassembly-shim.js by one import line, so the glue's initSync and its
// re-instantiation after a panic both work unchanged. Also bundles an IIFE
// (`globalThis.SpotDraftSync`) for `platformResourceLoader.loadScript`.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { dropTargetFeature } from './wasm-abi.mjs';
import { hideStartExport, minifyGlueWhitespace, patchReinitOrder } from './glue-patches.mjs';
import { publicDeclarations } from './entries.mjs';

/** Salesforce's limit for one static resource; the build fails above it. */
const STATIC_RESOURCE_LIMIT = 5 * 1024 * 1024;

/**
 * Writes pkg/js/ from `wasm`: the crate compiled with `PURE_JS_RUSTFLAGS`
 * (scripts/lib/wasm-abi.mjs), reference-types already dropped from its `target_features`
 * (scripts/build.mjs compiles it). `wasm` itself is left as it is.
 *
 * `optimize: false` (the test build) skips what only makes the shipped files small: `-Oz` in
 * wasm-opt and wasm2js (about 1.5 of 2 minutes here), minification, the IIFE and the size
 * limit. The glue and its patches are the same.
 */
export async function buildPureJs({ root, pkg, crate, run, wasmOpt, wasm, optimize = true }) {
  const work = mkdtempSync(join(tmpdir(), 'spotdraft-js-build-'));
  try {
    const linked = join(work, `${crate}.wasm`);
    copyFileSync(wasm, linked);
    dropTargetFeature(linked, 'multivalue');

    const dir = join(pkg, 'js');
    run('wasm-bindgen', [linked, '--target', 'web', '--out-dir', dir, '--out-name', crate]);
    patchReinitOrder(join(dir, `${crate}.js`));
    hideStartExport(dir, crate);
    bindGlueToShim(join(dir, `${crate}.js`));
    minifyGlueWhitespace(dir, crate);

    const lowered = join(work, 'lowered.wasm');
    run(wasmOpt, [
      join(dir, `${crate}_bg.wasm`),
      '--signext-lowering', '--llvm-memory-copy-fill-lowering', '--llvm-nontrapping-fptoint-lowering',
      ...(optimize ? ['-Oz'] : []), '--strip-debug', '--strip-producers', '-o', lowered,
    ]);
    const translated = join(work, 'translated.js');
    run(join(root, 'node_modules', 'binaryen', 'bin', 'wasm2js'), [lowered, ...(optimize ? ['-Oz'] : []), '-o', translated]);
    const factory = join(work, 'factory.js');
    writeFileSync(factory, asFactory(readFileSync(translated, 'utf8')));
    await build({ entryPoints: [factory], outfile: join(dir, `${crate}_bg.wasm.js`), format: 'esm', minify: optimize, logLevel: 'warning' });
    rmSync(join(dir, `${crate}_bg.wasm`));
    rmSync(join(dir, `${crate}_bg.wasm.d.ts`), { force: true });

    copyFileSync(join(root, 'src', 'entries', 'js.js'), join(dir, 'index.js'));
    copyFileSync(join(root, 'src', 'entries', 'webassembly-shim.js'), join(dir, 'webassembly-shim.js'));
    copyFileSync(join(root, 'src', 'entries', 'shared', 'sync-engine.d.ts'), join(dir, 'sync-engine.d.ts'));
    writeFileSync(join(dir, 'index.d.ts'), publicDeclarations(crate));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');

    if (!optimize) return;
    // One classic script for Salesforce static resources: `window.SpotDraftSync`.
    const iife = join(dir, 'spotdraft-sync.iife.js');
    await build({ entryPoints: [join(dir, 'index.js')], outfile: iife, bundle: true, format: 'iife', globalName: 'SpotDraftSync', minify: true, logLevel: 'error' });
    for (const file of [join(dir, `${crate}_bg.wasm.js`), iife]) {
      const size = readFileSync(file).length;
      if (size > STATIC_RESOURCE_LIMIT) throw new Error(`${file} is ${size} bytes, over Salesforce's 5 MB static-resource limit`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Makes the glue's `WebAssembly` the shim's: one import line at the top (an import binding
 * shadows the global). Refuses glue that uses any WebAssembly API the shim does not answer
 * outside the asynchronous loader (which pkg/js/index.js never calls). Also drops the
 * loader's default `.wasm` URL: bundlers (webpack) resolve `new URL(…, import.meta.url)` as an
 * asset, and this build has no .wasm.
 */
function bindGlueToShim(file) {
  const defaultUrl = "new URL('spotdraft_sync_bg.wasm', import.meta.url)";
  const source = readFileSync(file, 'utf8');
  if (source.split(defaultUrl).length !== 2) throw new Error(`${defaultUrl} not found exactly once in the pure-JS glue: has wasm-bindgen changed?`);
  const glue = source.replace(defaultUrl, "(() => { throw new Error('spotdraft-sync/js has no .wasm to load: it is ready on import'); })()");
  const used = new Set(glue.match(/WebAssembly\.\w+/g) ?? []);
  const answered = new Set(['WebAssembly.Module', 'WebAssembly.Instance', 'WebAssembly.instantiate', 'WebAssembly.instantiateStreaming']);
  const unknown = [...used].filter((name) => !answered.has(name));
  if (unknown.length) throw new Error(`the pure-JS glue uses ${unknown.join(', ')}, which src/entries/webassembly-shim.js does not provide`);
  writeFileSync(file, `import { WebAssembly } from './webassembly-shim.js';\n${glue}`);
}

/**
 * wasm2js's ES module instantiates once, on import, with the imports it imports itself. This
 * keeps its `asmFunc(imports)` and exports `instantiate(imports)` instead, so the glue passes
 * its own import object and a panic's re-instantiation gets fresh memory. Memory growth
 * detaches the old buffer (as WebAssembly's does): the glue refreshes its cached views only
 * when the old buffer is detached, and would otherwise read a stale copy.
 */
function asFactory(js) {
  const lines = js.split('\n');
  const body = lines.filter((line) => !/^import \* as \S+ from '[^']+';$/.test(line));
  let text = body.join('\n');
  const tail = text.indexOf('\nvar retasmFunc = asmFunc(');
  if (tail < 0) throw new Error('wasm2js output without `var retasmFunc = asmFunc(`: has binaryen changed?');
  text = text.slice(0, tail);
  const grow = '   var newBuffer = new ArrayBuffer(newPages << 16);\n   var newHEAP8 = new Int8Array(newBuffer);\n   newHEAP8.set(HEAP8);\n';
  if (text.split(grow).length !== 2) throw new Error('wasm2js memory growth not found exactly once: has binaryen changed?');
  text = text.replace(grow, '   var newBuffer = wasm2jsGrowBuffer(buffer, newPages << 16);\n');
  return `${text}
/** A copy of \`old\` with \`size\` bytes; \`old\` is detached afterwards (as WebAssembly.Memory#grow does). */
function wasm2jsGrowBuffer(old, size) {
  if (typeof old.transfer === 'function') return old.transfer(size);
  const grown = new ArrayBuffer(size);
  new Uint8Array(grown).set(new Uint8Array(old));
  if (typeof structuredClone === 'function') structuredClone(old, { transfer: [old] });
  if (old.byteLength !== 0) throw new Error('spotdraft-sync/js cannot grow its memory here: this runtime can neither transfer nor detach an ArrayBuffer');
  return grown;
}

/** A fresh instance's exports; \`imports\` as WebAssembly.Instance takes them. */
export function instantiate(imports) {
  return asmFunc(imports);
}
`;
}
