// pkg/<capability>/node/index.cjs: the Node entry of a build by capability (CommonJS;
// index.mjs is its ESM face). Loading the glue reads and compiles the .wasm; when that fails
// the require throws a SpotDraftError `WASM_UNAVAILABLE` instead. Hand-written
// (src/entries/variant/node.cjs), copied by scripts/build.mjs.
'use strict';
const { wasmUnavailable, requireWebAssembly } = require('./wasm-unavailable.cjs');

requireWebAssembly();
try {
  module.exports = require('./spotdraft_sync.js');
} catch (error) {
  throw wasmUnavailable(error);
}
