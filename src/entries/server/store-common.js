// What SqliteStore and PostgresStore share: argument checks and SpotDraftError-shaped errors.
// Not exported from the package.

/** A `SpotDraftError`-shaped `Error` (name, stable `code`), as the Rust core throws them. */
export function spotDraftError(code, message, details) {
  const error = new Error(message);
  error.name = 'SpotDraftError';
  error.code = code;
  if (details) error.details = details;
  return error;
}

/** `INVALID_ARGUMENT` at `path`. */
export function invalidArgument(path, message) {
  return spotDraftError('INVALID_ARGUMENT', `${path} ${message}`, [{ path: `$.${path}`, message }]);
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The table name option: an SQL identifier, so it can be spliced into statements. */
export function tableName(options, fallback) {
  const table = options?.table ?? fallback;
  if (typeof table !== 'string' || !TABLE.test(table)) {
    throw invalidArgument('options.table', 'must be an SQL identifier: letters, digits and _, at most 63, not starting with a digit');
  }
  return table;
}

/** A non-empty string key. */
export function checkKey(key) {
  if (typeof key !== 'string' || key === '') throw invalidArgument('key', 'must be a non-empty string');
  return key;
}

/** The record as JSON text (a plain JSON object). */
export function recordText(record) {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw invalidArgument('record', 'must be a JSON object (a SyncRecord)');
  }
  return JSON.stringify(record);
}

/** `expectedVersion`: null, or a version as `getVersioned` returned it. */
export function checkVersion(version) {
  if (version === null || version === undefined) return null;
  const number = typeof version === 'string' && /^\d+$/.test(version) ? Number(version) : version;
  if (!Number.isSafeInteger(number) || number < 1) {
    throw invalidArgument('expectedVersion', 'must be null or a version getVersioned returned');
  }
  return number;
}
