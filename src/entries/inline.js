// pkg/inline/index.js: the web build with the .wasm carried inside the JS and instantiated on
// import, for hosts that cannot fetch a second file (HubSpot's single-IIFE cards, some CSPs).
// The bytes are deflate-raw compressed and base64-encoded (./wasm.js, generated), so the
// entry costs about what the .wasm itself does over gzip; they are inflated synchronously
// (fflate, ./inflate.js) because an IIFE bundle cannot wait for a top-level await.
// Hand-written (src/entries/inline.js), copied by scripts/build.mjs.
import { initSync } from '../web/index.js';
import { requireWebAssembly } from '../shared/wasm-unavailable.js';
import { decodeBase64 } from '../shared/base64.js';
import { inflateSync } from './inflate.js';
import deflated from './wasm.js';

requireWebAssembly();
initSync({ module: inflateSync(decodeBase64(deflated)) });

export * from '../web/index.js';
