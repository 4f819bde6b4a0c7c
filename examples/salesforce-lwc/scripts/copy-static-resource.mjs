// Copies spotdraft-sync's classic-script build (spotdraft-sync/js/iife) into the static
// resource `spotdraftsync` and checks what Salesforce would refuse: more than 5 MB in one
// static resource, and any `WebAssembly` in the source (Lightning Web Security prohibits it).
//
//   node scripts/copy-static-resource.mjs [--from FILE] [--to FILE]
//
// Default --from: the file `spotdraft-sync/js/iife` resolves to from this folder (after
// `npm install`); default --to: force-app/main/default/staticresources/spotdraftsync.js.
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIMIT = 5_000_000; // 5 MB per static resource; the stricter reading of "MB"

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
const from = values.from ?? createRequire(join(here, 'package.json')).resolve('spotdraft-sync/js/iife');
const to = values.to ?? join(here, 'force-app/main/default/staticresources/spotdraftsync.js');

const { size } = statSync(from);
if (size >= LIMIT) throw new Error(`${from} is ${size} bytes; a static resource holds less than ${LIMIT}.`);
if (readFileSync(from, 'utf8').includes('WebAssembly')) {
  throw new Error(`${from} mentions WebAssembly: that is not the spotdraft-sync/js build (Lightning Web Security prohibits WebAssembly).`);
}
copyFileSync(from, to);
console.log(`static resource spotdraftsync: ${relative(process.cwd(), to)} (${(size / 1e6).toFixed(2)} MB, limit 5 MB)`);
