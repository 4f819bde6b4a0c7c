#!/usr/bin/env node
// Cargo's runner for wasm32 tests (scripts/test.sh): gives the test module the shipped ABI's
// `target_features` (see scripts/lib/wasm-abi.mjs), then hands it to wasm-bindgen-test-runner
// with the same arguments.
import { spawnSync } from 'node:child_process';
import { dropTargetFeature } from './lib/wasm-abi.mjs';

const [wasm, ...rest] = process.argv.slice(2);
if (!wasm) {
  console.error('usage: wasm-test-runner.mjs <test.wasm> [args…]');
  process.exit(2);
}
dropTargetFeature(wasm, 'reference-types');
const run = spawnSync('wasm-bindgen-test-runner', [wasm, ...rest], { stdio: 'inherit' });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
