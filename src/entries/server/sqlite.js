// spotdraft-sync/server/sqlite: SqliteStore, a SyncStore over one SQLite table through
// better-sqlite3 (an optional peer dependency, imported here only). WAL mode, so readers do
// not wait for a writer and several processes can share the file; every write bumps the
// row's version, so getVersioned/putIfVersion give the engine compare-and-set.
import Database from 'better-sqlite3';
import { checkKey, checkVersion, invalidArgument, recordText, spotDraftError, tableName } from './store-common.js';

const DEFAULT_TABLE = 'spotdraft_sync_records';

function storeError(what, error) {
  const reason = error?.code ?? error?.name ?? 'error';
  return spotDraftError(
    'STORE_ERROR',
    `SqliteStore ${what} failed (${reason}: ${error?.message ?? String(error)}); check that the database file is writable and not locked by a crashed writer, then retry.`,
  );
}

export class SqliteStore {
  #db;
  #own;
  #sql;

  /**
   * A store in table `options.table` (default `spotdraft_sync_records`) of the SQLite
   * database at `pathOrDatabase` (a file path, `':memory:'`, or an open better-sqlite3
   * `Database`, which `close()` then leaves open). Creates the table if missing.
   */
  constructor(pathOrDatabase, options = {}) {
    const table = tableName(options, DEFAULT_TABLE);
    if (typeof pathOrDatabase === 'string' && pathOrDatabase !== '') {
      try {
        this.#db = new Database(pathOrDatabase);
      } catch (error) {
        throw storeError('open', error);
      }
      this.#own = true;
    } else if (pathOrDatabase && typeof pathOrDatabase.prepare === 'function') {
      this.#db = pathOrDatabase;
      this.#own = false;
    } else {
      throw invalidArgument('pathOrDatabase', 'must be a file path or a better-sqlite3 Database');
    }
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
        key TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      )`);
      const now = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
      this.#sql = {
        get: this.#db.prepare(`SELECT record, version FROM ${table} WHERE key = ?`),
        list: this.#db.prepare(`SELECT record FROM ${table} ORDER BY key`),
        put: this.#db.prepare(`INSERT INTO ${table} (key, record, version, updated_at) VALUES (?, ?, 1, ${now})
          ON CONFLICT (key) DO UPDATE SET record = excluded.record, version = ${table}.version + 1, updated_at = excluded.updated_at`),
        insert: this.#db.prepare(`INSERT INTO ${table} (key, record, version, updated_at) VALUES (?, ?, 1, ${now})
          ON CONFLICT (key) DO NOTHING`),
        update: this.#db.prepare(`UPDATE ${table} SET record = ?, version = version + 1, updated_at = ${now}
          WHERE key = ? AND version = ?`),
      };
    } catch (error) {
      if (this.#own) this.#db.close();
      throw storeError('setup', error);
    }
  }

  #run(what, action) {
    if (!this.#db.open) {
      return Promise.reject(spotDraftError('STORE_ERROR', 'SqliteStore is closed: create a new one.'));
    }
    try {
      return Promise.resolve(action());
    } catch (error) {
      return Promise.reject(error?.name === 'SpotDraftError' ? error : storeError(what, error));
    }
  }

  /** The record under `key`, or `null`. */
  get(key) {
    return this.#run('get', () => {
      const row = this.#sql.get.get(checkKey(key));
      return row ? JSON.parse(row.record) : null;
    });
  }

  /** Stores `record` under `key`, replacing what was there. */
  put(key, record) {
    return this.#run('put', () => {
      this.#sql.put.run(checkKey(key), recordText(record));
    });
  }

  /** Every stored record, in key order. */
  list() {
    return this.#run('list', () => this.#sql.list.all().map((row) => JSON.parse(row.record)));
  }

  /** `{ record, version }` under `key`, or `null`. */
  getVersioned(key) {
    return this.#run('getVersioned', () => {
      const row = this.#sql.get.get(checkKey(key));
      return row ? { record: JSON.parse(row.record), version: row.version } : null;
    });
  }

  /** Writes only if the row's version is still `expectedVersion` (`null`: no row); `true` when written. */
  putIfVersion(key, record, expectedVersion) {
    return this.#run('putIfVersion', () => {
      checkKey(key);
      const text = recordText(record);
      const expected = checkVersion(expectedVersion);
      const result = expected === null
        ? this.#sql.insert.run(key, text)
        : this.#sql.update.run(text, key, expected);
      return result.changes === 1;
    });
  }

  /** Closes the database (unless it was passed in open). */
  close() {
    if (this.#own && this.#db.open) this.#db.close();
  }
}
