// wasm-bindgen's bindings of one module for one target, patched as the package ships them:
// the re-creation guard first in every export, the start export hidden, the Node snippets
// as CommonJS, the glue whitespace-minified (scripts/lib/glue-patches.mjs); and the .wasm
// optimised once for both targets. Used by scripts/build.mjs and benches/lib/build-baseline.mjs.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hideStartExport, minifyGlueWhitespace, patchReinitOrder, snippetsToCommonJs } from './glue-patches.mjs';

/** Writes the bindings of `wasm` for `target` (web, nodejs) into `pkg`/<web|node>/. */
export function bind({ wasm, target, pkg, crate, run }) {
  const dir = join(pkg, target === 'nodejs' ? 'node' : 'web');
  run('wasm-bindgen', [wasm, '--target', target, '--out-dir', dir, '--out-name', crate]);
  patchReinitOrder(join(dir, `${crate}.js`));
  hideStartExport(dir, crate);
  if (target === 'nodejs') snippetsToCommonJs(join(dir, 'snippets'));
  minifyGlueWhitespace(dir, crate);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: target === 'nodejs' ? 'commonjs' : 'module' }, null, 2) + '\n');
}

/**
 * Binds `wasm` for web and nodejs into `dir`/web and `dir`/node. Both targets emit the same
 * .wasm (only the JS glue differs), so it is optimised once (`wasmOpt` -Oz) and copied.
 */
export function bindAndOptimise({ wasm, dir, crate, run, wasmOpt }) {
  for (const target of ['web', 'nodejs']) bind({ wasm, target, pkg: dir, crate, run });
  const webWasmPath = join(dir, 'web', `${crate}_bg.wasm`);
  const nodeWasmPath = join(dir, 'node', `${crate}_bg.wasm`);
  if (!readFileSync(webWasmPath).equals(readFileSync(nodeWasmPath))) {
    throw new Error('wasm-bindgen emitted different .wasm files for web and nodejs; optimise each');
  }
  run(wasmOpt, [webWasmPath, '-Oz', '--strip-debug', '--strip-producers', '-o', webWasmPath]);
  copyFileSync(webWasmPath, nodeWasmPath);
}
