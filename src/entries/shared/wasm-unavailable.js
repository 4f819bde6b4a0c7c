// The one error every WebAssembly entry of spotdraft-sync throws when WebAssembly cannot run:
// a `SpotDraftError` with code `WASM_UNAVAILABLE` whose message names the cause and the
// build that needs no WebAssembly (`spotdraft-sync/js`). Hand-written (src/entries/), copied
// into pkg/ by scripts/build.mjs; the Node build gets a CommonJS copy.
//
// It does not retry, fall back or load anything: choosing `spotdraft-sync/js` is the caller's
// decision (it is several times larger and slower; BENCHMARKS.md).

const USE_JS = 'Where WebAssembly cannot run, import `spotdraft-sync/js`: the same API compiled to plain JavaScript.';

/** True when this runtime has a usable `WebAssembly` global. */
export function hasWebAssembly() {
  return typeof WebAssembly === 'object' && WebAssembly !== null && typeof WebAssembly.Instance === 'function';
}

/**
 * The `WASM_UNAVAILABLE` error for `cause` (what loading or compiling threw, or `undefined`
 * when the `WebAssembly` global is missing). A value that already is a SpotDraftError is
 * returned as it is.
 */
export function wasmUnavailable(cause) {
  if (cause instanceof Error && cause.name === 'SpotDraftError' && typeof cause.code === 'string') return cause;
  const error = new Error(`${describeCause(cause)} ${USE_JS}`, cause === undefined ? undefined : { cause });
  error.name = 'SpotDraftError';
  error.code = 'WASM_UNAVAILABLE';
  return error;
}

/** Throws `WASM_UNAVAILABLE` unless the `WebAssembly` global is there. */
export function requireWebAssembly() {
  if (!hasWebAssembly()) throw wasmUnavailable(undefined);
}

/**
 * The web glue's async initialiser `initGlue`, guarded: rejects with `WASM_UNAVAILABLE` when
 * WebAssembly cannot run here (no global, a CSP that refuses it, a .wasm the bundler dropped).
 */
export function guardedInit(initGlue) {
  return async function init(moduleOrPath) {
    requireWebAssembly();
    try {
      return await initGlue(moduleOrPath);
    } catch (error) {
      throw wasmUnavailable(error);
    }
  };
}

/** The glue's `initSync`, guarded the same way (throws instead of rejecting). */
export function guardedInitSync(initSyncGlue) {
  return function initSync(module) {
    requireWebAssembly();
    try {
      return initSyncGlue(module);
    } catch (error) {
      throw wasmUnavailable(error);
    }
  };
}

function describeCause(cause) {
  if (!hasWebAssembly()) {
    return 'WebAssembly is not available in this runtime (Salesforce Lightning Web Security, Safari Lockdown Mode, a jitless engine and some hardened browsers remove it).';
  }
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  // The message LWS gives for a blocked property (as for `window.find`); how production LWS
  // blocks WebAssembly itself is not published, so this is matched, not assumed.
  if (/Lightning Web Security/.test(text)) {
    return `Lightning Web Security blocks WebAssembly in Salesforce components (${text}).`;
  }
  if (/wasm-unsafe-eval|unsafe-eval|Content Security Policy/i.test(text)) {
    return `The page's Content Security Policy refuses to compile WebAssembly (${text}). Add 'wasm-unsafe-eval' to its script-src.`;
  }
  if (/disallowed by embedder|code generation/i.test(text)) {
    return `This runtime refuses to compile WebAssembly from bytes (${text}). In Cloudflare Workers import \`spotdraft-sync\` as wrangler does (the "workerd" condition imports the .wasm as a module).`;
  }
  if (/fetch|ENOENT|404|failed to load|NetworkError/i.test(text)) {
    return `The .wasm file could not be loaded (${text}). Make sure your bundler emits spotdraft_sync_bg.wasm beside the glue (or pass its URL to init()), or import \`spotdraft-sync/inline\`, which carries the bytes.`;
  }
  return `WebAssembly could not be started (${text}).`;
}
