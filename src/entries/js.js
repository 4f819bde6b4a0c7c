// pkg/js/index.js: `spotdraft-sync/js`, the same Rust core and API compiled to plain
// JavaScript (binaryen's wasm2js), for runtimes where WebAssembly cannot run: Salesforce
// Lightning Web Security, Safari Lockdown Mode, strict CSPs without 'wasm-unsafe-eval'.
// Ready on import. The glue (./spotdraft_sync.js) is wasm-bindgen's web glue of the same
// module; scripts/build.mjs points its `WebAssembly` at ./webassembly-shim.js, so nothing here
// touches the real WebAssembly API. `SyncEngine` is ../shared/sync-engine.js's, as in the web
// entry. Hand-written (src/entries/js.js), copied by the build.
import { initSync, SyncEngine as GeneratedSyncEngine, SpotDraftClient } from './spotdraft_sync.js';
import { defineSyncEngine } from '../shared/sync-engine.js';

initSync({ module: null });

export * from './spotdraft_sync.js';
export const SyncEngine = defineSyncEngine(GeneratedSyncEngine, SpotDraftClient);
