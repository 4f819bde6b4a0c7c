#!/usr/bin/env node
// Where the full build's bytes go, by crate and module: compiles the cdylib as the package does
// (LTO, the shipped ABI) into target/anatomy/ with its names kept, runs twiggy over it and sums
// each function's own size by who it belongs to. Sizes are of the linker's output, before
// wasm-bindgen and wasm-opt (which remove the describe functions and shrink the rest by about
// a fifth), so they are shares, not the shipped figure. Needs `cargo install twiggy`.
// `node benches/lib/size-anatomy.mjs [--features webhooks|client]` (BENCHMARKS.md, "Weight: anatomy").
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_RUSTFLAGS } from '../../scripts/lib/wasm-abi.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// `--features webhooks` (or `client`): a build by capability, compiled as scripts/build.mjs
// compiles it (no default features), in its own target dir.
const featuresAt = process.argv.indexOf('--features');
const features = featuresAt > 0 ? process.argv[featuresAt + 1] : null;
const targetDir = join(root, 'target', features ? `anatomy-${features.replaceAll(',', '-')}` : 'anatomy');
const featureArgs = features ? ['--no-default-features', '--features', features] : [];
execFileSync('cargo', ['rustc', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'spotdraft-sync', '--lib', '--crate-type', 'cdylib', '--target-dir', targetDir, ...featureArgs], {
  cwd: root, stdio: 'inherit', env: { ...process.env, CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: WASM_RUSTFLAGS },
});
const wasm = join(targetDir, 'wasm32-unknown-unknown', 'release', 'spotdraft_sync.wasm');
const csv = execFileSync('twiggy', ['top', '-n', '1000000', '--format', 'csv', wasm], { encoding: 'utf8', maxBuffer: 1 << 28 });

// First match wins: specific crates before the modules of ours they would also match.
const GROUPS = [
  ['serde_path_to_error', 'serde_path_to_error (error paths)'],
  ['serde_wasm_bindgen', 'serde-wasm-bindgen'],
  ['serde_json', 'serde_json'],
  ['core::slice::sort', 'slice sorts (std, per element type and comparator)'],
  ['spotdraft_validate', 'spotdraft-validate (validator, templates)'],
  ['spotdraft_sync::facade', 'our facade (JS conversions, async method bodies)'],
  ['spotdraft_sync::client', 'our client'],
  ['spotdraft_sync::sync', 'our sync engine'],
  ['spotdraft_sync::api', 'our API descriptions'],
  ['spotdraft_sync::core', 'our core rules (mapping, webhooks, records, config)'],
  ['spotdraft_sync::transport', 'our transports'],
  ['wasm_bindgen', 'wasm-bindgen, js-sys, web-sys'], ['js_sys', 'wasm-bindgen, js-sys, web-sys'], ['web_sys', 'wasm-bindgen, js-sys, web-sys'],
  ['serde_core', 'serde derive impls and serde_core'], ['serde::', 'serde derive impls and serde_core'],
  ['dec2flt', 'float parse and print'], ['flt2dec', 'float parse and print'], ['zmij', 'float parse and print'], ['<f64 as core', 'float parse and print'],
  ['unicode', 'Unicode tables and case mapping'], ['::to_uppercase', 'Unicode tables and case mapping'], ['::to_lowercase', 'Unicode tables and case mapping'],
  ['sha2::', 'hashes, base64, URL parsing (http)'], ['hmac::', 'hashes, base64, URL parsing (http)'], ['base64::', 'hashes, base64, URL parsing (http)'], ['http::', 'hashes, base64, URL parsing (http)'],
  ['core::fmt', 'core::fmt'],
  ['dlmalloc', 'alloc'], ['alloc', 'alloc'],
  ['hashbrown', 'hashbrown'],
  ['core', 'core (other)'],
];
const totals = new Map();
const items = [];
let all = 0;
for (const line of csv.split('\n').slice(1)) {
  const match = /^(.*),(\d+),[\d.]+,[\d.]*,[\d.]*$/.exec(line);
  if (!match) continue;
  const [, quoted, size] = match;
  // CSV: a name with a comma or a quote is quoted, its quotes doubled.
  const name = quoted.startsWith('"') ? quoted.slice(1, -1).replaceAll('""', '"') : quoted;
  // Not shipped: names, debug info, and wasm-bindgen's describe functions with their exports
  // (the CLI reads and removes them).
  if (name.startsWith('custom section') || name.startsWith('"function names"') || name.startsWith('__wbindgen_describe') || name.startsWith('export "__wbindgen_describe')) continue;
  const group = name.startsWith('data segment') ? 'data (.rodata: messages, tables, JSON schema text)' : GROUPS.find(([needle]) => name.includes(needle))?.[1] ?? 'other (export shims, tables, types, imports)';
  totals.set(group, (totals.get(group) ?? 0) + Number(size));
  items.push({ name, size: Number(size), group });
  all += Number(size);
}
console.log(`| part | KiB (linker output) | share |\n|---|---:|---:|`);
const topAt = process.argv.indexOf('--top');
if (topAt > 0) {
  // `--top N`: the N largest items themselves, with their group (to see what a group is made of).
  const count = Number(process.argv[topAt + 1]) || 40;
  for (const { name, size, group } of items.sort((a, b) => b.size - a.size).slice(0, count)) console.error(`${String(size).padStart(8)}  ${group.split(' (')[0].padEnd(28)} ${name.slice(0, 160)}`);
}
for (const [group, size] of [...totals].sort((a, b) => b[1] - a[1])) console.log(`| ${group} | ${(size / 1024).toFixed(1)} | ${((100 * size) / all).toFixed(1)} % |`);
console.log(`| **all code and data** | **${(all / 1024).toFixed(1)}** | |`);
