// The two promise chains of the Rust executor (src/facade/executor.rs), each built in one call
// from wasm instead of three or four (`Promise.resolve`, `bind`, `then`, `catch`, and a handle
// for each result to drop): a client call runs three of them.
//
// Both chains end in `.catch(ignore)`: a callback of an instance re-created after a panic
// throws when called, and that must never surface as an unhandled rejection.
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/** Calls `poll(id)` from a promise callback (a microtask), then `ignore` on a throw. */
export function spotdraftSchedule(id, poll, ignore) {
  Promise.resolve(id).then(poll).catch(ignore);
}

/** Calls `onFulfilled(slot, value)` or `onRejected(slot, reason)` when `promise` settles. */
export function spotdraftAwait(promise, slot, onFulfilled, onRejected, ignore) {
  promise
    .then((value) => onFulfilled(slot, value), (reason) => onRejected(slot, reason))
    .catch(ignore);
}
