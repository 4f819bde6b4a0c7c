// What each entry of the package costs the user who loads it, measured on pkg/: the files a
// browser, worker or Node process loads for that entry, each compressed on its own as a web
// server sends it (gzip -9, brotli -11), then summed. scripts/build.mjs prints these rows (the
// size report, also pkg/size-report.json); tests/packaging/size-budget.test.mjs holds them to
// their budgets. Sizes are deterministic for a given toolchain, so a budget is a check.
//
// It does NOT follow imports: each entry's files are listed here (a listed file that is
// missing throws, so a renamed file cannot silently shrink a row).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const crate = 'spotdraft_sync';

/** The files (relative to pkg/) a user loads for each entry; `dir/` means every .js under it. */
export const ENTRY_FILES = {
  // `import … from 'spotdraft-sync'` in a browser or bundler: the entry, the glue, its snippets,
  // the shared helpers and the .wasm it fetches.
  'spotdraft-sync (web)': ['web/index.js', `web/${crate}.js`, 'web/snippets/', 'shared/wasm-unavailable.js', 'shared/sync-engine.js', `web/${crate}_bg.wasm`],
  // The same without the .wasm request: the bytes travel inside the JS.
  'spotdraft-sync/inline': ['inline/index.js', 'inline/wasm.js', 'inline/inflate.js', 'shared/base64.js', 'web/index.js', `web/${crate}.js`, 'web/snippets/', 'shared/wasm-unavailable.js', 'shared/sync-engine.js'],
  // No WebAssembly: the core compiled to JS.
  'spotdraft-sync/js': ['js/index.js', `js/${crate}.js`, 'js/snippets/', 'js/webassembly-shim.js', 'shared/sync-engine.js', `js/${crate}_bg.wasm.js`],
  // One classic script for Salesforce static resources.
  'spotdraft-sync/js IIFE': ['js/spotdraft-sync.iife.js'],
  // A webhook receiver (verify, parse, apply) in a Worker or another fetch runtime, and in Node.
  'spotdraft-sync/webhooks (web)': ['webhooks/web/index.js', `webhooks/web/${crate}.js`, 'webhooks/web/snippets/', 'webhooks/shared/wasm-unavailable.js', `webhooks/web/${crate}_bg.wasm`],
  'spotdraft-sync/webhooks (node)': ['webhooks/node/index.cjs', `webhooks/node/${crate}.js`, 'webhooks/node/snippets/', 'webhooks/node/wasm-unavailable.cjs', `webhooks/node/${crate}_bg.wasm`],
  // A card or a portal: client, validation and mapping, without the sync engine and webhooks.
  'spotdraft-sync/client (web)': ['client/web/index.js', `client/web/${crate}.js`, 'client/web/snippets/', 'client/shared/wasm-unavailable.js', `client/web/${crate}_bg.wasm`],
  'spotdraft-sync/client/inline': ['client/inline/index.js', 'client/inline/wasm.js', 'client/inline/inflate.js', 'client/shared/base64.js', 'client/web/index.js', `client/web/${crate}.js`, 'client/web/snippets/', 'client/shared/wasm-unavailable.js'],
  // Node (read from disk; compression is for comparison only).
  'spotdraft-sync (node)': ['node/index.cjs', `node/${crate}.js`, 'node/snippets/', 'node/wasm-unavailable.cjs', 'node/sync-engine.cjs', `node/${crate}_bg.wasm`],
};

/** The files of `pkg` that `spec` (a file or a `dir/`) names. Throws when one is missing. */
function filesOf(pkg, spec) {
  const path = join(pkg, spec);
  if (!existsSync(path)) throw new Error(`pkg/${spec} is missing (scripts/lib/sizes.mjs lists it)`);
  if (!spec.endsWith('/')) return [path];
  return readdirSync(path, { recursive: true }).map((entry) => join(path, String(entry))).filter((file) => file.endsWith('.js'));
}

/** Raw, gzip -9 and brotli -11 bytes of one file. */
export function fileSize(file) {
  const bytes = readFileSync(file);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** `{ entry, files, raw, gzip, brotli }` for every entry of ENTRY_FILES, measured in `pkg`. */
export function entrySizes(pkg) {
  return Object.entries(ENTRY_FILES).map(([entry, specs]) => {
    const files = specs.flatMap((spec) => filesOf(pkg, spec));
    const total = { raw: 0, gzip: 0, brotli: 0 };
    for (const file of files) {
      const size = fileSize(file);
      for (const key of Object.keys(total)) total[key] += size[key];
    }
    return { entry, files: files.length, ...total };
  });
}
