// The scratch project of the matrix: the `npm pack` tarball installed with a real
// `npm install ./x.tgz` (an extracted copy, as a user gets from the registry), and the sizes
// of what each row built.
import { execFile } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

/** Runs a command without blocking this process (the sandbox and servers live in it). */
export async function sh(cmd, args, { cwd, env = {}, timeout = 120_000 } = {}) {
  const { stdout } = await promisify(execFile)(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 16 << 20, env: { ...process.env, ...env } });
  return stdout;
}

/** Packs `root` and installs the tarball into a new scratch project; returns its directory. */
export async function installTarball(root) {
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-sync-matrix-'));
  await sh('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'matrix-consumer', private: true, version: '0.0.0', type: 'module' }));
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`], { cwd: dir });
  const installed = join(dir, 'node_modules', 'spotdraft-sync');
  if (lstatSync(installed).isSymbolicLink()) throw new Error('spotdraft-sync was linked, not installed');
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  return { dir, tarball, installed, manifest };
}

/** Every file under `dir` (relative paths), skipping `skip` (harness files the test added). */
export function listFiles(dir, skip = () => false) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => !skip(f) && statSync(join(dir, f)).isFile())
    .sort();
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** `[{ file, raw, gzip }]` for the files of a row's output. */
export function sizesOf(dir, files) {
  return files.map((file) => {
    const bytes = readFileSync(join(dir, file));
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

export function formatSizes(sizes) {
  const total = sizes.reduce((sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip }), { raw: 0, gzip: 0 });
  const parts = sizes.map((s) => `${s.file} ${kib(s.raw)} (gzip ${kib(s.gzip)})`);
  return `${parts.join(', ')}; total ${kib(total.raw)} (gzip ${kib(total.gzip)})`;
}
