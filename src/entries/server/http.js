// What the server kit's handlers share: the JSON error answer every part gives
// (`{"error":{"code","message","details?"}}`, never a redirect) and the SpotDraftError
// `INVALID_ARGUMENT` their factories throw for a bad option (the stores' too). No I/O, no logging.

/** A JSON error answer: `status`, stable `code`, what to do; `headers` added as given. */
export function errorResponse(status, code, message, { details, headers } = {}) {
  const error = details?.length ? { code, message, details } : { code, message };
  return Response.json({ error }, { status, headers });
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
