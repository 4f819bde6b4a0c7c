// The `SyncEngine` every entry exports. wasm-bindgen's class takes the client as a typed
// second argument, `new (options, client)`, because only a typed argument lets Rust borrow
// the user's SpotDraftClient (turning a plain JS value into it would move the Rust client out
// and leave the user's object unusable). This subclass keeps the public constructor
// `new SyncEngine(options)` and passes `options.client` on. Hand-written (src/entries/),
// copied into pkg/ by scripts/build.mjs; the Node build gets a CommonJS copy.
//
// It checks only what Rust cannot see before the borrow: that `options` is an object and that
// `options.client` is a SpotDraftClient of this same build. Every other option is Rust's.

/** `SyncEngine` over `Generated` (the glue's class) for clients of `SpotDraftClient`. */
export function defineSyncEngine(Generated, SpotDraftClient) {
  return class SyncEngine extends Generated {
    constructor(options) {
      super(options, clientOf(options, SpotDraftClient));
    }
  };
}

function clientOf(options, SpotDraftClient) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArgument('options', `must be an object such as { client, store, webhookKeys }, got ${typeName(options)}`);
  }
  const { client } = options;
  if (client instanceof SpotDraftClient) return client;
  if (client === undefined) {
    throw invalidArgument('options.client', 'is required: pass the SpotDraftClient that runs the follow-up calls');
  }
  throw invalidArgument(
    'options.client',
    `must be a SpotDraftClient from the same import of spotdraft-sync as SyncEngine, got ${typeName(client)}`,
  );
}

/** A SpotDraftError `INVALID_ARGUMENT` shaped as the Rust core builds it (src/facade/js_error.rs). */
function invalidArgument(path, whatToDo) {
  const error = new Error(`Invalid argument \`${path}\`: ${whatToDo}`);
  error.name = 'SpotDraftError';
  error.code = 'INVALID_ARGUMENT';
  error.details = [{ path, code: 'INVALID_ARGUMENT', message: whatToDo }];
  return error;
}

/** The words Rust's `type_name` (src/facade/convert.rs) uses. */
function typeName(value) {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  const article = { string: 'a string', number: 'a number', boolean: 'a boolean', function: 'a function' };
  return article[typeof value] ?? 'an object';
}
