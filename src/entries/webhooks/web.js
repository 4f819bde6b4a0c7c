// pkg/webhooks/web/index.js: `spotdraft-sync/webhooks` outside Node and Workers — the webhook
// receiver's part alone (verify, parse, apply; no client, validation, mapping or sync engine),
// a module about a quarter of the full package's. Its glue (./spotdraft_sync.js) with the two
// initialisers guarded as in the full web entry (WASM_UNAVAILABLE). Hand-written
// (src/entries/webhooks/web.js), copied by scripts/build.mjs.
import initGlue, { initSync as initSyncGlue } from './spotdraft_sync.js';
import { guardedInit, guardedInitSync } from '../../shared/wasm-unavailable.js';

export * from './spotdraft_sync.js';

/** Loads and instantiates the .wasm; rejects with `WASM_UNAVAILABLE` when WebAssembly cannot run here. */
export default /* @__PURE__ */ guardedInit(initGlue);

/** Instantiates synchronously from a `WebAssembly.Module` or the .wasm bytes; throws `WASM_UNAVAILABLE` when WebAssembly cannot run here. */
export const initSync = /* @__PURE__ */ guardedInitSync(initSyncGlue);
