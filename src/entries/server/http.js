// What the server kit's handlers share: the JSON error answer every part gives
// (`{"error":{"code","message","details?"}}`, never a redirect) and the SpotDraftError
// `INVALID_ARGUMENT` their factories throw for a bad option. No I/O, no logging.

/** A JSON error answer: `status`, stable `code`, what to do; `headers` added as given. */
export function errorResponse(status, code, message, { details, headers } = {}) {
  const error = details?.length ? { code, message, details } : { code, message };
  return Response.json({ error }, { status, headers });
}

/** A SpotDraftError `INVALID_ARGUMENT` for option `path`, shaped as the Rust core builds it. */
export function invalidOption(path, whatToDo) {
  const error = new Error(`Invalid argument \`${path}\`: ${whatToDo}`);
  error.name = 'SpotDraftError';
  error.code = 'INVALID_ARGUMENT';
  error.details = [{ path, code: 'INVALID_ARGUMENT', message: whatToDo }];
  return error;
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
