// pkg/workerd/index.js: the web build for Cloudflare Workers. workerd refuses to compile wasm
// from bytes at run time, so the .wasm is imported as a module (wrangler's CompiledWasm rule,
// miniflare's `CompiledWasm` module type) and instantiated on import.
// Hand-written (src/entries/workerd.js), copied by scripts/build.mjs.
import { initSync } from '../web/index.js';
import module from '../web/spotdraft_sync_bg.wasm';

initSync({ module });

export * from '../web/index.js';
