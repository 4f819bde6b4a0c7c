#!/usr/bin/env node
// `node benches/lib/build-baseline.mjs`: the package as it was built before issue #14's first
// change, for benches/weight.bench.mjs to time side by side with pkg/. It compiles today's code
// with plain `cargo build --release` (with `crate-type = ["cdylib", "rlib"]` cargo does not apply
// `lto = true` to the cdylib: the old build), then binds, patches and optimises it as scripts/build.mjs
// does (scripts/lib/bind.mjs, wasm-opt -Oz), into target/baseline-pkg/ (its own target dir: target/baseline).
//
// It does NOT build the pure-JS or test builds, and nothing of it ships.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_RUSTFLAGS, dropTargetFeature } from '../../scripts/lib/wasm-abi.mjs';
import { bindAndOptimise } from '../../scripts/lib/bind.mjs';
import { writeEntries } from '../../scripts/lib/entries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const crate = 'spotdraft_sync';
const targetDir = join(root, 'target', 'baseline');
const pkg = join(root, 'target', 'baseline-pkg');
const run = (cmd, args, env) => {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env: env ?? process.env });
};

run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'spotdraft-sync', '--lib', '--target-dir', targetDir], {
  ...process.env,
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: WASM_RUSTFLAGS,
});
const wasm = join(targetDir, 'wasm32-unknown-unknown', 'release', `${crate}.wasm`);
dropTargetFeature(wasm, 'reference-types');
rmSync(pkg, { recursive: true, force: true });
bindAndOptimise({ wasm, dir: pkg, crate, run: (cmd, args) => run(cmd, args), wasmOpt: join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt') });
await writeEntries({ root, pkg, crate });
console.log(`\nBaseline (no LTO) in target/baseline-pkg/`);
