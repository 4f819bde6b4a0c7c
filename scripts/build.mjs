#!/usr/bin/env node
// Builds the npm package into pkg/:
//   cargo (wasm32, release) -> wasm-bindgen (nodejs + web) -> wasm-opt -Oz (npm binaryen >= 110)
//   -> entry points (node ESM wrapper, inline-bytes entry, workerd entry) -> size report.
// Calls the tools directly (no wasm-pack: it downloads binaries). Idempotent.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { WASM_RUSTFLAGS, dropTargetFeature } from './lib/wasm-abi.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const crate = 'spotdraft_sync';
const wasmIn = join(root, 'target', 'wasm32-unknown-unknown', 'release', `${crate}.wasm`);
const MIN_WASM_OPT = 110;

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  return execFileSync(cmd, args, { cwd: root, stdio: opts.capture ? 'pipe' : 'inherit', encoding: 'utf8', env: opts.env });
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

// After a panic the instance is re-created on the next call (see src/facade/panic_guard.rs).
// wasm-bindgen 0.2.130 runs that re-creation (`__wbg_call_guard()`) only after it has
// marshalled the arguments into the *old* instance's memory and after it has checked the
// object's instance, so the first call after a panic would read garbage. This moves the guard
// to the top of every function that has one, and makes the stale-object refusal a
// SpotDraftError. tests/node/panic.test.mjs and tests/browser/www.test.mjs prove the result.
function patchReinitOrder(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = /^\s*(export\s+)?(async\s+)?(function\s+)?(static\s+)?(get\s+|set\s+)?([\w$]+)\s*\([^)]*\)\s*\{\s*$/;
  const keywords = new Set(['if', 'for', 'while', 'switch', 'catch', 'function']);
  const insertAfter = new Set();
  lines.forEach((line, i) => {
    if (line.trim() !== '__wbg_call_guard();') return;
    for (let j = i - 1; j >= 0; j--) {
      const m = lines[j].match(header);
      if (m && !keywords.has(m[6])) {
        insertAfter.add(j);
        return;
      }
    }
    throw new Error(`no function header above line ${i + 1} of ${file}`);
  });
  const out = [];
  lines.forEach((line, i) => {
    out.push(line);
    if (insertAfter.has(i) && lines[i + 1]?.trim() !== '__wbg_call_guard();') {
      out.push(`${line.match(/^\s*/)[0]}    __wbg_call_guard();`);
    }
  });
  let js = out.join('\n');
  const stale = "throw new Error('Invalid stale object from previous Wasm instance');";
  if (!insertAfter.size || !js.includes(stale)) {
    throw new Error(`reinit guard or stale-object check not found in ${file}: has wasm-bindgen's output changed?`);
  }
  js = js.replaceAll(
    stale,
    "throw Object.assign(new Error('This object was created before an internal error reset spotdraft-sync; create a new one (the library itself keeps working).'), { name: 'SpotDraftError', code: 'INTERNAL' });",
  );
  writeFileSync(file, js);
}

// 1. Compile with the shipped ABI (no reference types, SIMD: see scripts/lib/wasm-abi.mjs for
// why), then drop the reference-types claim the precompiled std leaves in the module (wasm-opt
// below validates the module without it).
run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'spotdraft-sync', '--lib'], {
  env: { ...process.env, CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: WASM_RUSTFLAGS },
});
dropTargetFeature(wasmIn, 'reference-types');

// 2. Refuse a module with stray `env` imports (a sign of non-wasm code paths).
const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmIn)));
const envImports = imports.filter((i) => i.module === 'env');
if (envImports.length) {
  throw new Error(`the .wasm imports from "env": ${envImports.map((i) => i.name).join(', ')}`);
}

// The Node glue is CommonJS and `require`s the JS snippets (src/facade/js/*.js), which are
// ES modules; Node 20 before 20.19 cannot require those. Our snippets only use
// `export function NAME(`, so the CommonJS copy is that keyword dropped plus a
// `module.exports` of the names. Anything else `export`ed is refused here.
function snippetsToCommonJs(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(entry));
    if (!file.endsWith('.js')) continue;
    const source = readFileSync(file, 'utf8');
    const names = [];
    const body = source.replace(/^export (async function|function) ([A-Za-z_$][\w$]*)\(/gm, (_, kind, name) => {
      names.push(name);
      return `${kind} ${name}(`;
    });
    if (/^\s*(export|import)\b/m.test(body)) {
      throw new Error(`${relative(root, file)}: only \`export function\` is supported in JS snippets`);
    }
    writeFileSync(file, `'use strict';\n${body}\nmodule.exports = { ${names.join(', ')} };\n`);
  }
}

// 3. Bindings, at exactly the locked wasm-bindgen version.
const wbVersion = lockedVersion('wasm-bindgen');
const cliVersion = run('wasm-bindgen', ['--version'], { capture: true }).trim().split(/\s+/)[1];
if (cliVersion !== wbVersion) {
  throw new Error(`wasm-bindgen CLI ${cliVersion} != locked ${wbVersion}: run scripts/setup.sh`);
}
rmSync(pkg, { recursive: true, force: true });
const wasmOpt = wasmOptPath();
for (const target of ['web', 'nodejs']) {
  const dir = join(pkg, target === 'nodejs' ? 'node' : 'web');
  run('wasm-bindgen', [wasmIn, '--target', target, '--out-dir', dir, '--out-name', crate]);
  patchReinitOrder(join(dir, `${crate}.js`));
  if (target === 'nodejs') snippetsToCommonJs(join(dir, 'snippets'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: target === 'nodejs' ? 'commonjs' : 'module' }, null, 2) + '\n');
}
// Both targets emit the same .wasm (only the JS glue differs), so optimise once and copy.
const webWasmPath = join(pkg, 'web', `${crate}_bg.wasm`);
const nodeWasmPath = join(pkg, 'node', `${crate}_bg.wasm`);
if (!readFileSync(webWasmPath).equals(readFileSync(nodeWasmPath))) {
  throw new Error('wasm-bindgen emitted different .wasm files for web and nodejs; optimise each');
}
run(wasmOpt, [webWasmPath, '-Oz', '--strip-debug', '--strip-producers', '-o', webWasmPath]);
copyFileSync(webWasmPath, nodeWasmPath);

// 4a. Node ESM entry: named re-exports of the CommonJS build.
const require = createRequire(import.meta.url);
const nodeExports = Object.keys(require(join(pkg, 'node', `${crate}.js`))).filter((k) => k !== 'default' && k !== '__esModule');
writeFileSync(
  join(pkg, 'node', 'index.mjs'),
  `// Generated by scripts/build.mjs: ESM face of the Node build.\nimport cjs from './${crate}.js';\n` +
    `export const { ${nodeExports.join(', ')} } = cjs;\nexport default cjs;\n`,
);
writeFileSync(join(pkg, 'node', 'index.d.mts'), `export * from './${crate}.js';\n`);

// 4b. Inline entry: the .wasm bytes inside the JS, initialised synchronously on import, for
// hosts that cannot fetch a separate file (HubSpot's worker, some CSPs).
const webWasm = readFileSync(join(pkg, 'web', `${crate}_bg.wasm`));
mkdirSync(join(pkg, 'inline'), { recursive: true });
writeFileSync(
  join(pkg, 'inline', 'index.js'),
  `// Generated by scripts/build.mjs: web build with the .wasm inlined (base64), ready on import.\n` +
    `import { initSync } from '../web/${crate}.js';\n` +
    `const base64 = ${JSON.stringify(webWasm.toString('base64'))};\n` +
    `const binary = atob(base64);\nconst bytes = new Uint8Array(binary.length);\n` +
    `for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);\n` +
    `initSync({ module: bytes });\n` +
    `export * from '../web/${crate}.js';\n`,
);
writeFileSync(join(pkg, 'inline', 'index.d.ts'), `export * from '../web/${crate}.js';\n`);
writeFileSync(join(pkg, 'inline', 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');

// 4c. Cloudflare Workers entry: workerd refuses to compile wasm from bytes at run time, so the
// .wasm is imported as a module (wrangler and miniflare turn it into a WebAssembly.Module).
mkdirSync(join(pkg, 'workerd'), { recursive: true });
writeFileSync(
  join(pkg, 'workerd', 'index.js'),
  `// Generated by scripts/build.mjs: web build for Cloudflare Workers (workerd).\n` +
    `import { initSync } from '../web/${crate}.js';\nimport module from '../web/${crate}_bg.wasm';\n` +
    `initSync({ module });\nexport * from '../web/${crate}.js';\n`,
);
writeFileSync(join(pkg, 'workerd', 'index.d.ts'), `export * from '../web/${crate}.js';\n`);
writeFileSync(join(pkg, 'workerd', 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');

// 5. Size report.
const files = [
  ['web', `${crate}_bg.wasm`],
  ['web', `${crate}.js`],
  ['node', `${crate}_bg.wasm`],
  ['node', `${crate}.js`],
  ['inline', 'index.js'],
];
const rows = files.map(([dir, name]) => {
  const bytes = readFileSync(join(pkg, dir, name));
  return {
    file: `pkg/${dir}/${name}`,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
});
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log('\nSize report (wasm-bindgen %s, wasm-opt -Oz):', wbVersion);
console.log('| file | raw | gzip -9 | brotli -11 |\n|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.file} | ${kib(r.raw)} | ${kib(r.gzip)} | ${kib(r.brotli)} |`);
writeFileSync(join(pkg, 'size-report.json'), JSON.stringify({ wasmBindgen: wbVersion, files: rows }, null, 2) + '\n');
