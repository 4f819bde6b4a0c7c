// What SqliteStore, PostgresStore and PostgresRateBudget share: argument checks,
// SpotDraftError-shaped errors, and keeping connection strings and passwords out of messages.
// Not exported from the package.

import { invalidOption, spotDraftError } from './http.js';

export { spotDraftError };

/** `INVALID_ARGUMENT` at `path`. */
export const invalidArgument = invalidOption;

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

/** `text` without any connection string or any of `secrets` (passwords): for error messages. */
export function scrub(text, secrets) {
  let out = String(text ?? '').replace(/postgres(?:ql)?:\/\/\S+/gi, '<connection string>');
  for (const secret of secrets) if (secret) out = out.split(secret).join('<redacted>');
  return out;
}

/** The password in a PostgreSQL connection string, or null. */
export function passwordOf(connectionString) {
  try {
    return decodeURIComponent(new URL(connectionString).password) || null;
  } catch {
    return null;
  }
}

/**
 * Whether a `CREATE TABLE IF NOT EXISTS` failed only because another process created the
 * table at the same moment: the table is there. PostgreSQL reports that race as a unique
 * violation on its type catalogue (23505), a duplicate table (42P07) or a duplicate object,
 * the table's row type (42710, "type … already exists").
 */
export const isConcurrentCreate = (error) => ['23505', '42P07', '42710'].includes(error?.code);
