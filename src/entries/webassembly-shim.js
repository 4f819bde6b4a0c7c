// What the wasm-bindgen glue of the pure-JS build (pkg/js/) sees as `WebAssembly`: the glue
// only ever calls `new WebAssembly.Module(bytes)` and `new WebAssembly.Instance(module,
// imports)` (initSync, and the re-instantiation after a panic), and this answers both with
// the module compiled to JavaScript by wasm2js (./spotdraft_sync_bg.wasm.js, whose
// `instantiate(imports)` returns a fresh instance's exports each call).
// Asynchronous loading is not offered: pkg/js/index.js instantiates on import.
// Hand-written (src/entries/webassembly-shim.js), copied by scripts/build.mjs.
import { instantiate } from './spotdraft_sync_bg.wasm.js';

class Module {}

class Instance {
  constructor(_module, imports) {
    this.exports = instantiate(imports);
  }
}

export const WebAssembly = Object.freeze({ Module, Instance });
