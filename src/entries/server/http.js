// What the server kit's handlers share: the JSON error answer every part gives
// (`{"error":{"code","message","details?"}}`, never a redirect) and the SpotDraftError
// `INVALID_ARGUMENT` their factories throw for a bad option (the stores' too). No I/O, no logging.

/**
 * The header on every error answer the server kit makes itself (not one relayed from
 * SpotDraft), with the answer's code: a `SpotDraftClient` behind the proxy reads it and keeps
 * the kit's code and message (`NETWORK` when the proxy could not reach SpotDraft, not a
 * SpotDraft `SERVER_ERROR`). src/api/server_kit_error.rs reads it.
 */
export const OWN_ERROR_HEADER = 'spotdraft-sync-error';

/** A JSON error answer: `status`, stable `code`, what to do; `headers` added as given. */
export function errorResponse(status, code, message, { details, headers } = {}) {
  const error = details?.length ? { code, message, details } : { code, message };
  return Response.json({ error }, { status, headers: { ...headers, [OWN_ERROR_HEADER]: code } });
}

/** A `SpotDraftError`-shaped `Error` (name, stable `code`, optional `details`), as the Rust core throws them. */
export function spotDraftError(code, message, details) {
  const error = new Error(message);
  error.name = 'SpotDraftError';
  error.code = code;
  if (details) error.details = details;
  return error;
}

/** A SpotDraftError `INVALID_ARGUMENT` for option `path`, shaped as the Rust core builds it. */
export function invalidOption(path, whatToDo) {
  return spotDraftError('INVALID_ARGUMENT', `Invalid argument \`${path}\`: ${whatToDo}`, [{ path, code: 'INVALID_ARGUMENT', message: whatToDo }]);
}

/** Calls the user's `log(entry)` hook, if any; a throwing hook is ignored. */
export function logger(log, part) {
  if (log !== undefined && typeof log !== 'function') throw invalidOption('options.log', 'must be a function (entry) => void');
  return (entry) => {
    if (!log) return;
    try {
      log({ part, ...entry });
    } catch {
      // The log hook must not change an answer.
    }
  };
}

/**
 * The request's body bytes, at most `max` (`null` when it is longer). A longer body is read
 * and dropped up to `drainUpTo` bytes (default `max`: not at all) so that the client still
 * reads the answer (most HTTP clients report a reset when the server stops reading
 * mid-upload); beyond that, or when `Content-Length` already says so, the read is cancelled.
 */
export async function readLimitedBody(request, max, { drainUpTo = max } = {}) {
  const declared = request.headers.get('content-length');
  const declaredSize = declared !== null && /^\d+$/.test(declared.trim()) ? Number(declared) : undefined;
  if (declaredSize !== undefined && declaredSize > drainUpTo) {
    request.body?.cancel().catch(() => {});
    return null;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > drainUpTo) {
      reader.cancel().catch(() => {});
      return null;
    }
    if (size <= max) chunks.push(value);
  }
  if (size > max) return null;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
