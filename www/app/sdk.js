// Loads spotdraft-sync in the page: the client build's WebAssembly (`pkg/client/web`: client,
// validation, mapping — what a page needs, without the sync engine) where WebAssembly runs,
// else the pure-JS build (`pkg/js`, the same Rust core compiled to JavaScript), e.g. with
// WebAssembly disabled by policy or in Safari's Lockdown Mode. Resolves with the module and
// which build it is.

/** True when this page may compile WebAssembly at all. */
function webAssemblyAvailable() {
  return typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
}

export async function loadSdk() {
  if (webAssemblyAvailable()) {
    const sdk = await import('/pkg/client/web/index.js');
    try {
      await sdk.default();
      return { sdk, build: 'WebAssembly' };
    } catch (error) {
      // A CSP without 'wasm-unsafe-eval' or a module that cannot compile: WASM_UNAVAILABLE.
      if (error?.code !== 'WASM_UNAVAILABLE') throw error;
    }
  }
  return { sdk: await import('/pkg/js/index.js'), build: 'JavaScript (no WebAssembly here)' };
}
