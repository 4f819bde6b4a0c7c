// pkg/node/index.cjs: the Node build (CommonJS; index.mjs is its ESM face). Loading the glue
// reads and compiles the .wasm; when that fails (no WebAssembly under `--jitless`, a missing
// file) the require throws a SpotDraftError `WASM_UNAVAILABLE` instead. Everything is the
// glue's except `SyncEngine` (./sync-engine.cjs: its one-argument constructor).
// Hand-written (src/entries/node.cjs), copied by scripts/build.mjs.
'use strict';
const { wasmUnavailable, requireWebAssembly } = require('./wasm-unavailable.cjs');
const { defineSyncEngine } = require('./sync-engine.cjs');

requireWebAssembly();
let glue;
try {
  glue = require('./spotdraft_sync.js');
} catch (error) {
  throw wasmUnavailable(error);
}
module.exports = { ...glue, SyncEngine: defineSyncEngine(glue.SyncEngine, glue.SpotDraftClient) };
