// pkg/<capability>/web/index.js: the web entry of a build by capability
// (`spotdraft-sync/webhooks`: verify, parse, apply; `spotdraft-sync/client`: client, validation,
// mapping): its glue (./spotdraft_sync.js) with the two initialisers guarded as in the full web
// entry (WASM_UNAVAILABLE). Hand-written (src/entries/variant/web.js), copied by
// scripts/build.mjs.
import initGlue, { initSync as initSyncGlue } from './spotdraft_sync.js';
import { guardedInit, guardedInitSync } from '../shared/wasm-unavailable.js';

export * from './spotdraft_sync.js';

/** Loads and instantiates the .wasm; rejects with `WASM_UNAVAILABLE` when WebAssembly cannot run here. */
export default /* @__PURE__ */ guardedInit(initGlue);

/** Instantiates synchronously from a `WebAssembly.Module` or the .wasm bytes; throws `WASM_UNAVAILABLE` when WebAssembly cannot run here. */
export const initSync = /* @__PURE__ */ guardedInitSync(initSyncGlue);
