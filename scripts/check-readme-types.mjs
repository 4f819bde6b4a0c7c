// Type-checks the README's code against the built package's types, so the README cannot drift
// from the API: every ```js, ```jsx and ```ts block of README.md becomes a .ts module that
// imports from 'spotdraft-sync' as a user's would (resolved through the package name and its
// `exports`, to a package directory whose pkg/ is the built one), and the repo's TypeScript
// checks them with --strict --noEmit. Free identifiers a snippet uses (`clientId`, `mapping`,
// …) are declared once in the prelude below; anything else undeclared is an error.
//
// Usage: node scripts/check-readme-types.mjs [README.md] [extra.ts …]
// Exits 1 and prints tsc's errors (with the README line of each block) when one fails.
// Needs pkg/ built (node scripts/build.mjs). Does not run the snippets.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The identifiers README snippets use without defining them, as a user's code would have them. */
const PRELUDE = `
declare const clientId: string;
declare const clientSecret: string;
declare const signal: AbortSignal;
declare function getSessionToken(): Promise<string>;
declare const hubspotDeal: Record<string, unknown>;
declare const mapping: import('spotdraft-sync').Mapping;
declare const rawBody: Uint8Array;
declare const headers: Record<string, string | string[] | undefined>;
declare const hmacKey: string;
declare const storedRecord: import('spotdraft-sync').SyncRecord | null;
declare function saveRecord(record: import('spotdraft-sync').SyncRecord): Promise<void>;
`;

/** Modules a snippet imports besides this package, declared as far as the snippets use them. */
const AMBIENT_MODULES = `
declare module '@hubspot/ui-extensions' {
  export const hubspot: { fetch: import('spotdraft-sync').HubSpotFetch };
}
`;

/** Every ```js / ```jsx / ```ts block of `markdown`, with the line its code starts on. */
export function codeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  let open = null;
  lines.forEach((line, index) => {
    if (open === null) {
      const fence = /^```(js|jsx|ts|typescript|javascript)\s*$/.exec(line);
      if (fence) open = { line: index + 2, code: [] };
    } else if (/^```\s*$/.test(line)) {
      blocks.push({ line: open.line, code: open.code.join('\n') });
      open = null;
    } else {
      open.code.push(line);
    }
  });
  return blocks;
}

/**
 * Type-checks the blocks of `readmePath` and the `extra` .ts files. Returns `{ ok, output,
 * blocks }`; `output` is tsc's, with each generated file named after its README line.
 */
export function checkReadmeTypes(readmePath = join(root, 'README.md'), extra = []) {
  const blocks = codeBlocks(readFileSync(readmePath, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-readme-types-'));
  try {
    const pkgDir = join(dir, 'node_modules', 'spotdraft-sync');
    mkdirSync(pkgDir, { recursive: true });
    cpSync(join(root, 'package.json'), join(pkgDir, 'package.json'));
    symlinkSync(join(root, 'pkg'), join(pkgDir, 'pkg'), 'dir');
    writeFileSync(join(dir, 'prelude.d.ts'), PRELUDE + AMBIENT_MODULES);
    const files = ['prelude.d.ts'];
    for (const block of blocks) {
      const name = `readme-line-${block.line}.ts`;
      // `export {}` makes a block without imports a module too, so blocks do not share names.
      writeFileSync(join(dir, name), `${block.code}\nexport {};\n`);
      files.push(name);
    }
    for (const file of extra) {
      const name = `extra-${basename(file)}`;
      cpSync(resolve(file), join(dir, name));
      files.push(name);
    }
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      tsc, '--strict', '--noEmit', '--pretty', 'false',
      '--target', 'esnext', '--module', 'esnext', '--moduleResolution', 'bundler',
      '--lib', 'esnext,dom', '--types', '', '--skipLibCheck', 'false',
      ...files,
    ];
    try {
      const output = execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
      return { ok: true, output, blocks: blocks.length };
    } catch (error) {
      return { ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}`, blocks: blocks.length };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [readme, ...extra] = process.argv.slice(2);
  const result = checkReadmeTypes(readme ? resolve(readme) : undefined, extra);
  if (!result.ok) {
    console.error(`README type check failed (${result.blocks} blocks):\n${result.output}`);
    process.exit(1);
  }
  console.log(`README type check: ${result.blocks} blocks compile with tsc --strict`);
}
