// spotdraft-sync/server (pkg/server/): the server kit's JS (src/entries/server/), copied as it
// is — plain ES modules that import the Rust core by package name. Run directly
// (`node scripts/lib/server-entry.mjs`) to refresh pkg/server/ without rebuilding the wasm.
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function writeServerEntry({ root, pkg }) {
  const dir = join(pkg, 'server');
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(root, 'src', 'entries', 'server'), dir, { recursive: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  writeServerEntry({ root, pkg: join(root, 'pkg') });
}
