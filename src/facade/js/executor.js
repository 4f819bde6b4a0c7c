// The promise plumbing of the Rust executor (src/facade/executor.rs), each piece set up in one
// call from wasm: a call out of wasm per `Promise.resolve`, `then`, `catch` and handle drop
// cost more than the work (benches/client-overhead.bench.mjs).
//
// Every callback into wasm runs inside `try`: a callback of an instance re-created after a
// panic throws when called, and a panic throws out of wasm; neither may surface as an uncaught
// exception (fatal in Node) or an unhandled rejection. What was thrown is dropped here on
// purpose: the panic hook has already rejected the calls in flight with `INTERNAL`.
//
// `scripts/build.mjs` derives the CommonJS copy for the Node build from this file: keep every
// export an `export function`.

/** Calls `poll(id)` in a microtask. */
export function spotdraftSchedule(id, poll) {
  queueMicrotask(() => {
    try {
      poll(id);
    } catch {
      // See the file's comment.
    }
  });
}

/** Calls `onFulfilled(slot, value)` or `onRejected(slot, reason)` when `promise` settles. */
export function spotdraftAwait(promise, slot, onFulfilled, onRejected) {
  promise.then(
    (value) => {
      try {
        onFulfilled(slot, value);
      } catch {
        // See the file's comment.
      }
    },
    (reason) => {
      try {
        onRejected(slot, reason);
      } catch {
        // See the file's comment.
      }
    },
  );
}
