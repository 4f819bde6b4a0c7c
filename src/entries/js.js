// pkg/js/index.js: `spotdraft-sync/js`, the same Rust core and API compiled to plain
// JavaScript (binaryen's wasm2js), for runtimes where WebAssembly cannot run: Salesforce
// Lightning Web Security, Safari Lockdown Mode, strict CSPs without 'wasm-unsafe-eval'.
// Ready on import. The glue (./spotdraft_sync.js) is wasm-bindgen's web glue of the same
// module; scripts/build.mjs points its `WebAssembly` at ./webassembly-shim.js, so nothing here
// touches the real WebAssembly API. Hand-written (src/entries/js.js), copied by the build.
import { initSync } from './spotdraft_sync.js';

initSync({ module: null });

export * from './spotdraft_sync.js';
