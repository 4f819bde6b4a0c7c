// Types of spotdraft-sync/server/postgres (src/entries/server/postgres.js).
import type { SyncRecord, SyncStore, StoreVersion, VersionedRecord } from 'spotdraft-sync';

/** The part of a pg `Pool` this store uses (no @types package needed). */
export interface PgPool {
  query(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
  connect(): Promise<unknown>;
}

/** What a change feed listener gets: the key written and the record now under it. */
export interface StoreChange {
  key: string;
  record: SyncRecord;
}

/**
 * A `SyncStore` in one PostgreSQL table (pg, an optional peer dependency: install it to use
 * this entry), created if missing: a row per key (`key` primary key, `record` JSON text,
 * `version` bumped by every write, `updated_at`). Implements `getVersioned` and
 * `putIfVersion` (`UPDATE … WHERE key = $1 AND version = $2`, `INSERT … ON CONFLICT DO
 * NOTHING`), so several processes or instances sharing the database lose no update. Errors
 * are `SpotDraftError`s: `STORE_ERROR` (the message says what to do and holds no connection
 * string or password), `INVALID_ARGUMENT`.
 *
 * ```js
 * const store = new PostgresStore({ connectionString: process.env.DATABASE_URL });
 * const engine = new SyncEngine({ client, store, webhookKeys });
 * ```
 *
 * With a `pool` of your own, handle its `error` event (pg emits one when the server drops an
 * idle connection); a pool the store opens has a handler.
 */
export declare class PostgresStore implements SyncStore {
  constructor(options: { pool: PgPool; table?: string } | { connectionString: string; table?: string; max?: number });
  get(key: string): Promise<SyncRecord | null>;
  put(key: string, record: SyncRecord): Promise<void>;
  list(): Promise<SyncRecord[]>;
  getVersioned(key: string): Promise<VersionedRecord | null>;
  putIfVersion(key: string, record: SyncRecord, expectedVersion: StoreVersion | null): Promise<boolean>;
  /**
   * Calls `listener` after every committed write to the table, by any process (LISTEN/NOTIFY
   * on a connection of its own, which reconnects after a failure; writes made while it was
   * down are not replayed). Returns the function that stops it.
   */
  subscribe(listener: (change: StoreChange) => void): () => void;
  /** Stops the change feed; ends the pool it opened. */
  close(): Promise<void>;
}

/**
 * One request budget for every process of a SpotDraft workspace (10 requests per second per
 * workspace), kept in one PostgreSQL row (table `table`, default `spotdraft_rate_budget`,
 * created if missing; one row per `name`, default `"workspace"`). Pass it as
 * `new SpotDraftClient({ …, rateBudget })` in each process: every request books the next slot
 * `1000 / perSecond` ms after the previous one, by any process, in one UPDATE on the
 * database's clock (no skew between machines). It does not give processes fair shares
 * (whoever books first goes first) and does not retry: a database that is down rejects
 * `reserve()` with `STORE_ERROR`, and the client fails the call without sending it.
 *
 * ```js
 * const rateBudget = new PostgresRateBudget({ connectionString: process.env.DATABASE_URL, perSecond: 10 });
 * const client = new SpotDraftClient({ clientId, clientSecret, region: 'US', rateBudget });
 * ```
 */
export declare class PostgresRateBudget {
  /** Throws `INVALID_ARGUMENT` without a pool or connection string, a bad `perSecond`, `name` or `table`. */
  constructor(options: { pool?: PgPool; connectionString?: string; name?: string; perSecond?: number; table?: string });
  /** Books the next slot; resolves with the milliseconds to wait for it (0 when it is free now). */
  reserve(): Promise<number>;
  /** Ends the pool the budget opened (a pool passed in stays open). */
  close(): Promise<void>;
}
