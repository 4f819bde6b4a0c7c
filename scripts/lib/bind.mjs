// wasm-bindgen's bindings of one module for one target, patched as the package ships them:
// the re-creation guard first in every export, the start export hidden, the Node snippets
// as CommonJS, the glue whitespace-minified (scripts/lib/glue-patches.mjs). Used by
// scripts/build.mjs and benches/lib/build-baseline.mjs.
import { writeFileSync } from 'node:fs';
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
