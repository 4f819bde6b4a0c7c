#!/usr/bin/env node
// Builds the npm package into pkg/:
//   cargo rustc (wasm32, release, cdylib only: LTO) -> wasm-bindgen (nodejs + web) -> wasm-opt -Oz (npm binaryen >= 110)
//   -> entry points (src/entries/: node, web, inline, workerd) -> the pure-JS build (pkg/js/)
//   -> size report.
// `--test-hooks`: the test build instead, into target/test-pkg/ (same layout, never shipped):
//   the crate with the `test-hooks` feature (`__spotdraftTestPanic`), compiled once with the
//   pure-JS ABI (no SIMD) and bound for nodejs, web and the pure-JS build, without -Oz,
//   minification, the IIFE or a size report. tests/node/panic.test.mjs and tests/browser/www.test.mjs import it.
// Calls the tools directly (no wasm-pack: it downloads binaries). Idempotent.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PURE_JS_RUSTFLAGS, WASM_RUSTFLAGS, dropTargetFeature } from './lib/wasm-abi.mjs';
import { entrySizes, fileSize } from './lib/sizes.mjs';
import { bind as bindTarget, bindAndOptimise } from './lib/bind.mjs';
import { writeCapabilityEntries, writeEntries } from './lib/entries.mjs';
import { buildPureJs } from './lib/pure-js-build.mjs';
import { writeServerEntry } from './lib/server-entry.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testHooks = process.argv.includes('--test-hooks');
const pkg = testHooks ? join(root, 'target', 'test-pkg') : join(root, 'pkg');
const crate = 'spotdraft_sync';
const MIN_WASM_OPT = 110;
/** The builds by capability: pkg/<name>/, the crate's `features`, and whether it has an inline entry. */
const CAPABILITIES = [
  { name: 'webhooks', features: ['webhooks'], inline: false },
  { name: 'client', features: ['client'], inline: true },
];

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const out = execFileSync(cmd, args, { cwd: root, stdio: opts.capture ? 'pipe' : 'inherit', encoding: 'utf8', env: opts.env });
  if (!opts.capture) console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return out;
}


function lockedVersion(name) {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const m = lock.match(new RegExp(`name = "${name}"\\nversion = "([^"]+)"`));
  if (!m) throw new Error(`${name} not found in Cargo.lock`);
  return m[1];
}

function wasmOptPath() {
  const bin = join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt');
  if (!existsSync(bin)) throw new Error('node_modules/binaryen is missing: run `npm ci` (scripts/setup.sh does)');
  const out = run(bin, ['--version'], { capture: true });
  const version = Number((out.match(/version (\d+)/) || [])[1]);
  if (!(version >= MIN_WASM_OPT)) {
    throw new Error(`wasm-opt ${version} is older than ${MIN_WASM_OPT}: older versions corrupt wasm-bindgen output`);
  }
  return bin;
}

/**
 * Compiles the crate for wasm32 with `rustflags` into `targetDir`, then drops the
 * reference-types claim the precompiled std leaves in the module (see
 * scripts/lib/wasm-abi.mjs; wasm-opt validates the module without it). Refuses a module with
 * stray `env` imports (a sign of non-wasm code paths). Returns the module's path.
 */
function compile({ rustflags, targetDir, features = [], defaultFeatures = true }) {
  // `cargo rustc --crate-type cdylib`, not `cargo build`: with `crate-type = ["cdylib", "rlib"]`
  // cargo does not pass `-C lto` to the cdylib, so `lto = true` in Cargo.toml did nothing
  // (issue #14; BENCHMARKS.md, "Weight"). Building only the cdylib gets the release profile's LTO.
  const args = ['rustc', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'spotdraft-sync', '--lib', '--crate-type', 'cdylib'];
  if (targetDir) args.push('--target-dir', targetDir);
  if (!defaultFeatures) args.push('--no-default-features');
  if (features.length) args.push('--features', features.join(','));
  run('cargo', args, { env: { ...process.env, CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: rustflags } });
  const wasm = join(targetDir ?? join(root, 'target'), 'wasm32-unknown-unknown', 'release', `${crate}.wasm`);
  dropTargetFeature(wasm, 'reference-types');
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasm)));
  const envImports = imports.filter((i) => i.module === 'env');
  if (envImports.length) {
    throw new Error(`the .wasm imports from "env": ${envImports.map((i) => i.name).join(', ')}`);
  }
  return wasm;
}

/** The bindings of `wasm` for `target` (web, nodejs) in pkg/<web|node>/ (scripts/lib/bind.mjs). */
const bind = (wasm, target) => bindTarget({ wasm, target, pkg, crate, run });

// Bindings, at exactly the locked wasm-bindgen version.
const wbVersion = lockedVersion('wasm-bindgen');
const cliVersion = run('wasm-bindgen', ['--version'], { capture: true }).trim().split(/\s+/)[1];
if (cliVersion !== wbVersion) {
  throw new Error(`wasm-bindgen CLI ${cliVersion} != locked ${wbVersion}: run scripts/setup.sh`);
}
const wasmOpt = wasmOptPath();

if (testHooks) {
  // One compile for the three builds: the pure-JS ABI only lacks SIMD, which the panic tests
  // do not depend on. Its own target dir: cargo keeps one cdylib per target dir, and sharing
  // target/js would rebuild the pure-JS build after every test build and back.
  const started = Date.now();
  const wasm = compile({ rustflags: PURE_JS_RUSTFLAGS, targetDir: join(root, 'target', 'test-hooks'), features: ['test-hooks'] });
  rmSync(pkg, { recursive: true, force: true });
  for (const target of ['web', 'nodejs']) bind(wasm, target);
  await writeEntries({ root, pkg, crate });
  await buildPureJs({ root, pkg, crate, run, wasmOpt, wasm, optimize: false });
  console.log(`\nTest build (test-hooks) in ${relative(root, pkg)}/: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
}

// 1. Compile with the shipped ABI (no reference types, SIMD: see scripts/lib/wasm-abi.mjs for
// why).
const wasmIn = compile({ rustflags: WASM_RUSTFLAGS });

// 2. Bindings for both targets, 3. the .wasm optimised once (both targets emit the same one).
rmSync(pkg, { recursive: true, force: true });
bindAndOptimise({ wasm: wasmIn, dir: pkg, crate, run, wasmOpt });

// 4. Entry points (src/entries/, copied; see scripts/lib/entries.mjs): Node CJS + ESM, web,
// inline (compressed bytes), workerd; each turns a WebAssembly failure into WASM_UNAVAILABLE.
await writeEntries({ root, pkg, crate });

// 4'. `spotdraft-sync/server`: the server kit (src/entries/server/), plain JS over the full build.
writeServerEntry({ root, pkg });

// 4a. Builds by capability (BENCHMARKS.md, "Weight"), each compiled with only some of the
// crate's features, bound and optimised like the full build into pkg/<name>/:
// `spotdraft-sync/webhooks` (verify, parse, apply) for receivers, and `spotdraft-sync/client`
// (+ `/client/inline`: client, validation, mapping; no sync engine, no webhooks) for cards.
for (const { name, features, inline } of CAPABILITIES) {
  const wasm = compile({ rustflags: WASM_RUSTFLAGS, defaultFeatures: false, features });
  bindAndOptimise({ wasm, dir: join(pkg, name), crate, run, wasmOpt });
  await writeCapabilityEntries({ root, pkg, crate, name, inline });
}

// 4b. `spotdraft-sync/js`: the same core without WebAssembly (wasm2js), and its IIFE for
// Salesforce static resources (scripts/lib/pure-js-build.mjs), compiled in its own target
// dir with its own ABI.
const pureJsWasm = compile({ rustflags: PURE_JS_RUSTFLAGS, targetDir: join(root, 'target', 'js') });
await buildPureJs({ root, pkg, crate, run, wasmOpt, wasm: pureJsWasm });

// 5. Size report.
const files = [
  ['web', `${crate}_bg.wasm`],
  ['web', `${crate}.js`],
  ['node', `${crate}_bg.wasm`],
  ['node', `${crate}.js`],
  ['webhooks/web', `${crate}_bg.wasm`],
  ['client/web', `${crate}_bg.wasm`],
  ['inline', 'wasm.js'],
  ['inline', 'inflate.js'],
  ['js', `${crate}_bg.wasm.js`],
  ['js', `${crate}.js`],
  ['js', 'spotdraft-sync.iife.js'],
];
const rows = files.map(([dir, name]) => ({ file: `pkg/${dir}/${name}`, ...fileSize(join(pkg, dir, name)) }));
const entries = entrySizes(pkg);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log('\nSize report (wasm-bindgen %s, wasm-opt -Oz):', wbVersion);
console.log('| file | raw | gzip -9 | brotli -11 |\n|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.file} | ${kib(r.raw)} | ${kib(r.gzip)} | ${kib(r.brotli)} |`);
console.log('\nWhat each entry loads (its files, each compressed on its own, summed; scripts/lib/sizes.mjs):');
console.log('| entry | files | raw | gzip -9 | brotli -11 |\n|---|---:|---:|---:|---:|');
for (const e of entries) console.log(`| ${e.entry} | ${e.files} | ${kib(e.raw)} | ${kib(e.gzip)} | ${kib(e.brotli)} |`);
writeFileSync(join(pkg, 'size-report.json'), JSON.stringify({ wasmBindgen: wbVersion, files: rows, entries }, null, 2) + '\n');
