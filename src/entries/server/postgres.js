// spotdraft-sync/server/postgres: PostgresStore, a SyncStore over one PostgreSQL table
// through pg (an optional peer dependency, imported here only). Every write bumps the row's
// version, so getVersioned/putIfVersion give the engine compare-and-set; every write also
// NOTIFYs the key (in the same statement, so only committed writes are announced), which
// subscribe() turns into a change feed across processes.
import pg from 'pg';
import { checkKey, checkVersion, invalidArgument, isConcurrentCreate, passwordOf, recordText, scrub, spotDraftError, tableName } from './store-common.js';

const DEFAULT_TABLE = 'spotdraft_sync_records';
const RECONNECT_MS = 1000;

export class PostgresStore {
  #pool;
  #own;
  #table;
  #channel;
  #secrets;
  #ready = null;
  #listeners = new Set();
  #feed = null;
  #reconnect = null;
  #closed = false;

  /**
   * A store in table `table` (default `spotdraft_sync_records`, created if missing) of the
   * database behind `pool` (a pg `Pool`, left open by `close()`) or `connectionString` (a
   * pool of this store's own).
   */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') {
      throw invalidArgument('options', 'must be { pool } or { connectionString }');
    }
    this.#table = tableName(options, DEFAULT_TABLE);
    this.#channel = `spotdraft_sync_${this.#table}`.slice(0, 63);
    const { pool, connectionString } = options;
    if (pool && typeof pool.query === 'function' && typeof pool.connect === 'function') {
      this.#pool = pool;
      this.#own = false;
      this.#secrets = [pool.options?.password, passwordOf(pool.options?.connectionString)];
    } else if (typeof connectionString === 'string' && connectionString !== '') {
      this.#pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
      this.#own = true;
      this.#secrets = [passwordOf(connectionString)];
      // An idle connection dropped by the server must not crash the process; the next
      // query opens a new one (or fails with STORE_ERROR).
      this.#pool.on('error', () => {});
    } else {
      throw invalidArgument('options', 'must have a pg Pool as pool, or a connectionString');
    }
  }

  #error(what, error) {
    const reason = error?.code ?? error?.name ?? 'error';
    return spotDraftError(
      'STORE_ERROR',
      `PostgresStore ${what} failed (${reason}: ${scrub(error?.message ?? error, this.#secrets)}); check that PostgreSQL is running and reachable and the table ${this.#table} is writable, then retry.`,
    );
  }

  async #query(what, text, values) {
    if (this.#closed) throw spotDraftError('STORE_ERROR', 'PostgresStore is closed: create a new one.');
    await this.#setup();
    try {
      return await this.#pool.query(text, values);
    } catch (error) {
      throw this.#error(what, error);
    }
  }

  /** Creates the table once (again after a failure). */
  #setup() {
    this.#ready ??= (async () => {
      try {
        await this.#pool.query(`CREATE TABLE IF NOT EXISTS ${this.#table} (
          key text PRIMARY KEY,
          record text NOT NULL,
          version bigint NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`);
      } catch (error) {
        if (!isConcurrentCreate(error)) {
          this.#ready = null;
          throw this.#error('setup', error);
        }
      }
    })();
    return this.#ready;
  }

  /** Runs `write` (returning the written key), NOTIFYing it when a row was written. */
  async #write(what, write, values) {
    const result = await this.#query(
      what,
      `WITH w AS (${write} RETURNING key) SELECT pg_notify($${values.length + 1}, key) FROM w`,
      [...values, this.#channel],
    );
    return result.rowCount === 1;
  }

  /** The record under `key`, or `null`. */
  async get(key) {
    const result = await this.#query('get', `SELECT record FROM ${this.#table} WHERE key = $1`, [checkKey(key)]);
    return result.rows.length ? JSON.parse(result.rows[0].record) : null;
  }

  /** Stores `record` under `key`, replacing what was there. */
  async put(key, record) {
    await this.#write('put', `INSERT INTO ${this.#table} AS t (key, record, version) VALUES ($1, $2, 1)
      ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record, version = t.version + 1, updated_at = now()`,
    [checkKey(key), recordText(record)]);
  }

  /** Every stored record, in key order. */
  async list() {
    const result = await this.#query('list', `SELECT record FROM ${this.#table} ORDER BY key`);
    return result.rows.map((row) => JSON.parse(row.record));
  }

  /** `{ record, version }` under `key`, or `null`. */
  async getVersioned(key) {
    const result = await this.#query('getVersioned', `SELECT record, version FROM ${this.#table} WHERE key = $1`, [checkKey(key)]);
    if (!result.rows.length) return null;
    const { record, version } = result.rows[0];
    return { record: JSON.parse(record), version: Number(version) };
  }

  /** Writes only if the row's version is still `expectedVersion` (`null`: no row); `true` when written. */
  async putIfVersion(key, record, expectedVersion) {
    checkKey(key);
    const text = recordText(record);
    const expected = checkVersion(expectedVersion);
    return expected === null
      ? this.#write('putIfVersion', `INSERT INTO ${this.#table} (key, record, version) VALUES ($1, $2, 1)
          ON CONFLICT (key) DO NOTHING`, [key, text])
      : this.#write('putIfVersion', `UPDATE ${this.#table} SET record = $2, version = version + 1, updated_at = now()
          WHERE key = $1 AND version = $3`, [key, text, expected]);
  }

  /**
   * Calls `listener({ key, record })` after every write to the table, by any process (LISTEN
   * on a connection of its own, reconnecting after a failure; writes while it was down are
   * not replayed). Returns the function that stops it.
   */
  subscribe(listener) {
    if (typeof listener !== 'function') throw invalidArgument('listener', 'must be a function');
    this.#listeners.add(listener);
    if (!this.#feed && !this.#reconnect) this.#listen();
    return () => {
      this.#listeners.delete(listener);
      if (!this.#listeners.size) this.#unlisten();
    };
  }

  async #listen() {
    if (this.#closed || !this.#listeners.size) return;
    let client;
    try {
      await this.#setup();
      client = await this.#pool.connect();
    } catch {
      this.#retryListen();
      return;
    }
    const feed = { client, done: false };
    this.#feed = feed;
    const lost = () => {
      if (feed.done) return;
      feed.done = true;
      client.removeListener('notification', onNotification);
      client.release(true);
      if (this.#feed === feed) this.#feed = null;
      this.#retryListen();
    };
    const onNotification = (message) => {
      if (message.channel !== this.#channel || !message.payload) return;
      const key = message.payload;
      this.get(key).then((record) => {
        if (record === null) return;
        for (const l of [...this.#listeners]) {
          try { l({ key, record }); } catch { /* a listener's failure is its own */ }
        }
      }, () => {});
    };
    client.on('notification', onNotification);
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.query(`LISTEN "${this.#channel}"`);
    } catch {
      lost();
    }
    if (!this.#listeners.size) this.#unlisten();
  }

  #retryListen() {
    if (this.#closed || !this.#listeners.size || this.#reconnect) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      this.#listen();
    }, RECONNECT_MS);
    this.#reconnect.unref?.();
  }

  #unlisten() {
    clearTimeout(this.#reconnect);
    this.#reconnect = null;
    const feed = this.#feed;
    this.#feed = null;
    if (feed && !feed.done) {
      feed.done = true;
      feed.client.query(`UNLISTEN "${this.#channel}"`).catch(() => {}).finally(() => feed.client.release());
    }
  }

  /** Stops the change feed and ends the pool it opened (a pool passed in stays open). */
  async close() {
    this.#closed = true;
    this.#listeners.clear();
    this.#unlisten();
    if (this.#own) await this.#pool.end().catch(() => {});
  }
}
export { PostgresRateBudget } from './postgres-budget.js';
