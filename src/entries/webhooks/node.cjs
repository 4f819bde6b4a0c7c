// pkg/webhooks/node/index.cjs: `spotdraft-sync/webhooks` in Node (CommonJS; index.mjs is its
// ESM face) — the webhook receiver's part alone (verify, parse, apply). Loading the glue reads
// and compiles the .wasm; when that fails the require throws a SpotDraftError
// `WASM_UNAVAILABLE` instead. Hand-written (src/entries/webhooks/node.cjs), copied by
// scripts/build.mjs.
'use strict';
const { wasmUnavailable, requireWebAssembly } = require('./wasm-unavailable.cjs');

requireWebAssembly();
try {
  module.exports = require('./spotdraft_sync.js');
} catch (error) {
  throw wasmUnavailable(error);
}
