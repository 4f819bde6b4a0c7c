// pkg/web/index.js: the web build's entry (browsers, web workers, bundlers). The generated
// glue (./spotdraft_sync.js) with its two initialisers guarded, so that a runtime without
// WebAssembly, a CSP that refuses it or a .wasm the bundler dropped gives a SpotDraftError
// `WASM_UNAVAILABLE` instead of a ReferenceError or an opaque CompileError. Everything else
// is the glue's, unchanged, except `SyncEngine` (../shared/sync-engine.js: its one-argument
// constructor). Hand-written (src/entries/web.js), copied by scripts/build.mjs.
import initGlue, { initSync as initSyncGlue, SyncEngine as GeneratedSyncEngine, SpotDraftClient } from './spotdraft_sync.js';
import { guardedInit, guardedInitSync } from '../shared/wasm-unavailable.js';
import { defineSyncEngine } from '../shared/sync-engine.js';

export * from './spotdraft_sync.js';
export const SyncEngine = /* @__PURE__ */ defineSyncEngine(GeneratedSyncEngine, SpotDraftClient);

/**
 * Loads and instantiates the .wasm (streaming where the host allows it); resolves once the
 * package is ready. Call (and await) it once before anything else. Rejects with
 * `WASM_UNAVAILABLE` when WebAssembly cannot run here.
 */
export default /* @__PURE__ */ guardedInit(initGlue);

/** Instantiates synchronously from a `WebAssembly.Module` or the .wasm bytes; throws `WASM_UNAVAILABLE` when WebAssembly cannot run here. */
export const initSync = /* @__PURE__ */ guardedInitSync(initSyncGlue);
