#!/usr/bin/env node
// `npm run bench`: runs every benches/*.bench.mjs against the built Node package and prints
// its markdown. Each bench default-exports `async ({ pkg, root }) => markdown`.
// Figures go into BENCHMARKS.md by hand, with this command.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const pkg = await import('spotdraft-sync');
console.log(`# spotdraft-sync benchmarks\n\nNode ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}\n`);
for (const file of readdirSync(join(root, 'benches')).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  const bench = await import(pathToFileURL(join(root, 'benches', file)).href);
  console.log(`## ${file}\n`);
  console.log(await bench.default({ pkg, root }));
  console.log();
}
